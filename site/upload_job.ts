/**
 * An upload run through chosen variants: the form is checked (names, limits), the image decoded at each model's
 * resolution, and a job queued that inverts it with every variant in the workers, reporting progress per variant.
 * The job's result holds a JSON summary (what the page shows) and the files it links to: PNG images and each
 * variant's compact inversion file (`<variant>_inversion.safetensors`: w, the codes v and the model's identity, as
 * `invert` writes it).
 *
 * The file may instead be an inversion file (`.safetensors`, compact or with ΔW): it is refused with 422
 * `wrong_model`, naming both identities, when it belongs to another model than a chosen variant's, and otherwise
 * rendered (phase I and the final image, ΔW recomputed from v). With `align` checked (for face models), the
 * photo's largest face is FFHQ-aligned to each model's resolution first (as `invert --align`), and the final
 * image pasted back into the photo (`<variant>_pasted.png`; outside the face's quad the photo is unchanged).
 *
 * @module
 */

import { checkName } from "../experiments/store.ts";
import { readInversionFile } from "../io/inversion_file.ts";
import { l2AndPsnrOnUnitRange } from "../losses/psnr.ts";
import type { CodedInvertAnswer, RenderAnswer } from "./inference_tasks.ts";
import { decodeUpload, encodePng, encodeRgbPng, UploadRejected } from "./images.ts";
import type { Job } from "./job_queue.ts";
import type { SiteState } from "./state.ts";
import { modelResolution, type VariantModel, variantModel } from "./variants.ts";

/** One variant's answer to an upload. */
export interface UploadVariantResult {
  variant: string;
  label: string;
  /**
   * PNG file names under the job: `input` (the model's input; the aligned face with `align`; absent for an
   * inversion file), `phase1`, `final`, `pasted` (with `align`).
   */
  images: { input?: string; phase1: string; final: string; pasted?: string };
  /** The compact inversion file's name under the job (absent when an inversion file was uploaded). */
  inversion?: string;
  /** Of the final image against the input resized to the model (on [0, 1]); null for an inversion file. */
  l2: number | null;
  psnr: number | null;
  /** Phase I's PSNR, for the gain of phase II; null for an inversion file. */
  phaseOnePsnr: number | null;
  /** With `align`: the face's quad in the photo's pixels (upper-left, lower-left, lower-right, upper-right). */
  quad?: [number, number][];
  milliseconds: number;
  provider: string;
  phaseOneOnly: boolean;
}

/** What an upload job leaves. */
export interface UploadResult {
  summary: {
    suite: string;
    /** The photo's size (0 × 0 for an inversion file). */
    width: number;
    height: number;
    /** `image` (a photo inverted) or `inversion` (an inversion file rendered). */
    kind: "image" | "inversion";
    aligned: boolean;
    variants: UploadVariantResult[];
  };
  /** File bytes by name (`<variant>_final.png`, `<variant>_inversion.safetensors`, …). */
  files: Map<string, Uint8Array>;
}

/** File names of an upload job's files. */
export const JOB_FILE_PATTERN = /^[a-z0-9_-]+_((input|phase1|final|pasted)\.png|inversion\.safetensors)$/i;

type ChosenVariant = VariantModel & { name: string; resolution: number };

/**
 * Whether an upload is a safetensors file (an inversion) rather than an image: by its name, or by its header
 * (8 bytes of little-endian header length, then a JSON object).
 *
 * @param name the file's name
 * @param bytes its bytes
 * @returns true for a safetensors file
 * @example
 * ```ts
 * import { isSafetensorsUpload } from "./upload_job.ts";
 * const bytes = new Uint8Array([2, 0, 0, 0, 0, 0, 0, 0, 0x7b, 0x7d]);
 * console.log(isSafetensorsUpload("x.bin", bytes), isSafetensorsUpload("x.png", new Uint8Array(10))); // true false
 * ```
 */
export function isSafetensorsUpload(name: string, bytes: Uint8Array): boolean {
  if (name.toLowerCase().endsWith(".safetensors")) return true;
  if (bytes.length < 10 || bytes[8] !== 0x7b) return false;
  const length = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  return length <= BigInt(bytes.length - 8);
}

