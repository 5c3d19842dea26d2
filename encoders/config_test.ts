import assert from "node:assert/strict";
import {
  CHURCH_ENCODER,
  ENCODER_PRESETS,
  encoderLayout,
  FFHQ_ENCODER,
  IR_SE50_STAGES,
  RESNET34_STAGES,
  resolveEncoderConfig,
  TINY_ENCODER,
} from "./config.ts";

Deno.test("the paper presets tap body[6], body[20], body[23] (IR-SE50) and body[6], body[12], body[15] (ResNet-34)", () => {
  const ffhq = encoderLayout(FFHQ_ENCODER);
  assert.equal(ffhq.units.length, 24);
  assert.deepEqual(ffhq.taps.map((t) => [t.unit, t.channels, t.size]), [[6, 128, 64], [20, 256, 32], [
    23,
    512,
    16,
  ]]);
  assert.equal(ffhq.stemSize, 256);
  // helpers.py: stride 2 in the first unit of each block, so body.0 (64 → 64) is a strided MaxPool2d(1, 2) shortcut.
  assert.deepEqual(ffhq.units.filter((u) => u.stride === 2).map((u) => u.index), [0, 3, 7, 21]);
  const church = encoderLayout(CHURCH_ENCODER);
  assert.equal(church.units.length, 16);
  assert.equal(church.stemSize, 128); // conv1 7×7 s2, no max-pool
  assert.deepEqual(church.taps.map((t) => [t.unit, t.channels, t.size]), [[6, 128, 64], [12, 256, 32], [
    15,
    512,
    16,
  ]]);
  assert.deepEqual(church.units.filter((u) => u.stride === 2).map((u) => u.index), [3, 7, 13]);
});

Deno.test("styles j < 3 read c3 with one conv, 3 ≤ j < 7 read p2 with two, j ≥ 7 read p1 with three (fpn_encoders.py)", () => {
  for (const config of [FFHQ_ENCODER, CHURCH_ENCODER]) {
    const styles = encoderLayout(config).styles;
    assert.equal(styles.length, config.nStyles);
    styles.forEach((s, j) => {
      const level = j < 3 ? 0 : j < 7 ? 1 : 2;
      assert.deepEqual(s, { level, convs: level + 1 }, `style ${j}`);
    });
  }
  assert.equal(FFHQ_ENCODER.nStyles, 18);
  assert.equal(CHURCH_ENCODER.nStyles, 14);
  assert.equal(FFHQ_ENCODER.featureChannels, 512);
  assert.equal(FFHQ_ENCODER.featureSize, 8);
});

Deno.test("the tiny preset keeps the three-level FPN at 64² input: taps 32², 16², 8², maps of 4×4", () => {
  const layout = encoderLayout(TINY_ENCODER);
  assert.deepEqual(layout.taps.map((t) => t.size), [32, 16, 8]);
  assert.deepEqual(layout.styles.map((s) => s.convs), [1, 1, 1, 2, 2, 2, 2, 3, 3, 3]);
  assert.equal(TINY_ENCODER.featureChannels, 64);
});

Deno.test("a backbone without stages gets its own family's stages; explicit fields override a preset", () => {
  assert.deepEqual(resolveEncoderConfig({ backbone: "resnet" }).stages, RESNET34_STAGES);
  assert.deepEqual(resolveEncoderConfig({}).stages, IR_SE50_STAGES);
  assert.deepEqual(resolveEncoderConfig({ preset: "church256", backbone: "ir_se" }).stages, IR_SE50_STAGES);
  const tiny = resolveEncoderConfig({ preset: "tiny64", nStyles: 4 });
  assert.equal(tiny.nStyles, 4);
  assert.equal(tiny.inputSize, 64);
  assert.ok(Object.isFrozen(tiny));
  assert.deepEqual(Object.keys(ENCODER_PRESETS), ["ffhq1024", "church256", "tiny64"]);
  // A JSON round trip (the model manifest) resolves to the same configuration.
  assert.deepEqual(resolveEncoderConfig(JSON.parse(JSON.stringify(CHURCH_ENCODER))), CHURCH_ENCODER);
});

Deno.test("invalid configurations are rejected, naming the field and value", () => {
  assert.throws(
    () => resolveEncoderConfig({ depth: 50 } as never),
    { name: "TypeError", message: /Unknown EncoderConfig field "depth"/ },
  );
  assert.throws(() => resolveEncoderConfig({ preset: "ffhq" as never }), /Unknown encoder preset "ffhq"/);
  assert.throws(() => resolveEncoderConfig({ backbone: "vit" as never }), RangeError);
  assert.throws(() => resolveEncoderConfig({ inputSize: 0 }), /inputSize must be a positive integer, got 0/);
  assert.throws(() => resolveEncoderConfig({ inputSize: "256" as never }), TypeError);
  assert.throws(
    () => resolveEncoderConfig({ stages: IR_SE50_STAGES.slice(0, 2) }),
    /needs at least 3 stages.*got 2/,
  );
  assert.throws(
    () =>
      resolveEncoderConfig({
        stages: [...IR_SE50_STAGES.slice(0, 3), { channels: 512, units: 3, stride: 3 }],
      }),
    /stages\[3\]\.stride must be 1 or 2, got 3/,
  );
  assert.throws(
    () => resolveEncoderConfig({ featureChannels: 256 }),
    /featureChannels \(256\) must equal the last stage's channels \(512\)/,
  );
  assert.throws(
    () => resolveEncoderConfig({ featureSize: 16 }),
    /Style 0 reads c3 of side 16.*featureSize 16/,
  );
  assert.throws(() => resolveEncoderConfig({ inputSize: 192 }), RangeError); // taps 48/24/12 are not 8·2ⁿ
  assert.throws(
    () => resolveEncoderConfig({ coarseIndex: 8, middleIndex: 7 }),
    /0 ≤ coarseIndex ≤ middleIndex/,
  );
});
