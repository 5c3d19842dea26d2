/**
 * Provisions what the tests need beyond Deno and npm: a few Debian packages, found by the files the tests use.
 * `deno task test` runs it first. Each missing package is installed with `apt-get` when this process can
 * (root, or `sudo -n`), with one line per package; when it cannot, it prints exactly what to install and exits
 * 1. With everything present it prints nothing and exits 0 (in well under a second: it only stats files).
 *
 * For its own tests: `HYPERINVERTER_PROVISION_ROOT=/dir` looks for the files under `/dir` and installs nothing,
 * unless `HYPERINVERTER_PROVISION_INSTALLER=/path/to/program` names a program to call with the package names
 * instead of `apt-get install`.
 *
 *     deno run -A tests/tools/provision.ts
 *
 * @module
 */

/** A Debian package the tests need, and the files whose presence shows it is installed. */
export interface Need {
  /** Debian package name. */
  package: string;
  /** Which tests use it. */
  usedBy: string;
  /** Absolute paths that must all exist. */
  files: string[];
}

const MULTIARCH = `${Deno.build.arch === "aarch64" ? "aarch64" : "x86_64"}-linux-gnu`;
const FASHION_MNIST = "/usr/share/datasets/fashion-mnist";

/** What the tests need. */
export const NEEDS: readonly Need[] = [
  {
    package: "python3-onnx",
    usedBy: "onnx.checker on written models, graph/onnx_writer_test.ts",
    files: ["/usr/bin/python3", "/usr/lib/python3/dist-packages/onnx/__init__.py"],
  },
  {
    package: "python3-pil",
    usedBy: "Pillow's resize as the reference of io/image.ts",
    files: ["/usr/bin/python3", "/usr/lib/python3/dist-packages/PIL/__init__.py"],
  },
  {
    package: "dataset-fashion-mnist",
    usedBy: "the training data's loader tests",
    files: ["train", "t10k"].flatMap((split) =>
      ["images-idx3", "labels-idx1"].map((kind) => `${FASHION_MNIST}/${split}-${kind}-ubyte.gz`)
    ),
  },
  {
    package: "chromium",
    usedBy: "the site's browser tests, site/e2e_test.ts",
    files: ["/usr/bin/chromium"],
  },
  {
    package: "libvulkan1",
    usedBy: "the WebGPU provider's probe",
    files: [`/usr/lib/${MULTIARCH}/libvulkan.so.1`],
  },
  {
    package: "slurm-wlm",
    usedBy: "the single-node Slurm cluster of tests/slurm_test.ts (ablate --slurm)",
    files: [
      "/usr/sbin/slurmctld",
      "/usr/sbin/slurmd",
      "/usr/bin/sbatch",
      "/usr/bin/squeue",
      "/usr/bin/scancel",
    ],
  },
  {
    package: "munge",
    usedBy: "Slurm's authentication in tests/slurm_test.ts",
    files: ["/usr/sbin/munged"],
  },
];

/** Environment variable: a folder that stands for `/` (test use; nothing is installed unless an installer is named). */
export const ROOT_VARIABLE = "HYPERINVERTER_PROVISION_ROOT";
/** Environment variable: a program called with the missing package names instead of `apt-get install`. */
export const INSTALLER_VARIABLE = "HYPERINVERTER_PROVISION_INSTALLER";

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * The needs whose files are not all present.
 *
 * @param root the folder that stands for `/` ("" for the real one)
 * @returns the missing needs, in {@linkcode NEEDS} order
 * @example
 * ```ts
 * import { missingNeeds } from "./provision.ts";
 * console.log(missingNeeds("/nonexistent").map((need) => need.package)[0]); // "python3-onnx"
 * ```
 */
export function missingNeeds(root = ""): Need[] {
  return NEEDS.filter((need) => !need.files.every((file) => exists(`${root}${file}`)));
}

/**
 * How to install packages here: a program given the package names, or apt-get (behind `prefix`, e.g. sudo); or
 * why it cannot be done.
 */
type Installer = { program: string } | { prefix: string[] } | { refusal: string };

