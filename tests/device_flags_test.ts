/**
 * Every command that trains takes `--device` (issue 17): a device that cannot start is refused with exit status 2
 * before any data or model loads, and the trainers pass the device to every session they create.
 */
import assert from "node:assert/strict";
import { main as trainGenerator } from "../cli/train_generator.ts";
import { main as trainPhaseOne } from "../cli/train_phase_one.ts";
import { main as trainPhaseTwo } from "../cli/train_phase_two.ts";
import { main as ablate } from "../cli/ablate.ts";
import { providerUnavailableReason } from "../runtime/provider_probe.ts";
import { trainGenerator as runGeneratorTraining } from "../train/generator_trainer.ts";

type Main = (args: readonly string[]) => Promise<number>;

async function capture(main: Main, args: string[]): Promise<{ status: number; stderr: string }> {
  const err: string[] = [];
  const { log, error } = console;
  console.log = () => {};
  console.error = (...parts: unknown[]) => err.push(parts.join(" "));
  try {
    return { status: await main(args), stderr: err.join("\n") };
  } finally {
    console.log = log;
    console.error = error;
  }
}

const commands: [string, Main, string[]][] = [
  ["train-generator", trainGenerator, []],
  ["train-phase-one", trainPhaseOne, []],
  ["train-phase-two", trainPhaseTwo, []],
  ["ablate", ablate, ["no-such-suite"]],
];

for (const [name, main, positionals] of commands) {
  Deno.test(`${name} --device: an unknown name is refused naming the valid ones`, async () => {
    const { status, stderr } = await capture(main, [...positionals, "--device", "tpu"]);
    assert.equal(status, 2);
    assert.match(stderr, /--device/);
    assert.match(stderr, /cpu, cuda, webgpu, auto/);
  });

  // CUDA's provider libraries are not on npm, so this machine (and CI) cannot start it; where it can, the case
  // has nothing to refuse.
  if (providerUnavailableReason("cuda") !== null) {
    Deno.test(`${name} --device cuda: refused before any work when CUDA cannot start here`, async () => {
      const run = await Deno.makeTempDir({ prefix: "device-flag-" });
      try {
        const { status, stderr } = await capture(main, [
          ...positionals,
          "--device",
          "cuda",
          ...(name.startsWith("train") ? ["--run", `${run}/run`] : []),
        ]);
        assert.equal(status, 2);
        assert.match(stderr, /--device cuda cannot start on this machine/);
        assert.deepEqual([...Deno.readDirSync(run)], [], "nothing was written");
      } finally {
        await Deno.remove(run, { recursive: true });
      }
    });
  }
}

Deno.test("trainGenerator: the device reaches the training sessions", async () => {
  const directory = await Deno.makeTempDir({ prefix: "device-trainer-" });
  const data = { count: 8, batch: (indices: Int32Array) => new Float32Array(indices.length * 3 * 64) };
  const config = {
    generator: { resolution: 8, channelBase: 64, channelMax: 16, mappingLayers: 2, zDim: 32, wDim: 32 },
    batch: 4,
    steps: 1,
  };
  try {
    await assert.rejects(
      runGeneratorTraining(config, data, { directory, device: "tpu", onWarning: () => {} }),
      /Unknown device "tpu"/,
    );
  } finally {
    await Deno.remove(directory, { recursive: true });
  }
});
