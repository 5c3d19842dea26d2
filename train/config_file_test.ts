import assert from "node:assert/strict";
import { parseTrainingConfig, readTrainingConfig } from "./config_file.ts";

/** Defaults as a training script would document them. */
interface Config {
  /** Learning rate. */
  lr: number;
  /** Images per step. */
  batchSize: number;
  device: string;
  lossWeights: { l2: number; lpips: number };
  milestones: number[];
  resume: string | null;
}
const defaults: Config = {
  lr: 1e-4,
  batchSize: 8,
  device: "cpu",
  lossWeights: { l2: 1, lpips: 0.8 },
  milestones: [1000],
  resume: null,
};

function messageOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error("Expected an error");
}

Deno.test("a config file overrides defaults, nested objects key by key", async () => {
  const path = await Deno.makeTempFile({ suffix: ".json" });
  await Deno.writeTextFile(path, JSON.stringify({ lr: 0.01, lossWeights: { lpips: 0 }, resume: "ckpt" }));
  const config = await readTrainingConfig(path, defaults);
  assert.deepEqual(config, { ...defaults, lr: 0.01, lossWeights: { l2: 1, lpips: 0 }, resume: "ckpt" });
  assert.equal(defaults.lossWeights.lpips, 0.8, "defaults are not mutated");
});

Deno.test("unknown keys are rejected with the valid keys listed", () => {
  assert.throws(() => parseTrainingConfig('{"lr": 1, "batch_size": 4}', defaults), TypeError);
  const message = messageOf(() => parseTrainingConfig('{"lr": 1, "batch_size": 4}', defaults));
  for (const part of ["batch_size", "Valid keys:", "lr (default 0.0001)", "batchSize (default 8)"]) {
    assert.ok(message.includes(part), `${part} in: ${message}`);
  }
  assert.throws(() => parseTrainingConfig('{"lossWeights": {"l1": 1}}', defaults), /in "lossWeights": l1/);
});

Deno.test("wrong types are named, all at once", () => {
  const text = '{"lr": "0.1", "milestones": [1, "2"], "lossWeights": {"l2": true}}';
  const message = messageOf(() => parseTrainingConfig(text, defaults, { source: "c.json" }));
  assert.ok(message.startsWith("c.json: "), message);
  for (
    const part of [
      '"lr" must be a number',
      '"milestones[1]" must be a number',
      '"lossWeights.l2" must be a number',
    ]
  ) {
    assert.ok(message.includes(part), `${part} in: ${message}`);
  }
});

Deno.test("broken JSON, a non-object and validate errors name the file", async () => {
  const path = await Deno.makeTempFile({ suffix: ".json" });
  const escaped = path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  await Deno.writeTextFile(path, '{"lr": ');
  await assert.rejects(() => readTrainingConfig(path, defaults), {
    name: "SyntaxError",
    message: new RegExp(escaped),
  });
  await Deno.writeTextFile(path, "[1]");
  await assert.rejects(() => readTrainingConfig(path, defaults), {
    name: "SyntaxError",
    message: /JSON object/,
  });
  await Deno.writeTextFile(path, '{"batchSize": 0}');
  const validate = (c: Config) => {
    if (c.batchSize < 1) throw new RangeError(`batchSize must be ≥ 1, got ${c.batchSize}`);
  };
  await assert.rejects(() => readTrainingConfig(path, defaults, { validate }), {
    name: "RangeError",
    message: new RegExp(`^${escaped}: batchSize must be ≥ 1, got 0$`),
  });
  await assert.rejects(() => readTrainingConfig(`${path}.missing`, defaults), Deno.errors.NotFound);
});
