/**
 * Keeping freed memory inside the process. glibc's malloc serves blocks above its mmap threshold (≤ 32 MiB) with
 * fresh mappings and gives them back on free, and trims the top of its heap; the next allocation of that size
 * faults every page in again. On a VM whose host reclaims the memory a guest frees (virtio-balloon free page
 * reporting, as on the machines this project runs on), each such fault costs ≈ 16 µs: church-256's training step
 * faulted 0.1–0.35 M pages a step (0.3–5 s of system time) once its 627 MB of gradients were freed at each step.
 * ONNX Runtime's arena avoids it for the session's own tensors, but holds its doubling chunks (church-256's step
 * peaks 0.5 GiB higher), and the gradients onnxruntime-node copies into JavaScript are allocated outside it.
 *
 * {@linkcode retainFreedMemory} asks glibc (through Deno's FFI, `mallopt`) to serve every block from its heap and
 * never trim it: freed memory is reused by the next step, the process keeps its peak. Process-wide and for the
 * rest of the process; a no-op where glibc is not the allocator or FFI is not allowed.
 *
 * @module
 */

/** mallopt parameters (glibc's malloc.h). */
const M_TRIM_THRESHOLD = -1;
const M_MMAP_MAX = -4;

/** What {@linkcode retainFreedMemory} did. */
export type RetainFreedMemoryResult = "applied" | "already" | "unavailable";

let state: RetainFreedMemoryResult | undefined;

/**
 * Makes glibc's malloc keep freed memory in the process (no mmap'd blocks, no heap trimming), once per process.
 * The Trainer calls it for steps whose parameters hold more than `LARGE_STEP_VALUES` values (train/training_step.ts;
 * `TrainerOptions.retainFreedMemory` turns it off).
 *
 * @returns `applied` the first time it took effect, `already` after that, `unavailable` where there is no glibc
 *   (macOS, Windows, musl) or no FFI permission
 * @example
 * ```ts
 * import { retainFreedMemory } from "./retained_memory.ts";
 * console.log(["applied", "already", "unavailable"].includes(retainFreedMemory())); // true
 * ```
 */
export function retainFreedMemory(): RetainFreedMemoryResult {
  if (state !== undefined) return state === "unavailable" ? state : "already";
  state = "unavailable";
  if (Deno.build.os !== "linux") return state;
  let library: Deno.DynamicLibrary<{ mallopt: { parameters: ["i32", "i32"]; result: "i32" } }>;
  try {
    library = Deno.dlopen("libc.so.6", { mallopt: { parameters: ["i32", "i32"], result: "i32" } });
  } catch {
    return state; // not glibc (musl names its library differently), or --allow-ffi not given
  }
  try {
    // mallopt returns 1 on success. glibc stores the int trim threshold as a size_t: −1 is the largest, i.e. never
    // (2³¹ − 1 bytes was not enough: the in-graph update frees 1.9 GB of outputs and their copies at once).
    const ok = library.symbols.mallopt(M_MMAP_MAX, 0) === 1 &&
      library.symbols.mallopt(M_TRIM_THRESHOLD, -1) === 1;
    state = ok ? "applied" : "unavailable";
  } finally {
    library.close();
  }
  return state;
}
