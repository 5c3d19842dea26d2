/**
 * `deno task synthesize [--resolution 256|1024] [--batch N] [--psi ψ] [--seed S] [--device cpu|auto|…]
 * [--out file.png] [--force]`
 *
 * Samples z, maps it to w (with truncation), renders the images with the StyleGAN2 synthesis graph on ONNX
 * Runtime and writes the first one as a PNG. The weights are the seeded reference generator of
 * `shared/fixtures/reference` (the official architecture at full size, filled by the fixture PRNG), so the image is
 * structured noise, not a face: it shows the pipeline and its speed. Trained weights come with the default-model
 * and import issues. The flags and `--out` are checked before the fixture loads. Exit status 0 written, 2 bad usage
 * or nothing written.
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
import { DEVICE_NAMES, type ProviderName } from "../runtime/devices.ts";
import { providerUnavailableReason } from "../runtime/provider_probe.ts";
import { EXIT_OK, runCommand, UsageError } from "../io/command_line.ts";
import { checkOutputFile } from "../io/output_check.ts";

const FIXTURES = { 256: "hyperinverter-church256", 1024: "hyperinverter-ffhq1024" } as const;

const SPEC = {
  name: "synthesize",
  usage: "deno task synthesize [--resolution 256|1024] [--batch N] [--psi ψ] [--seed S] [--device auto] " +
    "[--out file.png] [--force]",
  description:
    "Samples z → w → image with the seeded reference generator and writes the first image as a PNG.",
  flags: {
    resolution: { type: "string", choices: ["256", "1024"], default: "256", description: "generator size" },
    batch: { type: "integer", min: 1, max: 64, default: 1, description: "images rendered together" },
    psi: { type: "number", valueName: "ψ", min: -2, max: 2, default: 0.7, description: "truncation ψ" },
    seed: { type: "integer", min: 0, max: 2 ** 32 - 1, default: 1, description: "seed of z" },
    device: { type: "string", choices: DEVICE_NAMES, default: "auto", description: "where to run" },
    out: { type: "string", valueName: "FILE", description: "the PNG (default synthesis-<resolution>.png)" },
    force: { type: "boolean", description: "replace an existing --out" },
  },
} as const;

/**
 * The command.
 *
 * @param args command-line arguments
 * @returns exit status (0 written, 2 bad usage or nothing written)
 */
export function main(args: readonly string[]): Promise<number> {
  return runCommand(SPEC, args, async (flags) => {
    const { batch, psi, device } = flags;
    const resolution = Number(flags.resolution) as keyof typeof FIXTURES;
    const out = flags.out ?? `synthesis-${resolution}.png`;
    const unavailable = device === "auto" ? null : providerUnavailableReason(device as ProviderName);
    if (unavailable) throw new UsageError(`--device ${device} cannot start on this machine: ${unavailable}`);
    await checkOutputFile(out, { force: flags.force });
    const fixture = await loadReferenceFixture(FIXTURES[resolution]);
    const config = generatorConfigFromInitKwargs(
      (fixture.manifest.config as { G_init_kwargs: Record<string, unknown> }).G_init_kwargs,
    );
    const weights = fixture.moduleWeights("G");

    const mapping = mappingGraph(config, { batch, truncationPsi: psi });
    const synthesis = synthesisGraph(config, { batch });
    const z = prngFill(flags.seed, 0, batch * config.zDim, 0, Math.sqrt(3));
    const mapped = await (await sessionFor(mapping, { device })).run({
      z,
      ...parameterFeeds(mapping, weights),
    });
    const rendered = await (await sessionFor(synthesis, { device })).run({
      ws: mapped.outputs.ws,
      ...parameterFeeds(synthesis, weights),
    });
    await writePng(out, rendered.outputs.img.data as Float32Array, rendered.outputs.img.shape);
    console.log(
      `wrote ${out}: ${batch}×${resolution}² in ${rendered.milliseconds.toFixed(0)} ms ` +
        `(${(rendered.milliseconds / batch).toFixed(0)} ms/image) on ${rendered.provider}`,
    );
    return EXIT_OK;
  });
}

if (import.meta.main) Deno.exit(await main(Deno.args));
