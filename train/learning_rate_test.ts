import assert from "node:assert/strict";
import { checkLearningRateDecay, learningRateAt } from "./learning_rate.ts";
import { Adam, Ranger } from "./optimizers.ts";

Deno.test("learningRateAt: constant without a decay, one factor per milestone reached", () => {
  assert.equal(learningRateAt(0.01, 7), 0.01);
  assert.equal(learningRateAt(0.01, 7, null), 0.01);
  const decay = { atSteps: [100, 200], factor: 0.5 };
  assert.deepEqual([1, 99, 100, 199, 200, 10_000].map((s) => learningRateAt(8, s, decay)), [
    8,
    8,
    4,
    4,
    2,
    2,
  ]);
});

Deno.test("checkLearningRateDecay names what is wrong", () => {
  checkLearningRateDecay(undefined, "d");
  checkLearningRateDecay({ atSteps: [], factor: 1 }, "d");
  assert.throws(
    () => checkLearningRateDecay({ atSteps: [5, 5], factor: 0.1 }, "d"),
    /d\.atSteps must be increasing/,
  );
  assert.throws(
    () => checkLearningRateDecay({ atSteps: [5], factor: 0 }, "d"),
    /d\.factor must be in \(0, 1\]/,
  );
  assert.throws(() => checkLearningRateDecay({ atSteps: [5], factor: 2 }, "d"), /d\.factor/);
  assert.throws(() => checkLearningRateDecay(3 as never, "d"), /d must be \{ atSteps, factor \}/);
});

Deno.test("setLearningRate: Adam's and Ranger's next steps use the new rate; bad rates are refused", () => {
  for (const make of [() => new Adam({ lr: 0.1 }), () => new Ranger({ lr: 0.1 })]) {
    const moved = (lr: number) => {
      const optimizer = make();
      optimizer.setLearningRate(lr);
      const p = { data: new Float32Array([1, 2]), shape: [2] };
      optimizer.step(new Map([["p", p]]), new Map([["p", new Float32Array([1, -1])]]));
      return Math.abs(p.data[0] - 1);
    };
    const [big, small] = [moved(0.1), moved(0.001)];
    assert.ok(big > 0 && Math.abs(small / big - 0.01) < 1e-3, `${big} → ${small}`);
    assert.throws(() => make().setLearningRate(0), /lr must be positive/);
  }
});
