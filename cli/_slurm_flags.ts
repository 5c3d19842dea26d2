/**
 * The flags of the commands that can submit their work to Slurm (`ablate`, `invert`), declared once: where the
 * jobs run and with what.
 *
 * @module
 */

import type { SlurmResources } from "../experiments/slurm/batch_script.ts";

/** `--slurm`, `--partition`, `--gres`, `--time`, `--sbatch-arg`. */
export const SLURM_FLAGS = {
  slurm: {
    type: "boolean",
    description: "submit the work to Slurm as an array job instead of running it here",
  },
  partition: { type: "string", valueName: "P", description: "Slurm partition (--slurm)" },
  gres: { type: "string", valueName: "G", description: "generic resources per task, e.g. gpu:1 (--slurm)" },
  time: { type: "string", valueName: "T", description: "time limit per task, e.g. 2-00:00:00 (--slurm)" },
  "sbatch-arg": {
    type: "string",
    valueName: "ARGS",
    description: 'further sbatch options, space-separated: --sbatch-arg="--account=lab --mem=32G" (--slurm)',
  },
} as const;

/**
 * The resources the flags ask for.
 *
 * @param flags the parsed flags
 * @returns partition, GPUs, time limit, other sbatch options
 * @example
 * ```ts
 * import { slurmResources } from "./_slurm_flags.ts";
 * console.log(slurmResources({ gres: "gpu:1", "sbatch-arg": " --mem=8G  --qos=low" }));
 * // { partition: undefined, gres: "gpu:1", time: undefined, extra: ["--mem=8G", "--qos=low"] }
 * ```
 */
export function slurmResources(
  flags: { partition?: string; gres?: string; time?: string; "sbatch-arg"?: string },
): SlurmResources {
  return {
    partition: flags.partition,
    gres: flags.gres,
    time: flags.time,
    extra: flags["sbatch-arg"]?.split(/\s+/).filter(Boolean) ?? [],
  };
}
