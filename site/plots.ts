/**
 * Plot data from the store: ΔW statistics of several variants on one layer axis, and loss curves from run logs.
 *
 * @module
 */

import type { DeltaWRow } from "../experiments/store.ts";
import type { RunRecord } from "../train/run_log.ts";
import type { LinePlotProps } from "../islands/LinePlot.tsx";

/**
 * Mean |ΔW| per layer of several variants as one bar chart (layers in the order they first appear).
 *
 * @param id element id
 * @param rows per variant: label and rows (null: no ΔW)
 * @returns chart props, or null when no variant has ΔW
 * @example
 * ```ts
 * import { deltaWPlot } from "./plots.ts";
 * const plot = deltaWPlot("dw", [{ label: "a", rows: [{ layer: "b4.conv1", meanAbs: 0.1 }] }]);
 * console.log(plot?.xLabels, plot?.series[0].values); // ["b4.conv1"] [0.1]
 * ```
 */
export function deltaWPlot(
  id: string,
  rows: { label: string; rows: DeltaWRow[] | null }[],
): LinePlotProps | null {
  const present = rows.filter((r) => r.rows?.length);
  if (!present.length) return null;
  const layers = [...new Set(present.flatMap((r) => r.rows!.map((row) => row.layer)))];
  return {
    id,
    title: "Mean |ΔW| per layer",
    x: layers.map((_, i) => i),
    xLabels: layers.map((layer) => layer.replace(/\.weight$/, "")),
    series: present.map((r) => ({
      label: r.label,
      values: layers.map((layer) => r.rows!.find((row) => row.layer === layer)?.meanAbs ?? null),
    })),
    bars: true,
    yLabel: "mean |ΔW|",
  };
}

/**
 * A log line's losses with the validation metrics under their unit-naming names: logs written before the names
 * said their unit hold `val_l2PhaseOne` / `val_l2PhaseTwo` as MSE on [−1, 1] (4× the L2 on [0, 1] of
 * metrics.json) and `val_psnrPhase…` in dB; they are read as `val_l2Phase…_01` (÷ 4) and `val_psnrPhase…_dB`,
 * so old and new runs plot in one unit. Other fields pass through.
 *
 * @param losses the `losses` of a log record
 * @returns the losses with unit-naming validation fields
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { lossesInUnits } from "./plots.ts";
 * assert.deepEqual(lossesInUnits({ loss: 0.4, val_l2PhaseTwo: 0.08, val_psnrPhaseTwo: 17 }), {
 *   loss: 0.4,
 *   val_l2PhaseTwo_01: 0.02,
 *   val_psnrPhaseTwo_dB: 17,
 * });
 * assert.deepEqual(lossesInUnits({ val_l2PhaseTwo_01: 0.02 }), { val_l2PhaseTwo_01: 0.02 });
 * ```
 */
export function lossesInUnits(losses: Record<string, number | string>): Record<string, number | string> {
  const out: Record<string, number | string> = {};
  for (const [name, value] of Object.entries(losses)) {
    const old = /^val_(l2|psnr)(Phase(?:One|Two))$/.exec(name);
    if (!old) out[name] = value;
    else if (old[1] === "psnr") out[`val_psnr${old[2]}_dB`] = value;
    else out[`val_l2${old[2]}_01`] = typeof value === "number" ? value / 4 : value;
  }
  return out;
}

/**
 * Loss curves of a run log: one series per numeric loss (training and validation), over steps; old logs'
 * validation metrics are read in today's units ({@linkcode lossesInUnits}).
 *
 * @param id element id
 * @param logRecords the log
 * @returns chart props, or null when the log has no losses
 * @example
 * ```ts
 * import { lossPlot } from "./plots.ts";
 * const plot = lossPlot("loss", [{ step: 1, losses: { loss: 2 } }, { step: 2, losses: { loss: 1, val_l2PhaseTwo_01: 0.5 } }]);
 * console.log(plot?.x, plot?.series.map((s) => s.label)); // [1, 2] ["loss", "val_l2PhaseTwo_01"]
 * ```
 */
export function lossPlot(id: string, logRecords: RunRecord[]): LinePlotProps | null {
  const withLosses = logRecords.filter((r) => r.losses && Number.isFinite(r.step))
    .map((r) => ({ ...r, losses: lossesInUnits(r.losses!) }));
  const names = [
    ...new Set(
      withLosses.flatMap((r) =>
        Object.entries(r.losses!).filter(([, v]) => typeof v === "number").map(([k]) => k)
      ),
    ),
  ];
  if (!names.length) return null;
  // One point per step (the last record of a step wins: a resumed run rewrites it).
  const bySteps = new Map<number, Record<string, number | string>>();
  for (const r of withLosses) bySteps.set(r.step, { ...bySteps.get(r.step), ...r.losses });
  const steps = [...bySteps.keys()].sort((a, b) => a - b);
  return {
    id,
    title: "Losses",
    x: steps,
    series: names.map((name) => ({
      label: name,
      values: steps.map((s) => {
        const v = bySteps.get(s)![name];
        return typeof v === "number" && Number.isFinite(v) ? v : null;
      }),
    })),
    logY: names.every((n) =>
      withLosses.every((r) => typeof r.losses![n] !== "number" || r.losses![n] as number > 0)
    ),
    xLabel: "step",
    yLabel: "loss",
  };
}
