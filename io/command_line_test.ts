import assert from "node:assert/strict";
import { EXIT_USAGE, parseCommandLine, runCommand, UsageError, usageText } from "./command_line.ts";
import { checkInputFile, checkOutputFile, prepareOutputFolder } from "./output_check.ts";

const spec = {
  name: "train",
  usage: "deno task train [--steps N] <run>",
  flags: {
    steps: { type: "integer", min: 1, max: 1_000_000, default: 60, description: "training steps" },
    lr: { type: "number", min: 0, description: "learning rate" },
    device: { type: "string", choices: ["cpu", "webgpu"], default: "cpu", description: "device" },
    force: { type: "boolean", description: "overwrite" },
  },
  positionals: { min: 0, max: 1, names: "run folder" },
} as const;

function refusal(args: string[]): string {
  try {
    parseCommandLine(spec, args);
  } catch (error) {
    assert.ok(error instanceof UsageError, `not a UsageError: ${error}`);
    return error.message;
  }
  throw new Error(`${args.join(" ")} was accepted`);
}

Deno.test("a misspelt flag is refused, naming it and suggesting the right one", () => {
  assertMatchText(refusal(["--step", "5"]), /Unknown option --step \(did you mean --steps\?\)/);
  assertMatchText(
    refusal(["--bogus"]),
    /Unknown option --bogus; valid options: --steps --lr --device --force/,
  );
});

Deno.test("numbers are typed and range-checked", () => {
  assertMatchText(refusal(["--steps", "abc"]), /--steps must be an integer, got "abc"/);
  assertMatchText(refusal(["--steps", "2.5"]), /--steps must be an integer, got "2.5"/);
  assertMatchText(refusal(["--steps", "0"]), /--steps must be at least 1/);
  assertMatchText(refusal(["--steps", ""]), /--steps must be an integer/);
  assertMatchText(refusal(["--lr", "-1"]), /--lr must be at least 0/);
  assertMatchText(refusal(["--lr", "-.5"]), /--lr must be at least 0/);
  assertMatchText(refusal(["--steps"]), /--steps needs a value/);
  assertMatchText(refusal(["--device", "cuda"]), /--device must be one of cpu, webgpu/);
  assertMatchText(refusal(["--force=yes"]), /--force is a switch/);
  assertMatchText(refusal(["a", "b"]), /Expected 0..1 positional argument\(s\) \(run folder\), got 2/);
});

Deno.test("values and defaults come back typed", () => {
  const parsed = parseCommandLine(spec, ["--steps", "7", "--lr=0.5", "run"]);
  assert.equal(parsed.help, false);
  if (parsed.help) return;
  assert.deepEqual(parsed.values, { steps: 7, lr: 0.5, device: "cpu", force: false });
  assert.deepEqual(parsed.positionals, ["run"]);
  const defaults = parseCommandLine(spec, []);
  if (defaults.help) throw new Error("help");
  assert.deepEqual(defaults.values, { steps: 60, lr: undefined, device: "cpu", force: false });
});

Deno.test("--help prints usage and runs nothing", async () => {
  assert.deepEqual(parseCommandLine(spec, ["--steps", "abc", "--help"]), { help: true });
  let ran = false;
  const log = console.log;
  const printed: string[] = [];
  console.log = (text: string) => printed.push(text);
  try {
    assert.equal(
      await runCommand(spec, ["--help"], () => {
        ran = true;
        return Promise.resolve(0);
      }),
      0,
    );
  } finally {
    console.log = log;
  }
  assert.equal(ran, false);
  assertMatchText(printed.join("\n"), /usage: deno task train/);
  assertMatchText(usageText(spec), /--steps N +training steps \(1\.\.1000000; default 60\)/);
  // The help line is aligned with the flags.
  const columns = usageText(spec).split("\n").filter((line) => line.startsWith("  -"))
    .map((line) => {
      const match = /^( {2}-\S.*?\S)( {2,})\S/.exec(line)!;
      return match[1].length + match[2].length;
    });
  assert.equal(new Set(columns).size, 1, usageText(spec));
});

Deno.test("runCommand: usage errors and failures exit 2 without a stack trace", async () => {
  const errors: string[] = [];
  const error = console.error;
  console.error = (text: string) => errors.push(text);
  try {
    assert.equal(await runCommand(spec, ["--steps", "x"], () => Promise.resolve(0)), EXIT_USAGE);
    assert.equal(await runCommand(spec, [], () => Promise.reject(new Error("Boom"))), EXIT_USAGE);
  } finally {
    console.error = error;
  }
  assertMatchText(errors[0], /^train: --steps must be an integer/);
  assert.equal(errors[1], "train: Boom");
});

Deno.test("output checks refuse an existing file, a file as folder and an unwritable folder", async () => {
  const root = await Deno.makeTempDir();
  await Deno.writeTextFile(`${root}/mine.png`, "mine");
  await assert.rejects(checkOutputFile(`${root}/mine.png`), /exists; pass --force/);
  await checkOutputFile(`${root}/mine.png`, { force: true });
  await checkOutputFile(`${root}/new.png`);
  await assert.rejects(checkOutputFile(`${root}/missing/new.png`), /does not exist/);
  await assert.rejects(prepareOutputFolder(`${root}/mine.png`), /not a folder|Cannot create/);
  await assert.rejects(prepareOutputFolder(`${root}/mine.png/sub`), /Cannot create/);
  await prepareOutputFolder(`${root}/a/b`);
  assert.equal(await Deno.readTextFile(`${root}/mine.png`), "mine");
});

Deno.test("a required flag must be given, and --help says it is required", () => {
  const needsOut = {
    name: "x",
    usage: "x --out DIR",
    flags: { out: { type: "string", required: true, description: "output folder" } },
  } as const;
  assert.throws(() => parseCommandLine(needsOut, []), /--out is required/);
  const parsed = parseCommandLine(needsOut, ["--out", "o"]);
  if (parsed.help) throw new Error("help");
  const out: string = parsed.values.out; // typed as present
  assert.equal(out, "o");
  assert.match(usageText(needsOut), /--out VALUE +output folder \(required\)/);
});

Deno.test("input checks refuse a missing file, a folder and a device", async () => {
  const root = await Deno.makeTempDir();
  await Deno.writeTextFile(`${root}/photo.png`, "x");
  await checkInputFile(`${root}/photo.png`);
  await assert.rejects(checkInputFile(`${root}/none.png`, "image"), /The image ".*none\.png" does not exist/);
  await assert.rejects(checkInputFile(root), /is not a regular file/);
  await assert.rejects(checkInputFile("/dev/zero"), /The input "\/dev\/zero" is not a regular file/);
});

function assertMatchText(text: string, pattern: RegExp): void {
  assert.match(text, pattern);
}
