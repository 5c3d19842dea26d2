/**
 * A chart of the site as a standalone SVG file, for a paper: the same data, units, axes (one per unit, linear or
 * log), colours, dashes and grouped bars as the uPlot chart on the page, drawn as vector paths. Pure (no DOM):
 * the chart island calls it for its "SVG" button, tests call it directly.
 *
 * @module
 */

import type { LinePlotProps } from "../islands/LinePlot.tsx";

/** The series colours (colour-blind-safe, distinct; Okabe–Ito first, then Tableau). */
export const CHART_COLOURS: readonly string[] = [
  "#0072b2",
  "#d55e00",
  "#009e73",
  "#cc79a7",
  "#e69f00",
  "#56b4e9",
  "#000000",
  "#8c564b",
  "#7f7f7f",
  "#bcbd22",
];

/**
 * The colour of a series: by its group (the variant) when it has one, else by its index.
 *
 * @param series the series' `group`
 * @param index its index
 * @returns a CSS colour
 * @example
 * ```ts
 * import { seriesColour } from "./chart_svg.ts";
 * console.log(seriesColour({ group: 1 }, 5), seriesColour({}, 0)); // "#d55e00" "#0072b2"
 * ```
 */
export function seriesColour(series: { group?: number }, index: number): string {
  return CHART_COLOURS[(series.group ?? index) % CHART_COLOURS.length];
}

/** The units of a chart's series in first-appearance order (a series without one has `yLabel`'s). */
export function chartUnits(props: LinePlotProps): string[] {
  return [...new Set(props.series.map((s) => s.unit ?? props.yLabel ?? ""))];
}

const escape = (text: string) =>
  text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;");

/** About five round tick values between min and max (linear), or the powers of ten (log). */
function ticks(min: number, max: number, log: boolean): number[] {
  if (log) {
    const out = [];
    for (let e = Math.floor(Math.log10(min)); e <= Math.ceil(Math.log10(max)); e++) out.push(10 ** e);
    return out.filter((v) => v >= min * 0.999 && v <= max * 1.001);
  }
  const step0 = (max - min) / 5 || 1;
  const magnitude = 10 ** Math.floor(Math.log10(step0));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= step0)!;
  const out = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) {
    out.push(Number(v.toPrecision(12)));
  }
  return out;
}

const label = (
  v: number,
) => (Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(0) : String(v));

/**
 * Renders a chart as SVG.
 *
 * @param props the chart's props (what the island draws)
 * @param visible which series to draw (default all; the page passes its legend's toggles)
 * @returns an SVG document
 * @example
 * ```ts
 * import { chartSvg } from "./chart_svg.ts";
 * const svg = chartSvg({
 *   id: "c", title: "Curves", x: [1, 2, 3], xLabel: "step",
 *   series: [{ label: "loss", unit: "loss", values: [3, 2, 1] }, { label: "psnr", unit: "dB", values: [18, 19, 20] }],
 * });
 * console.log(svg.startsWith("<svg"), (svg.match(/<path class="series"/g) ?? []).length, (svg.match(/class="axis-y"/g) ?? []).length); // true 2 2
 * ```
 */
