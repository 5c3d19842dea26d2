/**
 * A uPlot chart: lines (curves over steps) or grouped bars (mean |ΔW| per layer, one opaque bar per variant side
 * by side), with one y axis per unit (a series' `unit`: the training loss, L2, dB never share an axis), a legend
 * whose entries toggle their series, and SVG/PNG export for a paper.
 *
 * @module
 */

/// <reference lib="dom" />
/** @jsx h */
import { h, uPlot, useEffect, useRef, type VNode } from "../deps.ts";
import { chartSvg, chartUnits, seriesColour } from "../site/chart_svg.ts";

/** One series. */
export interface PlotSeries {
  label: string;
  /** One value per x (null: no value there). */
  values: (number | null)[];
  /** Its unit: series of one unit share a y axis (default the chart's `yLabel`). */
  unit?: string;
  /** Series of one group (a variant) share a colour. */
  group?: number;
  /** Dashed (validation curves). */
  dash?: boolean;
}

/** Props of {@linkcode LinePlot}. */
export interface LinePlotProps {
  id: string;
  title: string;
  /** x values (steps), or 0 … n−1 with `xLabels`. */
  x: number[];
  /** Names of the x positions (e.g. layers); the axis shows them. */
  xLabels?: string[];
  series: PlotSeries[];
  /** Grouped bars instead of lines. */
  bars?: boolean;
  /** Units drawn on a log scale. */
  logUnits?: string[];
  yLabel?: string;
  xLabel?: string;
  width?: number;
  height?: number;
}

function download(name: string, blob: Blob): void {
  const link = document.createElement("a");
  link.href = URL.createObjectURL(blob);
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 1000);
}

/** The chart as PNG: white background, title, uPlot's canvas (axes and series), the visible series' names. */
function chartPng(chart: uPlot, props: LinePlotProps): Promise<Blob> {
  const plot = chart.ctx.canvas;
  const ratio = plot.width / plot.getBoundingClientRect().width || 1;
  const shown = props.series.filter((_, i) => chart.series[i + 1].show);
  const legendHeight = Math.ceil(shown.length / 3) * 16 * ratio;
  const canvas = document.createElement("canvas");
  canvas.width = plot.width;
  canvas.height = plot.height + 30 * ratio + legendHeight + 8 * ratio;
  const context = canvas.getContext("2d")!;
  context.fillStyle = "#fff";
  context.fillRect(0, 0, canvas.width, canvas.height);
  context.fillStyle = "#000";
  context.font = `bold ${14 * ratio}px sans-serif`;
  context.textAlign = "center";
  context.fillText(props.title, canvas.width / 2, 20 * ratio);
  context.drawImage(plot, 0, 30 * ratio);
  context.font = `${10 * ratio}px sans-serif`;
  context.textAlign = "left";
  props.series.forEach((s, i) => {
    const k = shown.indexOf(s);
    if (k < 0) return;
    const x = (10 + (k % 3) * (plot.width / ratio / 3)) * ratio;
    const y = plot.height + 30 * ratio + (14 + Math.floor(k / 3) * 16) * ratio;
    context.fillStyle = seriesColour(s, i);
    context.fillRect(x, y - 8 * ratio, 12 * ratio, 8 * ratio);
    context.fillStyle = "#000";
    context.fillText(s.label, x + 18 * ratio, y);
  });
  return new Promise((resolve, reject) =>
    canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error("No PNG"))), "image/png")
  );
}

/**
 * The chart (drawn in the browser; the server renders its frame and buttons).
 *
 * @param props data and options
 * @returns the chart's container
 */
export default function LinePlot(props: LinePlotProps): VNode {
  const container = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | null>(null);
  useEffect(() => {
    if (!container.current) return;
    const width = props.width ?? 560, height = props.height ?? 260;
    const units = chartUnits(props);
    const unitOf = (s: PlotSeries) => s.unit ?? props.yLabel ?? "";
    const scales: uPlot.Scales = { x: { time: false } };
    for (const unit of units) scales[unit] = props.logUnits?.includes(unit) ? { distr: 3 } : {};
    if (props.bars) {
      scales.x = { time: false, range: (_u, min, max) => [min - 0.6, max + 0.6] };
      for (const unit of units) scales[unit] = { range: (_u, _min, max) => [0, max * 1.05] };
    }
    const groupWidth = 0.8, barWidth = groupWidth / Math.max(1, props.series.length);
    const options: uPlot.Options = {
      width,
      height,
      scales,
      legend: { show: true, live: false },
      axes: [
        {
          label: props.xLabel,
          ...(props.xLabels
            ? {
              splits: () => props.x, // one tick per named position, none between
              values: (_u: uPlot, splits: number[]) => splits.map((v) => props.xLabels![Math.round(v)] ?? ""),
              rotate: -45,
              size: 80,
            }
            : {}),
        },
        // One axis per unit: the first on the left, the second on the right, further ones alternate.
        ...units.map((unit, k) => ({
          scale: unit,
          label: unit,
          side: k % 2 === 0 ? 3 : 1,
          size: 70,
          grid: { show: k === 0 },
        })),
      ],
      series: [
        { label: props.xLabel ?? "x" },
        ...props.series.map((s, i) => ({
          label: s.label,
          scale: unitOf(s),
          stroke: seriesColour(s, i),
          fill: props.bars ? seriesColour(s, i) : undefined,
          dash: s.dash ? [5, 3] : undefined,
          width: props.bars ? 0 : 1.5,
          spanGaps: true,
          paths: props.bars
            ? uPlot.paths.bars!({
              size: [barWidth, Infinity],
              disp: {
                // grouped: series i of n takes the i-th slot of each layer's group (x in the scale's units)
                x0: {
                  unit: 1,
                  values: (u: uPlot) => (u.data[0] as number[]).map((x) => x - groupWidth / 2 + i * barWidth),
                },
                size: { unit: 1, values: () => [barWidth] },
              },
            } as never)
            : undefined,
          points: { show: !props.bars && s.values.filter((v) => v !== null).length < 40 },
        })),
      ],
    };
    const data = [props.x, ...props.series.map((s) => s.values)] as uPlot.AlignedData;
    chart.current = new uPlot(options, data, container.current.querySelector<HTMLElement>(".chart")!);
    return () => chart.current?.destroy();
  }, [props]);
  const name = props.id.replace(/[^a-z0-9_-]/gi, "_");
  const exportSvg = () => {
    const visible = props.series.map((_, i) => chart.current?.series[i + 1].show ?? true);
    download(`${name}.svg`, new Blob([chartSvg(props, visible)], { type: "image/svg+xml" }));
  };
  const exportPng = async () => {
    if (chart.current) download(`${name}.png`, await chartPng(chart.current, props));
  };
  return (
    <div class="plot" id={props.id} data-series={props.series.length} ref={container}>
      <div class="plot-head">
        <strong>{props.title}</strong>
        <span class="exports">
          <button type="button" class="export-svg" onClick={exportSvg}>SVG</button>
          <button type="button" class="export-png" onClick={exportPng}>PNG</button>
        </span>
      </div>
      <div class="chart" />
    </div>
  );
}
