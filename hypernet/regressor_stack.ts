/**
 * Regressor stacking: the official hypernet has one small regressor per generator conv (20 for church-256), each
 * a fusion and a feature extractor on a 4×4 or 8×8 map. Built one by one, their hundreds of tiny nodes cost
 * more in per-node overhead than in arithmetic (mini training step: ≈ 100 nodes and 1.75 ms per regressor). Here
 * the regressors' inputs lie one after another on the batch axis ([R·B, C, S, S]), so every per-sample layer
 * (concat, IN, ReLU, sums, sigmoid) runs once for all of them, and each conv is one batched MatMul
 * (hypernet/_stack.ts). Parameters keep their names, shapes, inits and order; the linear mappers stay per
 * regressor (their weights are the hypernet's bulk, and differ in shape).
 *
 * Only the built-in fusion operators are stacked: they declare their parameters through the hypernet's
 * `conv2d`. A plug-in fusion runs the regressors one by one.
 *
 * @module
 */

import type { GraphBuilder } from "../graph/builder.ts";
import type { Tensor } from "../graph/tensor.ts";
import type { TargetLayer } from "../generator/registry.ts";
import { FUSION_OPERATORS } from "./fusion/registry.ts";
import type { FusionOperator } from "./fusion/operator.ts";
import { REGRESSOR_INIT } from "./init.ts";
import { applyLinearMapper, declareLinearMapper, type LinearMapper } from "./linear_mapper.ts";
import { withStack } from "./_stack.ts";
import { type RegressorSettings, regressorTrunk, type TrunkOutput } from "./trunk.ts";

/**
 * Whether regressors with this fusion operator can be stacked: the built-in operators can, a plug-in cannot
 * (it may declare parameters without the hypernet's `conv2d`).
 *
 * @param fusion the fusion operator
 * @returns true for a built-in operator
 *
 * @example
 * ```ts
 * import { FUSION_OPERATORS } from "./fusion/registry.ts";
 * import { stackableFusion } from "./regressor_stack.ts";
 * console.log(stackableFusion(FUSION_OPERATORS.concatConv)); // true
 * ```
 */
export function stackableFusion(fusion: FusionOperator): boolean {
  return (Object.values(FUSION_OPERATORS) as FusionOperator[]).includes(fusion);
}

/** One regressor of a stack: its scope and the features it reads. */
export interface StackedRegressor {
  /** Its scope, e.g. `weight_regressors.b8_conv0_weight`. */
  readonly scope: string;
  /** The target whose residual it predicts (its shape sizes the mapper). */
  readonly target: TargetLayer;
  /** Fw at its slot [B, C, S, S]. */
  readonly fw: Tensor;
  /** Fx at its slot [B, C, S, S]. */
  readonly fx: Tensor;
}

/** What {@linkcode stackedRegressors} gives per regressor. */
export interface StackedRegressorOutput {
  /** The residual [B, ...target.shape]. */
  readonly delta: Tensor;
  /** The code [B, D] its mapper reads. */
  readonly code: Tensor;
  /** Its fused map [B, C', S, S], sliced out of the stack on demand. */
  readonly fused: () => Tensor;
}

/**
 * Builds R regressors (fusion, feature extractor, linear mapper) as one stack, with the parameters, inits and
 * parameter order of R {@linkcode weightRegressor} calls in their scopes under
 * `g.initScope(REGRESSOR_INIT, …)` (what the `perLayer` strategy does one by one).
 *
 * @param g graph builder
 * @param regressors the regressors, in order (all features of one shape)
 * @param settings a stackable fusion ({@linkcode stackableFusion}), D, extractor width
 * @returns per regressor: residual, code, fused map
 * @throws {TypeError} when the fusion cannot be stacked or the features differ in shape
 *
 * @example
 * ```ts
 * import { GraphBuilder } from "../graph/builder.ts";
 * import { CHURCH_256 } from "../generator/config.ts";
 * import { layerRegistry, targetLayers } from "../generator/registry.ts";
 * import { FUSION_OPERATORS } from "./fusion/registry.ts";
 * import { stackedRegressors } from "./regressor_stack.ts";
 * const g = new GraphBuilder("hypernet");
 * const fw = g.input("fw", [1, 512, 8, 8]); // [B, C, S, S]
 * const fx = g.input("fx", [1, 512, 8, 8]);
 * const targets = targetLayers(layerRegistry(CHURCH_256), "conv_without_bias").slice(0, 3);
 * const regressors = targets.map((target) => ({ scope: `weight_regressors.${target.regressorKey}`, target, fw, fx }));
 * const out = g.scope("hypernet", () =>
 *   stackedRegressors(g, regressors, { fusion: FUSION_OPERATORS.concatConv, hiddenDim: 64, extractorWidth: 64 })
 * );
 * console.log(out[0].delta.shape, g.parameters[4].name);
 * // [1, 512, 512, 3, 3] "hypernet.weight_regressors.b4_conv1_weight.fusion.0.weight"
 * ```
 */
export function stackedRegressors(
  g: GraphBuilder,
  regressors: readonly StackedRegressor[],
  settings: RegressorSettings,
): StackedRegressorOutput[] {
  if (!stackableFusion(settings.fusion)) {
    throw new TypeError(`Fusion "${settings.fusion.name}" is not a built-in operator and cannot be stacked`);
  }
  const shape = regressors[0].fw.shape;
  for (const r of regressors) {
    for (const t of [r.fw, r.fx]) {
      if (t.rank !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
        throw new TypeError(
          `Stacked regressors need features of one shape [${shape}], "${r.scope}" reads [${t.shape}]`,
        );
      }
    }
  }
  const batch = shape[0];
  const since = g.parameters.length;
  return g.initScope(REGRESSOR_INIT, () => {
    const mappers: LinearMapper[] = regressors.map((r) =>
      g.scope(r.scope, () => declareLinearMapper(g, r.target.shape, settings.hiddenDim))
    );
    const fw = g.concat(regressors.map((r) => r.fw), 0); // [R·B, C, S, S]
    const fx = g.concat(regressors.map((r) => r.fx), 0); // [R·B, C, S, S]
    const trunk: TrunkOutput = withStack(
      g,
      regressors.map((r) => r.scope),
      () => regressorTrunk(g, fw, fx, settings),
    );
    // Each regressor's parameters together, mappers first, as one by one.
    const prefixes = regressors.map((r) => `${[...g.scopePath(), r.scope].join(".")}.`);
    g.reorderParameters(since, (p) => prefixes.findIndex((prefix) => p.name.startsWith(prefix)));
    return regressors.map((r, k) => {
      const rows = (t: Tensor) => g.slice(t, [0], [k * batch], [(k + 1) * batch]);
      const code = g.scope(r.scope, () => rows(trunk.code)); // [B, D]
      return {
        code,
        delta: g.scope(r.scope, () => applyLinearMapper(g, mappers[k], code)), // [B, ...target.shape]
        fused: () => g.scope(r.scope, () => rows(trunk.fused)), // [B, C', S, S]
      };
    });
  });
}
