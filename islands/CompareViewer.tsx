/**
 * Variants on the same inputs, in two layouts: side by side (per variant a before/after slider: reference |
 * reconstruction) or a variants × samples grid; one zoom and pan shared by every panel; a per-pixel error heatmap
 * (mean |reconstruction − reference| over RGB). The reference is the input, or — "difference to a chosen
 * variant" — that variant's reconstruction of the same sample.
 *
 * @module
 */

/// <reference lib="dom" />
/** @jsx h */
import { h, useEffect, useRef, useState, type VNode } from "../deps.ts";
import { l2AndPsnrOnUnitRange } from "../losses/psnr.ts";

/** One compared variant. */
export interface ComparedVariant {
  variant: string;
  label: string;
}

/** Props of {@linkcode CompareViewer}. */
export interface CompareViewerProps {
  suite: string;
  variants: ComparedVariant[];
  /** Sample indices every variant has (`NN` of `NN_input.png`). */
  samples: string[];
}

const VIEW = 256; // px side of each viewport
const GRID_VIEW = 128; // px side of a grid cell

/**
 * Colour of an error in [0, 1]: black → purple → orange → yellow (an inferno-like ramp).
 *
 * @param value error in [0, 1] (clamped)
 * @returns RGB bytes
 * @example
 * ```ts
 * import { heatColour } from "./CompareViewer.tsx";
 * console.log(heatColour(0), heatColour(1)); // [0, 0, 4] [252, 255, 164]
 * ```
 */
export function heatColour(value: number): [number, number, number] {
  const stops: [number, number, number][] = [[0, 0, 4], [87, 16, 110], [188, 55, 84], [249, 142, 9], [
    252,
    255,
    164,
  ]];
  const x = Math.min(1, Math.max(0, value)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(x));
  const t = x - i;
  return stops[i].map((c, k) => Math.round(c + t * (stops[i + 1][k] - c))) as [number, number, number];
}

function loadPixels(url: string): Promise<ImageData> {
  return new Promise((resolve, reject) => {
    const image = new Image();
    image.onload = () => {
      const canvas = document.createElement("canvas");
      canvas.width = image.naturalWidth;
      canvas.height = image.naturalHeight;
      const context = canvas.getContext("2d")!;
      context.drawImage(image, 0, 0);
      resolve(context.getImageData(0, 0, canvas.width, canvas.height));
    };
    image.onerror = () => reject(new Error(`Cannot load ${url}`));
    image.src = url;
  });
}

/** Draws the heatmap of two images into a canvas; returns the PSNR (dB) of the pair. */
async function drawHeatmap(canvas: HTMLCanvasElement, beforeUrl: string, afterUrl: string): Promise<number> {
  const [before, after] = await Promise.all([loadPixels(beforeUrl), loadPixels(afterUrl)]);
  if (before.width !== after.width || before.height !== after.height) {
    throw new Error(`The images differ in size (${before.width}² vs ${after.width}²)`);
  }
  canvas.width = before.width;
  canvas.height = before.height;
  const context = canvas.getContext("2d")!;
  const heat = context.createImageData(before.width, before.height);
  const pixels = before.width * before.height;
  const [beforeRgb, afterRgb] = [new Float64Array(3 * pixels), new Float64Array(3 * pixels)]; // on [0, 1]
  for (let p = 0; p < pixels; p++) {
    let error = 0;
    for (let c = 0; c < 3; c++) {
      beforeRgb[3 * p + c] = before.data[4 * p + c] / 255;
      afterRgb[3 * p + c] = after.data[4 * p + c] / 255;
      error += Math.abs(afterRgb[3 * p + c] - beforeRgb[3 * p + c]) / 3;
    }
    // |error| of 0.5 (half the range) or more is full scale.
    const [r, g, b] = heatColour(error / 0.5);
    heat.data.set([r, g, b, 255], 4 * p);
  }
  context.putImageData(heat, 0, 0);
  return l2AndPsnrOnUnitRange(afterRgb, beforeRgb, { values: "[0, 1]" }).psnr;
}

/** The URL of a sample image of a variant. */
function sampleUrl(
  suite: string,
  variant: string,
  sample: string,
  kind: "input" | "final" | "phase1",
): string {
  return `/api/suites/${suite}/${variant}/samples/${sample}_${kind}.png`;
}

