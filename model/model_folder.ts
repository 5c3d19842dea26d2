/**
 * Writes a model folder (model.json + one safetensors file per module, as `model/load.ts` reads it) from
 * weights under their pipeline names.
 *
 * @module
 */

import { type Weight, writeWeights } from "../io/weights_file.ts";
import { writeFileAtomic } from "../io/atomic_write.ts";
import type { ArchitectureJson } from "./architecture.ts";
import {
  MANIFEST_FORMAT,
  MANIFEST_VERSION,
  MODULE_NAMES,
  MODULE_PREFIX,
  type ModuleName,
  moduleOfWeight,
} from "./manifest.ts";
import { relative, resolve } from "node:path";
import { sha256Hex } from "./weights_digest.ts";
import { architecturePluginHashes } from "./plugins.ts";

/**
 * Writes `out/model.json` and `out/<module>.safetensors` (float16 unless `fp16` is false). Modules named in
 * `shared` are not copied: the manifest points at that existing file by a relative path (so variants that share
 * a frozen generator and W encoder store only their own phase-II weights). The manifest records the sha256 of
 * every weights file, shared ones included, which model/load.ts verifies, and the sha256 of each plug-in the
 * hypernet names (`plugins`; model/plugins.ts); it is written last, so a folder with a `model.json` is complete.
 *
 * @param out the folder (created)
 * @param model architecture, weights by pipeline name (`synthesis.*`, `w_encoder.*`, …), name, provenance
 * @returns the manifest path
 * @example
 * ```ts
 * import { writeModelFolder } from "./model_folder.ts";
 * import { loadHyperInverter } from "./load.ts";
 * import { TINY_ARCHITECTURE, writeTinyModel } from "../tests/_tiny_model.ts";
 * const tiny = await loadHyperInverter(await writeTinyModel(await Deno.makeTempDir()));
 * const path = await writeModelFolder(await Deno.makeTempDir(), {
 *   name: "copy", architecture: TINY_ARCHITECTURE, weights: tiny.weights as Map<string, { data: Float32Array; shape: number[] }>,
 * });
 * console.log((await loadHyperInverter(path)).resolution); // 64
 * ```
 */
export async function writeModelFolder(
  out: string,
  model: {
    name: string;
    architecture: ArchitectureJson;
    weights: ReadonlyMap<string, Weight>;
    provenance?: Record<string, unknown>;
    fp16?: boolean;
    /** Existing safetensors files to reference instead of writing, per module. */
    shared?: Partial<Record<ModuleName, string>>;
  },
): Promise<string> {
  const plugins = await architecturePluginHashes(model.architecture); // a relative specifier fails first
  await Deno.mkdir(out, { recursive: true });
  const files: Record<string, string> = {};
  const sha256: Record<string, string> = {};
  for (const module of MODULE_NAMES) {
    const existing = model.shared?.[module];
    if (existing) {
      sha256[module] = await sha256Hex(await Deno.readFile(existing)); // NotFound names the file
      files[module] = relative(resolve(out), resolve(existing));
      continue;
    }
    const prefix = MODULE_PREFIX[module];
    const own = new Map<string, Weight>();
    for (const [name, value] of model.weights) {
      if (moduleOfWeight(name) === module) own.set(name.slice(prefix.length), value);
    }
    files[module] = `${module}.safetensors`;
    await writeWeights(`${out}/${files[module]}`, own, {
      overwrite: true,
      dtype: model.fp16 === false ? "F32" : "F16",
    });
    // The digest of what is on disk, read back (writeWeights encodes the bytes).
    sha256[module] = await sha256Hex(await Deno.readFile(`${out}/${files[module]}`));
  }
  const manifest = {
    format: MANIFEST_FORMAT,
    version: MANIFEST_VERSION,
    name: model.name,
    architecture: model.architecture,
    weights: files,
    sha256,
    ...(Object.keys(plugins).length ? { plugins } : {}),
    provenance: { ...model.provenance, storage: model.fp16 === false ? "float32" : "float16" },
  };
  const path = `${out}/model.json`;
  await writeFileAtomic(path, JSON.stringify(manifest, null, 2) + "\n");
  return path;
}
