/**
 * Every command's command line, table-driven: a misspelt flag, a malformed or out-of-range value, a bad device
 * or a bad output is refused with exit status 2 and a message naming it, before any model or data loads (each
 * case would otherwise load a model that does not exist, or train); `--help` prints the usage and does nothing
 * else.
 */

import assert from "node:assert/strict";
import { main as trainGenerator } from "./train_generator.ts";
import { main as trainPhaseOne } from "./train_phase_one.ts";
import { main as trainPhaseTwo } from "./train_phase_two.ts";
import { main as editability } from "./editability.ts";
import { main as learnDirections } from "./learn_directions.ts";
import { main as synthesize } from "../examples/synthesize.ts";
import { main as site } from "../site/main.ts";
import { main as edit } from "./edit.ts";
import { main as interpolate } from "./interpolate.ts";
import { main as generatorQuality } from "./generator_quality.ts";
import { providerUnavailableReason } from "../runtime/provider_probe.ts";

type Main = (args: readonly string[]) => Promise<number>;

async function capture(
  main: Main,
  args: string[],
): Promise<{ status: number; stdout: string; stderr: string }> {
  const out: string[] = [], err: string[] = [];
  const { log, error } = console;
  console.log = (...parts: unknown[]) => out.push(parts.join(" "));
  console.error = (...parts: unknown[]) => err.push(parts.join(" "));
  try {
    const status = await main(args);
    return { status, stdout: out.join("\n"), stderr: err.join("\n") };
  } finally {
    console.log = log;
    console.error = error;
  }
}

const dir = await Deno.makeTempDir({ prefix: "command-lines-" });
const file = `${dir}/a-file`;
await Deno.writeTextFileSync(file, "mine");
// A model folder whose files exist but are not read: the commands must stop at their flags or outputs first.
const model = `${dir}/model`;
Deno.mkdirSync(`${model}/attributes`, { recursive: true });
Deno.mkdirSync(`${model}/directions`, { recursive: true });
for (const name of ["model.json", "attributes/mlp.safetensors", "directions/interfacegan.safetensors"]) {
  Deno.writeTextFileSync(`${model}/${name}`, "not read");
}
Deno.writeTextFileSync(`${model}/editability.json`, "mine");
const missingRun = `${dir}/no-such-run`;

