/**
 * Edits and interpolations of a variant's sample images, rendered in the workers through the job queue (so a
 * burst of slider moves meets the same bound as uploads) and answered as PNG.
 *
 * @module
 */

import { checkName, samplePath } from "../experiments/store.ts";
import { readImage } from "../io/image.ts";
import type { ImageAnswer, InferenceTask } from "./inference_tasks.ts";
import { encodePng } from "./images.ts";
import type { SiteState } from "./state.ts";
import { modelResolution, variantModel } from "./variants.ts";

/** A sample index as in `NN_input.png`. */
const SAMPLE_INDEX = /^[a-z0-9-]+$/i;

/** The parts of a render request that depend on the variant's model. */
export interface RenderContext {
  modelPath: string;
  phaseOneOnly: boolean;
  /** Models whose learned directions apply: the variant's, then its suite's base model. */
  directionModels: string[];
  /** Reads `<sample>_input.png` of the variant at the model's resolution. */
  readSample(sample: string): Promise<Float32Array>;
}

/**
 * Renders one image for a variant through the queue and answers it as PNG (or a JSON error: 400 bad
 * parameters, 404 no such suite/variant/sample, 409 no model yet, 503 busy).
 *
 * @param state site state
 * @param params route parameters `suite` and `variant`
 * @param makeTask builds the worker task from the variant's model and samples
 * @returns the response
 */
export async function renderSample(
  state: SiteState,
  params: Record<string, string>,
  makeTask: (context: RenderContext) => Promise<InferenceTask>,
): Promise<Response> {
  const suite = checkName(params.suite, "suite"), variant = checkName(params.variant, "variant");
  const model = await variantModel(state, suite, variant);
  if (!model) {
    return Response.json({ error: "no_model", message: `Variant "${variant}" has no model yet` }, {
      status: 409,
    });
  }
  const resolution = await modelResolution(model.modelPath);
  const task = await makeTask({
    modelPath: model.modelPath,
    phaseOneOnly: model.phaseOneOnly,
    directionModels: [model.modelPath, model.baseModelPath],
    async readSample(sample) {
      if (!SAMPLE_INDEX.test(sample)) throw new RangeError(`Invalid sample ${JSON.stringify(sample)}`);
      const path = samplePath(suite, variant, `${sample}_input.png`, state.experimentsRoot);
      try {
        await Deno.stat(path);
      } catch {
        throw new Deno.errors.NotFound(`Variant "${variant}" has no sample "${sample}"`);
      }
      return (await readImage(path, resolution)).data;
    },
  });
  const job = state.queue.submit(task.kind, (report) => state.pool.run(task, report));
  const answer = await job.finished as ImageAnswer;
  const png = await encodePng(answer.image, [1, 3, answer.resolution, answer.resolution]);
  return new Response(png as Uint8Array<ArrayBuffer>, {
    headers: {
      "content-type": "image/png",
      "cache-control": "no-store",
      "x-render-ms": answer.milliseconds.toFixed(1),
    },
  });
}

/**
 * A finite number from a query parameter.
 *
 * @param url the request URL
 * @param name parameter name
 * @param fallback value when absent
 * @param range allowed [min, max]
 * @returns the number
 * @throws {RangeError} when it is not a number in range
 * @example
 * ```ts
 * import { numberParam } from "./render_sample.ts";
 * console.log(numberParam(new URL("http://x/?g=1.5"), "g", 0, [-10, 10])); // 1.5
 * ```
 */
export function numberParam(url: URL, name: string, fallback: number, range: [number, number]): number {
  const text = url.searchParams.get(name);
  if (text === null || text === "") return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value < range[0] || value > range[1]) {
    throw new RangeError(
      `Parameter ${name}=${JSON.stringify(text)} is not a number in [${range[0]}, ${range[1]}]`,
    );
  }
  return value;
}
