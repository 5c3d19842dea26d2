/**
 * File formats and fixtures: the fixture PRNG, 16-bit floats, safetensors, atomic writes, and the loader of
 * the golden fixtures made from the official HyperInverter code.
 *
 * @example
 * ```ts
 * import { prngBits, readSafetensors, writeSafetensors } from "./mod.ts";
 * console.log(prngBits(0, 0, 0)); // 1144304738
 * const file = readSafetensors(writeSafetensors({ x: { dtype: "U8", shape: [1], data: new Uint8Array([7]) } }));
 * console.log(file.tensors.get("x")!.bytes[0]); // 7
 * ```
 *
 * @module
 */

export { prngBits, prngFill, type PrngFillOptions, prngU } from "./prng.ts";
export { bfloat16ToFloat32, float16ToFloat32, float32ToBfloat16, float32ToFloat16 } from "./float16.ts";
export {
  readSafetensors,
  type ReadSafetensorsOptions,
  SAFETENSORS_DTYPE_BYTES,
  type SafetensorsData,
  type SafetensorsDtype,
  type SafetensorsFile,
  type StoredTensor,
  type TensorToWrite,
  toFloat32,
  writeSafetensors,
} from "./safetensors.ts";
export { writeFileAtomic } from "./atomic_write.ts";
export {
  INVERSION_FORMAT,
  INVERSION_VERSION,
  type InversionFile,
  readInversionFile,
  writeInversionFile,
} from "./inversion_file.ts";
export { readRegularFile, type ReadRegularFileOptions } from "./regular_file.ts";
export { PluginRegistry, type ResolveOptions } from "./plugin_registry.ts";
export { type LoadedPlugin, type PluginContract } from "./plugin_loader.ts";
export {
  type FixtureDtype,
  type FixtureSection,
  type FixtureTensor,
  type FixtureTensorEntry,
  loadReferenceFixture,
  type LoadReferenceFixtureOptions,
  type ModuleEntry,
  type ModuleTensorEntry,
  type ModuleWeight,
  type PrngRecipe,
  ReferenceFixture,
  referenceFixturesRoot,
  type ReferenceManifest,
} from "./reference_fixture.ts";
export {
  type InputImage,
  MAX_IMAGE_PIXELS,
  readImage,
  rgbBytesToTensor,
  toRgbBytes,
  writePng,
} from "./image.ts";
export { readWeights, type Weight, writeWeights } from "./weights_file.ts";
export {
  BASE_PICKLE_GLOBALS,
  type NumpyDtype,
  type PickleGlobal,
  PickleGlobalRef,
  unpickle,
  unpickleAt,
  type UnpickleOptions,
  type UnpickleResult,
} from "./pickle.ts";
export { crc32, isZip, readZip, type ReadZipOptions, ZipArchive, type ZipEntry } from "./zip.ts";
export {
  flattenStateDict,
  isPersistentObject,
  isTorchTensor,
  type PersistentObject,
  readTorchFile,
  readTorchFileAsync,
  readTorchFileFromPath,
  type ReadTorchFileOptions,
  type ReadTorchFilePathOptions,
  tensorToFloat32,
  TORCH_DTYPE_BYTES,
  type TorchDtype,
  torchPickleGlobalNames,
  type TorchStorage,
  type TorchStorageData,
  type TorchTensor,
} from "./torch_file.ts";
export { adaModuleStateDict } from "./ada_pickle.ts";
