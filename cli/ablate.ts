/**
 * `deno task ablate <suite> [--experiments DIR] [--data SPEC] [--variants a,b] [--reevaluate] [--train-only]
 * [--restore-models] [--samples 6]`: trains every variant of a suite that has no result yet (resuming
 * interrupted ones from `<runs>/<suite>/<variant>/`), evaluates the variants without metrics on the held-out
 * test split of the suite's data source and writes `<experiments>/results/<suite>/<variant>/` (layout:
 * `experiments/README.md`).
 *
 * The suite is a name, looked up in `<experiments>/suites/<suite>.json`, or the path of a suite file anywhere
 * (anything ending in `.json` or holding a `/`). The experiments folder is `--experiments DIR`, else
 * `./data` (the project's suites and committed results); checkpoints go to `DIR/runs/` (without the flag:
 * `./runs/`, the repository's git-ignored folder). Relative paths in a suite (`base`, `data`, plug-in
 * specifiers) resolve against the suite file's folder; a `base` that is not there is looked up in the
 * experiments folder, then under the current directory and its `data/` (the project's suites say
 * `models/default`). `--data SPEC` replaces the suite's `data` (a folder, `fashion-mnist` or
 * `<module>#<export>`, relative to the current directory). `--reevaluate` re-evaluates every variant in this one
 * process (so every ms/image is measured alike); `--samples N` overrides the suite's number of sample images.
 * The suite, the variant names and the results folder are checked before any data is loaded. Running a suite
 * that names plug-ins needs no flag: the user chose the code. `--evaluate-only` trains nothing; `--tables FILE`
 * writes the suite's Markdown tables (experiments/report.ts) after the evaluation.
 *
 * On a Slurm cluster, `--slurm [--partition P] [--gres gpu:1] [--time T] [--sbatch-arg "..."]` submits instead
 * (experiments/slurm/submit_suite.ts): one array task per variant that needs training, each running this command
 * on its variant with `--train-only`, then a job after the whole array that runs it with `--evaluate-only --tables
 * <results>/tables.md`. Resubmitting is safe (trained variants and variants still queued or running are not
 * submitted again; an interrupted one resumes from its checkpoint). SIGTERM (a cancel, a preemption, the time
 * limit) checkpoints the variant in training and ends the command (train/stop_request.ts). `--status` prints where
 * each variant stands (queued, running with its step, trained, done, failed with the reason, interrupted) from its
 * `progress.json` and, when squeue answers, Slurm's queue.
 *
 * Exit status 0 done, 1 stopped by SIGTERM (resumable), 2 bad usage or a failure.
 *
 * @module
 */

import { checkDevice } from "./_device.ts";
import { DEVICE_NAMES } from "../runtime/devices.ts";
import { runSuite } from "../experiments/runner.ts";
import { readSuite, readSuiteFile, type Suite, suiteModelPath } from "../experiments/store.ts";
import { resolveDataSource } from "../train/data/source.ts";
import { sampleIndicesByClass } from "../train/data/class_samples.ts";
import { readManifest } from "../model/manifest.ts";
import { ProgressBar } from "./_progress.ts";
import { EXIT_OK, EXIT_SOME_FAILED, runCommand, UsageError } from "../io/command_line.ts";
import { prepareOutputFolder } from "../io/output_check.ts";
import { classifierFeatures } from "../experiments/features.ts";
import { suiteMarkdown } from "../experiments/report.ts";
import { writeFileAtomic } from "../io/atomic_write.ts";
import { stopTrainingOnSignal } from "../train/stop_request.ts";
import { readQueue } from "../experiments/slurm/queue.ts";
import { submitSuite } from "../experiments/slurm/submit_suite.ts";
import { formatSuiteStatus, suiteStatus } from "../experiments/slurm/suite_status.ts";
import { SLURM_FLAGS, slurmResources } from "./_slurm_flags.ts";

