import assert from "node:assert/strict";
import { curvesPlot, deltaWPlot, lossPlot } from "./plots.ts";
import { chartSvg } from "./chart_svg.ts";

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

Deno.test("the loss chart puts L2, dB and the training loss on their own axes, dB never on a log scale", () => {
  const plot = lossPlot("losses", [
    { step: 1, losses: { loss: 0.4 } },
    { step: 5, losses: { loss: 0.2, val_l2PhaseTwo_01: 0.02, val_psnrPhaseTwo_dB: 17 } },
  ])!;
  assert.deepEqual(plot.series.map((s) => s.unit), ["training loss", "L2 on [0, 1]", "PSNR (dB)"]);
  assert.deepEqual(plot.logUnits, ["training loss", "L2 on [0, 1]"]);
  assert.equal(new Set(plot.series.map((s) => s.unit)).size, 3);
});

Deno.test("curves of several variants share one step axis, one colour per variant, dashed validation", () => {
  const plot = curvesPlot("curves", [
    {
      label: "A",
      records: [{ step: 2, losses: { loss: 1 } }, { step: 4, losses: { loss: 0.5, val_l2PhaseTwo: 0.08 } }],
    },
    { label: "B", records: [{ step: 3, losses: { loss: 0.7 } }] },
    { label: "C", records: [] },
  ])!;
  assert.deepEqual(plot.x, [2, 3, 4]);
  assert.deepEqual(
    plot.series.map((s) => [s.label, s.group, s.dash, s.values]),
    [
      ["A · loss", 0, false, [1, null, 0.5]],
      ["A · val_l2PhaseTwo_01", 0, true, [null, null, 0.02]],
      ["B · loss", 1, false, [null, 0.7, null]],
    ],
  );
  const svg = chartSvg(plot);
  assert.deepEqual([...svg.matchAll(/class="axis-y" data-unit="([^"]+)"/g)].map((m) => m[1]), [
    "training loss",
    "L2 on [0, 1]",
  ]);
  assert.equal((svg.match(/<path class="series"/g) ?? []).length, 3);
  assert.match(svg, /stroke-dasharray/);
  assert.equal(curvesPlot("none", [{ label: "C", records: [] }]), null);
});

Deno.test("ΔW of ten variants: grouped opaque bars, one distinct colour each, every bar inside its layer's slot", () => {
  const variants = Array.from({ length: 10 }, (_, v) => ({
    label: `v${v}`,
    rows: [{ layer: "b4.conv1.weight", meanAbs: 0.001 * (v + 1) }, {
      layer: "b4.torgb.weight",
      meanAbs: 0.0005,
    }],
  }));
  const plot = deltaWPlot("dw", variants)!;
  const svg = chartSvg(plot);
  const colours = [...svg.matchAll(/<path class="series"[^>]* fill="([^"]+)"/g)].map((m) => m[1]);
  assert.equal(new Set(colours).size, 10, "ten distinct, opaque colours");
  assert.ok(colours.every((c) => /^#[0-9a-f]{6}$/.test(c)), "no translucent fills");
  // Bars of a layer sit side by side: their left edges strictly increase, without overlap.
  const lefts = [...svg.matchAll(/<path class="series"[^>]* d="M([\d.]+),/g)].map((m) => Number(m[1]));
  assert.deepEqual(lefts, [...lefts].sort((a, b) => a - b));
  assert.equal(new Set(lefts).size, 10);
});
