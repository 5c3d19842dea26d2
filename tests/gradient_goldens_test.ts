/**
 * Autodiff parity with PyTorch autograd on the official code (reference fixtures gradients-generator-64 and
 * gradients-hypernet-64, README §4). The scalar loss is built in the same graph as the forward pass,
 * `gradients()` adds the backward nodes, and one run gives every gradient.
 *
 * Tolerance: max |Δ| ≤ 1e-5 × the tensor's max |·| (README §5: the official code's own 1-vs-2-thread and
 * BLAS differences reach 3.1e-6 relative; ONNX Runtime's kernels sum in another order again, and the
 * generator's backward pass runs through ~40 layers). `fusion.0.bias` of the hypernet has an analytically
 * zero gradient (InstanceNorm follows it), so it is compared with an absolute 1e-5 against the stored noise.
 */
import assert from "node:assert/strict";
import { gradients } from "../graph/autodiff.ts";
import type { GraphBuilder } from "../graph/builder.ts";
import type { Tensor } from "../graph/tensor.ts";
import { resolveGeneratorConfig } from "../generator/config.ts";
import { synthesisGraph } from "../generator/generator_graphs.ts";
import { layerRegistry } from "../generator/registry.ts";
import { hypernetGraph } from "../hypernet/hypernet_graph.ts";
import { loadReferenceFixture } from "../io/reference_fixture.ts";
import { prngBits, prngFill } from "../io/prng.ts";
import { GraphSession } from "../runtime/session.ts";
import { parameterFeeds } from "../runtime/weights.ts";
import { assertClose, assertCloseRelative } from "./_assert_close.ts";
import { loadGeneratorFixture, readSampledValues, type SampledRows } from "./_fixtures.ts";

const RELATIVE = 1e-5;
/** Compares within RELATIVE × max |expected|; returns the relative error. */
const compareRelative = (actual: Float32Array, expected: ArrayLike<number>, what: string) =>
  assertCloseRelative(actual, expected, RELATIVE, what);
const ZERO_GRADIENT_ATOL = 1e-5;

/** L = Σ y·R in the graph, with R a graph input. */
function weightedSum(g: GraphBuilder, y: Tensor, name: string): Tensor {
  const r = g.input(name, y.shape);
  return g.reduceSum(g.mul(y, r), y.shape.map((_, i) => i), false);
}

function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
}

Deno.test("gradients-generator-64: plain batch-2 pass, dL/dws and every synthesis parameter", async () => {
  const { fixture, config, weights } = await loadGeneratorFixture("gradients-generator-64");
  const g = synthesisGraph(config, { batch: 2 });
  const ws = g.inputs[0];
  const loss = weightedSum(g, g.outputs[0], "R");
  const trainable = g.parameters.filter((p) => !p.name.endsWith("noise_const"));
  const grads = gradients(g, loss, [ws, ...trainable]);
  g.output(loss, "L");
  g.output(grads.get(ws)!, "grad.ws");
  for (const p of trainable) g.output(grads.get(p)!, `grad.${p.name}`);

  const feeds = {
    ws: (await fixture.readFloat32("inputs", "ws")).data,
    R: (await fixture.readFloat32("inputs", "R")).data,
    ...parameterFeeds(g, weights),
  };
  const session = await GraphSession.create(g);
  const { outputs } = await session.run(feeds);
  const losses = fixture.manifest.losses as Record<string, number>;
  const lossValue = (outputs.L.data as Float32Array)[0];
  assert.ok(Math.abs(lossValue - losses.L_plain) < 1e-4 * Math.abs(losses.L_plain), `L ${lossValue}`);

  const report: string[] = [];
  let worst = 0;
  const check = (actual: Float32Array, expected: ArrayLike<number>, what: string) => {
    const relative = compareRelative(actual, expected, what);
    worst = Math.max(worst, relative);
    report.push(`${what} ${relative.toExponential(1)}`);
  };
  check(
    outputs["grad.ws"].data as Float32Array,
    (await fixture.readFloat32("outputs", "grad.plain.ws")).data,
    "ws",
  );
  let full = 0;
  for (const p of trainable) {
    const name = `grad.plain.${p.name}`;
    if (!fixture.tensorNames("outputs").includes(name)) continue;
    check(
      outputs[`grad.${p.name}`].data as Float32Array,
      (await fixture.readFloat32("outputs", name)).data,
      p.name,
    );
    full++;
  }
  assert.equal(
    full,
    66 - 7 - 9,
    "every full-size parameter gradient but the 7 sampled and the noise strengths",
  );

  const sampled = fixture.manifest["grad.plain.sampled"] as SampledRows;
  const values = await readSampledValues(fixture, sampled);
  for (const row of sampled.rows) {
    const gradient = outputs[`grad.${row.name}`].data as Float32Array;
    assert.equal(gradient.length, row.numel);
    const actual = Float32Array.from(
      { length: sampled.n },
      (_, i) => gradient[prngBits(sampled.pos_seed, row.row, i) % row.numel],
    );
    check(actual, values.subarray(row.row * sampled.n, (row.row + 1) * sampled.n), `${row.name}[pos]`);
  }
  const order = (fixture.manifest.config as { noise_strength_order: string[] }).noise_strength_order;
  const noise = Float32Array.from(
    order,
    (layer) => (outputs[`grad.${layer}.noise_strength`].data as Float32Array)[0],
  );
  check(noise, (await fixture.readFloat32("outputs", "grad.plain.noise_strength")).data, "noise_strength");
  console.log(`relative max |Δ|: worst ${worst.toExponential(2)}; ${report.join(", ")}`);

  // Cost of the backward pass: the gradient graph against the forward graph alone (median of 5 runs).
  const forward = synthesisGraph(config, { batch: 2 });
  const forwardSession = await GraphSession.create(forward);
  const forwardFeeds = { ws: feeds.ws, ...parameterFeeds(forward, weights) };
  const times = async (run: () => Promise<{ milliseconds: number }>) => {
    await run();
    const ms: number[] = [];
    for (let i = 0; i < 5; i++) ms.push((await run()).milliseconds);
    return median(ms);
  };
  const forwardMs = await times(() => forwardSession.run(forwardFeeds));
  const backwardMs = await times(() => session.run(feeds));
  console.log(
    `generator-64 batch 2: forward ${forwardMs.toFixed(1)} ms, forward+backward ${
      backwardMs.toFixed(1)
    } ms, ` +
      `ratio ${(backwardMs / forwardMs).toFixed(2)}; ${g.nodes.length} nodes vs ${forward.nodes.length}`,
  );
});

