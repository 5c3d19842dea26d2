/**
 * A training step as one ONNX graph: the forward pass and the loss, the gradient of the loss w.r.t. every
 * trainable parameter (graph/autodiff.ts), and optionally the optimizer's update (train/graph_optimizer.ts), all
 * in one session run: the step feeds the parameters and the optimizer state and gets the new ones back. With
 * `optimizerOnHost` the graph returns the gradients instead and the optimizer's host loop (train/optimizers.ts;
 * Adam by WebAssembly SIMD, train/adam_simd.ts) updates in place — the default for Adam on the CPU, where it is
 * faster and lighter (bench/_training_row.ts measures both).
 *
 * Church-256 D=64, batch 1, on a loaded 2-vCPU machine: the in-graph step takes 2.6 forward passes against 3.2
 * for the host loop's, but peaks at 6.0 GiB against 4.9 GiB: ONNX Runtime allocates the new parameters and state
 * as outputs and the binding copies them (1.9 GB twice). `GraphSession.run(feeds, { outputs })` now lets ONNX
 * Runtime write outputs into given arrays (on the CPU in place, even into a feed of the same run), which removes
 * ONNX Runtime's own output allocations, but not the second copy: onnxruntime-node 1.30 still returns a fresh
 * copy of every fetched output, preallocated or not (a 256 MB in-place output grew RSS by 256 MB per run until
 * released). The step does not use it yet, because writing the new state in place breaks the all-or-nothing
 * update on a non-finite gradient (the check reads the gradient sums after the run), and writing a parameter in
 * place is safe only once every backward reader of it has run: both need a guard node in the graph (Where on a
 * finite flag over every gradient sum), which the op set (graph/ops.ts) lacks.
 *
 * @module
 */

import { gradients } from "../graph/autodiff.ts";
import type { GraphBuilder } from "../graph/builder.ts";
import type { Tensor } from "../graph/tensor.ts";
import { sessionFor } from "../runtime/session.ts";
import { retainFreedMemory } from "../runtime/retained_memory.ts";
import { outputReshapesOnHost, withHostShapes } from "../graph/host_reshape.ts";
import { type HostData, type HostTensor, releaseHostData } from "../runtime/host_tensor.ts";
import type { ProviderName } from "../runtime/devices.ts";
import {
  type GraphSteppableOptimizer,
  isGraphSteppable,
  type Optimizer,
  type TrainableParameter,
} from "./optimizers.ts";
import type { GraphUpdateRule } from "./graph_optimizer.ts";

/** Options of {@linkcode addTrainingOutputs}. */
export interface TrainingOutputsOptions {
  /** Which parameters are trained (default: all). Frozen ones (E1, G in phase II) stay inputs without gradients. */
  trainable?: (name: string) => boolean;
}

/**
 * Turns a graph with a scalar `loss` into a training-step graph: outputs `loss` and `grad.<parameter>` for every
 * trainable parameter.
 *
 * @param g the graph (forward + loss already built)
 * @param loss the scalar loss
 * @param options which parameters are trainable
 * @returns the trainable parameters, in output order
 */
export function addTrainingOutputs(
  g: GraphBuilder,
  loss: Tensor,
  options: TrainingOutputsOptions = {},
): Tensor[] {
  if (loss.rank !== 0) throw new TypeError(`The loss must be a scalar, got shape [${loss.shape.join(", ")}]`);
  const trainable = g.parameters.filter((p) => options.trainable?.(p.name) ?? true);
  if (!trainable.length) throw new RangeError(`Graph "${g.name}" has no trainable parameter`);
  const grads = gradients(g, loss, trainable);
  g.output(loss, "loss");
  for (const p of trainable) g.output(grads.get(p)!, `grad.${p.name}`);
  return trainable;
}

/** What one step returns. */
export interface StepResult {
  /** The loss before the update. */
  loss: number;
  /**
   * The step graph's outputs (e.g. statistics the trainer needs besides the loss), with `grad.<name>` for a model
   * of up to 1 Mi trainable values (a larger model's gradients are freed once the update has used them).
   */
  outputs: Record<string, HostTensor>;
  /** The execution provider that ran. */
  provider: ProviderName;
  /** Wall time of the session run (forward, backward and, in the graph, the update). */
  milliseconds: number;
}

