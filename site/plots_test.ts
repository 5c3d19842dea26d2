import assert from "node:assert/strict";
import { lossPlot } from "./plots.ts";

Deno.test("an old log (val_l2Phase… as MSE on [−1, 1]) plots in the new log's unit and names", () => {
  const old = [{
    step: 5,
    losses: { loss: 0.4, val_l2PhaseTwo: 0.08, val_psnrPhaseTwo: 17, val_loss: 0.08 },
  }];
  const current = [{
    step: 5,
    losses: { loss: 0.4, val_l2PhaseTwo_01: 0.02, val_psnrPhaseTwo_dB: 17, val_loss: 0.08 },
  }];
  const a = lossPlot("losses", old)!, b = lossPlot("losses", current)!;
  assert.deepEqual(a, b);
  assert.deepEqual(a.series.map((s) => s.label), [
    "loss",
    "val_l2PhaseTwo_01",
    "val_psnrPhaseTwo_dB",
    "val_loss",
  ]);
});
