/**
 * A uPlot chart: lines (loss curves over steps) or bars (mean |ΔW| per layer), one series per variant or loss.
 *
 * @module
 */

/// <reference lib="dom" />
/** @jsx h */
import { h, uPlot, useEffect, useRef, type VNode } from "../deps.ts";

/** One series. */
export interface PlotSeries {
  label: string;
  /** One value per x (null: no value there). */
  values: (number | null)[];
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
  bars?: boolean;
  logY?: boolean;
  yLabel?: string;
  xLabel?: string;
  width?: number;
  height?: number;
}

const COLOURS = ["#2f6fb3", "#d9480f", "#2b8a3e", "#862e9c", "#e67700", "#0b7285", "#c2255c", "#5c940d"];

/**
 * The chart (drawn in the browser; the server renders its frame and title).
 *
 * @param props data and options
 * @returns the chart's container
 */
export default function LinePlot(props: LinePlotProps): VNode {
  const container = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!container.current) return;
    const width = props.width ?? 560, height = props.height ?? 260;
    const options: uPlot.Options = {
      title: props.title,
      width,
      height,
      scales: { x: { time: false }, y: props.logY ? { distr: 3 } : {} },
      axes: [
        {
          label: props.xLabel,
          ...(props.xLabels
            ? {
              values: (_u: uPlot, splits: number[]) => splits.map((v) => props.xLabels![Math.round(v)] ?? ""),
              rotate: -45,
              size: 80,
            }
            : {}),
        },
        { label: props.yLabel, size: 70 },
      ],
      series: [
        { label: props.xLabel ?? "x" },
        ...props.series.map((s, i) => ({
          label: s.label,
          stroke: COLOURS[i % COLOURS.length],
          fill: props.bars ? `${COLOURS[i % COLOURS.length]}99` : undefined,
          width: props.bars ? 1 : 1.5,
          spanGaps: true,
          paths: props.bars ? uPlot.paths.bars!({ size: [0.7, 48] }) : undefined,
          points: { show: !props.bars && props.x.length < 40 },
        })),
      ],
    };
    if (props.bars) options.scales!.x = { time: false, range: (_u, min, max) => [min - 0.6, max + 0.6] };
    const data = [props.x, ...props.series.map((s) => s.values)] as uPlot.AlignedData;
    const chart = new uPlot(options, data, container.current);
    return () => chart.destroy();
  }, [props]);
  return <div class="plot" id={props.id} data-series={props.series.length} ref={container} />;
}
