/**
 * A training step as one ONNX graph: the forward pass and the loss, plus the gradient of the loss w.r.t. every
 * trainable parameter (graph/autodiff.ts), all in one session. Parameters and optimizer state live in memory
 * between steps; the update is a tight loop on the host (train/optimizers.ts). An in-graph update was not built:
 * it would feed and return every parameter and both Adam moments each step (3 extra copies of 157 M floats for
 * church-256), while the host loop updates in place; the bench reports the update's share of a step.
 *
 * @module
 */

import { gradients } from "../graph/autodiff.ts";
import type { GraphBuilder } from "../graph/builder.ts";
import type { Tensor } from "../graph/tensor.ts";
import { sessionFor } from "../runtime/session.ts";
import type { HostData, HostTensor } from "../runtime/host_tensor.ts";
import type { ProviderName } from "../runtime/devices.ts";
import type { Optimizer, TrainableParameter } from "./optimizers.ts";

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
  loss: number;
  /** Every output of the step graph (e.g. statistics the trainer needs besides the loss). */
  outputs: Record<string, HostTensor>;
  provider: ProviderName;
  milliseconds: number;
}

/**
 * Runs training steps: feeds data and every parameter, reads the loss and gradients, lets the optimizer update
 * the trainable parameters in place.
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
  private readonly trainable: string[];

  /**
   * @param graph a graph with outputs `loss` and `grad.<name>` (see {@linkcode addTrainingOutputs})
   * @param parameters every parameter of the graph (trainable ones are updated in place)
   * @param optimizer the optimizer
   * @param options device
   */
  constructor(
    readonly graph: GraphBuilder,
    readonly parameters: Map<string, TrainableParameter>,
    readonly optimizer: Optimizer,
    readonly options: { device?: string } = {},
  ) {
    this.trainable = graph.outputs.filter((t) => t.name.startsWith("grad.")).map((t) => t.name.slice(5));
    const missing = graph.parameters.filter((p) => !parameters.has(p.name)).map((p) => p.name);
    if (missing.length) throw new TypeError(`Missing ${missing.length} parameter(s): ${missing.join(", ")}`);
  }

  /**
   * One step: forward, backward, update.
   *
   * @param data the graph's data inputs
   * @returns the loss before the update
   * @throws {RangeError} when the loss or a gradient is not finite (nothing is updated then)
   */
  async step(data: Record<string, HostData>): Promise<StepResult> {
    const session = await sessionFor(this.graph, { device: this.options.device ?? "cpu" });
    const feeds: Record<string, HostData> = { ...data };
    for (const p of this.graph.parameters) feeds[p.name] = this.parameters.get(p.name)!.data;
    const result = await session.run(feeds);
    const loss = (result.outputs.loss.data as Float32Array)[0];
    if (!Number.isFinite(loss)) throw new RangeError(`The loss is ${loss}; no parameter was updated`);
    const grads = new Map<string, Float32Array>();
    for (const name of this.trainable) {
      const g = result.outputs[`grad.${name}`].data as Float32Array;
      for (let i = 0; i < g.length; i++) {
        if (!Number.isFinite(g[i])) {
          throw new RangeError(`The gradient of "${name}" is not finite; no parameter was updated`);
        }
      }
      grads.set(name, g);
    }
    this.optimizer.step(this.parameters, grads);
    return { loss, outputs: result.outputs, provider: result.provider, milliseconds: result.milliseconds };
  }
}
