import assert from "node:assert/strict";
import { autoWebGpuRefusal, probeWebGpuAdapter } from "./gpu_adapter_probe.ts";

Deno.test("auto skips a missing or software WebGPU adapter, and says why", () => {
  assert.equal(autoWebGpuRefusal(null), "the WebGPU adapter probe failed");
  assert.equal(autoWebGpuRefusal({ found: false, fallback: false, description: "" }), "no WebGPU adapter");
  assert.match(
    autoWebGpuRefusal({ found: true, fallback: true, description: "llvmpipe (LLVM 15.0.6, 256 bits)" })!,
    /only a software WebGPU adapter \(llvmpipe/,
  );
  assert.equal(autoWebGpuRefusal({ found: true, fallback: false, description: "NVIDIA H200" }), null);
});

Deno.test("--device auto is quiet: no Vulkan or driver messages reach stderr when it falls back to the CPU", async () => {
  const adapter = await probeWebGpuAdapter();
  // On a machine with a real GPU, auto may pick it (and its driver may speak): this checks the CPU-only case,
  // which is every machine without a hardware adapter, with or without a Vulkan loader and software drivers.
  if (adapter?.found && !adapter.fallback) return;
  const script = `
    import { GraphBuilder } from "${new URL("../graph/builder.ts", import.meta.url)}";
    import { GraphSession } from "${new URL("./session.ts", import.meta.url)}";
    const g = new GraphBuilder("t");
    g.output(g.scale(g.input("x", [3]), 2), "y");
    const session = await GraphSession.create(g, { device: "auto" });
    console.log(session.provider);
  `;
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--quiet", script],
    env: { NO_COLOR: "1" },
  }).output();
  const [out, err] = [new TextDecoder().decode(stdout), new TextDecoder().decode(stderr)];
  assert.equal(code, 0, err);
  assert.equal(out.trim(), "cpu");
  assert.equal(err, "", "auto printed to stderr");
});