Deno.test("gradients-generator-64: per-sample residuals, dL/dΔW of all 14 layers, ws, const and noise", async () => {
  const { fixture, config, weights } = await loadGeneratorFixture("gradients-generator-64");
  // The official pass runs each sample alone (batch 1); ours runs the batch as grouped convolutions. The
  // gradients are per sample either way.
  const g = synthesisGraph(config, { batch: 2, residuals: "conv_without_bias" });
  const [ws, ...residuals] = g.inputs;
  const loss = weightedSum(g, g.outputs[0], "R");
  const constant = g.parameters.find((p) => p.name === "synthesis.b4.const")!;
  const order = (fixture.manifest.config as { noise_strength_order: string[] }).noise_strength_order;
  const noise = order.map((layer) => g.parameters.find((p) => p.name === `${layer}.noise_strength`)!);
  const grads = gradients(g, loss, [ws, constant, ...residuals, ...noise]);
  g.output(loss, "L");
  g.output(grads.get(ws)!, "grad.ws");
  g.output(grads.get(constant)!, "grad.const");
  for (const t of residuals) g.output(grads.get(t)!, `grad.${t.name}`);
  g.output(g.concat(noise.map((t) => g.reshape(grads.get(t)!, [1])), 0), "grad.noise_strength");

  const recipe = fixture.manifest.config as { target_layers: { k: number; name: string; shape: number[] }[] };
  const dW = fixture.tensorEntry("inputs", "dW").prng!;
  const feeds: Record<string, Float32Array> = {
    ws: (await fixture.readFloat32("inputs", "ws")).data,
    R: (await fixture.readFloat32("inputs", "R")).data,
  };
  for (const layer of recipe.target_layers) {
    const size = 2 * layer.shape.reduce((a, b) => a * b, 1);
    feeds[`residual.${layer.name}`] = prngFill(dW.seed, layer.k, size, dW.offset, dW.scale);
  }
  const { outputs } = await (await GraphSession.create(g)).run({ ...feeds, ...parameterFeeds(g, weights) });
  const losses = fixture.manifest.losses as Record<string, number>;
  const lossValue = (outputs.L.data as Float32Array)[0];
  assert.ok(Math.abs(lossValue - losses.L_added) < 1e-4 * Math.abs(losses.L_added), `L ${lossValue}`);

  const report: string[] = [];
  let worst = 0;
  const check = async (output: string, expected: string) => {
    const relative = compareRelative(
      outputs[output].data as Float32Array,
      (await fixture.readFloat32("outputs", expected)).data,
      expected,
    );
    worst = Math.max(worst, relative);
    report.push(`${expected.replace("grad.added.", "")} ${relative.toExponential(1)}`);
  };
  assert.equal(residuals.length, 14);
  for (const t of residuals) {
    await check(`grad.${t.name}`, `grad.added.dW.${t.name.replace("residual.", "")}`);
  }
  await check("grad.ws", "grad.added.ws");
  await check("grad.const", "grad.added.synthesis.b4.const");
  await check("grad.noise_strength", "grad.added.noise_strength");
  console.log(`relative max |Δ|: worst ${worst.toExponential(2)}; ${report.join(", ")}`);
});