const SPEC = {
  name: "ablate",
  usage: "deno task ablate <suite | suite.json> [--experiments DIR] [--data SPEC] [--variants a,b] " +
    "[--reevaluate] [--train-only | --evaluate-only] [--restore-models] [--samples N] [--device D] [--tables FILE] " +
    "[--status] [--slurm [--partition P] [--gres G] [--time T] [--sbatch-arg ARGS]]",
  description:
    "Trains and evaluates the variants of a suite (a name in <experiments>/suites/, or a suite file) that have no result yet.",
  flags: {
    experiments: {
      type: "string",
      valueName: "DIR",
      description: "experiments folder: suites/, results/ and runs/ (default: ./data, runs in ./runs)",
    },
    data: {
      type: "string",
      valueName: "SPEC",
      description: "data source instead of the suite's: an image folder, fashion-mnist or <module>#<export>",
    },
    variants: { type: "string", valueName: "a,b", description: "only these variants (default: all)" },
    reevaluate: { type: "boolean", description: "re-evaluate every variant in this one process" },
    "train-only": { type: "boolean", description: "train, do not evaluate" },
    "evaluate-only": { type: "boolean", description: "evaluate the trained variants, do not train" },
    tables: {
      type: "string",
      valueName: "FILE",
      description: "write the suite's Markdown tables to FILE after the evaluation",
    },
    status: { type: "boolean", description: "print where each variant stands (progress and Slurm's queue)" },
    ...SLURM_FLAGS,
    "restore-models": {
      type: "boolean",
      description: "train again the variants whose model folder is absent",
    },
    samples: {
      type: "integer",
      min: 1,
      max: 100,
      description: "sample images per variant (default: the suite's, else 6)",
    },
    device: {
      type: "string",
      choices: DEVICE_NAMES,
      default: "auto",
      description: "where training and evaluation run (auto: a hardware GPU if one works, else the CPU)",
    },
  },
  positionals: { min: 1, max: 1, names: "suite" },
} as const;

/** Whether the command line names a suite file rather than a suite of the experiments folder. */
const isSuiteFile = (text: string) => text.endsWith(".json") || text.includes("/");

/**
 * The command.
 *
 * @param args command-line arguments
 * @returns exit status (0 done, 2 bad usage or a failure)
 */