/** Options of {@linkcode Trainer}. */
export interface TrainerOptions {
  /** `cpu` (default), `cuda`, `webgpu` or `auto`. */
  device?: string;
  /**
   * Update on the host (the optimizer's own loop over the gradients the graph returns) instead of in the step
   * graph. Default: on the host for Adam on the CPU where its WebAssembly SIMD update runs (measured, church-256:
   * step 7.4 vs 8.6 s, update 0.44 s, peak 5.0 vs 6.1 GiB: the in-graph update's outputs are copied by
   * onnxruntime-node), else in the graph when the optimizer has an in-graph form (Adam, Ranger) — on a GPU
   * device the state could stay there. Both give the same bits (train/graph_optimizer_test.ts).
   */
  optimizerOnHost?: boolean;
  /** ONNX Runtime's memory pattern for the step's session (default false: a lower peak at the same speed). */
  memoryPattern?: boolean;
  /**
   * ONNX Runtime's CPU memory arena for the step's session. Default: on, except for graphs whose parameters hold
   * more than {@linkcode LARGE_STEP_VALUES} values: the arena grows in doubling chunks and keeps them, so without
   * it church-256's step peaks 450–530 MiB lower (4.6 vs 5.1 GiB) at the same speed (5.7–6.1 vs 6.1–6.4 s,
   * alternating runs); the mini step is 15 % slower without it (many small tensors).
   */
  memoryArena?: boolean;
  /**
   * Keep freed memory in the process (runtime/retained_memory.ts: glibc's malloc without mmap'd blocks or heap
   * trimming, process-wide). Default: on for graphs whose parameters hold more than {@linkcode LARGE_STEP_VALUES}
   * values. church-256's step (2026-12-05, bench row, alternating): without it 0.1–0.35 M page faults and up to
   * 5 s of system time per step once its gradients were freed at each step; with it 0–50 faults, 5.1–5.2 s runs.
   */
  retainFreedMemory?: boolean;
}

/** Above this many parameter values, a step's session runs without ONNX Runtime's memory arena (TrainerOptions). */
export const LARGE_STEP_VALUES = 1 << 24;

/** Parameters updated together: one (output names as the parameter) or several small ones flattened together. */
interface UpdateGroup {
  /** The parameters, in order. */
  readonly names: readonly string[];
  /** Their sizes (the group's vectors are their concatenation). */
  readonly sizes: readonly number[];
  /** Output name of the new parameter values; `<output>/<buffer>` for the new state. */
  readonly output: string;
}

/** The update nodes a graph was given (once per graph: several trainers may share a graph). */
interface GraphUpdatePlan {
  readonly kind: GraphUpdateRule["kind"];
  readonly trainable: readonly string[];
  readonly groups: readonly UpdateGroup[];
}

const updatePlans = new WeakMap<GraphBuilder, GraphUpdatePlan>();
const UPDATED = "updated.";
const GRADIENT_SUMS = "optimizer.gradient_sums";
/** Parameters below this many values are updated in groups of up to GROUP_VALUES (the mini model: 529 → 9 chains). */
const SMALL_PARAMETER = 1 << 16;
const GROUP_VALUES = 1 << 20;
/** In-graph updates of up to this many trainable values still output `grad.<name>` (StepResult.outputs). */
const KEEP_GRADIENTS_UP_TO = 1 << 20;

/** Consecutive small parameters share a group; a large one is a group of its own. */
function groupParameters(parameters: readonly Tensor[]): Tensor[][] {
  const groups: Tensor[][] = [];
  let open: Tensor[] = [], openSize = 0;
  const close = () => {
    if (open.length) groups.push(open);
    open = [];
    openSize = 0;
  };
  for (const p of parameters) {
    if (p.size >= SMALL_PARAMETER) {
      groups.push([p]);
      continue;
    }
    if (openSize + p.size > GROUP_VALUES) close();
    open.push(p);
    openSize += p.size;
  }
  close();
  return groups;
}

