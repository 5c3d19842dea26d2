import assert from "node:assert/strict";
import { resolveGeneratorConfig } from "./config.ts";
import { synthesisGraph } from "./generator_graphs.ts";
import { generatorParameters } from "./parameters.ts";
import { prngFill } from "../io/prng.ts";
import { GraphSession } from "../runtime/session.ts";
import { parameterFeeds } from "../runtime/weights.ts";
import { assertClose } from "../tests/_assert_close.ts";

const config = resolveGeneratorConfig({ resolution: 16, channelBase: 128, channelMax: 16, mappingLayers: 1 });

function weights(): Map<string, Float32Array> {
  const map = new Map<string, Float32Array>();
  generatorParameters(config).forEach((p, k) => {
    const size = p.shape.reduce((a, b) => a * b, 1);
    map.set(p.name, prngFill(99, k, size, p.name.endsWith("affine.bias") ? 1 : 0, Math.sqrt(3)));
  });
  return map;
}

Deno.test("per-sample residuals (conv and affine weights) in one batched run equal separate runs with θ + ΔW", async () => {
  const base = weights();
  const targets = [
    "b8.conv0.weight",
    "b16.conv1.affine.weight",
    "b16.torgb.weight",
    "b4.torgb.affine.weight",
  ];
  const batched = synthesisGraph(config, { batch: 2, residuals: targets });
  const ws = prngFill(5, 0, 2 * 6 * 512, 0, 1);
  const residualFeeds: Record<string, Float32Array> = {};
  batched.inputs.slice(1).forEach((t, k) => (residualFeeds[t.name] = prngFill(6, k, t.size, 0, 0.2)));
  const together = await (await GraphSession.create(batched)).run({
    ws,
    ...residualFeeds,
    ...parameterFeeds(batched, base),
  });
  const single = synthesisGraph(config, { batch: 1 });
  const session = await GraphSession.create(single);
  const perImage = 3 * 16 * 16;
  for (let b = 0; b < 2; b++) {
    const shifted = new Map(base);
    for (const name of targets) {
      const residual = residualFeeds[`residual.${name}`];
      const size = residual.length / 2;
      const weight = base.get(`synthesis.${name}`)!;
      shifted.set(`synthesis.${name}`, weight.map((v, i) => v + residual[b * size + i]));
    }
    const alone = await session.run({
      ws: ws.subarray(b * 6 * 512, (b + 1) * 6 * 512),
      ...parameterFeeds(single, shifted),
    });
    const img = (together.outputs.img.data as Float32Array).subarray(b * perImage, (b + 1) * perImage);
    assertClose(img, alone.outputs.img.data as Float32Array, 1e-5, `sample ${b}`);
  }
});

Deno.test("a residual of the wrong shape or for an unknown tensor is rejected at build time", () => {
  assert.throws(
    () => synthesisGraph(config, { residuals: ["b8.conv9.weight"] }),
    /Unknown residual target "b8\.conv9\.weight"/,
  );
  assert.throws(
    () => synthesisGraph(config, { residuals: "everything" as never }),
    /Unknown target set name "everything"/,
  );
});