export function main(args: readonly string[]): Promise<number> {
  return runCommand(SPEC, args, async (flags, [suiteArgument]) => {
    checkDevice(flags.device);
    const cwd = Deno.cwd();
    const absolute = (path: string) => path.startsWith("/") ? path : `${cwd}/${path}`;
    const root = absolute(flags.experiments ?? "data").replace(/\/+$/, "");
    let suite: Suite = isSuiteFile(suiteArgument)
      ? await readSuiteFile(absolute(suiteArgument))
      : await readSuite(suiteArgument, root);
    const variants = flags.variants?.split(",").map((name) => name.trim());
    const unknown = variants?.filter((name) => !suite.variants.some((v) => v.name === name)) ?? [];
    if (unknown.length) {
      throw new UsageError(
        `Suite "${suite.name}" has no variant ${unknown.map((name) => `"${name}"`).join(", ")}; it has ${
          suite.variants.map((v) => v.name).join(", ")
        }`,
      );
    }
    const resultsFolder = `${root}/results/${suite.name}`;
    if (flags.status) {
      const queue = await readQueue();
      const shown = {
        ...suite,
        variants: suite.variants.filter((v) => !variants || variants.includes(v.name)),
      };
      console.log(
        `${suite.name}: ${resultsFolder}/${queue ? "" : " (squeue not available: progress as recorded)"}`,
      );
      for (const line of formatSuiteStatus(await suiteStatus(shown, root, queue))) console.log(line);
      return EXIT_OK;
    }
    if (flags["train-only"] && flags["evaluate-only"]) {
      throw new UsageError("--train-only and --evaluate-only exclude each other");
    }
    await prepareOutputFolder(resultsFolder);
    const runsRoot = flags.experiments !== undefined ? `${root}/runs` : `${cwd}/runs`;
    if (flags.slurm) {
      // Every job repeats this command line (absolute paths: the jobs may start elsewhere), on its own variants.
      const command = [
        Deno.execPath(),
        "run",
        "-A",
        new URL(import.meta.url).pathname,
        isSuiteFile(suiteArgument) ? absolute(suiteArgument) : suiteArgument,
        ...(flags.experiments !== undefined ? ["--experiments", root] : []),
        ...(flags.data !== undefined ? ["--data", flags.data] : []),
        ...(flags.samples !== undefined ? ["--samples", String(flags.samples)] : []),
        "--device",
        flags.device,
      ];
      const submitted = await submitSuite(suite, {
        root,
        runsRoot,
        workdir: cwd,
        command,
        variants,
        restoreModels: flags["restore-models"],
        reevaluate: flags.reevaluate,
        resources: slurmResources(flags),
      });
      for (const { variant, why } of submitted.skipped) console.log(`${variant}: not submitted (${why})`);
      if (submitted.trainingJob) {
        console.log(
          `submitted training: job ${submitted.trainingJob}, tasks ${
            submitted.training.map((name, i) => `${i}=${name}`).join(" ")
          }`,
        );
      }
      console.log(
        submitted.evaluationJob
          ? `submitted evaluation and tables: job ${submitted.evaluationJob}`
          : "nothing to submit: every variant is trained and evaluated",
      );
      console.log(
        `logs in ${runsRoot}/${suite.name}/slurm/; follow with: deno task ablate ${suiteArgument} --status`,
      );
      return EXIT_OK;
    }
    const basePath = suiteModelPath(suite, suite.base, cwd);
    const { manifest, directory: baseDirectory } = await readManifest(basePath);
    // --data is relative to the current directory; the source's name is absolute, so the suite can carry it.
    const source = flags.data !== undefined
      ? await resolveDataSource(flags.data, { base: `${cwd}/` })
      : await resolveDataSource(suite.data, { base: suite.file });
    if (flags.data !== undefined) suite = { ...suite, data: source.name };
    console.log(`data: ${source.name}`);
    const { train, validation, test } = await source.open({
      resolution: Number(manifest.architecture.generator.resolution),
      channels: 3,
      onWarning: (message) => console.warn(`warning: ${message}`),
    });
    let bar: ProgressBar | null = null;
    let current = "";
    let features: Awaited<ReturnType<typeof classifierFeatures>> | undefined;
    const sampleCount = flags.samples ?? suite.evaluation?.samples ?? 6;
    const removeListener = stopTrainingOnSignal("SIGTERM");
    const report = await runSuite(suite, {
      root,
      repositoryRoot: cwd,
      runsRoot,
      data: { train, validation, test },
      dataSource: source.name,
      device: flags.device,
      variants,
      reevaluate: flags.reevaluate,
      trainOnly: flags["train-only"],
      evaluateOnly: flags["evaluate-only"],
      restoreModels: flags["restore-models"],
      sampleIndices: test.labels
        ? sampleIndicesByClass(test.labels, sampleCount)
        : Array.from({ length: Math.min(sampleCount, test.count) }, (_, i) => i),
      features: async () => features = await classifierFeatures(`${baseDirectory}/attributes`),
      onEvent: (message) => {
        bar?.finish();
        bar = null;
        console.log(message);
      },
      onStep: (variant, step, steps, losses) => {
        // A new bar per variant, made at its first step so a resumed variant counts from its checkpoint.
        if (variant !== current || !bar) {
          bar = new ProgressBar(steps, variant, { start: step - 1 }), current = variant;
        }
        bar.tick(`step ${step} loss ${losses.loss.toFixed(4)}`);
      },
    });
    removeListener();
    (bar as ProgressBar | null)?.finish();
    if (report.stoppedBy) {
      console.log(
        `stopped by ${report.stoppedBy} after a checkpoint: ${
          report.unfinished.join(", ")
        } resumes when run again`,
      );
      return EXIT_SOME_FAILED;
    }
    if (features === null) {
      console.log("featureIdentity: no classifier under the base model's attributes/, left null");
    }
    console.log(
      `trained: ${report.trained.join(", ") || "none"}; already trained: ${
        report.skippedTraining.join(", ") || "none"
      }; evaluated: ${report.evaluated.join(", ") || "none"}${
        report.busy.length ? `; left to the processes holding them: ${report.busy.join(", ")}` : ""
      }; results in ${resultsFolder}/`,
    );
    if (flags.tables) {
      await writeFileAtomic(absolute(flags.tables), await suiteMarkdown(suite.name, root));
      console.log(`tables: ${absolute(flags.tables)}`);
    }
    return EXIT_OK;
  });
}

if (import.meta.main) Deno.exit(await main(Deno.args));
