/**
 * A variant resolved against its suite and base model: the architecture it trains (the base model's, with the
 * variant's hypernet fields and refinement passes) and the phase-II training config (the suite's budget, with
 * the variant's overrides).
 *
 * @module
 */

import { type ArchitectureJson, resolveArchitecture } from "../model/architecture.ts";
import type { PhaseTwoTrainingConfig } from "../train/phase_two_trainer.ts";
import { CHANGE_KEYS, type Suite, type VariantMode, type VariantSpec } from "./store.ts";
import { normalisePluginFields } from "./provenance.ts";

/** A variant ready to train and evaluate. */
export interface ResolvedVariant {
  suite: string;
  name: string;
  label: string;
  mode: VariantMode;
  /** The base model folder, as the suite names it. */
  base: string;
  /** The data source, as the suite names it (default `"fashion-mnist"`). */
  data: string | Record<string, unknown>;
  /** The model folder a `pretrained` variant evaluates. */
  model?: string;
  /** The architecture trained (train) or evaluated. */
  architecture: ArchitectureJson;
  /** The phase-II training config (train only; the suite's `training` with the variant's overrides). */
  training: PhaseTwoTrainingConfig;
}

/**
 * Resolves a variant, checking its architecture.
 *
 * @param suite the suite
 * @param variant one of its variants
 * @param baseArchitecture the base model's `architecture` (from its model.json)
 * @returns the resolved variant
 * @throws {TypeError} for an unknown key under `changes`; the architecture's own errors name the bad field
 * @throws {TypeError|RangeError} for a malformed plug-in specifier in `changes.hypernet`
 * @example
 * ```ts
 * import { resolveVariant } from "./variant.ts";
 * import { TINY_ARCHITECTURE } from "../tests/_tiny_model.ts";
 * const suite = { name: "s", description: "", base: "m", training: { steps: 5, batch: 2 }, variants: [] };
 * const v = resolveVariant(suite, { name: "d4", label: "D=4", changes: { hypernet: { hiddenDim: 4 } } }, TINY_ARCHITECTURE);
 * console.log(v.architecture.hypernet.hiddenDim, v.training.steps); // 4 5
 * ```
 */
export function resolveVariant(
  suite: Suite,
  variant: VariantSpec,
  baseArchitecture: ArchitectureJson,
): ResolvedVariant {
  const changes = variant.changes ?? {};
  for (const key of Object.keys(changes)) {
    if (!(CHANGE_KEYS as readonly string[]).includes(key)) {
      throw new TypeError(
        `Variant "${variant.name}": unknown change "${key}"; valid changes are ${CHANGE_KEYS.join(", ")}`,
      );
    }
  }
  const architecture: ArchitectureJson = structuredClone(baseArchitecture);
  // A plug-in named by a relative path resolves against the suite file, and is recorded absolute.
  architecture.hypernet = {
    ...architecture.hypernet,
    ...normalisePluginFields(changes.hypernet ?? {}, suite.file),
  };
  if (changes.refinementPasses !== undefined) architecture.refinementPasses = changes.refinementPasses;
  try {
    resolveArchitecture(architecture);
  } catch (error) {
    const e = error as Error;
    const Kind = e instanceof RangeError ? RangeError : TypeError;
    throw new Kind(`Variant "${variant.name}": ${e.message}`, { cause: error });
  }
  const training = {
    ...structuredClone(suite.training),
    ...structuredClone(changes.training ?? {}),
    architecture,
  } as PhaseTwoTrainingConfig;
  return {
    suite: suite.name,
    name: variant.name,
    label: variant.label,
    mode: variant.mode ?? "train",
    base: suite.base,
    data: suite.data ?? "fashion-mnist",
    model: variant.model,
    architecture,
    training,
  };
}
