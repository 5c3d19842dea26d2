/**
 * The graph phase II trains is the graph inference runs: on the tiny model, the fused training forward
 * (`phaseTwoTrainingGraphs(…).plain` of train/phase_two_trainer.ts, stepped by the trainer's `Trainer` with phase
 * I from the trainer's PhaseOneCache, and `phaseTwoTrainingGraph` of train/phase_two_graph.ts, phase I inside)
 * gives the same phase-I image, final image and loss as the
 * staged inference forward (`HyperInverter.invert`: E1 → G → E2 → hypernet → G, one session per stage) for the
 * same weights and input. Tolerance: max |Δ| ≤ 1e-5 on images in [−1, 1] (float32, two different ONNX graphs).
 *
 * The controls show the check has teeth: a training graph with another fusion operator of the same parameters
 * (`difference` instead of `sum`), or with the residuals applied twice (two refinement passes), differs from
 * the staged forward by far more than the tolerance.
 */

import assert from "node:assert/strict";
import { loadHyperInverter } from "../model/load.ts";
import { type ArchitectureJson, resolveArchitecture } from "../model/architecture.ts";
import { HyperInverter } from "../model/hyperinverter.ts";
import { hyperInverterGraph } from "../model/pipeline_graph.ts";
import { resolveDiscriminatorConfig } from "../generator/discriminator.ts";
import { phaseTwoTrainingGraphs } from "../train/phase_two_trainer.ts";
import { phaseTwoTrainingGraph } from "../train/phase_two_graph.ts";
import { PhaseOneCache } from "../train/phase_one_cache.ts";
import { phaseOneStageGraph } from "../model/stage_graphs.ts";
import { Adam } from "../train/optimizers.ts";
import { Trainer } from "../train/training_step.ts";
import type { GraphBuilder } from "../graph/builder.ts";
import { prngFill } from "../io/prng.ts";
import { TINY_ARCHITECTURE, writeTinyModel } from "./_tiny_model.ts";
import { compareArrays } from "./_assert_close.ts";

const TOLERANCE = 1e-5;
const BATCH = 2;

/**
 * The tiny model under another architecture: its weights where the shapes agree, seeded small values where they
 * do not (the `sum` fusion's 1×1 convolution reads C channels, concatConv's 2C).
 */
function withArchitecture(model: HyperInverter, architecture: ArchitectureJson): HyperInverter {
  const resolved = resolveArchitecture(architecture);
  const weights = new Map<string, { data: Float32Array; shape: readonly number[] }>();
  hyperInverterGraph(resolved).parameters.forEach((p, k) => {
    const weight = model.weights.get(p.name) as { data: Float32Array } | undefined;
    weights.set(p.name, {
      data: weight?.data.length === p.size ? weight.data : prngFill(0x5e1f, k, p.size, 0, 0.05),
      shape: p.shape,
    });
  });
  return new HyperInverter(resolved, weights);
}

/**
 * One forward of a training graph through the trainer (outputs are computed before the update; the weights are
 * copies). A graph that takes phase I as inputs (the phase-II trainer's) gets them as the trainer does, from a
 * PhaseOneCache (its phase-I graph run on the batch).
 */
async function trainingForward(graph: GraphBuilder, model: HyperInverter, x: Float32Array) {
  const parameters = new Map<string, { data: Float32Array; shape: readonly number[] }>();
  const weightOf = (name: string) => {
    const weight = model.weights.get(name) as { data: Float32Array } | undefined;
    assert.ok(weight, `the model has no weight "${name}"`);
    return weight.data;
  };
  for (const p of graph.parameters) {
    parameters.set(p.name, { data: weightOf(p.name).slice(), shape: p.shape });
  }
  const phaseOneGiven = graph.inputs.some((t) => t.name === "w_images");
  let data: Record<string, Float32Array> = { x };
  if (phaseOneGiven) {
    const frozen = new Map(
      phaseOneStageGraph(model.architecture, BATCH).parameters.map((
        p,
      ) => [p.name, { data: weightOf(p.name) }]),
    );
    const { w, wImages } = await new PhaseOneCache(model.architecture, frozen).outputs([0, 1], x);
    data = { x, w, w_images: wImages };
  }
  const result = await new Trainer(graph, parameters, new Adam({ lr: 1e-3 })).step(data);
  return {
    loss: result.loss,
    phaseOne: (phaseOneGiven ? data.w_images : result.outputs.w_images.data) as Float32Array,
    final: result.outputs.final_images.data as Float32Array,
  };
}