/**
 * Appends the optimizer's update to a graph with `grad.<name>` outputs: scalar inputs `optimizer.<scalar>`, state
 * inputs `optimizer.<name>/<buffer>`, outputs `updated.<name>` and `updated.<name>/<buffer>` (or, for small
 * parameters updated together, `updated.group<k>` and `updated.group<k>/<buffer>`, their flattened concatenation),
 * and `optimizer.gradient_sums` (each group's gradient sum: not finite when one of its values is not); above
 * {@linkcode KEEP_GRADIENTS_UP_TO} trainable values the `grad.*` outputs are dropped (the gradients stay inside).
 */
function planGraphUpdate(graph: GraphBuilder, rule: GraphUpdateRule): GraphUpdatePlan {
  const existing = updatePlans.get(graph);
  if (existing) {
    if (existing.kind !== rule.kind) {
      throw new TypeError(`Graph "${graph.name}" already holds a ${existing.kind} update, not ${rule.kind}`);
    }
    return existing;
  }
  const gradientOutputs = graph.outputs.filter((t) => t.name.startsWith("grad."));
  const scalars = Object.fromEntries(rule.scalars.map((s) => [s, graph.input(`optimizer.${s}`, [])]));
  const gradientOf = new Map<Tensor, Tensor>();
  const parameters = gradientOutputs.map((output) => {
    const parameter = graph.parameters.find((p) => p.name === output.name.slice(5));
    if (!parameter) throw new TypeError(`Output "${output.name}" of graph "${graph.name}" has no parameter`);
    gradientOf.set(parameter, graph.producer(output)?.inputs[0] ?? output); // the tensor its Identity renames
    return parameter;
  });
  const sums: Tensor[] = [];
  const groups = groupParameters(parameters).map((members, k) =>
    graph.scope("optimizer", () => {
      const single = members.length === 1;
      const flat = (t: Tensor) => graph.reshape(t, [t.size]);
      const join = (ts: Tensor[]) => single ? ts[0] : graph.concat(ts.map(flat), 0); // [Σ sizes]
      const prepared = members.map((p) =>
        rule.prepare?.(graph, p, gradientOf.get(p)!, scalars) ?? gradientOf.get(p)!
      );
      const gradient = join(prepared);
      const state = Object.fromEntries(
        rule.buffers.map((b) => [
          b,
          join(members.map((p) => graph.input(`optimizer.${p.name}/${b}`, p.shape))),
        ]),
      );
      const next = rule.add(graph, join(members), gradient, state, scalars);
      const output = `${UPDATED}${single ? members[0].name : `group${k}`}`;
      graph.output(next.parameter, output);
      for (const b of rule.buffers) graph.output(next.state[b], `${output}/${b}`);
      sums.push(graph.reshape(graph.reduceSum(gradient, gradient.shape.map((_, i) => i), false), [1]));
      return { names: members.map((p) => p.name), sizes: members.map((p) => p.size), output };
    })
  );
  graph.output(graph.concat(sums, 0), GRADIENT_SUMS);
  // Large models drop the gradient outputs (they stay inside the graph); small ones keep them for inspection
  // (tests compare them across devices), at the cost of a few MiB copied per step.
  if (parameters.reduce((sum, p) => sum + p.size, 0) > KEEP_GRADIENTS_UP_TO) {
    for (const output of gradientOutputs) graph.outputs.splice(graph.outputs.indexOf(output), 1);
  }
  const plan = { kind: rule.kind, trainable: parameters.map((p) => p.name), groups };
  updatePlans.set(graph, plan);
  return plan;
}

/**
 * Runs training steps: feeds data and every parameter, reads the loss, and updates the trainable parameters in
 * place: in the step graph by default (the first trainer of a graph appends the update to it), or with the
 * optimizer's host loop over the returned gradients (`optimizerOnHost`, or an optimizer without an in-graph form).
 * Both give the same values (train/graph_optimizer.ts).
 *
 * @example
 * ```ts
 * import { GraphBuilder } from "../graph/builder.ts";
 * import { Adam } from "./optimizers.ts";
 * import { addTrainingOutputs, Trainer } from "./training_step.ts";
 * const g = new GraphBuilder("fit");
 * const w = g.parameter("w", [2]);
 * const d = g.sub(w, g.input("target", [2]));
 * addTrainingOutputs(g, g.reduceSum(g.mul(d, d), [0], false));
 * const trainer = new Trainer(g, new Map([["w", { data: new Float32Array(2), shape: [2] }]]), new Adam({ lr: 0.1 }));
 * for (let i = 0; i < 50; i++) await trainer.step({ target: new Float32Array([1, -1]) });
 * console.log((await trainer.step({ target: new Float32Array([1, -1]) })).loss < 0.05); // true
 * ```
 */