function Panel(
  props: {
    id: string;
    title: string;
    sample: string;
    beforeUrl: string;
    afterUrl: string;
    /** What the reference (left of the line) is, for the caption. */
    referenceName: string;
    after: "final" | "phase1";
    /** Percent of the width showing the reference; null in the grid (the reconstruction alone). */
    split: number | null;
    zoom: number;
    pan: [number, number];
    heatmap: boolean;
    size: number;
    onPan: (dx: number, dy: number) => void;
    onZoom: (factor: number) => void;
  },
): VNode {
  const { beforeUrl, afterUrl } = props;
  const split = props.split ?? 0;
  const canvas = useRef<HTMLCanvasElement>(null);
  const [psnr, setPsnr] = useState<string>("");
  useEffect(() => {
    if (!canvas.current) return;
    drawHeatmap(canvas.current, beforeUrl, afterUrl).then(
      (db) => setPsnr(db.toFixed(2)),
      (e) => setPsnr(e.message),
    );
  }, [beforeUrl, afterUrl]);
  const drag = useRef<[number, number] | null>(null);
  const transform = `translate(${props.pan[0]}px, ${props.pan[1]}px) scale(${props.zoom})`;
  return (
    <div class="panel" data-panel={props.id} data-sample={props.sample}>
      {props.split === null ? null : <h3>{props.title}</h3>}
      <div
        class="viewport"
        style={`width: ${props.size}px; height: ${props.size}px`}
        onPointerDown={(e) => {
          drag.current = [e.clientX, e.clientY];
          (e.currentTarget as HTMLElement).setPointerCapture(e.pointerId);
        }}
        onPointerMove={(e) => {
          if (!drag.current) return;
          props.onPan(e.clientX - drag.current[0], e.clientY - drag.current[1]);
          drag.current = [e.clientX, e.clientY];
        }}
        onPointerUp={() => (drag.current = null)}
        onWheel={(e) => {
          e.preventDefault();
          props.onZoom(e.deltaY < 0 ? 1.25 : 0.8);
        }}
      >
        <div class="layer" data-layer style={`transform: ${transform}`}>
          <img
            class="before"
            src={beforeUrl}
            alt={`${props.referenceName} ${props.sample}`}
            draggable={false}
          />
          <img
            class="after"
            src={afterUrl}
            alt={`${props.title} ${props.after} ${props.sample}`}
            draggable={false}
            style={`position: absolute; inset: 0; clip-path: inset(0 0 0 ${split}%); ${
              props.heatmap ? "visibility: hidden" : ""
            }`}
          />
          <canvas
            ref={canvas}
            class="heatmap"
            style={`position: absolute; inset: 0; clip-path: inset(0 0 0 ${split}%); ${
              props.heatmap ? "" : "visibility: hidden"
            }`}
          />
          {props.split === null ? null : <div class="divider" style={`left: ${split}%`} />}
        </div>
      </div>
      <figcaption>
        {props.split === null
          ? `${props.heatmap ? `|Δ| to ${props.referenceName}` : props.title} · PSNR `
          : `left of the line: ${props.referenceName} · right: ${
            props.heatmap ? `|Δ| to ${props.referenceName}` : props.after === "final" ? "phase II" : "phase I"
          } · PSNR `}
        <span class="psnr">{psnr}</span> dB
      </figcaption>
    </div>
  );
}

/**
 * The viewer.
 *
 * @param props suite, variants and samples
 * @returns controls and one panel per variant
 */