/** The upload's name as messages and inversion files show it (no server path; at most 100 characters). */
function publicName(file: File): string {
  const base = file.name.split(/[\\/]/).pop() || "upload";
  return base.length > 100 ? `${base.slice(0, 97)}...` : base;
}

/**
 * Checks an upload form and queues its job.
 *
 * @param state site state
 * @param form fields `image` (an image, or an inversion `.safetensors` file), `suite`, one or more `variant`, and
 *   `align` (any value but `0`/empty: FFHQ-align the photo's face first and paste the result back)
 * @returns the queued job
 * @throws {RangeError} for a missing field or an invalid name, or `align` with an inversion file;
 *   {@linkcode UploadRejected} for an image beyond the limits, a file that is not an inversion, or an inversion
 *   of another model; `QueueFullError` when the queue is full
 */
export async function submitUpload(state: SiteState, form: FormData): Promise<Job<UploadResult>> {
  const file = form.get("image");
  if (!(file instanceof File)) throw new RangeError(`The form needs a file in the field "image"`);
  const suite = checkName(String(form.get("suite") ?? ""), "suite");
  const names = form.getAll("variant").map((v) => checkName(String(v), "variant"));
  const alignField = String(form.get("align") ?? "");
  const align = alignField !== "" && alignField !== "0";
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
  const variants: ChosenVariant[] = [];
  for (const name of new Set(names)) {
    const model = await variantModel(state, suite, name);
    if (!model) throw new RangeError(`Variant "${name}" of suite "${suite}" has no model yet`);
    const resolution = await modelResolution(model.modelPath);
    variants.push({ ...model, name, resolution });
  }
  // Fail fast when busy, before decoding; submit() checks again.
  state.queue.checkRoom();
  const bytes = new Uint8Array(await file.arrayBuffer());
  const uploadName = publicName(file);
  if (isSafetensorsUpload(file.name, bytes)) {
    if (align) {
      throw new RangeError(`"align" needs a photo; "${uploadName}" is an inversion file (already aligned)`);
    }
    return await submitInversion(state, { suite, variants, bytes, uploadName });
  }
  const decoded = await decodeUpload(bytes, variants.map((v) => v.resolution), state.limits.maxImageSide);
  const photoPath = align ? await Deno.makeTempFile({ prefix: "site-photo-" }) : null;
  if (photoPath) await Deno.writeFile(photoPath, bytes);
  const publicError = (error: unknown) =>
    photoPath ? new Error((error as Error).message.replaceAll(photoPath, uploadName)) : error;
  try {
    return state.queue.submit<UploadResult>("upload", async (report) => {
      try {
        const files = new Map<string, Uint8Array>();
        const results: UploadVariantResult[] = [];
        for (const [i, v] of variants.entries()) {
          const label = v.result.label;
          report(i / variants.length, `${label}: starting`);
          const answer = await state.pool.run(
            {
              kind: "invertCoded",
              modelPath: v.modelPath,
              modelName: `${suite}/${v.name}`,
              source: uploadName,
              ...(photoPath
                ? { alignFrom: photoPath, pastePhaseOne: v.phaseOneOnly }
                : { image: decoded.tensors.get(v.resolution)! }),
            },
            (fraction, message) => report((i + 0.9 * fraction) / variants.length, `${label}: ${message}`),
          ).catch((error) => {
            throw publicError(error);
          }) as CodedInvertAnswer;
          const shape = [1, 3, v.resolution, v.resolution];
          const final = v.phaseOneOnly ? answer.phaseOne : answer.final;
          const images: UploadVariantResult["images"] = {
            input: `${v.name}_input.png`,
            phase1: `${v.name}_phase1.png`,
            final: `${v.name}_final.png`,
          };
          const inversion = `${v.name}_inversion.safetensors`;
          files.set(images.input!, await encodePng(answer.input, shape));
          files.set(images.phase1, await encodePng(answer.phaseOne, shape));
          files.set(images.final, await encodePng(final, shape));
          files.set(inversion, answer.inversion);
          if (answer.aligned) {
            images.pasted = `${v.name}_pasted.png`;
            // The image shown as final (phase I's for a phase-I-only variant), pasted back.
            files.set(images.pasted, await encodeRgbPng(answer.aligned.pasted));
          }
          const measured = l2AndPsnrOnUnitRange(final, answer.input); // on [0, 1], as the suite's metrics
          results.push({
            variant: v.name,
            label,
            images,
            inversion,
            l2: measured.l2,
            psnr: measured.psnr,
            phaseOnePsnr: l2AndPsnrOnUnitRange(answer.phaseOne, answer.input).psnr,
            quad: answer.aligned?.quad,
            milliseconds: answer.milliseconds,
            provider: answer.provider,
            phaseOneOnly: v.phaseOneOnly,
          });
          report((i + 1) / variants.length, `${label}: done`);
        }
        return {
          summary: {
            suite,
            width: decoded.width,
            height: decoded.height,
            kind: "image",
            aligned: align,
            variants: results,
          },
          files,
        };
      } finally {
        if (photoPath) await Deno.remove(photoPath).catch(() => {});
      }
    });
  } catch (error) {
    if (photoPath) await Deno.remove(photoPath).catch(() => {});
    throw error;
  }
}

