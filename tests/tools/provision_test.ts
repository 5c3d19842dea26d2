/**
 * `tests/tools/provision.ts` on simulated machines: a folder stands for `/` (HYPERINVERTER_PROVISION_ROOT) and a
 * fake installer records what it is asked to install.
 */
import assert from "node:assert/strict";
import { INSTALLER_VARIABLE, NEEDS, ROOT_VARIABLE } from "./provision.ts";

const SCRIPT = new URL("./provision.ts", import.meta.url).pathname;

async function runProvision(env: Record<string, string>): Promise<{ code: number; output: string }> {
  const result = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", SCRIPT],
    env: { NO_COLOR: "1", ...env },
    clearEnv: false,
    stdin: "null",
  }).output();
  const decoder = new TextDecoder();
  return { code: result.code, output: decoder.decode(result.stdout) + decoder.decode(result.stderr) };
}

async function withRoot(body: (root: string) => Promise<void>) {
  const root = await Deno.makeTempDir({ prefix: "provision-" });
  try {
    await body(root);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

async function touch(root: string, files: string[]) {
  for (const file of files) {
    await Deno.mkdir(`${root}${file.slice(0, file.lastIndexOf("/"))}`, { recursive: true });
    await Deno.writeFile(`${root}${file}`, new Uint8Array());
  }
}

/** A shell script that "installs" each package it is given by creating the package's files under root. */
async function fakeInstaller(root: string, options: { fail?: boolean } = {}): Promise<string> {
  const cases = NEEDS.map((need) =>
    `    ${need.package}) for f in ${need.files.join(" ")}; do mkdir -p "$(dirname "${root}$f")"; ` +
    `touch "${root}$f"; done ;;`
  ).join("\n");
  const path = `${root}/fake-apt`;
  await Deno.writeTextFile(
    path,
    `#!/bin/sh\necho "$@" >> "${root}/installed.txt"\n${
      options.fail ? 'echo "E: Unable to locate package" >&2\nexit 100\n' : ""
    }for p in "$@"; do\n  case "$p" in\n${cases}\n  esac\ndone\n`,
  );
  await Deno.chmod(path, 0o755);
  return path;
}

Deno.test("with everything present it prints nothing and exits 0", async () => {
  await withRoot(async (root) => {
    await touch(root, NEEDS.flatMap((need) => need.files));
    assert.deepEqual(await runProvision({ [ROOT_VARIABLE]: root }), { code: 0, output: "" });
  });
});

Deno.test("on a bare machine that cannot install, it names each package and the command, and exits 1", async () => {
  await withRoot(async (root) => {
    await touch(root, ["/usr/bin/python3", "/usr/lib/python3/dist-packages/PIL/__init__.py"]);
    const { code, output } = await runProvision({ [ROOT_VARIABLE]: root });
    assert.equal(code, 1);
    const arch = Deno.build.arch === "aarch64" ? "aarch64" : "x86_64";
    const mnist = "/usr/share/datasets/fashion-mnist";
    assert.equal(
      output,
      [
        "provision: the tests need Debian packages that are missing (HYPERINVERTER_PROVISION_ROOT is set, so nothing is installed):",
        "  python3-onnx           onnx.checker on written models, graph/onnx_writer_test.ts; no /usr/lib/python3/dist-packages/onnx/__init__.py",
        `  dataset-fashion-mnist  the training data's loader tests; no ${mnist}/train-images-idx3-ubyte.gz, ` +
        `${mnist}/train-labels-idx1-ubyte.gz, ${mnist}/t10k-images-idx3-ubyte.gz, ${mnist}/t10k-labels-idx1-ubyte.gz`,
        "  chromium               the site's browser tests, site/e2e_test.ts; no /usr/bin/chromium",
        `  libvulkan1             the WebGPU provider's probe; no /usr/lib/${arch}-linux-gnu/libvulkan.so.1`,
        "  slurm-wlm              the single-node Slurm cluster of tests/slurm_test.ts (ablate --slurm); no " +
        "/usr/sbin/slurmctld, /usr/sbin/slurmd, /usr/bin/sbatch, /usr/bin/squeue, /usr/bin/scancel",
        "  munge                  Slurm's authentication in tests/slurm_test.ts; no /usr/sbin/munged",
        "Install them, then run the tests again:",
        "  sudo apt-get install -y python3-onnx dataset-fashion-mnist chromium libvulkan1 slurm-wlm munge",
        "",
      ].join("\n"),
    );
  });
});

Deno.test("with an installer it installs only what is missing, one line per package, and exits 0", async () => {
  await withRoot(async (root) => {
    await touch(root, NEEDS[0].files); // python3-onnx is there
    const installer = await fakeInstaller(root);
    const { code, output } = await runProvision({ [ROOT_VARIABLE]: root, [INSTALLER_VARIABLE]: installer });
    assert.equal(code, 0, output);
    assert.deepEqual(output.trimEnd().split("\n"), [
      "provision: installing python3-pil (Pillow's resize as the reference of io/image.ts)",
      "provision: installing dataset-fashion-mnist (the training data's loader tests)",
      "provision: installing chromium (the site's browser tests, site/e2e_test.ts)",
      "provision: installing libvulkan1 (the WebGPU provider's probe)",
      "provision: installing slurm-wlm (the single-node Slurm cluster of tests/slurm_test.ts (ablate --slurm))",
      "provision: installing munge (Slurm's authentication in tests/slurm_test.ts)",
    ]);
    assert.equal(
      await Deno.readTextFile(`${root}/installed.txt`),
      "python3-pil dataset-fashion-mnist chromium libvulkan1 slurm-wlm munge\n",
    );
    // Now everything is there: silent.
    assert.deepEqual(await runProvision({ [ROOT_VARIABLE]: root, [INSTALLER_VARIABLE]: installer }), {
      code: 0,
      output: "",
    });
  });
});

Deno.test("when the installer fails it says why and what to install, and exits 1", async () => {
  await withRoot(async (root) => {
    await touch(root, NEEDS.filter((need) => need.package !== "chromium").flatMap((need) => need.files));
    const installer = await fakeInstaller(root, { fail: true });
    const { code, output } = await runProvision({ [ROOT_VARIABLE]: root, [INSTALLER_VARIABLE]: installer });
    assert.equal(code, 1);
    assert.equal(
      output,
      [
        "provision: installing chromium (the site's browser tests, site/e2e_test.ts)",
        "provision: the tests need a Debian package that is missing (installing failed: E: Unable to locate package):",
        "  chromium  the site's browser tests, site/e2e_test.ts; no /usr/bin/chromium",
        "Install them, then run the tests again:",
        "  sudo apt-get install -y chromium",
        "",
      ].join("\n"),
    );
  });
});
