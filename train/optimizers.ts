/**
 * Optimizers updating float32 parameters between training steps: in the step graph by default (their
 * {@linkcode GraphSteppableOptimizer} side, train/graph_optimizer.ts), or with the host loops here (the
 * `Trainer` (train/training_step.ts)'s `optimizerOnHost`, and the reference the graph form is tested against). Both follow the reference implementations element by element, with
 * float32 rounding after each operation as torch does on float32 tensors:
 * - {@linkcode Adam}: `torch.optim.Adam` (torch 1.13 single-tensor path), the phase-II optimizer (spec §5);
 * - {@linkcode Ranger}: RAdam + Lookahead + gradient centralisation (`training/ranger.py` of pSp/HyperInverter,
 *   version 20.4.11), the phase-I optimizer.
 *
 * @module
 */

import { ADAM_GRAPH_UPDATE, type GraphUpdateRule, RANGER_GRAPH_UPDATE } from "./graph_optimizer.ts";
import { adamSimdAvailable, type AdamStepScalars, adamUpdateSimd } from "./adam_simd.ts";

const f = Math.fround;

/** A trainable parameter: its values (updated in place) and its shape (gradient centralisation needs it). */
export interface TrainableParameter {
  readonly data: Float32Array;
  readonly shape: readonly number[];
}

/** What every optimizer offers: a step, and its state for checkpoints. */
export interface Optimizer {
  /** Number of steps taken. */
  readonly steps: number;
  /**
   * Applies one update.
   *
   * @param parameters parameters by name (updated in place)
   * @param gradients gradients by the same names (a parameter without a gradient is left alone)
   */
  step(
    parameters: ReadonlyMap<string, TrainableParameter>,
    gradients: ReadonlyMap<string, Float32Array>,
  ): void;
  /** Optimizer state by `<parameter>/<buffer>` name, plus `step`, for checkpointing. */
  state(): Map<string, Float32Array>;
  /** Restores a state written by {@linkcode Optimizer.state}. */
  loadState(state: ReadonlyMap<string, Float32Array>): void;
  /**
   * True when this optimizer's host loop beats its in-graph update on the CPU (Adam with its WebAssembly SIMD
   * loop): the `Trainer` (train/training_step.ts) then updates on the host by default there.
   */
  readonly fastHostUpdate?: boolean;
}

/**
 * An optimizer that can also run its update inside the step graph (train/graph_optimizer.ts): the
 * `Trainer` (train/training_step.ts) feeds the state buffers and the scalars of the next step, and hands the new buffers back.
 */
export interface GraphSteppableOptimizer extends Optimizer {
  /** The update as graph ops. */
  readonly graphUpdate: GraphUpdateRule;
  /** The scalar inputs of the next step (without the `optimizer.` prefix), float32-rounded as the host loop. */
  nextStepScalars(): Record<string, number>;
  /**
   * A parameter's state buffers, created as the host loop creates them on its first step.
   *
   * @param name the parameter's name
   * @param parameter its values
   * @returns the buffers by name (the optimizer's own arrays)
   */
  stateBuffers(name: string, parameter: TrainableParameter): Record<string, Float32Array>;
  /** Ends a step taken in a graph (whose caller wrote the new values into the {@linkcode stateBuffers}): counts it. */
  commitGraphStep(): void;
}

/**
 * Whether an optimizer can run its update inside the step graph.
 *
 * @param optimizer any optimizer
 * @returns true for {@linkcode Adam} and {@linkcode Ranger}
 * @example
 * ```ts
 * import { Adam, isGraphSteppable } from "./optimizers.ts";
 * console.log(isGraphSteppable(new Adam())); // true
 * ```
 */
export function isGraphSteppable(optimizer: Optimizer): optimizer is GraphSteppableOptimizer {
  return "graphUpdate" in optimizer && "commitGraphStep" in optimizer;
}