export default function CompareViewer({ suite, variants, samples }: CompareViewerProps): VNode {
  const [sample, setSample] = useState(samples[0] ?? "");
  const [split, setSplit] = useState(50);
  const [zoom, setZoom] = useState(1);
  const [pan, setPan] = useState<[number, number]>([0, 0]);
  const [heatmap, setHeatmap] = useState(false);
  const [after, setAfter] = useState<"final" | "phase1">("final");
  const [layout, setLayout] = useState<"side" | "grid">("side");
  /** "input", or the variant whose reconstruction every panel is compared with. */
  const [reference, setReference] = useState("input");
  const clampZoom = (z: number) => Math.min(16, Math.max(1, z));
  if (!samples.length) return <p class="muted">These variants have no common sample images.</p>;
  const referenceVariant = variants.find((v) => v.variant === reference);
  const referenceName = referenceVariant ? referenceVariant.label : "input";
  const referenceUrl = (s: string) =>
    referenceVariant
      ? sampleUrl(suite, referenceVariant.variant, s, after)
      : sampleUrl(suite, variants[0].variant, s, "input");
  const panel = (v: ComparedVariant, s: string, grid: boolean) => (
    <Panel
      key={`${v.variant}-${s}`}
      id={v.variant}
      title={v.label}
      sample={s}
      beforeUrl={referenceUrl(s)}
      afterUrl={sampleUrl(suite, v.variant, s, after)}
      referenceName={referenceName}
      after={after}
      split={grid ? null : split}
      zoom={zoom}
      pan={pan}
      heatmap={heatmap}
      size={grid ? GRID_VIEW : VIEW}
      onPan={(dx, dy) => setPan(([x, y]) => [x + dx, y + dy])}
      onZoom={(factor) => setZoom((z) => clampZoom(z * factor))}
    />
  );
  return (
    <div>
      <div class="toolbar">
        <label class="inline">
          Layout
          <select
            id="layout"
            value={layout}
            onChange={(e) => setLayout((e.target as HTMLSelectElement).value as "side")}
          >
            <option value="side">side by side (slider)</option>
            <option value="grid">grid: variants × samples</option>
          </select>
        </label>
        <label class="inline">
          Compare with
          <select
            id="reference"
            value={reference}
            onChange={(e) => setReference((e.target as HTMLSelectElement).value)}
          >
            <option value="input">the input</option>
            {variants.map((v) => <option key={v.variant} value={v.variant}>difference to {v.label}</option>)}
          </select>
        </label>
        <label class="inline">
          Sample
          <select
            id="sample"
            value={sample}
            onChange={(e) => setSample((e.target as HTMLSelectElement).value)}
          >
            {samples.map((s) => <option key={s} value={s}>{s}</option>)}
          </select>
        </label>
        <label class="inline">
          Before/after
          <input
            id="split"
            type="range"
            min="0"
            max="100"
            value={split}
            onInput={(e) => setSplit(Number((e.target as HTMLInputElement).value))}
          />
        </label>
        <label class="inline">
          Zoom
          <input
            id="zoom"
            type="range"
            min="1"
            max="16"
            step="0.25"
            value={zoom}
            onInput={(e) => setZoom(clampZoom(Number((e.target as HTMLInputElement).value)))}
          />
          <span id="zoom-value">{zoom.toFixed(2)}×</span>
        </label>
        <label class="inline">
          Reconstruction
          <select
            id="after"
            value={after}
            onChange={(e) => setAfter((e.target as HTMLSelectElement).value as "final")}
          >
            <option value="final">phase II (final)</option>
            <option value="phase1">phase I</option>
          </select>
        </label>
        <label class="inline">
          <input
            id="heatmap"
            type="checkbox"
            checked={heatmap}
            onChange={(e) => setHeatmap((e.target as HTMLInputElement).checked)}
          />
          Error heatmap
        </label>
        <button type="button" onClick={() => (setZoom(1), setPan([0, 0]))}>Reset view</button>
      </div>
      {layout === "side"
        ? <div class="panels">{variants.map((v) => panel(v, sample, false))}</div>
        : (
          <table class="image-grid" id="image-grid">
            <thead>
              <tr>
                <th />
                {samples.map((s) => <th key={s}>sample {s}</th>)}
              </tr>
            </thead>
            <tbody>
              <tr data-row="reference">
                <th class="text">{referenceName} (reference)</th>
                {samples.map((s) => (
                  <td key={s}>
                    <div class="viewport" style={`width: ${GRID_VIEW}px; height: ${GRID_VIEW}px`}>
                      <div
                        class="layer"
                        data-layer
                        style={`transform: translate(${pan[0]}px, ${pan[1]}px) scale(${zoom})`}
                      >
                        <img
                          class="before"
                          src={referenceUrl(s)}
                          alt={`${referenceName} ${s}`}
                          draggable={false}
                        />
                      </div>
                    </div>
                  </td>
                ))}
              </tr>
              {variants.map((v) => (
                <tr key={v.variant} data-row={v.variant}>
                  <th class="text">{v.label}</th>
                  {samples.map((s) => <td key={s}>{panel(v, s, true)}</td>)}
                </tr>
              ))}
            </tbody>
          </table>
        )}
    </div>
  );
}
