/** The trainer commands' JSON configs: unknown keys refused by name, one set of generator defaults. */
import assert from "node:assert/strict";
import { main as trainGeneratorCommand } from "./train_generator.ts";
import { main as trainPhaseOne } from "./train_phase_one.ts";
import { main as trainPhaseTwo } from "./train_phase_two.ts";
import { GENERATOR_TRAINING_DEFAULTS, trainGenerator } from "../train/generator_trainer.ts";
import { loadLatestCheckpoint } from "../train/checkpoint.ts";

/** Runs a command with console.error captured. */
async function run(command: (args: string[]) => Promise<number>, args: string[]) {
  const lines: string[] = [];
  const error = console.error;
  console.error = (...parts: unknown[]) => void lines.push(parts.join(" "));
  try {
    return { status: await command(args), stderr: lines.join("\n") };
  } finally {
    console.error = error;
  }
}

const CASES = [
  {
    name: "train-generator",
    command: trainGeneratorCommand,
    config: { r1Gama: 1 },
    key: "r1Gama",
    valid: "r1Gamma (default 0.1)",
  },
  {
    name: "train-phase-one",
    command: trainPhaseOne,
    config: { lamdaL2: 1 },
    key: "lamdaL2",
    valid: "lambdaL2 (default 1)",
  },
  {
    name: "train-phase-two",
    command: trainPhaseTwo,
    config: { r1Gama: 1 },
    key: "r1Gama",
    valid: "r1Gamma (default 0.1)",
  },
  {
    name: "train-generator",
    command: trainGeneratorCommand,
    config: { generator: { resolution: 32, imgChanels: 1 } },
    key: "imgChanels",
    valid: "imgChannels (default 3)",
  },
  {
    name: "train-phase-one",
    command: trainPhaseOne,
    config: { data: { folder: "x", testFraktion: 0.1 } },
    key: "testFraktion",
    valid: "testFraction",
  },
];

for (const { name, command, config, key, valid } of CASES) {
  Deno.test(`${name}: an unknown config key (${key}) is refused naming it and the valid keys, before any work`, async () => {
    const folder = await Deno.makeTempDir();
    try {
      await Deno.writeTextFile(`${folder}/config.json`, JSON.stringify(config));
      const { status, stderr } = await run(command, [
        "--config",
        `${folder}/config.json`,
        "--run",
        `${folder}/run`,
      ]);
      assert.equal(status, 2, stderr);
      assert.ok(stderr.includes(`${folder}/config.json`), stderr);
      assert.ok(stderr.includes(key), stderr);
      assert.ok(stderr.includes(valid), stderr);
      assert.equal(
        await Deno.stat(`${folder}/run`).then(() => true, () => false),
        false,
        "no run folder made",
      );
    } finally {
      await Deno.remove(folder, { recursive: true });
    }
  });
}

Deno.test("the generator JSON config, the command and the trainer share one set of defaults", async () => {
  const json = JSON.parse(
    await Deno.readTextFile(new URL("../train/configs/generator_fmnist32.json", import.meta.url)),
  );
  for (const [key, value] of Object.entries(json)) {
    if (key === "generator") {
      for (const [field, v] of Object.entries(value as object)) {
        assert.equal((GENERATOR_TRAINING_DEFAULTS.generator as Record<string, unknown>)[field], v, field);
      }
    } else assert.deepEqual((GENERATOR_TRAINING_DEFAULTS as Record<string, unknown>)[key], value, key);
  }
  // A config that leaves r1Gamma and the EMA half-life out trains with those defaults (the trainer had 1 and 2000).
  const directory = await Deno.makeTempDir();
  try {
    const data = {
      count: 4,
      batch: (indices: Int32Array) => new Float32Array(indices.length * 3 * 64).fill(0.1),
    };
    await trainGenerator(
      {
        generator: { resolution: 8, channelBase: 64, channelMax: 16, mappingLayers: 2, zDim: 16, wDim: 16 },
        batch: 2,
        steps: 1,
      },
      data,
      { directory },
    );
    const state = (await loadLatestCheckpoint(directory))!.state as { settings: Record<string, unknown> };
    const settings = state.settings;
    assert.equal(settings.r1Gamma, GENERATOR_TRAINING_DEFAULTS.r1Gamma);
    assert.equal(settings.emaHalfLifeImages, GENERATOR_TRAINING_DEFAULTS.emaHalfLifeImages);
    assert.equal(settings.r1Gamma, 0.1);
  } finally {
    await Deno.remove(directory, { recursive: true });
  }
});

Deno.test("the generator trainer trains grayscale at 16² from one-channel batches", async () => {
  const directory = await Deno.makeTempDir();
  try {
    const data = {
      count: 4,
      batch: (indices: Int32Array) => new Float32Array(indices.length * 1 * 16 * 16).fill(-0.5), // [B, 1, 16, 16]
    };
    const report = await trainGenerator(
      {
        generator: {
          resolution: 16,
          channelBase: 64,
          channelMax: 8,
          mappingLayers: 2,
          zDim: 16,
          wDim: 16,
          imgChannels: 1,
        },
        batch: 2,
        steps: 2,
        r1Every: 2,
      },
      data,
      { directory },
    );
    assert.equal(report.step, 2);
    assert.ok(
      report.losses.every((l) => Number.isFinite(l.g) && Number.isFinite(l.d)),
      JSON.stringify(report.losses),
    );
    await assert.rejects(
      trainGenerator({ generator: { resolution: 16, imgChannels: 2 }, steps: 1 }, data, { directory }),
      /imgChannels must be 1 \(grayscale\) or 3 \(RGB\), got 2/,
    );
  } finally {
    await Deno.remove(directory, { recursive: true });
  }
});

Deno.test("train-phase-two: the config's hypernet may name any fusion / sharing (checked by the architecture), not only the default keys", async () => {
  const folder = await Deno.makeTempDir();
  try {
    const write = (hypernet: Record<string, unknown>) =>
      Deno.writeTextFile(`${folder}/config.json`, JSON.stringify({ architecture: { hypernet } }));
    const args = [
      "--config",
      `${folder}/config.json`,
      "--run",
      `${folder}/run`,
      "--generator",
      `${folder}/none`,
    ];
    await write({ hiddenDim: 16, featureChannels: 64, featureSize: 2, fusion: "difference" });
    let { status, stderr } = await run(trainPhaseTwo, args);
    assert.equal(status, 2, stderr);
    assert.doesNotMatch(stderr, /Unknown key/, "fusion is a valid key");
    assert.match(stderr, /No checkpoint in .*none: train the generator first/, "it got past the config");
    await write({ hiddenDim: 16, featureChannels: 64, featureSize: 2, fusion: "nope" });
    ({ status, stderr } = await run(trainPhaseTwo, args));
    assert.equal(status, 2, stderr);
    assert.match(stderr, /nope/, stderr);
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
});