function trainerGraph(architecture: ArchitectureJson): GraphBuilder {
  const resolved = resolveArchitecture(architecture);
  return phaseTwoTrainingGraphs(
    resolved,
    resolveDiscriminatorConfig({ resolution: resolved.generator.resolution, channelMax: 64 }),
    {
      batch: BATCH,
      adversarialBatch: BATCH,
      weights: { l2: 1, lpips: 0, adversarial: 0 },
      r1: { gamma: 10, every: 16 },
    },
  ).plain;
}

function mse(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i] - b[i]) ** 2;
  return sum / a.length;
}

Deno.test("phase II trains the staged inference forward: fused training graph = HyperInverter.invert (≤ 1e-5)", async () => {
  const directory = await Deno.makeTempDir();
  try {
    const model = await loadHyperInverter(await writeTinyModel(directory)); // concatConv, perLayer, 1 pass
    const architecture = TINY_ARCHITECTURE;
    const x = prngFill(0x9a71, 0, BATCH * 3 * 64 * 64, 0, 0.8);
    const staged = await model.invert(x, BATCH);
    const stagedFinal = staged.finalImages.data;

    const fused = await trainingForward(trainerGraph(architecture), model, x);
    const phaseOne = compareArrays(fused.phaseOne, staged.phaseOneImages.data);
    const final = compareArrays(fused.final, stagedFinal);
    assert.ok(phaseOne.maxAbs <= TOLERANCE, `phase-I images differ by ${phaseOne.maxAbs}`);
    assert.ok(final.maxAbs <= TOLERANCE, `final images differ by ${final.maxAbs} at ${final.index}`);
    console.log(
      `max |fused − staged|: phase I ${phaseOne.maxAbs.toExponential(2)}, final ${
        final.maxAbs.toExponential(2)
      }`,
    );
    // The loss phase II minimises is the L2 of the staged final image (P is the identity at 64² ≤ 256).
    const expectedLoss = mse(stagedFinal, x);
    assert.ok(
      Math.abs(fused.loss - expectedLoss) <= 1e-5 * expectedLoss,
      `loss ${fused.loss} vs ${expectedLoss}`,
    );
    // ΔW is not negligible, so matching final images is not matching phase-I images.
    assert.ok(compareArrays(stagedFinal, staged.phaseOneImages.data).maxAbs > 100 * TOLERANCE);

    const { graph } = phaseTwoTrainingGraph(resolveArchitecture(architecture), {
      batch: BATCH,
      weights: { lpips: 0 },
    });
    const single = await trainingForward(graph, model, x);
    const singleFinal = compareArrays(single.final, stagedFinal);
    assert.ok(
      singleFinal.maxAbs <= TOLERANCE,
      `phase_two_graph.ts final images differ by ${singleFinal.maxAbs}`,
    );

    // Controls: a mis-wired training graph is caught. `sum` and `difference` have the same parameters.
    const sumArchitecture = { ...architecture, hypernet: { ...architecture.hypernet, fusion: "sum" } };
    const sumModel = withArchitecture(model, sumArchitecture);
    const sumStaged = (await sumModel.invert(x, BATCH)).finalImages.data;
    const sumFused = await trainingForward(trainerGraph(sumArchitecture), sumModel, x);
    assert.ok(compareArrays(sumFused.final, sumStaged).maxAbs <= TOLERANCE, "sum fusion: fused = staged");
    const otherFusion = await trainingForward(
      trainerGraph({ ...architecture, hypernet: { ...architecture.hypernet, fusion: "difference" } }),
      sumModel,
      x,
    );
    assert.ok(compareArrays(otherFusion.final, sumStaged).maxAbs > 100 * TOLERANCE, "fusion swap not caught");
    const residualTwice = await trainingForward(
      trainerGraph({ ...architecture, refinementPasses: 2 }),
      model,
      x,
    );
    assert.ok(
      compareArrays(residualTwice.final, stagedFinal).maxAbs > 100 * TOLERANCE,
      "extra residual not caught",
    );
  } finally {
    await Deno.remove(directory, { recursive: true });
  }
});
