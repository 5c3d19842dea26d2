import assert from "node:assert/strict";
import { TARGET_SET_NAMES } from "../generator/registry.ts";
import { HYPERNET_DEFAULTS, resolveHypernetConfig } from "./config.ts";
import { FUSION_NAMES } from "./fusion/registry.ts";
import { SHARING_NAMES } from "./sharing/registry.ts";

Deno.test("defaults: D 128, conv_without_bias, concatConv, perLayer, 512 channels of 8×8, width 64", () => {
  assert.deepEqual(resolveHypernetConfig(), {
    hiddenDim: 128,
    targetSet: "conv_without_bias",
    fusion: "concatConv",
    sharing: "perLayer",
    featureChannels: 512,
    featureSize: 8,
    extractorWidth: 64,
  });
  assert.deepEqual(resolveHypernetConfig({ hiddenDim: undefined }), HYPERNET_DEFAULTS);
  assert.ok(Object.isFrozen(resolveHypernetConfig({ sharing: "sharedCode" })));
});

Deno.test("unknown names give RangeErrors that list the valid ones", () => {
  const cases: [Record<string, unknown>, readonly string[]][] = [
    [{ fusion: "concat" }, FUSION_NAMES],
    [{ sharing: "layerWise" }, SHARING_NAMES],
    [{ targetSet: "all" }, TARGET_SET_NAMES],
  ];
  for (const [overrides, valid] of cases) {
    assert.throws(
      () => resolveHypernetConfig(overrides),
      (e: unknown) =>
        e instanceof RangeError && e.message.includes(JSON.stringify(Object.values(overrides)[0])) &&
        valid.every((n) => e.message.includes(n)),
    );
  }
});

Deno.test("sizes must be positive integers; featureSize a power of two ≥ 2", () => {
  for (const hiddenDim of [0, -1, 1.5, NaN]) {
    assert.throws(
      () => resolveHypernetConfig({ hiddenDim }),
      RangeError,
      `hiddenDim must be a positive integer`,
    );
  }
  assert.throws(() => resolveHypernetConfig({ extractorWidth: 0 }), RangeError, "extractorWidth");
  assert.throws(() => resolveHypernetConfig({ featureChannels: -512 }), RangeError, "featureChannels");
  assert.throws(() => resolveHypernetConfig({ featureSize: 6 }), RangeError, "featureSize");
  assert.throws(() => resolveHypernetConfig({ featureSize: 1 }), RangeError, "featureSize");
});

Deno.test("wrong types and unknown fields (e.g. the official snake_case) are TypeErrors", () => {
  assert.throws(
    () => resolveHypernetConfig({ hiddenDim: "128" } as Record<string, unknown>),
    TypeError,
    "hiddenDim",
  );
  assert.throws(() => resolveHypernetConfig({ fusion: 3 } as Record<string, unknown>), TypeError, "fusion");
  assert.throws(
    () => resolveHypernetConfig({ hidden_dim: 128 }),
    (e: unknown) =>
      e instanceof TypeError && e.message.includes("hidden_dim") && e.message.includes("hiddenDim"),
  );
});
