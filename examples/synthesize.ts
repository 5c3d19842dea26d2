/**
 * `deno task synthesize [--resolution 256|1024] [--batch N] [--psi ψ] [--device cpu|auto|…] [--out file.png]`
 *
 * Samples z, maps it to w (with truncation), renders the images with the StyleGAN2 synthesis graph on ONNX
 * Runtime and writes the first one as a PNG. The weights are the seeded reference generator of
 * `shared/fixtures/reference` (the official architecture at full size, filled by the fixture PRNG), so the image is
 * structured noise, not a face: it shows the pipeline and its speed. Trained weights come with the default-model
 * and import issues.
 *
 * @module
 */

import { loadReferenceFixture } from "../io/reference_fixture.ts";
import { writePng } from "../io/image.ts";
import { generatorConfigFromInitKwargs } from "../generator/config.ts";
import { mappingGraph, synthesisGraph } from "../generator/generator_graphs.ts";
import { prngFill } from "../io/prng.ts";
import { sessionFor } from "../runtime/session.ts";
import { parameterFeeds } from "../runtime/weights.ts";
import { option } from "../cli/_args.ts";

const resolution = Number(option(Deno.args, "resolution") ?? "256");
const fixtureName = { 256: "hyperinverter-church256", 1024: "hyperinverter-ffhq1024" }[resolution];
if (!fixtureName) throw new RangeError(`--resolution must be 256 or 1024, got ${resolution}`);
const batch = Number(option(Deno.args, "batch") ?? "1");
const psi = Number(option(Deno.args, "psi") ?? "0.7");
const device = option(Deno.args, "device") ?? "auto";
const out = option(Deno.args, "out") ?? `synthesis-${resolution}.png`;

const fixture = await loadReferenceFixture(fixtureName);
const config = generatorConfigFromInitKwargs(
  (fixture.manifest.config as { G_init_kwargs: Record<string, unknown> }).G_init_kwargs,
);
const weights = fixture.moduleWeights("G");

const mapping = mappingGraph(config, { batch, truncationPsi: psi });
const synthesis = synthesisGraph(config, { batch });
const z = prngFill(Number(option(Deno.args, "seed") ?? "1"), 0, batch * config.zDim, 0, Math.sqrt(3));
const mapped = await (await sessionFor(mapping, { device })).run({ z, ...parameterFeeds(mapping, weights) });
const rendered = await (await sessionFor(synthesis, { device })).run({
  ws: mapped.outputs.ws,
  ...parameterFeeds(synthesis, weights),
});
await writePng(out, rendered.outputs.img.data as Float32Array, rendered.outputs.img.shape);
console.log(
  `wrote ${out}: ${batch}×${resolution}² in ${rendered.milliseconds.toFixed(0)} ms ` +
    `(${(rendered.milliseconds / batch).toFixed(0)} ms/image) on ${rendered.provider}`,
);
