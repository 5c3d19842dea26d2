/**
 * The hypernet factory: wires every target of a target set to its E2 feature slot (registry `featureSlot`,
 * the official `w_idx`, not the style index), builds the configured fusion and sharing strategy, and returns
 * one residual per target. Also the parameter list and count of a configuration.
 *
 * @module
 */

import { GraphBuilder } from "../graph/builder.ts";
import { formatShape, type Tensor } from "../graph/tensor.ts";
import { type LayerSpec, type TargetLayer, targetLayers } from "../generator/registry.ts";
import { isPluginSpecifier, namingPlugin } from "../io/plugin_loader.ts";
import { slotSlicer } from "./_layers.ts";
import { type HypernetConfig, resolveHypernetConfig } from "./config.ts";
import { fusionOperator } from "./fusion/registry.ts";
import { sharingStrategy } from "./sharing/registry.ts";

/** Options of {@linkcode buildHypernet}. */
export interface BuildHypernetOptions {
  /**
   * Receives intermediates for inspection and parity tests: for every target, `fusion.<regressorKey>` (the
   * fused map [B, C, S, S]) and `v.<regressorKey>` (the code [B, D] its mapper reads), the names of the
   * official fixtures' intermediates.
   */
  onIntermediate?: (name: string, tensor: Tensor) => void;
  /**
   * Build the regressors as one stack where the sharing strategy can (`perLayer` with a built-in fusion:
   * hypernet/regressor_stack.ts). The same parameters and values; far fewer, larger nodes.
   */
  stackRegressors?: boolean;
}

/**
 * Adds the hypernetwork to a graph, parameters in the current scope (the pipeline wraps it in
 * `g.scope("hypernet", …)`, giving the official `hypernet.weight_regressors.b8_conv0_weight.w1`).
 *
 * @param g graph builder
 * @param config the configuration (missing fields take {@linkcode HYPERNET_DEFAULTS}; validated)
 * @param registry the generator's layer table (`layerRegistry`)
 * @param fw E2 features of the phase-I image x̂_w [B, L, C, S, S]
 * @param fx E2 features of the input x [B, L, C, S, S]
 * @param options intermediate hook
 * @returns residual by target name, in target order: `"b8.conv0.weight"` → [B, O, I, k, k],
 *   `"b8.conv0.affine.weight"` → [B, I, wDim]
 * @throws {TypeError} when Fw and Fx differ, are not [B, L, C, S, S] with the configured C and S, or have
 *   fewer maps than the highest feature slot needs
 * @throws {RangeError} for an invalid configuration
 *
 * @example
 * ```ts
 * import { GraphBuilder } from "../graph/builder.ts";
 * import { CHURCH_256 } from "../generator/config.ts";
 * import { layerRegistry } from "../generator/registry.ts";
 * import { buildHypernet } from "./hypernet.ts";
 * const g = new GraphBuilder("pipeline");
 * const fw = g.input("Fw", [1, 14, 512, 8, 8]); // [B, L, C, S, S]
 * const fx = g.input("Fx", [1, 14, 512, 8, 8]);
 * const residuals = g.scope("hypernet", () => buildHypernet(g, { hiddenDim: 64 }, layerRegistry(CHURCH_256), fw, fx));
 * console.log(residuals.size, residuals.get("b8.conv0.weight")!.shape); // 20 [1, 512, 512, 3, 3]
 * console.log(g.parameters[0].name); // "hypernet.weight_regressors.b4_conv1_weight.w1"
 * ```
 */
export function buildHypernet(
  g: GraphBuilder,
  config: Partial<HypernetConfig>,
  registry: readonly LayerSpec[],
  fw: Tensor,
  fx: Tensor,
  options: BuildHypernetOptions = {},
): Map<string, Tensor> {
  const resolved = resolveHypernetConfig(config);
  const targets = targetLayers(registry, resolved.targetSet);
  const maps = Math.max(...targets.map((t) => t.featureSlot)) + 1;
  for (const [name, t] of [["Fw", fw], ["Fx", fx]] as const) {
    const [, l, c, h, w] = t.shape;
    if (
      t.rank !== 5 || c !== resolved.featureChannels || h !== resolved.featureSize ||
      w !== resolved.featureSize || l < maps
    ) {
      throw new TypeError(
        `${name} must be [B, L ≥ ${maps}, ${resolved.featureChannels}, ${resolved.featureSize}, ${resolved.featureSize}] ` +
          `(featureChannels, featureSize), got ${formatShape(t.shape)}`,
      );
    }
  }
  if (fw.shape.some((d, i) => d !== fx.shape[i])) {
    throw new TypeError(
      `Fw ${formatShape(fw.shape)} and Fx ${formatShape(fx.shape)} must have the same shape`,
    );
  }
  const strategy = sharingStrategy(resolved.sharing);
  let fusion = fusionOperator(resolved.fusion);
  if (isPluginSpecifier(resolved.fusion)) {
    const plugin = fusion;
    fusion = {
      name: plugin.name,
      description: plugin.description,
      build: (...args) => namingPlugin(resolved.fusion, "fusion operator", () => plugin.build(...args)),
    };
  }
  const build = () =>
    strategy.build(g, targets, {
      settings: { fusion, hiddenDim: resolved.hiddenDim, extractorWidth: resolved.extractorWidth },
      features: { fwStack: fw, fxStack: fx, fw: slotSlicer(g, fw), fx: slotSlicer(g, fx) },
      onIntermediate: options.onIntermediate,
      stackRegressors: options.stackRegressors,
    });
  const residuals = isPluginSpecifier(resolved.sharing)
    ? namingPlugin(resolved.sharing, "sharing strategy", build)
    : build();
  checkResiduals(residuals, targets, resolved.sharing);
  return residuals;
}

