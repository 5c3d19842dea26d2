/**
 * The parameter inits the built-in hypernet components declare (part of their contract: a trainer draws the
 * values, nothing is keyed on parameter names). A plug-in may use them or declare its own
 * `ParameterInit` (graph/builder.ts).
 *
 * @module
 */

import type { ParameterInit } from "../graph/builder.ts";

/**
 * Biases start at zero.
 *
 * @example
 * ```ts
 * import { GraphBuilder } from "../graph/builder.ts";
 * import { ZERO_INIT } from "./init.ts";
 * const g = new GraphBuilder("b");
 * const b = g.parameter("bias", [4], "float32", { init: ZERO_INIT });
 * console.log(g.parameterInit(b)); // { kind: "constant", value: 0 }
 * ```
 */
export const ZERO_INIT: ParameterInit = Object.freeze({ kind: "constant", value: 0 });

/**
 * The weight regressors' weights start at a tenth of LeCun-uniform, so that ΔW starts small and phase II
 * starts near phase I. The built-in strategies declare it with `g.initScope` around each regressor (the fusion
 * operator built inside inherits it unless it declares its own).
 *
 * @example
 * ```ts
 * import { GraphBuilder } from "../graph/builder.ts";
 * import { REGRESSOR_INIT } from "./init.ts";
 * const g = new GraphBuilder("r");
 * const w = g.initScope(REGRESSOR_INIT, () => g.parameter("w1", [8, 64]));
 * console.log(g.parameterInit(w)); // { kind: "fanIn", gain: 0.1 }
 * ```
 */
export const REGRESSOR_INIT: ParameterInit = Object.freeze({ kind: "fanIn", gain: 0.1 });