export class Trainer {
  private readonly trainable: readonly string[];
  private readonly inGraph?: GraphSteppableOptimizer;
  private readonly groups: readonly UpdateGroup[] = [];
  private readonly memoryArena: boolean;
  private readonly trainableValues: number;

  /**
   * @param graph a graph with outputs `loss` and `grad.<name>` (see {@linkcode addTrainingOutputs})
   * @param parameters every parameter of the graph (trainable ones are updated in place)
   * @param optimizer the optimizer
   * @param options device; `optimizerOnHost` for the host loop
   * @throws {TypeError} for a missing parameter, or a graph already given another optimizer's update
   */
  constructor(
    readonly graph: GraphBuilder,
    readonly parameters: Map<string, TrainableParameter>,
    readonly optimizer: Optimizer,
    readonly options: TrainerOptions = {},
  ) {
    const large = graph.parameters.reduce((sum, p) => sum + p.size, 0) > LARGE_STEP_VALUES;
    this.memoryArena = options.memoryArena ?? !large;
    const missing = graph.parameters.filter((p) => !parameters.has(p.name)).map((p) => p.name);
    if (missing.length) throw new TypeError(`Missing ${missing.length} parameter(s): ${missing.join(", ")}`);
    const planned = updatePlans.get(graph);
    const onHost = options.optimizerOnHost ??
      ((options.device ?? "cpu") === "cpu" && optimizer.fastHostUpdate === true);
    if (!onHost && isGraphSteppable(optimizer)) {
      this.inGraph = optimizer;
      const plan = planGraphUpdate(graph, optimizer.graphUpdate);
      this.trainable = plan.trainable;
      this.groups = plan.groups;
    } else if (planned) {
      throw new TypeError(
        `Graph "${graph.name}" updates its parameters in the graph (${planned.kind}); build another graph ` +
          `for a host-loop optimizer`,
      );
    } else {
      this.trainable = graph.outputs.filter((t) => t.name.startsWith("grad.")).map((t) => t.name.slice(5));
    }
    this.trainableValues = this.trainable.reduce((sum, name) => sum + parameters.get(name)!.data.length, 0);
    if (options.retainFreedMemory ?? large) retainFreedMemory();
  }