export function chartSvg(props: LinePlotProps, visible?: readonly boolean[]): string {
  const width = props.width ?? 560, height = props.height ?? 260;
  const shown = props.series.map((s, i) => ({ s, i })).filter(({ i }) => visible?.[i] ?? true);
  const units = chartUnits(props);
  // one y axis per unit: the first on the left, the second on the right, further ones alternate outward
  const AXIS = 66, leftAxes = Math.ceil(units.length / 2), rightAxes = Math.floor(units.length / 2);
  const left = 12 + AXIS * Math.max(1, leftAxes), right = Math.max(20, 12 + AXIS * rightAxes);
  const top = 34, bottom = props.xLabels ? 90 : 46;
  const plotW = width - left - right, plotH = height - top - bottom;
  const xs = props.x;
  const [xMin, xMax] = props.bars
    ? [Math.min(...xs) - 0.6, Math.max(...xs) + 0.6]
    : [Math.min(...xs), Math.max(...xs)];
  const xPos = (x: number) => left + ((x - xMin) / (xMax - xMin || 1)) * plotW;
  const parts: string[] = [];
  parts.push(
    `<text x="${width / 2}" y="20" text-anchor="middle" font-weight="bold">${escape(props.title)}</text>`,
  );
  parts.push(`<rect x="${left}" y="${top}" width="${plotW}" height="${plotH}" fill="none" stroke="#999"/>`);
  // x axis
  const xTicks = props.xLabels ? xs : ticks(xMin, xMax, false);
  for (const x of xTicks) {
    const px = xPos(x).toFixed(1);
    const text = props.xLabels ? props.xLabels[x] ?? "" : label(x);
    parts.push(`<line x1="${px}" x2="${px}" y1="${top + plotH}" y2="${top + plotH + 4}" stroke="#333"/>`);
    parts.push(
      props.xLabels
        ? `<text transform="translate(${px},${
          top + plotH + 10
        }) rotate(-45)" text-anchor="end" font-size="10">${escape(text)}</text>`
        : `<text x="${px}" y="${top + plotH + 16}" text-anchor="middle" font-size="10">${
          escape(text)
        }</text>`,
    );
  }
  if (props.xLabel) {
    parts.push(
      `<text x="${left + plotW / 2}" y="${height - 8}" text-anchor="middle">${escape(props.xLabel)}</text>`,
    );
  }
  const scales = new Map<string, (v: number) => number>();
  for (const [k, unit] of units.entries()) {
    const values = shown.filter(({ s }) => (s.unit ?? props.yLabel ?? "") === unit)
      .flatMap(({ s }) => s.values.filter((v): v is number => v !== null && Number.isFinite(v)));
    if (!values.length) continue;
    const log = props.logUnits?.includes(unit) ?? false;
    let min = Math.min(...values), max = Math.max(...values);
    if (props.bars) min = Math.min(0, min);
    if (log) [min, max] = [10 ** Math.floor(Math.log10(min)), 10 ** Math.ceil(Math.log10(max))];
    if (min === max) [min, max] = [min - 1, max + 1];
    const f = log ? Math.log10 : (v: number) => v;
    const y = (v: number) => top + plotH - ((f(v) - f(min)) / (f(max) - f(min))) * plotH;
    scales.set(unit, y);
    const side = k % 2 === 0 ? "left" : "right";
    const ax = side === "left" ? left - (k >> 1) * AXIS : left + plotW + (k >> 1) * AXIS;
    parts.push(`<g class="axis-y" data-unit="${escape(unit)}">`);
    parts.push(`<line x1="${ax}" x2="${ax}" y1="${top}" y2="${top + plotH}" stroke="#333"/>`);
    for (const t of ticks(min, max, log)) {
      const py = y(t).toFixed(1);
      const dx = side === "left" ? -4 : 4;
      parts.push(`<line x1="${ax}" x2="${ax + dx}" y1="${py}" y2="${py}" stroke="#333"/>`);
      parts.push(
        `<text x="${ax + 2 * dx}" y="${py}" dy="3" font-size="10" text-anchor="${
          side === "left" ? "end" : "start"
        }">${label(t)}</text>`,
      );
    }
    const lx = side === "left" ? ax - 52 : ax + 52;
    parts.push(
      `<text transform="translate(${lx},${
        top + plotH / 2
      }) rotate(-90)" text-anchor="middle" font-size="11">${escape(unit)}</text>`,
    );
    parts.push(`</g>`);
  }
  // series
  const barSeries = shown.length, groupWidth = 0.8, barWidth = groupWidth / Math.max(1, barSeries);
  for (const [order, { s, i }] of shown.entries()) {
    const y = scales.get(s.unit ?? props.yLabel ?? "");
    if (!y) continue;
    const colour = seriesColour(s, i);
    if (props.bars) {
      const rects = s.values.map((v, j) => {
        if (v === null) return "";
        const x0 = xPos(xs[j] - groupWidth / 2 + order * barWidth),
          x1 = xPos(xs[j] - groupWidth / 2 + (order + 1) * barWidth);
        const y0 = y(Math.max(v, 0)), y1 = y(Math.min(v, 0));
        return `M${x0.toFixed(1)},${y1.toFixed(1)}V${y0.toFixed(1)}H${x1.toFixed(1)}V${y1.toFixed(1)}Z`;
      }).join("");
      parts.push(
        `<path class="series" data-label="${escape(s.label)}" d="${rects}" fill="${colour}" stroke="none"/>`,
      );
    } else {
      const points = s.values.map((
        v,
        j,
      ) => (v === null ? null : `${xPos(xs[j]).toFixed(1)},${y(v).toFixed(1)}`))
        .filter((p): p is string => p !== null);
      parts.push(
        `<path class="series" data-label="${escape(s.label)}" d="M${
          points.join("L")
        }" fill="none" stroke="${colour}" stroke-width="1.5"${s.dash ? ' stroke-dasharray="5,3"' : ""}/>`,
      );
    }
  }
  // legend under the chart
  const legend = shown.map(({ s, i }, k) => {
    const lx = 10 + (k % 3) * (width / 3), ly = height + 14 + Math.floor(k / 3) * 16;
    const swatch = props.bars
      ? `<rect x="${lx}" y="${ly - 8}" width="12" height="8" fill="${seriesColour(s, i)}"/>`
      : `<line x1="${lx}" x2="${lx + 14}" y1="${ly - 4}" y2="${ly - 4}" stroke="${
        seriesColour(s, i)
      }" stroke-width="2"${s.dash ? ' stroke-dasharray="4,2"' : ""}/>`;
    return `${swatch}<text x="${lx + 18}" y="${ly}" font-size="10">${escape(s.label)}</text>`;
  });
  const total = height + 8 + Math.ceil(shown.length / 3) * 16;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${total}" viewBox="0 0 ${width} ${total}" font-family="sans-serif">` +
    `<rect width="100%" height="100%" fill="#fff"/>${parts.join("")}${legend.join("")}</svg>\n`;
}
