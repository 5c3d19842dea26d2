/**
 * Slurm batch scripts (`#SBATCH` directives, then the command), generated rather than hand-written so that every
 * submission of a suite or an inversion runs the same resumable command with the same options.
 *
 * @module
 */

/** Where and how a job runs: the options a user passes through (`--partition`, `--gres`, `--time`, others). */
export interface SlurmResources {
  /** `--partition`. */
  partition?: string;
  /** `--gres` (e.g. `gpu:1`). */
  gres?: string;
  /** `--time` (e.g. `2-00:00:00`). */
  time?: string;
  /** Further sbatch options, one per element (e.g. `--account=lab`, `--mem=32G`). */
  extra?: readonly string[];
}

/** A batch script's contents. */
export interface BatchScript {
  /** `--job-name`. */
  jobName: string;
  /** The log file pattern (`%A` array job, `%a` task, `%j` job). */
  output: string;
  /** The folder the command runs in. */
  workdir: string;
  /** `--array` (e.g. `0-2`), for an array job. */
  array?: string;
  /** `--dependency` (e.g. `afterany:41`). */
  dependency?: string;
  /** Resources. */
  resources?: SlurmResources;
  /** Shell lines before the command (variables the command expands). */
  setup?: readonly string[];
  /** The command: each element is quoted, except those wrapped in {@linkcode raw}. */
  command: readonly (string | { raw: string })[];
}

/**
 * A command-line word that the shell expands (not quoted), e.g. `"${VARIANTS[$SLURM_ARRAY_TASK_ID]}"`.
 *
 * @param text the word as the shell should read it
 * @returns the marked word
 * @example
 * ```ts
 * import { raw } from "./batch_script.ts";
 * console.log(raw("$SLURM_ARRAY_TASK_ID").raw); // "$SLURM_ARRAY_TASK_ID"
 * ```
 */
export function raw(text: string): { raw: string } {
  return { raw: text };
}

/**
 * Quotes a word for a POSIX shell (unchanged when it needs no quotes).
 *
 * @param word the word
 * @returns the quoted word
 * @example
 * ```ts
 * import { shellQuote } from "./batch_script.ts";
 * console.log(shellQuote("a b"), shellQuote("it's"), shellQuote("x/y.ts")); // "'a b'" "'it'\\''s'" "x/y.ts"
 * ```
 */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/**
 * The batch script: directives, `cd` to the work folder, the setup lines, and the command run with `exec` so that
 * the signals Slurm sends (SIGTERM on cancel, preemption or time limit) reach it directly. Tasks are requeued on
 * preemption and append to their log, so a resumed task's output follows the interrupted one's.
 *
 * @param script what to run, where, with which resources
 * @returns the script text
 * @throws {RangeError} for a directive value with a newline
 * @example
 * ```ts
 * import { batchScript } from "./batch_script.ts";
 * const text = batchScript({ jobName: "x", output: "/l/%j.out", workdir: "/w", command: ["echo", "hi"] });
 * console.log(text.split("\n").at(-2)); // "exec echo hi"
 * ```
 */
export function batchScript(script: BatchScript): string {
  const directives: string[] = [
    `--job-name=${script.jobName}`,
    `--output=${script.output}`,
    "--open-mode=append",
    "--requeue",
  ];
  if (script.array) directives.push(`--array=${script.array}`);
  if (script.dependency) directives.push(`--dependency=${script.dependency}`);
  const resources = script.resources ?? {};
  if (resources.partition) directives.push(`--partition=${resources.partition}`);
  if (resources.gres) directives.push(`--gres=${resources.gres}`);
  if (resources.time) directives.push(`--time=${resources.time}`);
  directives.push(...resources.extra ?? []);
  for (const directive of directives) {
    if (/[\r\n]/.test(directive)) {
      throw new RangeError(`An sbatch option holds a newline: ${JSON.stringify(directive)}`);
    }
  }
  const command = script.command.map((word) => typeof word === "string" ? shellQuote(word) : word.raw);
  return [
    "#!/bin/bash",
    ...directives.map((directive) => `#SBATCH ${directive}`),
    "set -euo pipefail",
    `cd ${shellQuote(script.workdir)}`,
    ...script.setup ?? [],
    `exec ${command.join(" ")}`,
    "",
  ].join("\n");
}