  /**
   * One step: forward, backward, update.
   *
   * @param data the graph's data inputs
   * @returns the loss before the update
   * @throws {RangeError} when the loss or a gradient is not finite (no parameter is updated then)
   */
  async step(data: Record<string, HostData>): Promise<StepResult> {
    // ONNX Runtime's memory pattern pre-plans one block for every intermediate of the step; without it the arena
    // grows only to the tensors alive at once (mini step peak RSS 715 → 565 MiB, same speed within the noise).
    // Output Reshapes (most weight gradients end in one) left to the host, so that ONNX Runtime does not copy
    // such a gradient into its output: church-256 step, 47 fewer Reshape nodes, 76 → 67 ms per run (profile).
    const run = outputReshapesOnHost(this.graph);
    const session = await sessionFor(run.graph, {
      device: this.options.device ?? "cpu",
      memoryPattern: this.options.memoryPattern ?? false,
      memoryArena: this.memoryArena,
    });
    const feeds: Record<string, HostData> = { ...data };
    for (const p of this.graph.parameters) feeds[p.name] = this.parameters.get(p.name)!.data;
    if (this.inGraph) {
      for (const [name, value] of Object.entries(this.inGraph.nextStepScalars())) {
        feeds[`optimizer.${name}`] = new Float32Array([value]);
      }
      for (const name of this.trainable) {
        const buffers = this.inGraph.stateBuffers(name, this.parameters.get(name)!);
        for (const [buffer, values] of Object.entries(buffers)) feeds[`optimizer.${name}/${buffer}`] = values;
      }
    }
    const result = await session.run(feeds);
    withHostShapes(result.outputs, run.hostShapes);
    const loss = (result.outputs.loss.data as Float32Array)[0];
    if (!Number.isFinite(loss)) throw new RangeError(`The loss is ${loss}; no parameter was updated`);
    if (this.inGraph) this.commitInGraph(this.inGraph, result.outputs);
    else this.updateOnHost(result.outputs);
    // Large models' gradients are freed right after the host update rather than left to the garbage collector:
    // church-256's 627 MB per step, collected at the GC's whim, made the process's memory grow and shrink, and a
    // step whose allocator had just returned memory to the kernel faulted it back in (92–301 k page faults, up to
    // 4.9 s of system time on a VM whose host reclaims freed guest memory; bench 2026-12-05).
    const dropGradients = !this.inGraph && this.trainableValues > KEEP_GRADIENTS_UP_TO;
    const outputs: Record<string, HostTensor> = {};
    for (const [name, value] of Object.entries(result.outputs)) {
      if (dropGradients && name.startsWith("grad.")) releaseHostData(value.data);
      else if (!name.startsWith(UPDATED) && name !== GRADIENT_SUMS) outputs[name] = value;
    }
    return { loss, outputs, provider: result.provider, milliseconds: result.milliseconds };
  }

  private updateOnHost(outputs: Record<string, HostTensor>): void {
    const grads = new Map<string, Float32Array>();
    for (const name of this.trainable) {
      const g = outputs[`grad.${name}`].data as Float32Array;
      if (!allFinite(g)) throw notFinite(name);
      grads.set(name, g);
    }
    this.optimizer.step(this.parameters, grads);
  }

  /**
   * Copies the new parameters and state into the host's own arrays (which the next step feeds again and which
   * checkpoints read), then releases the output buffers at once: left to the garbage collector, three
   * parameter-sized outputs per step (1.9 GB for church-256) piled up for two steps.
   */
  private commitInGraph(optimizer: GraphSteppableOptimizer, outputs: Record<string, HostTensor>): void {
    const sums = outputs[GRADIENT_SUMS].data as Float32Array;
    const bad = this.groups.findIndex((_, i) => !Number.isFinite(sums[i]));
    if (bad >= 0) throw notFinite(this.groups[bad].names);
    for (const group of this.groups) {
      const targets = [group.output, ...optimizer.graphUpdate.buffers.map((b) => `${group.output}/${b}`)];
      targets.forEach((outputName, t) => {
        const values = outputs[outputName].data as Float32Array;
        let offset = 0;
        group.names.forEach((name, i) => {
          const parameter = this.parameters.get(name)!;
          const target = t === 0
            ? parameter.data
            : optimizer.stateBuffers(name, parameter)[optimizer.graphUpdate.buffers[t - 1]];
          target.set(values.subarray(offset, offset + group.sizes[i]));
          offset += group.sizes[i];
        });
        releaseHostData(values); // copied: free it now
      });
    }
    optimizer.commitGraphStep();
  }
}

function notFinite(names: string | readonly string[]): RangeError {
  const list = typeof names === "string" ? [names] : names;
  const which = list.length === 1 ? `"${list[0]}"` : `one of ${list.map((n) => `"${n}"`).join(", ")}`;
  return new RangeError(`The gradient of ${which} is not finite; no parameter was updated`);
}

/**
 * Whether every value is finite: x·0 is 0 for a finite x and NaN otherwise, summed in four independent lanes
 * (157 M values: 55 ms, against 95 ms for a Number.isFinite loop).
 */
function allFinite(values: Float32Array): boolean {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  const whole = values.length & ~3;
  for (let i = 0; i < whole; i += 4) {
    s0 += values[i] * 0;
    s1 += values[i + 1] * 0;
    s2 += values[i + 2] * 0;
    s3 += values[i + 3] * 0;
  }
  for (let i = whole; i < values.length; i++) s0 += values[i] * 0;
  return s0 + s1 + s2 + s3 === 0;
}
