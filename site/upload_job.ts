/**
 * An upload run through chosen variants: the form is checked (names, limits), the image decoded at each model's
 * resolution, and a job queued that inverts it with every variant in the workers, reporting progress per variant.
 * The job's result holds a JSON summary (what the page shows) and the PNG files it links to.
 *
 * @module
 */

import { checkName } from "../experiments/store.ts";
import type { InvertAnswer } from "./inference_tasks.ts";
import { decodeUpload, encodePng, l2AndPsnr, UploadRejected } from "./images.ts";
import type { Job } from "./job_queue.ts";
import type { SiteState } from "./state.ts";
import { modelResolution, type VariantModel, variantModel } from "./variants.ts";

/** One variant's answer to an upload. */
export interface UploadVariantResult {
  variant: string;
  label: string;
  /** URLs of `input.png`, `phase1.png`, `final.png` under the job. */
  images: { input: string; phase1: string; final: string };
  /** Of the final image against the input resized to the model (on [0, 1]). */
  l2: number;
  psnr: number;
  /** Phase I's PSNR, for the gain of phase II. */
  phaseOnePsnr: number;
  milliseconds: number;
  provider: string;
  phaseOneOnly: boolean;
}

/** What an upload job leaves. */
export interface UploadResult {
  summary: { suite: string; width: number; height: number; variants: UploadVariantResult[] };
  /** PNG bytes by file name (`<variant>_final.png`, …). */
  files: Map<string, Uint8Array>;
}

/** File names of an upload job's images. */
export const JOB_FILE_PATTERN = /^[a-z0-9_-]+_(input|phase1|final)\.png$/i;

/**
 * Checks an upload form and queues its job.
 *
 * @param state site state
 * @param form fields `image` (a file), `suite`, and one or more `variant`
 * @returns the queued job
 * @throws {RangeError} for a missing field or an invalid name; {@linkcode UploadRejected} for an image beyond the
 *   limits; `QueueFullError` when the queue is full
 */
export async function submitUpload(state: SiteState, form: FormData): Promise<Job<UploadResult>> {
  const file = form.get("image");
  if (!(file instanceof File)) throw new RangeError(`The form needs a file in the field "image"`);
  const suite = checkName(String(form.get("suite") ?? ""), "suite");
  const names = form.getAll("variant").map((v) => checkName(String(v), "variant"));
  if (!names.length) throw new RangeError(`Choose at least one variant (field "variant")`);
  if (names.length > state.limits.maxVariantsPerUpload) {
    throw new RangeError(`Choose at most ${state.limits.maxVariantsPerUpload} variants, got ${names.length}`);
  }
  if (file.size > state.limits.maxUploadBytes) {
    throw new UploadRejected(
      413,
      "too_large",
      `The image is ${file.size} bytes; the limit is ${state.limits.maxUploadBytes}`,
    );
  }
  const variants: (VariantModel & { name: string; resolution: number })[] = [];
  for (const name of new Set(names)) {
    const model = await variantModel(state, suite, name);
    if (!model) throw new RangeError(`Variant "${name}" of suite "${suite}" has no model yet`);
    const resolution = await modelResolution(model.modelPath);
    variants.push({ ...model, name, resolution });
  }
  // Fail fast when busy, before decoding; submit() checks again.
  state.queue.checkRoom();
  const bytes = new Uint8Array(await file.arrayBuffer());
  const decoded = await decodeUpload(bytes, variants.map((v) => v.resolution), state.limits.maxImageSide);
  return state.queue.submit<UploadResult>("upload", async (report) => {
    const files = new Map<string, Uint8Array>();
    const results: UploadVariantResult[] = [];
    for (const [i, v] of variants.entries()) {
      const input = decoded.tensors.get(v.resolution)!;
      const label = v.result.label;
      report(i / variants.length, `${label}: starting`);
      const answer = await state.pool.run(
        { kind: "invert", modelPath: v.modelPath, images: input, batch: 1 },
        (fraction, message) => report((i + 0.9 * fraction) / variants.length, `${label}: ${message}`),
      ) as InvertAnswer;
      const shape = [1, 3, v.resolution, v.resolution];
      const final = v.phaseOneOnly ? answer.phaseOne : answer.final;
      files.set(`${v.name}_input.png`, await encodePng(input, shape));
      files.set(`${v.name}_phase1.png`, await encodePng(answer.phaseOne, shape));
      files.set(`${v.name}_final.png`, await encodePng(final, shape));
      results.push({
        variant: v.name,
        label,
        images: {
          input: `${v.name}_input.png`,
          phase1: `${v.name}_phase1.png`,
          final: `${v.name}_final.png`,
        },
        ...l2AndPsnr(final, input),
        phaseOnePsnr: l2AndPsnr(answer.phaseOne, input).psnr,
        milliseconds: answer.milliseconds,
        provider: answer.provider,
        phaseOneOnly: v.phaseOneOnly,
      });
      report((i + 1) / variants.length, `${label}: done`);
    }
    return { summary: { suite, width: decoded.width, height: decoded.height, variants: results }, files };
  });
}
