/**
 * What the site's handlers share: where the experiments are, the job queues, the inference workers and the
 * limits on uploads.
 *
 * @module
 */

import type { JobQueue } from "./job_queue.ts";
import type { WorkerPool } from "./worker_pool.ts";

/** Limits on what a request may ask. */
export interface SiteLimits {
  /** Largest upload body in bytes (default 10 MB). */
  maxUploadBytes: number;
  /** Largest width or height of an uploaded image (default 4096). */
  maxImageSide: number;
  /** Most variants one upload may run through (default 8). */
  maxVariantsPerUpload: number;
}

/** The default limits. */
export const DEFAULT_LIMITS: SiteLimits = {
  maxUploadBytes: 10 * 1024 * 1024,
  maxImageSide: 4096,
  maxVariantsPerUpload: 8,
};

/** The state every handler sees. */
export interface SiteState {
  /** The experiments folder (holds `suites/` and `results/`). */
  experimentsRoot: string;
  /** The repository root, against which a suite's `base` and a pretrained variant's `model` resolve. */
  repositoryRoot: string;
  /** Where training checkpoints go (`<runsRoot>/<suite>/<variant>/`, resumable). */
  runsRoot: string;
  /** Uploads, edits and interpolations (bounded; "busy" beyond it). */
  queue: JobQueue;
  /** Training runs, one at a time (their own queue, so a long run never holds up uploads). */
  training: JobQueue;
  pool: WorkerPool;
  limits: SiteLimits;
}