function checkGradient(name: string, parameter: TrainableParameter, gradient: Float32Array): void {
  if (gradient.length !== parameter.data.length) {
    throw new TypeError(
      `Gradient of "${name}" has ${gradient.length} values, the parameter ${parameter.data.length}`,
    );
  }
}

/** Options of {@linkcode Adam} (torch defaults). */
export interface AdamOptions {
  lr?: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  /** The host update by WebAssembly SIMD where available (default true; the same bits as the scalar loop). */
  simd?: boolean;
}

/**
 * Adam as `torch.optim.Adam` (no weight decay, not amsgrad): m = β1·m + (1−β1)·g; v = β2·v + (1−β2)·g²;
 * p ← p − (lr / (1 − β1ᵗ)) · m / (√v / √(1 − β2ᵗ) + eps).
 *
 * @example
 * ```ts
 * import { Adam } from "./optimizers.ts";
 * const p = { data: new Float32Array([1]), shape: [1] };
 * const adam = new Adam({ lr: 0.1 });
 * adam.step(new Map([["p", p]]), new Map([["p", new Float32Array([2])]]));
 * console.log(p.data[0]); // 0.9000000357627869 (the first step moves by about lr·sign(g))
 * ```
 */
export class Adam implements GraphSteppableOptimizer {
  private readonly moments = new Map<string, { m: Float32Array; v: Float32Array }>();
  private t = 0;
  #lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  /** Whether the host update may use the WebAssembly SIMD kernel (same bits; `simd: false` forces the loop). */
  readonly simd: boolean;

