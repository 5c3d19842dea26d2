import assert from "node:assert/strict";
import { resolveVariant } from "./variant.ts";
import { TINY_ARCHITECTURE } from "../tests/_tiny_model.ts";

const SUITE = {
  name: "s",
  description: "",
  base: "models/tiny",
  training: { steps: 10, batch: 4, learningRate: 1e-4 },
  variants: [],
};

Deno.test("a variant overrides the base architecture and the suite's training, leaving both unchanged", () => {
  const v = resolveVariant(SUITE, {
    name: "gated2",
    label: "gated, 2 passes, lr 2e-4",
    changes: { hypernet: { fusion: "gated" }, refinementPasses: 2, training: { learningRate: 2e-4 } },
  }, TINY_ARCHITECTURE);
  assert.equal(v.architecture.hypernet.fusion, "gated");
  assert.equal(v.architecture.hypernet.hiddenDim, 8); // kept from the base
  assert.equal(v.architecture.refinementPasses, 2);
  assert.equal(v.training.learningRate, 2e-4);
  assert.equal(v.training.batch, 4);
  assert.equal(v.training.architecture, v.architecture);
  assert.equal(v.mode, "train");
  assert.equal(TINY_ARCHITECTURE.hypernet.fusion, undefined);
  assert.equal(SUITE.training.learningRate, 1e-4);
});

Deno.test("a variant with a bad change is rejected with its name", () => {
  assert.throws(
    () =>
      resolveVariant(
        SUITE,
        { name: "x", label: "", changes: { hypernet: { fusion: "concat" } } },
        TINY_ARCHITECTURE,
      ),
    (e: Error) => e instanceof RangeError && /Variant "x"/.test(e.message) && /fusion/.test(e.message),
  );
  assert.throws(
    () =>
      resolveVariant(SUITE, { name: "y", label: "", changes: { lossez: {} } as never }, TINY_ARCHITECTURE),
    (e: Error) => e instanceof TypeError && /unknown change "lossez"/.test(e.message),
  );
});
