/**
 * Variants side by side on the same inputs: per variant a before/after slider (input | reconstruction), one
 * zoom and pan shared by every panel, and a per-pixel error heatmap (mean |reconstruction − input| over RGB).
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

function Panel(
  props: {
    suite: string;
    variant: ComparedVariant;
    sample: string;
    after: "final" | "phase1";
    split: number;
    zoom: number;
    pan: [number, number];
    heatmap: boolean;
    onPan: (dx: number, dy: number) => void;
    onZoom: (factor: number) => void;
  },
): VNode {
  const base = `/api/suites/${props.suite}/${props.variant.variant}/samples/${props.sample}`;
  const beforeUrl = `${base}_input.png`, afterUrl = `${base}_${props.after}.png`;
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
    <div class="panel" data-panel={props.variant.variant}>
      <h3>{props.variant.label}</h3>
      <div
        class="viewport"
        style={`width: ${VIEW}px; height: ${VIEW}px`}
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
          <img class="before" src={beforeUrl} alt={`input ${props.sample}`} draggable={false} />
          <img
            class="after"
            src={afterUrl}
            alt={`${props.variant.label} ${props.after} ${props.sample}`}
            draggable={false}
            style={`position: absolute; inset: 0; clip-path: inset(0 0 0 ${props.split}%); ${
              props.heatmap ? "visibility: hidden" : ""
            }`}
          />
          <canvas
            ref={canvas}
            class="heatmap"
            style={`position: absolute; inset: 0; clip-path: inset(0 0 0 ${props.split}%); ${
              props.heatmap ? "" : "visibility: hidden"
            }`}
          />
          <div class="divider" style={`left: ${props.split}%`} />
        </div>
      </div>
      <figcaption>
        {`left of the line: input · right: ${
          props.heatmap ? "error heatmap" : props.after === "final" ? "phase II" : "phase I"
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
  const clampZoom = (z: number) => Math.min(16, Math.max(1, z));
  if (!samples.length) return <p class="muted">These variants have no common sample images.</p>;
  return (
    <div>
      <div class="toolbar">
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
      <div class="panels">
        {variants.map((v) => (
          <Panel
            key={v.variant}
            suite={suite}
            variant={v}
            sample={sample}
            after={after}
            split={split}
            zoom={zoom}
            pan={pan}
            heatmap={heatmap}
            onPan={(dx, dy) => setPan(([x, y]) => [x + dx, y + dy])}
            onZoom={(factor) => setZoom((z) => clampZoom(z * factor))}
          />
        ))}
      </div>
    </div>
  );
}
