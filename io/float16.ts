/**
 * Conversions between float32 and the two 16-bit float formats of safetensors files: IEEE half precision
 * (`F16`) and bfloat16 (`BF16`). Both are stored as raw bit patterns in a Uint16Array.
 *
 * @module
 */

const scratchFloat = new Float32Array(1);
const scratchBits = new Uint32Array(scratchFloat.buffer);

/** Half bits of one float32, rounded to nearest, ties to even. */
function halfBitsOf(value: number): number {
  scratchFloat[0] = value;
  const bits = scratchBits[0];
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  let mantissa = bits & 0x7fffff;
  if (exponent === 0xff) {
    // Infinity stays infinite; a NaN keeps the top of its payload and is made quiet, so it stays a NaN.
    return mantissa === 0 ? sign | 0x7c00 : sign | 0x7e00 | (mantissa >>> 13);
  }
  const halfExponent = exponent - 127 + 15;
  if (halfExponent >= 0x1f) return sign | 0x7c00; // too large: infinity
  if (halfExponent <= 0) {
    // Subnormal half (or zero). Below 2^-25 everything rounds to zero; exactly 2^-25 ties to even (zero).
    if (halfExponent < -10) return sign;
    mantissa |= 0x800000;
    const shift = 14 - halfExponent;
    const kept = mantissa >>> shift;
    const rest = mantissa & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    // A carry out of the mantissa turns into the smallest normal exponent, which is the right value.
    return sign | (rest > halfway || (rest === halfway && (kept & 1) === 1) ? kept + 1 : kept);
  }
  const kept = (halfExponent << 10) | (mantissa >>> 13);
  const rest = mantissa & 0x1fff;
  // A carry may overflow into the exponent (up to infinity), which is the correct rounding.
  return sign | (rest > 0x1000 || (rest === 0x1000 && (kept & 1) === 1) ? kept + 1 : kept);
}

/** Float32 value of one half bit pattern (exact). */
function floatOfHalfBits(half: number): number {
  const sign = half & 0x8000 ? -1 : 1;
  const exponent = (half >>> 10) & 0x1f;
  const mantissa = half & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 0x1f) return mantissa === 0 ? sign * Infinity : NaN;
  return sign * (1024 + mantissa) * 2 ** (exponent - 25);
}

/**
 * Converts float32 values to IEEE half precision bit patterns, rounding to nearest, ties to even.
 * Values beyond ±65504 (after rounding) become ±Infinity; NaN stays NaN.
 *
 * @param values float32 values
 * @returns a new Uint16Array of half bit patterns, same length
 *
 * @example
 * ```ts
 * import { float32ToFloat16 } from "./float16.ts";
 * const half = float32ToFloat16(new Float32Array([1, -2, 65504, 1e9]));
 * console.log([...half].map((h) => h.toString(16))); // ["3c00", "c000", "7bff", "7c00"]
 * ```
 */
export function float32ToFloat16(values: Float32Array): Uint16Array {
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = halfBitsOf(values[i]);
  return out;
}

/**
 * Decodes IEEE half precision bit patterns to float32 (exactly: every half value is a float32 value).
 *
 * @param halves half bit patterns
 * @returns a new Float32Array, same length
 *
 * @example
 * ```ts
 * import { float16ToFloat32 } from "./float16.ts";
 * const values = float16ToFloat32(new Uint16Array([0x3c00, 0xc000, 0x0001, 0x7c00]));
 * console.log([...values]); // [1, -2, 5.960464477539063e-8, Infinity]
 * ```
 */
export function float16ToFloat32(halves: Uint16Array): Float32Array {
  const out = new Float32Array(halves.length);
  for (let i = 0; i < halves.length; i++) out[i] = floatOfHalfBits(halves[i]);
  return out;
}

/**
 * Converts float32 values to bfloat16 bit patterns (the top 16 bits of the float32), rounding to nearest,
 * ties to even. NaN stays NaN.
 *
 * @param values float32 values
 * @returns a new Uint16Array of bfloat16 bit patterns, same length
 *
 * @example
 * ```ts
 * import { float32ToBfloat16 } from "./float16.ts";
 * const bf16 = float32ToBfloat16(new Float32Array([1, -2, 3.140625]));
 * console.log([...bf16].map((h) => h.toString(16))); // ["3f80", "c000", "4049"]
 * ```
 */
export function float32ToBfloat16(values: Float32Array): Uint16Array {
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const b = bits[i];
    if ((b & 0x7f800000) === 0x7f800000 && (b & 0x7fffff) !== 0) {
      out[i] = (b >>> 16) | 0x40; // NaN: keep it a (quiet) NaN even when its payload is only in the low bits
    } else {
      // Adding 0x7fff plus the lowest kept bit rounds to nearest, ties to even; a carry may reach infinity.
      out[i] = (b + 0x7fff + ((b >>> 16) & 1)) >>> 16;
    }
  }
  return out;
}

/**
 * Decodes bfloat16 bit patterns to float32 (exactly: bfloat16 is the top half of a float32).
 *
 * @param halves bfloat16 bit patterns
 * @returns a new Float32Array, same length
 *
 * @example
 * ```ts
 * import { bfloat16ToFloat32 } from "./float16.ts";
 * console.log([...bfloat16ToFloat32(new Uint16Array([0x3f80, 0xc000, 0x4049]))]); // [1, -2, 3.140625]
 * ```
 */
export function bfloat16ToFloat32(halves: Uint16Array): Float32Array {
  const out = new Float32Array(halves.length);
  const bits = new Uint32Array(out.buffer);
  for (let i = 0; i < halves.length; i++) bits[i] = halves[i] << 16;
  return out;
}