/** A strategy must return one residual [B, ...target.shape] per target (a plug-in's mistake named here). */
function checkResiduals(residuals: unknown, targets: readonly TargetLayer[], sharing: string): void {
  const who = `Sharing strategy "${sharing}"`;
  if (!(residuals instanceof Map)) {
    throw new TypeError(`${who} must return a Map of residuals by target name`);
  }
  for (const target of targets) {
    const delta = residuals.get(target.name) as Tensor | undefined;
    if (!delta) throw new TypeError(`${who} returned no residual for target "${target.name}"`);
    const expected = target.shape;
    if (delta.rank !== expected.length + 1 || expected.some((d, i) => d !== delta.shape[i + 1])) {
      throw new TypeError(
        `${who} returned ${formatShape(delta.shape)} for "${target.name}", expected [B, ${
          expected.join(", ")
        }]`,
      );
    }
  }
}

/** A parameter of the hypernet: its name (relative to the hypernet) and shape. */
export interface HypernetParameter {
  /** The parameter's name. */
  readonly name: string;
  /** The parameter's shape. */
  readonly shape: readonly number[];
}

/**
 * The hypernet's parameters in declaration order (for `perLayer`, the official `state_dict()` order), found
 * by building the graph at batch 1 (no data is allocated).
 *
 * @param config the configuration
 * @param registry the generator's layer table
 * @returns names (without the `hypernet.` prefix) and shapes
 *
 * @example
 * ```ts
 * import { FFHQ_1024 } from "../generator/config.ts";
 * import { layerRegistry } from "../generator/registry.ts";
 * import { hypernetParameters } from "./hypernet.ts";
 * const params = hypernetParameters({}, layerRegistry(FFHQ_1024));
 * console.log(params.length, params[4]); // 364 { name: "weight_regressors.b4_conv1_weight.fusion.0.weight", shape: [512, 1024, 1, 1] }
 * ```
 */
export function hypernetParameters(
  config: Partial<HypernetConfig>,
  registry: readonly LayerSpec[],
): HypernetParameter[] {
  const resolved = resolveHypernetConfig(config);
  const g = new GraphBuilder("hypernet-parameters");
  const maps = Math.max(...registry.map((l) => l.featureSlot)) + 1;
  const shape = [1, maps, resolved.featureChannels, resolved.featureSize, resolved.featureSize];
  buildHypernet(g, resolved, registry, g.input("Fw", shape), g.input("Fx", shape));
  return g.parameters.map((p) => ({ name: p.name, shape: [...p.shape] }));
}

/**
 * The number of hypernet parameters. For `perLayer` + `concatConv` at the official sizes it is, summed over
 * the targets, 950,976 + 1025·D + I·D² + I·D + D·O·k² + O·k² (spec §4).
 *
 * @param config the configuration
 * @param registry the generator's layer table
 * @returns the total number of scalars
 *
 * @example
 * ```ts
 * import { FFHQ_1024 } from "../generator/config.ts";
 * import { layerRegistry } from "../generator/registry.ts";
 * import { hypernetParameterCount } from "./hypernet.ts";
 * console.log(hypernetParameterCount({ hiddenDim: 128 }, layerRegistry(FFHQ_1024))); // 184665563
 * ```
 */
export function hypernetParameterCount(
  config: Partial<HypernetConfig>,
  registry: readonly LayerSpec[],
): number {
  let count = 0;
  for (const p of hypernetParameters(config, registry)) count += p.shape.reduce((a, b) => a * b, 1);
  return count;
}