  /** @param options lr (1e-3), beta1 (0.9), beta2 (0.999), eps (1e-8), simd (true) */
  constructor(options: AdamOptions = {}) {
    this.simd = options.simd ?? true;
    this.#lr = options.lr ?? 1e-3;
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.eps = options.eps ?? 1e-8;
    if (!(this.#lr > 0)) throw new RangeError(`Adam lr must be positive, got ${this.#lr}`);
  }

  /** The learning rate of the next step. */
  get lr(): number {
    return this.#lr;
  }

  /**
   * Sets the learning rate of the following steps (a schedule, e.g. train/learning_rate.ts); the moments stay.
   *
   * @param lr the new rate (> 0)
   * @throws {RangeError} when it is not positive
   */
  setLearningRate(lr: number): void {
    if (!(lr > 0)) throw new RangeError(`Adam lr must be positive, got ${lr}`);
    this.#lr = lr;
  }

  /** The SIMD host loop runs here (and `simd` allows it): faster and lighter than the in-graph update on the CPU. */
  get fastHostUpdate(): boolean {
    return this.simd && adamSimdAvailable();
  }

  get steps(): number {
    return this.t;
  }

  /** The in-graph update (train/graph_optimizer.ts). */
  readonly graphUpdate: GraphUpdateRule = ADAM_GRAPH_UPDATE;

  /** The float32 operands of step `t` (torch turns Python scalars into float32 operands of float32 ops). */
  private scalars(t: number): AdamStepScalars {
    const { beta1, beta2, eps, lr } = this;
    return {
      beta1: f(beta1),
      one_minus_beta1: f(1 - beta1),
      beta2: f(beta2),
      one_minus_beta2: f(1 - beta2),
      eps: f(eps),
      step_value: f(-(lr / (1 - beta1 ** t))),
      correction2: f(Math.sqrt(1 - beta2 ** t)),
    };
  }

  nextStepScalars(): Record<string, number> {
    return this.scalars(this.t + 1);
  }

  stateBuffers(name: string, parameter: TrainableParameter): Record<string, Float32Array> {
    let state = this.moments.get(name);
    if (!state) {
      state = { m: new Float32Array(parameter.data.length), v: new Float32Array(parameter.data.length) };
      this.moments.set(name, state);
    }
    return { exp_avg: state.m, exp_avg_sq: state.v };
  }

  commitGraphStep(): void {
    this.t++;
  }

  step(
    parameters: ReadonlyMap<string, TrainableParameter>,
    gradients: ReadonlyMap<string, Float32Array>,
  ): void {
    this.t++;
    const s = this.scalars(this.t);
    const a1 = s.one_minus_beta1, a2 = s.one_minus_beta2, b1 = s.beta1, b2 = s.beta2;
    const value = s.step_value, correction = s.correction2, epsilon = s.eps;
    for (const [name, parameter] of parameters) {
      const g = gradients.get(name);
      if (!g) continue;
      checkGradient(name, parameter, g);
      let state = this.moments.get(name);
      if (!state) {
        state = { m: new Float32Array(g.length), v: new Float32Array(g.length) };
        this.moments.set(name, state);
      }
      const { m, v } = state;
      const p = parameter.data;
      // WebAssembly SIMD where available (the same bits, ≈ 5× faster: train/adam_simd.ts), else this loop.
      if (this.simd && adamUpdateSimd(p, g, m, v, s)) continue;
      for (let i = 0; i < p.length; i++) {
        const gi = g[i];
        m[i] = f(f(m[i] * b1) + f(gi * a1));
        v[i] = f(f(v[i] * b2) + f(f(a2 * gi) * gi));
        const denom = f(f(f(Math.sqrt(v[i])) / correction) + epsilon);
        p[i] = f(p[i] + f(value * f(m[i] / denom)));
      }
    }
  }

  state(): Map<string, Float32Array> {
    const out = new Map<string, Float32Array>([["step", new Float32Array([this.t])]]);
    for (const [name, { m, v }] of this.moments) {
      (out.set(`${name}/exp_avg`, m), out.set(`${name}/exp_avg_sq`, v));
    }
    return out;
  }

  loadState(state: ReadonlyMap<string, Float32Array>): void {
    this.t = state.get("step")?.[0] ?? 0;
    this.moments.clear();
    for (const [key, value] of state) {
      const [name, buffer] = splitKey(key);
      if (buffer === "exp_avg") {
        this.moments.set(name, {
          m: value.slice(),
          v: state.get(`${name}/exp_avg_sq`)?.slice() ?? new Float32Array(value.length),
        });
      }
    }
  }
}

function splitKey(key: string): [string, string] {
  const slash = key.lastIndexOf("/");
  return [key.slice(0, slash), key.slice(slash + 1)];
}

/** Options of {@linkcode Ranger} (the defaults of training/ranger.py). */
export interface RangerOptions {
  lr?: number;
  /** Lookahead interpolation (0.5). */
  alpha?: number;
  /** Lookahead period in steps (6). */
  k?: number;
  /** RAdam's SMA threshold (5). */
  smaThreshold?: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  /** Gradient centralisation for every parameter with more than one dimension (true). */
  gradientCentralization?: boolean;
}

/**
 * Ranger: RAdam with Lookahead and gradient centralisation, as pSp's and HyperInverter's `training/ranger.py`
 * (defaults β = (0.95, 0.999), eps 1e-5, α 0.5, k 6, SMA threshold 5, GC on for every tensor with ndim > 1).
 *
 * @example
 * ```ts
 * import { Ranger } from "./optimizers.ts";
 * const p = { data: new Float32Array([1, 2]), shape: [2] };
 * const ranger = new Ranger({ lr: 0.01 });
 * ranger.step(new Map([["p", p]]), new Map([["p", new Float32Array([1, -1])]]));
 * console.log(p.data[0] < 1 && p.data[1] > 2); // true
 * ```
 */
export class Ranger implements GraphSteppableOptimizer {
  private readonly buffers = new Map<string, { m: Float32Array; v: Float32Array; slow: Float32Array }>();
  private t = 0;
  readonly options: Required<RangerOptions>;

  /** @param options see {@linkcode RangerOptions} */
  constructor(options: RangerOptions = {}) {
    this.options = {
      lr: options.lr ?? 1e-3,
      alpha: options.alpha ?? 0.5,
      k: options.k ?? 6,
      smaThreshold: options.smaThreshold ?? 5,
      beta1: options.beta1 ?? 0.95,
      beta2: options.beta2 ?? 0.999,
      eps: options.eps ?? 1e-5,
      gradientCentralization: options.gradientCentralization ?? true,
    };
    const { lr, alpha, k } = this.options;
    if (!(lr > 0)) throw new RangeError(`Ranger lr must be positive, got ${lr}`);
    if (!(alpha >= 0 && alpha <= 1)) throw new RangeError(`Ranger alpha must be in [0, 1], got ${alpha}`);
    if (!(Number.isInteger(k) && k >= 1)) throw new RangeError(`Ranger k must be an integer ≥ 1, got ${k}`);
  }

  get steps(): number {
    return this.t;
  }

  /**
   * Sets the learning rate of the following steps (a schedule, e.g. train/learning_rate.ts); the buffers stay.
   *
   * @param lr the new rate (> 0)
   * @throws {RangeError} when it is not positive
   */
  setLearningRate(lr: number): void {
    if (!(lr > 0)) throw new RangeError(`Ranger lr must be positive, got ${lr}`);
    this.options.lr = lr;
  }

  /** The in-graph update (train/graph_optimizer.ts). */
  readonly graphUpdate: GraphUpdateRule = RANGER_GRAPH_UPDATE;

  /** RAdam's step size and whether step `t` uses the adaptive (√v) denominator. */
  private schedule(t: number): { adaptive: boolean; stepSize: number } {
    const { smaThreshold, beta1, beta2 } = this.options;
    const beta2t = beta2 ** t;
    const smaMax = 2 / (1 - beta2) - 1;
    const sma = smaMax - (2 * t * beta2t) / (1 - beta2t);
    const adaptive = sma > smaThreshold;
    const stepSize = adaptive
      ? Math.sqrt((1 - beta2t) * (sma - 4) / (smaMax - 4) * (sma - 2) / sma * smaMax / (smaMax - 2)) /
        (1 - beta1 ** t)
      : 1 / (1 - beta1 ** t);
    return { adaptive, stepSize };
  }

  nextStepScalars(): Record<string, number> {
    const t = this.t + 1;
    const { lr, alpha, k, beta1, beta2, eps, gradientCentralization } = this.options;
    const { adaptive, stepSize } = this.schedule(t);
    const sync = t % k === 0;
    return {
      beta1: f(beta1),
      one_minus_beta1: f(1 - beta1),
      beta2: f(beta2),
      one_minus_beta2: f(1 - beta2),
      eps: f(eps),
      step_value: f(-stepSize * lr),
      adaptive: adaptive ? 1 : 0,
      one_minus_adaptive: adaptive ? 0 : 1,
      lookahead: sync ? f(alpha) : 0,
      sync: sync ? 1 : 0,
      one_minus_sync: sync ? 0 : 1,
      centralize: gradientCentralization ? 1 : 0,
    };
  }

  stateBuffers(name: string, parameter: TrainableParameter): Record<string, Float32Array> {
    let state = this.buffers.get(name);
    if (!state) {
      const size = parameter.data.length;
      state = { m: new Float32Array(size), v: new Float32Array(size), slow: parameter.data.slice() };
      this.buffers.set(name, state);
    }
    return { exp_avg: state.m, exp_avg_sq: state.v, slow_buffer: state.slow };
  }

  commitGraphStep(): void {
    this.t++;
  }

  step(
    parameters: ReadonlyMap<string, TrainableParameter>,
    gradients: ReadonlyMap<string, Float32Array>,
  ): void {
    this.t++;
    const { lr, alpha, k, beta1, beta2, eps, gradientCentralization } = this.options;
    const t = this.t;
    const { adaptive, stepSize } = this.schedule(t);
    const a1 = f(1 - beta1), a2 = f(1 - beta2), b1 = f(beta1), b2 = f(beta2);
    const value = f(-stepSize * lr), epsilon = f(eps), lookahead = f(alpha);
    for (const [name, parameter] of parameters) {
      const source = gradients.get(name);
      if (!source) continue;
      checkGradient(name, parameter, source);
      const p = parameter.data;
      let g = source;
      if (gradientCentralization && parameter.shape.length > 1) {
        // grad − mean over every axis but the first (per output channel / row)
        g = source.slice();
        const rows = parameter.shape[0];
        const per = g.length / rows;
        for (let r = 0; r < rows; r++) {
          let sum = 0;
          for (let i = 0; i < per; i++) sum += g[r * per + i];
          const mean = f(sum / per);
          for (let i = 0; i < per; i++) g[r * per + i] = f(g[r * per + i] - mean);
        }
      }
      let state = this.buffers.get(name);
      if (!state) {
        state = { m: new Float32Array(p.length), v: new Float32Array(p.length), slow: p.slice() };
        this.buffers.set(name, state);
      }
      const { m, v, slow } = state;
      for (let i = 0; i < p.length; i++) {
        const gi = g[i];
        v[i] = f(f(v[i] * b2) + f(f(a2 * gi) * gi));
        m[i] = f(f(m[i] * b1) + f(gi * a1));
        if (adaptive) p[i] = f(p[i] + f(value * f(m[i] / f(f(Math.sqrt(v[i])) + epsilon))));
        else p[i] = f(p[i] + f(value * m[i]));
      }
      if (t % k === 0) {
        for (let i = 0; i < p.length; i++) {
          slow[i] = f(slow[i] + f(lookahead * f(p[i] - slow[i])));
          p[i] = slow[i];
        }
      }
    }
  }

  state(): Map<string, Float32Array> {
    const out = new Map<string, Float32Array>([["step", new Float32Array([this.t])]]);
    for (const [name, { m, v, slow }] of this.buffers) {
      out.set(`${name}/exp_avg`, m);
      out.set(`${name}/exp_avg_sq`, v);
      out.set(`${name}/slow_buffer`, slow);
    }
    return out;
  }

  loadState(state: ReadonlyMap<string, Float32Array>): void {
    this.t = state.get("step")?.[0] ?? 0;
    this.buffers.clear();
    for (const [key, value] of state) {
      const [name, buffer] = splitKey(key);
      if (buffer !== "exp_avg") continue;
      const v = state.get(`${name}/exp_avg_sq`), slow = state.get(`${name}/slow_buffer`);
      if (!v || !slow) throw new TypeError(`Ranger state for "${name}" is incomplete`);
      this.buffers.set(name, { m: value.slice(), v: v.slice(), slow: slow.slice() });
    }
  }
}

/**
 * Several optimizers saved and restored as one state (`<prefix>/<key>`), e.g. a generator's and a discriminator's
 * for one checkpoint.
 *
 * @param optimizers optimizers by prefix
 * @returns an object with `state()` and `loadState()`
 * @example
 * ```ts
 * import { Adam, combineOptimizers } from "./optimizers.ts";
 * const both = combineOptimizers({ G: new Adam(), D: new Adam() });
 * console.log([...both.state().keys()]); // ["G/step", "D/step"]
 * ```
 */
export function combineOptimizers(
  optimizers: Record<string, Optimizer>,
): Pick<Optimizer, "state" | "loadState"> {
  return {
    state() {
      const out = new Map<string, Float32Array>();
      for (const [prefix, o] of Object.entries(optimizers)) {
        for (const [k, v] of o.state()) out.set(`${prefix}/${k}`, v);
      }
      return out;
    },
    loadState(state) {
      for (const [prefix, o] of Object.entries(optimizers)) {
        const own = new Map<string, Float32Array>();
        for (const [k, v] of state) if (k.startsWith(`${prefix}/`)) own.set(k.slice(prefix.length + 1), v);
        o.loadState(own);
      }
    },
  };
}
