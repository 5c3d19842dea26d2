/**
 * Adam's host update as WebAssembly SIMD (f32x4): the same float32 operations, in the same order, as the scalar
 * loop of `optimizers.ts` (which emulates float32 with `Math.fround` of double results, correctly rounded for
 * +, ×, ÷ and √), so both give the same bits (tested). Values pass through a small scratch memory chunk by
 * chunk (64 Ki values per array, 1 MiB in all: it stays in the core's cache), so the update reads p, g, m, v
 * and writes p, m, v once from main memory, whatever the parameter's size, with no state kept here.
 *
 * Measured on this project's 2-vCPU machine, church-256 D=64 (157 M values): see README "Benchmarks".
 *
 * The module is 277 bytes, assembled by wabt 1.0.37 (`npm:wabt`, `parseWat(…, { simd: true })`) from:
 *
 * ```wat
 * (module
 *   (memory (export "memory") 1)
 *   ;; Adam over n float32 values at byte offsets p, g, m, v (n a multiple of 4), exactly the float32 operations of
 *   ;; train/optimizers.ts: m = m·b1 + g·a1; v = v·b2 + (a2·g)·g; p = p + value·(m / (√v / correction + eps)).
 *   (func (export "adam") (param $p i32) (param $g i32) (param $m i32) (param $v i32) (param $n i32)
 *         (param $b1 f32) (param $a1 f32) (param $b2 f32) (param $a2 f32) (param $corr f32) (param $eps f32)
 *         (param $value f32)
 *     (local $i i32) (local $gi v128) (local $mi v128) (local $vi v128) (local $den v128)
 *     (local $B1 v128) (local $A1 v128) (local $B2 v128) (local $A2 v128) (local $C v128) (local $E v128) (local $V v128)
 *     (local.set $B1 (f32x4.splat (local.get $b1)))
 *     (local.set $A1 (f32x4.splat (local.get $a1)))
 *     (local.set $B2 (f32x4.splat (local.get $b2)))
 *     (local.set $A2 (f32x4.splat (local.get $a2)))
 *     (local.set $C (f32x4.splat (local.get $corr)))
 *     (local.set $E (f32x4.splat (local.get $eps)))
 *     (local.set $V (f32x4.splat (local.get $value)))
 *     (local.set $n (i32.shl (local.get $n) (i32.const 2)))
 *     (block $done
 *       (loop $next
 *         (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
 *         (local.set $gi (v128.load (i32.add (local.get $g) (local.get $i))))
 *         (local.set $mi (f32x4.add (f32x4.mul (v128.load (i32.add (local.get $m) (local.get $i))) (local.get $B1))
 *                                   (f32x4.mul (local.get $gi) (local.get $A1))))
 *         (local.set $vi (f32x4.add (f32x4.mul (v128.load (i32.add (local.get $v) (local.get $i))) (local.get $B2))
 *                                   (f32x4.mul (f32x4.mul (local.get $A2) (local.get $gi)) (local.get $gi))))
 *         (v128.store (i32.add (local.get $m) (local.get $i)) (local.get $mi))
 *         (v128.store (i32.add (local.get $v) (local.get $i)) (local.get $vi))
 *         (local.set $den (f32x4.add (f32x4.div (f32x4.sqrt (local.get $vi)) (local.get $C)) (local.get $E)))
 *         (v128.store (i32.add (local.get $p) (local.get $i))
 *           (f32x4.add (v128.load (i32.add (local.get $p) (local.get $i)))
 *                      (f32x4.mul (local.get $V) (f32x4.div (local.get $mi) (local.get $den)))))
 *         (local.set $i (i32.add (local.get $i) (i32.const 16)))
 *         (br $next)))))
 * ```
 *
 * @module
 */

const WASM = Uint8Array.from(
  atob(
    "AGFzbQEAAAABEAFgDH9/f39/fX19fX19fQADAgEABQMBAAEHEQIGbWVtb3J5AgAEYWRhbQAACtwBAdkBAgF/C3sgBf0TIREg" +
      "Bv0TIRIgB/0TIRMgCP0TIRQgCf0TIRUgCv0TIRYgC/0TIRcgBEECdCEEAkADQCAMIARPDQEgASAMav0ABAAhDSACIAxq/QAE" +
      "ACAR/eYBIA0gEv3mAf3kASEOIAMgDGr9AAQAIBP95gEgFCAN/eYBIA395gH95AEhDyACIAxqIA79CwQAIAMgDGogD/0LBAAg" +
      "D/3jASAV/ecBIBb95AEhECAAIAxqIAAgDGr9AAQAIBcgDiAQ/ecB/eYB/eQB/QsEACAMQRBqIQwMAAsLCw==",
  ),
  (c) => c.charCodeAt(0),
); // the module's 277 bytes, base64

