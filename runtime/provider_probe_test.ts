import assert from "node:assert/strict";
import { cudaLibraryMissing } from "./provider_probe.ts";

Deno.test("cudaLibraryMissing: the CUDA provider needs libonnxruntime_providers_shared.so beside it", async () => {
  const directory = `${await Deno.makeTempDir({ prefix: "ort-bin-" })}/`;
  try {
    assert.match(cudaLibraryMissing(directory)!, /libonnxruntime_providers_cuda\.so is not installed in/);
    await Deno.writeFile(`${directory}libonnxruntime_providers_cuda.so`, new Uint8Array(1));
    assert.equal(
      cudaLibraryMissing(directory),
      `libonnxruntime_providers_shared.so is not installed in ${directory}`,
    );
    await Deno.writeFile(`${directory}libonnxruntime_providers_shared.so`, new Uint8Array(1));
    assert.equal(cudaLibraryMissing(directory), null);
  } finally {
    await Deno.remove(directory, { recursive: true });
  }
});
