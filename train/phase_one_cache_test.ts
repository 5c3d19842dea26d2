import assert from "node:assert/strict";
import { prngFill } from "../io/prng.ts";
import { resolveArchitecture } from "../model/architecture.ts";
import { TINY_ARCHITECTURE } from "../tests/_tiny_model.ts";
import { phaseTwoTrainingGraph } from "./phase_two_graph.ts";
import { PhaseOneCache } from "./phase_one_cache.ts";
import { GraphSession } from "../runtime/session.ts";

const architecture = resolveArchitecture(TINY_ARCHITECTURE); // 64², 8 w rows of 512
const IMAGE = 3 * 64 * 64;

/** Seeded values for every parameter of the whole phase-II graph (E1 and G included). */
function seededParameters() {
  const { graph } = phaseTwoTrainingGraph(architecture, { batch: 1, weights: { lpips: 0 } });
  const parameters = new Map<string, { data: Float32Array; shape: readonly number[] }>();
  graph.parameters.forEach((p, k) => {
    const offset = p.name.endsWith("running_var") ? 1.25 : p.name.endsWith("affine.bias") ? 1 : 0;
    const scale = p.name.includes("weight_regressors") ? 0.02 : 0.3;
    parameters.set(p.name, { data: prngFill(0x7a13, k, p.size, offset, scale), shape: p.shape });
  });
  return parameters;
}

/** Images 0…count−1 as one batch each. */
const imageOf = (index: number) => prngFill(11, index, IMAGE, 0, 0.8);
const batchOf = (indices: number[]) => {
  const x = new Float32Array(indices.length * IMAGE);
  indices.forEach((index, b) => x.set(imageOf(index), b * IMAGE));
  return x;
};

Deno.test("a step fed with phase-I outputs from the cache gives the loss and gradients of the whole graph", async () => {
  const parameters = seededParameters();
  const feeds = (graph: { parameters: readonly { name: string }[] }) =>
    Object.fromEntries(graph.parameters.map((p) => [p.name, parameters.get(p.name)!.data]));
  const whole = phaseTwoTrainingGraph(architecture, { batch: 2, weights: { lpips: 0 } }).graph;
  const given =
    phaseTwoTrainingGraph(architecture, { batch: 2, weights: { lpips: 0 }, phaseOne: "given" }).graph;
  assert.ok(!given.parameters.some((p) => p.name.startsWith("w_encoder.")), "E1 is not in the step graph");
  assert.deepEqual(given.inputs.map((t) => `${t.name} [${t.shape}]`), [
    "x [2,3,64,64]",
    "w [2,512]",
    "w_images [2,3,64,64]",
  ]);
  const x = batchOf([4, 1]);
  const cache = new PhaseOneCache(architecture, parameters);
  await cache.outputs([4, 1], x); // computed and kept
  const { w, wImages } = await cache.outputs([4, 1], new Float32Array(x.length)); // served: x is not read
  assert.deepEqual(cache.stats, { hits: 1, misses: 1, images: 2, bytes: 2 * 4 * (512 + IMAGE) });

  const a = await (await GraphSession.create(whole)).run({ x, ...feeds(whole) });
  const b = await (await GraphSession.create(given)).run({ x, w, w_images: wImages, ...feeds(given) });
  const gradients = Object.keys(b.outputs).filter((name) => name.startsWith("grad."));
  assert.ok(gradients.length > 20 && gradients.every((name) => name in a.outputs), gradients.join(", "));
  const close = (name: string, tolerance: number) => {
    const p = a.outputs[name].data as Float32Array, q = b.outputs[name].data as Float32Array;
    let worst = 0, scale = 0;
    for (let i = 0; i < p.length; i++) {
      worst = Math.max(worst, Math.abs(p[i] - q[i]));
      scale = Math.max(scale, Math.abs(p[i]));
    }
    assert.ok(worst <= tolerance * scale, `${name}: max difference ${worst} of ${scale}`);
  };
  // Same kernels on the same values: equal up to float32 rounding in where ONNX Runtime fuses.
  for (const name of ["loss", "final_images", ...gradients]) close(name, 1e-5);
});

Deno.test("the phase-I cache keeps images up to its budget and serves a batch only when all of it is kept", async () => {
  const parameters = seededParameters();
  const entry = 4 * (512 + IMAGE);
  const cache = new PhaseOneCache(architecture, parameters, { budgetMiB: (3.5 * entry) / 2 ** 20 });
  const first = await cache.outputs([0, 1, 2, 3], batchOf([0, 1, 2, 3]));
  assert.deepEqual(
    cache.stats,
    { hits: 0, misses: 1, images: 3, bytes: 3 * entry },
    "image 3 is over the budget",
  );

  // Kept images in another order: the same values, reordered.
  const served = await cache.outputs([2, 0], new Float32Array(2 * IMAGE));
  assert.equal(cache.stats.hits, 1);
  assert.deepEqual(
    served.w,
    Float32Array.of(...first.w.subarray(2 * 512, 3 * 512), ...first.w.subarray(0, 512)),
  );
  assert.deepEqual(served.wImages.subarray(IMAGE), first.wImages.subarray(0, IMAGE));

  // A batch with an image not kept runs phase I on the whole batch; its values are the kept ones.
  const mixed = await cache.outputs([3, 1], batchOf([3, 1]));
  assert.deepEqual(cache.stats, { hits: 1, misses: 2, images: 3, bytes: 3 * entry });
  assert.deepEqual(mixed.wImages.subarray(0, IMAGE), first.wImages.subarray(3 * IMAGE));
  assert.deepEqual(mixed.w.subarray(512), first.w.subarray(512, 1024), "the same bits in another batch");

  const none = new PhaseOneCache(architecture, parameters, { budgetMiB: 0 });
  await none.outputs([0], batchOf([0]));
  await none.outputs([0], batchOf([0]));
  assert.deepEqual(none.stats, { hits: 0, misses: 2, images: 0, bytes: 0 }, "budget 0 keeps nothing");
});

Deno.test("the phase-I cache refuses a bad budget, images that do not match the indices, non-finite outputs and missing weights", async () => {
  const parameters = seededParameters();
  for (const budgetMiB of [-1, NaN, Infinity]) {
    assert.throws(
      () => new PhaseOneCache(architecture, parameters, { budgetMiB }),
      /budget must be a finite/,
    );
  }
  const cache = new PhaseOneCache(architecture, parameters);
  await assert.rejects(
    cache.outputs([0, 1, 2], batchOf([0, 1])),
    /3 indices but 2 images of 3×64² in x/,
  );
  const nanImage = batchOf([0, 5]);
  nanImage[IMAGE + 17] = NaN;
  await assert.rejects(
    cache.outputs([0, 5], nanImage),
    /Phase I gave a non-finite w \(NaN\) for training image 5/,
  );
  assert.equal(cache.stats.images, 0, "nothing of that batch is kept");
  const withoutE1 = new Map([...parameters].filter(([name]) => !name.startsWith("w_encoder.")));
  await assert.rejects(
    new PhaseOneCache(architecture, withoutE1).outputs([0], batchOf([0])),
    /Phase I needs the frozen weight "w_encoder\./,
  );
});
