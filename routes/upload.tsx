/**
 * `/upload`: upload an image (or an inversion `.safetensors` file of the variants' model, rendered again) and run it
 * through chosen variants, with progress streamed from the job; "align face and paste back" for face photos.
 *
 * @module
 */

/** @jsx h */
import { h, type VNode } from "../deps.ts";
import { listSuites } from "../experiments/store.ts";
import { type Handlers, Island, type PageProps } from "../site/fresh.tsx";
import UploadForm, { type UploadFormProps } from "../islands/UploadForm.tsx";
import { variantModels } from "../site/variants.ts";

/** Lists the variants that have a model. */
export const handler: Handlers<UploadFormProps> = {
  async GET(_request, ctx) {
    const suites: UploadFormProps["suites"] = [];
    for (const { name } of await listSuites(ctx.state.experimentsRoot)) {
      const variants = [...(await variantModels(ctx.state, name)).values()]
        .filter((m) => m !== null)
        .map((m) => ({ variant: m.result.variant, label: m.result.label }));
      if (variants.length) suites.push({ suite: name, variants });
    }
    return ctx.render({
      suites,
      maxUploadBytes: ctx.state.limits.maxUploadBytes,
      maxImageSide: ctx.state.limits.maxImageSide,
    });
  },
};

/**
 * The page.
 *
 * @param props the form's props
 * @returns the page
 */
export default function UploadPage({ data }: PageProps<UploadFormProps>): VNode {
  return (
    <div>
      <h1>Run an image through variants</h1>
      <Island name="UploadForm" component={UploadForm} props={data} />
    </div>
  );
}
