/**
 * The GPU path, on every run of the suite: tests/_gpu_path_checks.ts runs as `deno test` in a subprocess whose
 * environment alone (never the suite's) points the Vulkan loader at SwiftShader, the software Vulkan driver that
 * Debian's `chromium` package ships. ONNX Runtime's WebGPU provider runs on it as on a GPU, slowly, so the checks
 * are small: per-op comparisons with the CPU, a 2-image inversion, the 64² goldens, one training step, and
 * WebGPU in three workers at once. tests/tools/provision.ts installs chromium and libvulkan1; without them this
 * test fails and says so (it is never skipped).
 */
import assert from "node:assert/strict";
import { pathExistsSync } from "../io/atomic_write.ts";

/** SwiftShader's Vulkan ICD as Debian's chromium package installs it. */
export const SWIFTSHADER_ICD = "/usr/lib/chromium/vk_swiftshader_icd.json";

Deno.test("GPU path: WebGPU on SwiftShader equals the CPU and the goldens (subprocess)", async () => {
  assert.ok(
    pathExistsSync(SWIFTSHADER_ICD),
    `SwiftShader's Vulkan driver ${SWIFTSHADER_ICD} is missing: install the Debian packages chromium and ` +
      "libvulkan1 (deno run -A tests/tools/provision.ts does)",
  );
  const checks = new URL("./_gpu_path_checks.ts", import.meta.url).pathname;
  const start = performance.now();
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["test", "-A", "--no-check", checks],
    cwd: new URL("..", import.meta.url).pathname,
    env: { VK_ICD_FILENAMES: SWIFTSHADER_ICD, NO_COLOR: "1" },
    stdin: "null",
  }).output();
  const seconds = ((performance.now() - start) / 1000).toFixed(1);
  const text = new TextDecoder().decode(stdout);
  const errors = new TextDecoder().decode(stderr).split("\n").filter((l) => !/XDG_RUNTIME_DIR/.test(l)).join(
    "\n",
  );
  const summary = text.split("\n").filter((l) => / \.\.\. |^(ok|FAILED) \|/.test(l)).join("\n");
  console.log(`GPU path checks on SwiftShader (${seconds} s):\n${summary}`);
  assert.equal(code, 0, `The GPU path checks failed (exit ${code}):\n${text}\n${errors}`);
  assert.match(text, /^ok \| 18 passed \| 0 failed/m, text);
});
