import assert from "node:assert/strict";
import { measurePeak } from "./_peak.ts";

Deno.test("the bench measures its peak in the run: both kernels' GFLOP/s, the better one named", async () => {
  const peak = await measurePeak({ runs: 1 });
  assert.ok(peak.conv_gflops > 0 && peak.matmul_gflops > 0, JSON.stringify(peak));
  assert.equal(peak.peak_gflops_measured, Math.max(peak.conv_gflops, peak.matmul_gflops));
  assert.equal(
    peak.peak_kernel,
    peak.conv_gflops >= peak.matmul_gflops ? "conv512-3x3-64x64" : "matmul-2048",
  );
  assert.equal(peak.provider, "cpu");
});

Deno.test("no bench file divides by a hard-coded peak any more", async () => {
  for (const file of ["mod.ts", "_inversion_row.ts"]) {
    const source = await Deno.readTextFile(new URL(`./${file}`, import.meta.url));
    assert.doesNotMatch(source, /PEAK_GFLOPS|gflop \/ 200\b/, file);
    assert.match(source, /peak_gflops_measured/, file);
  }
});