/** Checks an uploaded inversion file against every chosen variant's model, then queues its rendering. */
async function submitInversion(
  state: SiteState,
  upload: { suite: string; variants: ChosenVariant[]; bytes: Uint8Array; uploadName: string },
): Promise<Job<UploadResult>> {
  const { suite, variants, bytes, uploadName } = upload;
  const path = await Deno.makeTempFile({ prefix: "site-inversion-", suffix: ".safetensors" });
  const publicMessage = (error: unknown) => (error as Error).message.replaceAll(path, uploadName);
  let queued = false;
  try {
    await Deno.writeFile(path, bytes);
    let recorded: { model: string | null; modelName: string };
    try {
      recorded = await readInversionFile(path);
    } catch (error) {
      throw new UploadRejected(422, "not_an_inversion", publicMessage(error));
    }
    if (recorded.model !== null) {
      for (const v of variants) {
        const { identity } = await state.pool.run({ kind: "identity", modelPath: v.modelPath }) as {
          identity: string;
        };
        if (identity !== recorded.model) {
          throw new UploadRejected(
            422,
            "wrong_model",
            `The inversion file "${uploadName}" belongs to model "${recorded.modelName}" (identity ${recorded.model}), ` +
              `not to variant "${v.name}" of suite "${suite}" (identity ${identity}); invert the image with this variant`,
          );
        }
      }
    }
    const job = state.queue.submit<UploadResult>("upload", async (report) => {
      try {
        const files = new Map<string, Uint8Array>();
        const results: UploadVariantResult[] = [];
        for (const [i, v] of variants.entries()) {
          const label = v.result.label;
          report(i / variants.length, `${label}: starting`);
          const answer = await state.pool.run(
            { kind: "render", modelPath: v.modelPath, inversionPath: path },
            (fraction, message) => report((i + 0.9 * fraction) / variants.length, `${label}: ${message}`),
          ).catch((error) => {
            throw new Error(publicMessage(error));
          }) as RenderAnswer;
          const shape = [1, 3, v.resolution, v.resolution];
          const images = { phase1: `${v.name}_phase1.png`, final: `${v.name}_final.png` };
          files.set(images.phase1, await encodePng(answer.phaseOne, shape));
          files.set(images.final, await encodePng(v.phaseOneOnly ? answer.phaseOne : answer.final, shape));
          results.push({
            variant: v.name,
            label,
            images,
            l2: null,
            psnr: null,
            phaseOnePsnr: null,
            milliseconds: answer.milliseconds,
            provider: "",
            phaseOneOnly: v.phaseOneOnly,
          });
          report((i + 1) / variants.length, `${label}: done`);
        }
        return {
          summary: { suite, width: 0, height: 0, kind: "inversion", aligned: false, variants: results },
          files,
        };
      } finally {
        await Deno.remove(path).catch(() => {});
      }
    });
    queued = true;
    return job;
  } finally {
    if (!queued) await Deno.remove(path).catch(() => {});
  }
}