/** Values per array per chunk (a multiple of 4). */
const CHUNK = 1 << 16;

interface Kernel {
  readonly heap: Float32Array;
  readonly adam: (
    p: number,
    g: number,
    m: number,
    v: number,
    n: number,
    b1: number,
    a1: number,
    b2: number,
    a2: number,
    correction: number,
    eps: number,
    value: number,
  ) => void;
}

let kernel: Kernel | null | undefined;

/** The compiled kernel, or null where WebAssembly SIMD is unavailable (then callers use the scalar loop). */
function simdKernel(): Kernel | null {
  if (kernel !== undefined) return kernel;
  try {
    const instance = new WebAssembly.Instance(new WebAssembly.Module(WASM), {});
    const memory = instance.exports.memory as WebAssembly.Memory;
    memory.grow(Math.ceil((4 * CHUNK * 4) / 65536));
    kernel = { heap: new Float32Array(memory.buffer), adam: instance.exports.adam as Kernel["adam"] };
  } catch {
    kernel = null;
  }
  return kernel;
}

/** Adam's per-step constants, as `Adam.scalars` gives them (float32 values; a type, so that it is a Record too). */
export type AdamStepScalars = {
  readonly beta1: number;
  readonly one_minus_beta1: number;
  readonly beta2: number;
  readonly one_minus_beta2: number;
  readonly correction2: number;
  readonly eps: number;
  readonly step_value: number;
};

/**
 * Whether {@linkcode adamUpdateSimd} can run here (WebAssembly SIMD).
 *
 * @returns true when the SIMD kernel compiled
 * @example
 * ```ts
 * import { adamSimdAvailable } from "./adam_simd.ts";
 * console.log(typeof adamSimdAvailable()); // "boolean"
 * ```
 */
export function adamSimdAvailable(): boolean {
  return simdKernel() !== null;
}

/**
 * One Adam update in place: m ← m·β₁ + g·(1 − β₁), v ← v·β₂ + ((1 − β₂)·g)·g, p ← p + value·(m / (√v / c₂ + ε)),
 * each operation rounded to float32 (bit-identical to the scalar loop of `optimizers.ts`).
 *
 * @param p parameter values (updated)
 * @param g gradient (read)
 * @param m first moment (updated)
 * @param v second moment (updated)
 * @param s the step's constants
 * @returns false (and nothing changed) where WebAssembly SIMD is unavailable
 * @example
 * ```ts
 * import { adamUpdateSimd } from "./adam_simd.ts";
 * const p = new Float32Array([1]), m = new Float32Array(1), v = new Float32Array(1);
 * const s = { beta1: 0.9, one_minus_beta1: 0.1, beta2: 0.999, one_minus_beta2: 0.001, correction2: 1, eps: 0, step_value: -1 };
 * adamUpdateSimd(p, new Float32Array([2]), m, v, s);
 * console.log(p[0].toFixed(4)); // "-2.1623"
 * ```
 */
export function adamUpdateSimd(
  p: Float32Array,
  g: Float32Array,
  m: Float32Array,
  v: Float32Array,
  s: AdamStepScalars,
): boolean {
  const k = simdKernel();
  if (!k) return false;
  if (g.length !== p.length || m.length !== p.length || v.length !== p.length) {
    throw new RangeError(`Adam: lengths differ (p ${p.length}, g ${g.length}, m ${m.length}, v ${v.length})`);
  }
  const { heap } = k;
  const [pAt, gAt, mAt, vAt] = [0, CHUNK, 2 * CHUNK, 3 * CHUNK]; // float offsets in the scratch memory
  for (let start = 0; start < p.length; start += CHUNK) {
    const end = Math.min(p.length, start + CHUNK);
    const n = end - start;
    heap.set(p.subarray(start, end), pAt);
    heap.set(g.subarray(start, end), gAt);
    heap.set(m.subarray(start, end), mAt);
    heap.set(v.subarray(start, end), vAt);
    // A tail of fewer than 4 values is computed on stale scratch values too, and not copied back.
    k.adam(
      pAt * 4,
      gAt * 4,
      mAt * 4,
      vAt * 4,
      (n + 3) & ~3,
      s.beta1,
      s.one_minus_beta1,
      s.beta2,
      s.one_minus_beta2,
      s.correction2,
      s.eps,
      s.step_value,
    );
    p.set(heap.subarray(pAt, pAt + n), start);
    m.set(heap.subarray(mAt, mAt + n), start);
    v.set(heap.subarray(vAt, vAt + n), start);
  }
  return true;
}
