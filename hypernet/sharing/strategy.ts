/**
 * The sharing-strategy contract: which regressor parameters the hypernet's targets share. A strategy turns
 * the target list and the two feature stacks into one residual per target.
 *
 * @module
 */

import type { GraphBuilder } from "../../graph/builder.ts";
import type { Tensor } from "../../graph/tensor.ts";
import type { TargetLayer } from "../../generator/registry.ts";
import type { RegressorSettings } from "../trunk.ts";

/** The E2 features a strategy reads. */
export interface SharingFeatures {
  /** All maps of x̂_w [B, L, C, S, S]. */
  readonly fwStack: Tensor;
  /** All maps of x [B, L, C, S, S]. */
  readonly fxStack: Tensor;
  /** `fw(j)` = Fw[:, j] [B, C, S, S] (sliced once per j). */
  readonly fw: (slot: number) => Tensor;
  /** `fx(j)` = Fx[:, j] [B, C, S, S] (sliced once per j). */
  readonly fx: (slot: number) => Tensor;
}

/** Everything a strategy needs besides the graph and the targets. */
export interface SharingContext {
  /** Fusion operator, D and extractor width. */
  readonly settings: RegressorSettings;
  /** The feature stacks and per-slot slices. */
  readonly features: SharingFeatures;
  /**
   * Receives, for every target, `fusion.<regressorKey>` (the fused map [B, C, S, S] its code comes from) and
   * `v.<regressorKey>` (the code [B, D] its mapper reads). Targets that share a tensor report it under each
   * of their names.
   */
  readonly onIntermediate?: (name: string, tensor: Tensor) => void;
  /**
   * Build regressors of identical structure as one stack where the strategy can (hypernet/regressor_stack.ts:
   * same parameters and values, far fewer nodes). A strategy may ignore it.
   */
  readonly stackRegressors?: boolean;
}

/**
 * A sharing strategy. `build` adds parameters in the current scope (the pipeline's `hypernet` scope) and
 * returns the residual of every target by target name, in target order.
 *
 * To add a strategy: write one file exporting a `SharingStrategy` and add one line to `SHARING_STRATEGIES` in
 * `registry.ts`.
 *
 * @example
 * ```ts
 * import type { SharingStrategy } from "./strategy.ts";
 * const none: SharingStrategy = {
 *   name: "none",
 *   description: "predicts nothing (for illustration; not registered)",
 *   build: () => new Map(),
 * };
 * console.log(none.name); // "none"
 * ```
 */
export interface SharingStrategy {
  /** Registry name, e.g. "perLayer". */
  readonly name: string;
  /** One line for docs and error messages. */
  readonly description: string;
  /**
   * Adds the regressors.
   *
   * @param g graph builder
   * @param targets the hypernet targets (registry `targetLayers`), each read at its `featureSlot`
   * @param context settings, features, intermediate hook
   * @returns residual [B, ...target.shape] by target name
   */
  build(g: GraphBuilder, targets: readonly TargetLayer[], context: SharingContext): Map<string, Tensor>;
}

/**
 * Reports a target's fused map and code to the context's hook, if any.
 *
 * @param context the strategy context
 * @param target the target
 * @param fused its fused map [B, C, S, S]
 * @param code the code [B, D] its mapper reads
 */
export function reportIntermediates(
  context: SharingContext,
  target: TargetLayer,
  fused: Tensor,
  code: Tensor,
): void {
  context.onIntermediate?.(`fusion.${target.regressorKey}`, fused);
  context.onIntermediate?.(`v.${target.regressorKey}`, code);
}