const refusals: [string, Main, string[], RegExp][] = [
  [
    "generator-quality",
    generatorQuality,
    ["--cout", "5"],
    /Unknown option --cout \(did you mean --count\?\)/,
  ],
  ["generator-quality", generatorQuality, ["--count", "1"], /--count must be at least 2, got 1/],
  [
    "generator-quality",
    generatorQuality,
    ["--model", `${dir}/none.json`],
    /model ".*none\.json" does not exist/,
  ],
  [
    "generator-quality",
    generatorQuality,
    ["--model", `${model}/model.json`],
    /classifier .*attributes\/conv\.safetensors" does not exist/,
  ],
  ["train-generator", trainGenerator, ["--step", "5"], /Unknown option --step \(did you mean --steps\?\)/],
  ["train-generator", trainGenerator, ["--steps", "abc"], /--steps must be an integer, got "abc"/],
  ["train-generator", trainGenerator, ["--steps", "2.5"], /--steps must be an integer, got "2\.5"/],
  ["train-generator", trainGenerator, ["--steps", "0"], /--steps must be at least 1, got 0/],
  ["train-generator", trainGenerator, ["--steps"], /--steps needs a value/],
  ["train-generator", trainGenerator, ["extra"], /Unexpected argument "extra"/],
  ["train-generator", trainGenerator, ["--config", `${dir}/none.json`], /none\.json/],
  [
    "train-generator",
    trainGenerator,
    ["--run", `${file}/run`],
    /Cannot create the output folder ".*a-file\/run"/,
  ],
  [
    "train-phase-one",
    trainPhaseOne,
    ["--generator", missingRun, "--run", `${file}/run`],
    /Cannot create the output folder ".*a-file\/run"/,
  ],
  ["train-phase-one", trainPhaseOne, ["--stesp", "3"], /Unknown option --stesp \(did you mean --steps\?\)/],
  [
    "train-phase-two",
    trainPhaseTwo,
    ["--phase-on", missingRun],
    /Unknown option --phase-on \(did you mean --phase-one\?\)/,
  ],
  [
    "train-phase-two",
    trainPhaseTwo,
    ["--generator", missingRun, "--phase-one", missingRun, "--run", `${file}/run`],
    /Cannot create the output folder ".*a-file\/run"/,
  ],
  ["train-phase-two", trainPhaseTwo, ["--steps", "1e99"], /--steps must be at most 10000000/],
  ["synthesize", synthesize, ["--batch", "abc"], /--batch must be an integer, got "abc"/],
  ["synthesize", synthesize, ["--batch", "0"], /--batch must be at least 1/],
  ["synthesize", synthesize, ["--resolution", "512"], /--resolution must be one of 256, 1024; got "512"/],
  ["synthesize", synthesize, ["--psi", "x"], /--psi must be a number, got "x"/],
  [
    "synthesize",
    synthesize,
    ["--device", "foo"],
    /--device must be one of cpu, cuda, webgpu, auto; got "foo"/,
  ],
  ["synthesize", synthesize, ["--out", file], /The output ".*a-file" exists; pass --force/],
  [
    "synthesize",
    synthesize,
    ["--out", `${dir}/none/x.png`],
    /The folder of the output ".*none" does not exist/,
  ],
  ["site", site, ["--port", "70000"], /--port must be at most 65535/],
  ["site", site, ["--workers", "abc"], /--workers must be an integer, got "abc"/],
  ["site", site, ["--device", "cuda:0"], /--device must be one of cpu, cuda, webgpu, auto/],
  ["site", site, ["--prot", "8001"], /Unknown option --prot \(did you mean --port\?\)/],
  [
    "editability",
    editability,
    ["--model", `${model}/model.json`, "--images", "75"],
    /multiple of 50, got 75/,
  ],
  ["editability", editability, ["--images", "abc"], /--images must be an integer, got "abc"/],
  [
    "editability",
    editability,
    ["--model", `${dir}/none/model.json`],
    /The model ".*none\/model\.json" does not exist/,
  ],
  ["editability", editability, ["--model", `${model}/model.json`], /editability\.json" exists; pass --force/],
  [
    "editability",
    editability,
    ["--model", `${model}/model.json`, "--device", "foo"],
    /--device must be one of/,
  ],
  ["learn-directions", learnDirections, ["--samples", "2.5"], /--samples must be an integer, got "2\.5"/],
  ["learn-directions", learnDirections, ["--samples", "10"], /--samples must be at least 100/],
  [
    "learn-directions",
    learnDirections,
    ["--model", `${dir}/none/model.json`],
    /The model ".*" does not exist/,
  ],
  // The directions exist: refused before the classifiers train (minutes), not after.
  [
    "learn-directions",
    learnDirections,
    ["--model", `${model}/model.json`],
    /interfacegan\.safetensors" exists; pass --force/,
  ],
  [
    "learn-directions",
    learnDirections,
    ["--retrain-classifier"],
    /Unknown option --retrain-classifier \(did you mean --retrain-classifiers\?\)/,
  ],
];

for (const [name, main, args, message] of refusals) {
  Deno.test(`${name} ${args.join(" ")} exits 2 naming the problem, before any work`, async () => {
    const { status, stderr } = await capture(main, args);
    assert.equal(status, 2, stderr);
    assert.match(stderr, new RegExp(`^${name}: `));
    assert.match(stderr, message);
    assert.doesNotMatch(stderr, /^\s+at /m, "no stack trace");
  });
}

const helps: [string, Main, RegExp][] = [
  ["train-generator", trainGenerator, /usage: deno task train-generator/],
  ["train-phase-one", trainPhaseOne, /usage: deno task train-phase-one/],
  ["train-phase-two", trainPhaseTwo, /usage: deno task train-phase-two/],
  ["synthesize", synthesize, /usage: deno task synthesize/],
  ["site", site, /usage: deno task site/],
  ["editability", editability, /usage: deno task editability/],
  ["learn-directions", learnDirections, /usage: deno task learn-directions/],
];

for (const [name, main, usage] of helps) {
  // Returning at all shows it did nothing else: the site would serve until killed, train-generator would train
  // 20 000 steps.
  Deno.test(`${name} --help prints the usage and the exit codes, and does nothing else`, async () => {
    const run = `${dir}/help-${name}`;
    const { status, stdout, stderr } = await capture(main, ["--help", "--run", run, "--port", "0"]);
    assert.equal(status, 0, stderr);
    assert.match(stdout, usage);
    assert.match(stdout, /exit status: 0 done, 1 some inputs failed, 2 bad usage or nothing done/);
    assert.equal(stderr, "");
    await assert.rejects(Deno.stat(run), Deno.errors.NotFound, "no run folder made");
  });
}

// An explicit device that cannot start here is refused before the model loads (it used to fail after loading).
// Where CUDA can start, each command goes on to its next check, an existing --out, and stops there.
const cudaReason = providerUnavailableReason("cuda");
const sample = "data/models/default/samples/test-0000-boot.png";
const deviceCases: [string, Main, string[]][] = [
  ["edit", edit, [sample, "--direction", "footwear", "--out", file]],
  ["interpolate", interpolate, [sample, sample, "--out", file]],
  ["editability", editability, ["--model", `${model}/model.json`]],
  ["learn-directions", learnDirections, ["--model", `${model}/model.json`]],
  ["synthesize", synthesize, ["--out", file]],
  // Only where CUDA cannot start: the site has no later check, it would serve.
  ...(cudaReason ? [["site", site, ["--port", "0"]] as [string, Main, string[]]] : []),
];

for (const [name, main, args] of deviceCases) {
  Deno.test(`${name} --device cuda is checked before the model loads`, async () => {
    const { status, stderr } = await capture(main, [...args, "--device", "cuda"]);
    assert.equal(status, 2, stderr);
    assert.match(
      stderr,
      cudaReason
        ? /--device cuda cannot start on this machine: libonnxruntime_providers_cuda\.so is not installed/
        : /exists; pass --force/,
    );
  });
}

Deno.test("the files the refused commands were given are untouched", async () => {
  assert.equal(await Deno.readTextFile(file), "mine");
  assert.equal(await Deno.readTextFile(`${model}/editability.json`), "mine");
  assert.equal(await Deno.readTextFile(`${model}/directions/interfacegan.safetensors`), "not read");
});