for (const stackRegressors of [false, true]) {
  const mode = stackRegressors ? " (regressors stacked)" : "";
  Deno.test(`gradients-hypernet-64: dL/dFw, dL/dFx and every hypernet parameter${mode}`, async () => {
    const fixture = await loadReferenceFixture("gradients-hypernet-64");
    const fixtureConfig = fixture.manifest.config as {
      hidden_dim: number;
      input_dim: number;
      target_shape: { name: string; shape: number[] }[];
    };
    const registry = layerRegistry(
      resolveGeneratorConfig({ resolution: 64, channelBase: 1024, channelMax: 64 }),
    );
    const g = hypernetGraph(
      { hiddenDim: fixtureConfig.hidden_dim, featureChannels: fixtureConfig.input_dim },
      registry,
      { batch: 2, stackRegressors },
    );
    const [fw, fx] = g.inputs;
    const terms = fixtureConfig.target_shape.map((target, layer) => {
      const delta = g.outputs.find((t) => t.name === `dW.${target.name}`)!;
      return weightedSum(g, delta, `R.${layer}`);
    });
    const loss = terms.reduce((a, b) => g.add(a, b));
    const grads = gradients(g, loss, [fw, fx, ...g.parameters]);
    g.output(loss, "L");
    g.output(grads.get(fw)!, "grad.Fw");
    g.output(grads.get(fx)!, "grad.Fx");
    for (const p of g.parameters) g.output(grads.get(p)!, `grad.${p.name}`);

    const recipe = fixture.tensorEntry("inputs", "R").prng!;
    const feeds: Record<string, Float32Array> = {
      Fw: (await fixture.readFloat32("inputs", "Fw")).data,
      Fx: (await fixture.readFloat32("inputs", "Fx")).data,
    };
    fixtureConfig.target_shape.forEach((target, layer) => {
      const size = 2 * target.shape.reduce((a, b) => a * b, 1);
      feeds[`R.${layer}`] = prngFill(recipe.seed, layer, size, recipe.offset, recipe.scale);
    });
    const { outputs } = await (await GraphSession.create(g)).run({
      ...feeds,
      ...parameterFeeds(g, fixture.moduleWeights("H")),
    });
    const expectedLoss = (fixture.manifest.losses as Record<string, number>).L;
    const lossValue = (outputs.L.data as Float32Array)[0];
    assert.ok(Math.abs(lossValue - expectedLoss) < 1e-4 * Math.abs(expectedLoss), `L ${lossValue}`);

    let worst = 0, zeroWorst = 0, full = 0;
    const report: string[] = [];
    for (const name of ["Fw", "Fx"]) {
      const relative = compareRelative(
        outputs[`grad.${name}`].data as Float32Array,
        (await fixture.readFloat32("outputs", `grad.${name}`)).data,
        name,
      );
      report.push(`${name} ${relative.toExponential(1)}`);
    }
    for (const p of g.parameters) {
      const name = `grad.${p.name}`;
      if (!fixture.tensorNames("outputs").includes(name)) continue;
      const actual = outputs[name].data as Float32Array;
      const expected = (await fixture.readFloat32("outputs", name)).data;
      full++;
      if (p.name.endsWith("fusion.0.bias")) {
        zeroWorst = Math.max(zeroWorst, assertClose(actual, expected, ZERO_GRADIENT_ATOL, name));
      } else worst = Math.max(worst, compareRelative(actual, expected, name));
    }
    assert.ok(full >= 14 * 7, `${full} full parameter gradients`);
    const sampled = fixture.manifest["grad.sampled"] as SampledRows;
    const values = await readSampledValues(fixture, sampled);
    for (const row of sampled.rows) {
      const gradient = outputs[`grad.${row.name}`].data as Float32Array;
      const actual = Float32Array.from(
        { length: sampled.n },
        (_, i) => gradient[prngBits(sampled.pos_seed, row.row, i) % row.numel],
      );
      worst = Math.max(
        worst,
        compareRelative(
          actual,
          values.subarray(row.row * sampled.n, (row.row + 1) * sampled.n),
          `${row.name}[pos]`,
        ),
      );
    }
    console.log(
      `relative max |Δ|: ${
        report.join(", ")
      }; parameters (${full} full, ${sampled.rows.length} sampled) worst ` +
        `${worst.toExponential(2)}; fusion.0.bias max |Δ| ${zeroWorst.toExponential(2)} (absolute)`,
    );
  });
}