async function succeeds(command: string[]): Promise<boolean> {
  try {
    const { success } = await new Deno.Command(command[0], {
      args: command.slice(1),
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).output();
    return success;
  } catch {
    return false;
  }
}

async function findInstaller(root: string): Promise<Installer> {
  const program = Deno.env.get(INSTALLER_VARIABLE);
  if (program) return { program };
  if (root) return { refusal: `${ROOT_VARIABLE} is set, so nothing is installed` };
  if (Deno.build.os !== "linux" || !exists("/usr/bin/apt-get")) {
    return { refusal: "this machine has no apt-get" };
  }
  if (Deno.uid?.() === 0) return { prefix: ["env", "DEBIAN_FRONTEND=noninteractive"] };
  if (await succeeds(["sudo", "-n", "true"])) {
    return { prefix: ["sudo", "-n", "env", "DEBIAN_FRONTEND=noninteractive"] };
  }
  return { refusal: "this user is not root and sudo asks for a password" };
}

/** Runs a command quietly; returns its output when it fails (null when it succeeds). */
async function run(command: string[]): Promise<string | null> {
  try {
    const result = await new Deno.Command(command[0], { args: command.slice(1), stdin: "null" }).output();
    if (result.success) return null;
    const decoder = new TextDecoder();
    return (decoder.decode(result.stdout) + decoder.decode(result.stderr)).trim() ||
      `${command.join(" ")} exited with status ${result.code}`;
  } catch (error) {
    return `${command[0]}: ${(error as Error).message}`;
  }
}

/**
 * The message for needs that cannot be installed here: what they are for and the one command that installs them.
 *
 * @param missing the needs
 * @param reason why they were not installed
 * @param root the folder that stands for `/` (the files listed are those missing under it)
 * @returns the lines to print
 * @example
 * ```ts
 * import { NEEDS, refusalMessage } from "./provision.ts";
 * console.log(refusalMessage([NEEDS[3]], "this machine has no apt-get").at(-1)); // "  sudo apt-get install -y chromium"
 * ```
 */
export function refusalMessage(missing: readonly Need[], reason: string, root = ""): string[] {
  const width = Math.max(...missing.map((need) => need.package.length));
  return [
    `provision: the tests need ${missing.length === 1 ? "a Debian package" : "Debian packages"} that ${
      missing.length === 1 ? "is" : "are"
    } missing (${reason}):`,
    ...missing.map((need) =>
      `  ${need.package.padEnd(width)}  ${need.usedBy}; no ${
        need.files.filter((file) => !exists(`${root}${file}`)).join(", ")
      }`
    ),
    "Install them, then run the tests again:",
    `  sudo apt-get install -y ${missing.map((need) => need.package).join(" ")}`,
  ];
}

/**
 * Installs what is missing, or says what to install.
 *
 * @param root the folder that stands for `/` ("" for the real one)
 * @param print where lines go
 * @returns exit status: 0 when everything is present now, 1 otherwise
 */
export async function provision(root: string, print: (line: string) => void): Promise<number> {
  const missing = missingNeeds(root);
  if (missing.length === 0) return 0;
  const installer = await findInstaller(root);
  if ("refusal" in installer) {
    refusalMessage(missing, installer.refusal, root).forEach((line) => print(line));
    return 1;
  }
  for (const need of missing) print(`provision: installing ${need.package} (${need.usedBy})`);
  const packages = missing.map((need) => need.package);
  let failure: string | null;
  if ("program" in installer) {
    failure = await run([installer.program, ...packages]);
  } else {
    const install = [...installer.prefix, "apt-get", "install", "-y", "-q", ...packages];
    failure = await run(install);
    // A fresh machine has no package lists yet.
    if (failure !== null) {
      failure = (await run([...installer.prefix, "apt-get", "update", "-q"])) ?? await run(install);
    }
  }
  const still = missingNeeds(root);
  if (still.length === 0) return 0;
  const detail = failure?.split("\n").slice(-3).join(" / ") ?? "the files are still missing";
  refusalMessage(still, `installing failed: ${detail}`, root).forEach((line) => print(line));
  return 1;
}

if (import.meta.main) {
  Deno.exit(await provision(Deno.env.get(ROOT_VARIABLE) ?? "", (line) => console.log(line)));
}
