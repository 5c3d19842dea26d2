/**
 * Latent edits of the official editing code (spec §7; HyperInverter `editings/`): InterFaceGAN (`w + γ·n` on every
 * row) and GANSpace (set the coordinate of one principal component, measured on the first w row, on rows
 * `start … end−1`). Edits move w only; the caller reuses the predicted ΔW unchanged. Float32 arithmetic follows
 * the official order of operations.
 *
 * @module
 */

const f = Math.fround;

/** An InterFaceGAN direction n [wDim]. */
export type InterfaceGanDirection = Float32Array;

/** A GANSpace PCA as the official files hold it (comp made contiguous): mean [wDim], comp [K, wDim], std [K]. */
export interface GanSpacePca {
  /** The mean [dim]. */
  mean: Float32Array;
  /** The components [components, dim], unit norm. */
  comp: Float32Array;
  /** The standard deviation along each component [components]. */
  std: Float32Array;
}

/** One GANSpace edit as the official tuples: (component, first row, end row (exclusive), target coordinate). */
export interface GanSpaceEdit {
  /** Which principal component. */
  component: number;
  /** The first layer the edit applies to. */
  start: number;
  /** The layer after the last one the edit applies to. */
  end: number;
  /** How far to move, in standard deviations. */
  strength: number;
}

function checkWs(ws: Float32Array, rows: number, wDim: number): number {
  if (ws.length % (rows * wDim) !== 0) {
    throw new TypeError(`ws has ${ws.length} values, not a multiple of ${rows}×${wDim}`);
  }
  return ws.length / (rows * wDim);
}

/**
 * InterFaceGAN: `w' = w + γ·n` broadcast over every row (`LatentEditor.apply_interfacegan`).
 *
 * @param ws w codes [B, rows, wDim]
 * @param rows rows per code (numWs)
 * @param direction n [wDim]
 * @param gamma γ (the official wrapper passes factor/2 for its figures; this is the raw factor)
 * @returns edited codes (a new array)
 * @example
 * ```ts
 * import { interfaceGanEdit } from "./directions.ts";
 * console.log(interfaceGanEdit(new Float32Array([1, 2, 3, 4]), 2, new Float32Array([1, -1]), 0.5));
 * // Float32Array [1.5, 1.5, 3.5, 3.5]
 * ```
 */
export function interfaceGanEdit(
  ws: Float32Array,
  rows: number,
  direction: InterfaceGanDirection,
  gamma: number,
): Float32Array {
  const wDim = direction.length;
  checkWs(ws, rows, wDim);
  const scaled = direction.map((v) => f(gamma * v));
  return ws.map((v, i) => f(v + scaled[i % wDim]));
}

/**
 * GANSpace (`editings/ganspace.py`): for each sample, `c = Σ (w[0] − mean)·comp[k] / std[k]` on the **first** row,
 * `δ = (strength − c)·comp[k]·std[k]`, added to rows `start … end−1`. `strength` is the target coordinate in units of
 * std, not an increment.
 *
 * @param ws w codes [B, rows, wDim]
 * @param rows rows per code
 * @param pca the PCA
 * @param edit component, rows and strength
 * @returns edited codes (a new array)
 * @throws {RangeError} for a component or rows out of range
 */
export function ganSpaceEdit(
  ws: Float32Array,
  rows: number,
  pca: GanSpacePca,
  edit: GanSpaceEdit,
): Float32Array {
  const wDim = pca.mean.length;
  const batch = checkWs(ws, rows, wDim);
  const components = pca.std.length;
  const { component, start, end, strength } = edit;
  if (!Number.isInteger(component) || component < 0 || component >= components) {
    throw new RangeError(`GANSpace component ${component} is not in [0, ${components})`);
  }
  if (!(Number.isInteger(start) && Number.isInteger(end) && 0 <= start && start < end && end <= rows)) {
    throw new RangeError(`GANSpace rows [${start}, ${end}) are not inside [0, ${rows})`);
  }
  const comp = pca.comp.subarray(component * wDim, (component + 1) * wDim);
  const std = pca.std[component];
  const out = ws.slice();
  for (let b = 0; b < batch; b++) {
    const first = b * rows * wDim;
    let dot = 0; // torch: sum((w0 − mean) · comp) in float32, then / std
    for (let i = 0; i < wDim; i++) dot = f(dot + f(f(ws[first + i] - pca.mean[i]) * comp[i]));
    const coordinate = f(dot / std);
    const factor = f(strength - coordinate);
    for (let r = start; r < end; r++) {
      for (let i = 0; i < wDim; i++) {
        const delta = f(f(factor * comp[i]) * std);
        out[first + r * wDim + i] = f(out[first + r * wDim + i] + delta);
      }
    }
  }
  return out;
}
