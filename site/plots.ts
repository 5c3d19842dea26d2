/**
 * Plot data from the store: ΔW statistics of several variants on one layer axis (grouped bars), and training and
 * validation curves from run logs — of one variant or overlaid for several on one shared step axis — with one
 * y axis per unit (the training loss, L2 on [0, 1], dB).
 *
 * @module
 */

import type { DeltaWRow } from "../experiments/store.ts";
import type { RunRecord } from "../train/run_log.ts";
import type { LinePlotProps, PlotSeries } from "../islands/LinePlot.tsx";

/**
 * Mean |ΔW| per layer of several variants as grouped bars: one group per layer (in the order the layers first
 * appear), one opaque bar per variant side by side in it.
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
    width: Math.min(1100, Math.max(560, layers.length * present.length * 9 + 120)),
  };
}

/** The units of the logged curves, as axis labels. */
export const CURVE_UNITS = { loss: "training loss", l2: "L2 on [0, 1]", dB: "PSNR (dB)" } as const;

/**
 * The unit of a logged curve, from its name: `…_dB` in dB, `…_01` an L2 on [0, 1] images, anything else the
 * training loss's own unit.
 *
 * @param name a field of a log record's `losses` (after {@linkcode lossesInUnits})
 * @returns an axis label of {@linkcode CURVE_UNITS}
 * @example
 * ```ts
 * import { curveUnit } from "./plots.ts";
 * console.log(curveUnit("val_psnrPhaseTwo_dB"), curveUnit("val_l2PhaseTwo_01"), curveUnit("loss")); // "PSNR (dB)" "L2 on [0, 1]" "training loss"
 * ```
 */
export function curveUnit(name: string): string {
  if (/_dB$/.test(name)) return CURVE_UNITS.dB;
  if (/_01$/.test(name)) return CURVE_UNITS.l2;
  return CURVE_UNITS.loss;
}

/** Units drawn on a log axis: those whose values are all > 0, except dB (already logarithmic). */
function logUnits(series: { unit?: string; values: (number | null)[] }[]): string[] {
  const units = [...new Set(series.map((s) => s.unit ?? ""))];
  return units.filter((unit) =>
    unit !== CURVE_UNITS.dB &&
    series.filter((s) => (s.unit ?? "") === unit).every((s) => s.values.every((v) => v === null || v > 0))
  );
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
  const series = names.map((name) => ({
    label: name,
    unit: curveUnit(name),
    values: steps.map((s) => {
      const v = bySteps.get(s)![name];
      return typeof v === "number" && Number.isFinite(v) ? v : null;
    }),
  }));
  return { id, title: "Losses", x: steps, series, logUnits: logUnits(series), xLabel: "step" };
}

/**
 * Curves of a run log by step: the numeric losses in today's units, one point per step (the last record of a
 * step wins: a resumed run rewrites it).
 */
function curvesBySteps(logRecords: RunRecord[]): Map<number, Record<string, number>> {
  const bySteps = new Map<number, Record<string, number>>();
  for (const r of logRecords) {
    if (!r.losses || !Number.isFinite(r.step)) continue;
    const numeric = Object.entries(lossesInUnits(r.losses)).filter(([, v]) =>
      typeof v === "number" && Number.isFinite(v)
    );
    bySteps.set(r.step, { ...bySteps.get(r.step), ...Object.fromEntries(numeric) as Record<string, number> });
  }
  return bySteps;
}

/**
 * The training and validation curves of several variants overlaid: one shared step axis (the union of their
 * steps; a variant without a value at a step has a gap, drawn through), one y axis per unit, one series per
 * variant and curve, coloured by variant (`group`) and dashed for validation curves.
 *
 * @param id element id
 * @param variants label and run log of each variant
 * @param curves which curves (default every one logged)
 * @returns chart props, or null when no variant logged any
 * @example
 * ```ts
 * import { curvesPlot } from "./plots.ts";
 * const plot = curvesPlot("curves", [
 *   { label: "A", records: [{ step: 1, losses: { loss: 2 } }, { step: 3, losses: { loss: 1, val_psnrPhaseTwo_dB: 20 } }] },
 *   { label: "B", records: [{ step: 2, losses: { loss: 1.5 } }] },
 * ]);
 * console.log(plot?.x, plot?.series.map((s) => `${s.label} [${s.unit}]`));
 * // [1, 2, 3] ["A · loss [training loss]", "A · val_psnrPhaseTwo_dB [PSNR (dB)]", "B · loss [training loss]"]
 * console.log(plot?.series[2].values, plot?.logUnits); // [null, 1.5, null] ["training loss"]
 * ```
 */
export function curvesPlot(
  id: string,
  variants: { label: string; records: RunRecord[] }[],
  curves?: readonly string[],
): LinePlotProps | null {
  const logged = variants.map((v) => ({ label: v.label, bySteps: curvesBySteps(v.records) }));
  const steps = [...new Set(logged.flatMap((v) => [...v.bySteps.keys()]))].sort((a, b) => a - b);
  const series: PlotSeries[] = [];
  for (const [group, v] of logged.entries()) {
    const names = [...new Set([...v.bySteps.values()].flatMap((losses) => Object.keys(losses)))]
      .filter((name) => !curves || curves.includes(name));
    for (const name of names) {
      series.push({
        label: `${v.label} · ${name}`,
        unit: curveUnit(name),
        group,
        dash: name.startsWith("val_"),
        values: steps.map((s) => v.bySteps.get(s)?.[name] ?? null),
      });
    }
  }
  if (!series.length) return null;
  return {
    id,
    title: "Training and validation curves",
    x: steps,
    series,
    logUnits: logUnits(series),
    xLabel: "step",
  };
}
