/**
 * A seeded, resumable sampler of minibatch indices: each epoch is a fresh Fisher–Yates permutation drawn from
 * the counter-based PRNG of `io/prng.ts`, so the permutation of epoch e depends only on (seed, e) and a
 * training run resumed from `state()` sees exactly the batches it would have seen.
 *
 * @module
 */

import { prngBits } from "../../io/prng.ts";

/** Where a {@linkcode BatchSampler} stands: enough, with its seed, to continue identically. */
export interface SamplerState {
  /** Epochs started so far minus one (0 during the first epoch). */
  epoch: number;
  /** Number of indices of this epoch's permutation already handed out. */
  position: number;
}

/** Options of {@linkcode BatchSampler}. */
export interface BatchSamplerOptions {
  /**
   * Skip the last, short batch of an epoch so that every batch has `batchSize` indices (default false:
   * the last batch holds the remaining `count mod batchSize` indices). Graphs with static shapes want true.
   */
  dropLast?: boolean;
}

/**
 * The permutation of `0 … count−1` for one epoch: Fisher–Yates where swap j uses `prngBits(seed, epoch, j)`.
 * The index is `floor(bits · (i+1) / 2^32)`, biased by at most count/2^32, which is negligible here.
 */
function permutation(count: number, seed: number, epoch: number): Int32Array {
  const order = new Int32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  for (let i = count - 1, j = 0; i > 0; i--, j++) {
    const k = Math.floor((prngBits(seed, epoch, j) * (i + 1)) / 2 ** 32);
    const swap = order[i];
    order[i] = order[k];
    order[k] = swap;
  }
  return order;
}

/**
 * Hands out batches of indices, reshuffling at each epoch.
 *
 * @example
 * ```ts
 * import { BatchSampler } from "./batches.ts";
 * const sampler = new BatchSampler(10, 4, 1234);
 * const first = sampler.next(); // 4 distinct indices in 0…9
 * const saved = sampler.state(); // { epoch: 0, position: 4 }
 * const expected = [sampler.next(), sampler.next(), sampler.next()];
 * const resumed = new BatchSampler(10, 4, 1234);
 * resumed.restore(saved);
 * console.log(first.length, expected.map((b) => b.length)); // 4 [ 4, 2, 4 ]
 * console.log(String(resumed.next()) === String(expected[0])); // true
 * ```
 */
export class BatchSampler {
  readonly count: number;
  readonly batchSize: number;
  readonly seed: number;
  readonly dropLast: boolean;
  #epoch = 0;
  #position = 0;
  #order: Int32Array;

  /**
   * @param count number of items (indices 0 … count−1)
   * @param batchSize indices per batch (at most `count`)
   * @param seed unsigned 32-bit seed of the shuffles
   * @param options `dropLast` (default false)
   * @throws {RangeError} for a count, batch size or seed that is not a valid integer
   */
  constructor(count: number, batchSize: number, seed: number, options: BatchSamplerOptions = {}) {
    if (!Number.isInteger(count) || count < 1 || count > 2 ** 31 - 1) {
      throw new RangeError(`count=${count} is not a positive 32-bit integer`);
    }
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > count) {
      throw new RangeError(`batchSize=${batchSize} is not an integer in 1…count=${count}`);
    }
    if (!Number.isInteger(seed) || seed < 0 || seed > 2 ** 32 - 1) {
      throw new RangeError(`seed=${seed} is not an unsigned 32-bit integer`);
    }
    this.count = count;
    this.batchSize = batchSize;
    this.seed = seed;
    this.dropLast = options.dropLast ?? false;
    this.#order = permutation(count, seed, 0);
  }

  /** Batches per epoch: `ceil(count / batchSize)`, or `floor` with `dropLast`. */
  get batchesPerEpoch(): number {
    return this.dropLast ? Math.floor(this.count / this.batchSize) : Math.ceil(this.count / this.batchSize);
  }

  /**
   * The next batch, starting a new epoch (and a new permutation) when this one is used up.
   *
   * @returns a new Int32Array of indices, `batchSize` long (shorter only for the last batch of an epoch)
   */
  next(): Int32Array {
    const remaining = this.count - this.#position;
    if (remaining === 0 || (this.dropLast && remaining < this.batchSize)) {
      this.#epoch += 1;
      this.#position = 0;
      this.#order = permutation(this.count, this.seed, this.#epoch);
    }
    const end = Math.min(this.#position + this.batchSize, this.count);
    const batch = this.#order.slice(this.#position, end);
    this.#position = end;
    return batch;
  }

  /**
   * Where the sampler stands, as plain JSON-able numbers.
   *
   * @returns `{ epoch, position }`
   */
  state(): SamplerState {
    return { epoch: this.#epoch, position: this.#position };
  }

  /**
   * Continues from a saved state; the sampler must have been built with the same count, batch size, seed
   * and `dropLast` as the one that saved it.
   *
   * @param state from {@linkcode BatchSampler.state}
   * @throws {RangeError} if the epoch is not a non-negative integer or the position is outside 0…count
   */
  restore(state: SamplerState): void {
    const { epoch, position } = state;
    if (!Number.isSafeInteger(epoch) || epoch < 0) {
      throw new RangeError(`Sampler state epoch=${epoch} is not a non-negative integer`);
    }
    if (!Number.isInteger(position) || position < 0 || position > this.count) {
      throw new RangeError(`Sampler state position=${position} is outside 0…count=${this.count}`);
    }
    if (epoch !== this.#epoch) this.#order = permutation(this.count, this.seed, epoch);
    this.#epoch = epoch;
    this.#position = position;
  }
}
