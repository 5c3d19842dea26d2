/**
 * `deno run -A bench/host_device_bytes.ts [--device D] [--model PATH] [--batch N]`: the bytes that cross the
 * host↔device boundary (runtime/transfer_counter.ts) for one model load, one inversion of a batch, and one step
 * of a tiny training graph. Prints one JSON row per measurement. The counts do not depend on the provider (the
 * same tensors cross the boundary); `--device webgpu` checks it on a GPU or software GPU.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { GraphBuilder } from "../graph/builder.ts";
import { prngFill } from "../io/prng.ts";
import { loadHyperInverter } from "../model/load.ts";
import { hostDeviceBytes, resetHostDeviceBytes } from "../runtime/transfer_counter.ts";
import { Adam } from "../train/optimizers.ts";
import { addTrainingOutputs, Trainer } from "../train/training_step.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    device: { type: "string", default: "cpu" },
    model: {
      type: "string",
      default: new URL("../data/models/default/model.json", import.meta.url).pathname,
    },
    batch: { type: "string", default: "2" },
  },
  strict: true,
});
const device = values.device;
const batch = Number(values.batch);
const mib = (bytes: number) => Math.round(bytes / 2 ** 20 * 100) / 100;

const model = await loadHyperInverter(values.model, { device });
const size = model.resolution;
const images = prngFill(11, 0, batch * 3 * size * size, 0, 0.5);
resetHostDeviceBytes();
let result = await model.invert(images, batch); // first call: sessions are created, weights uploaded
const first = hostDeviceBytes();
resetHostDeviceBytes();
result = await model.invert(images, batch);
const again = hostDeviceBytes();
console.log(JSON.stringify({
  name: `inversion-${size}-batch${batch}`,
  model: values.model,
  provider: result.provider,
  weights_uploaded_mib: mib(first.initializers),
  per_inversion_uploaded_mib: mib(again.uploaded),
  of_which_weights_mib: mib(again.uploadedWeights),
  per_inversion_downloaded_mib: mib(again.downloaded),
  per_image_total_mib: mib((again.uploaded + again.downloaded) / batch),
  runs_per_inversion: again.runs,
}));

const g = new GraphBuilder("tiny_step");
const x = g.input("x", [4, 3, 16, 16]); // [B, 3, 16, 16]
const h = g.leakyRelu(g.conv(x, g.parameter("w1", [32, 3, 3, 3]), { pads: 1 }), 0.2); // [B, 32, 16, 16]
const y = g.conv(h, g.parameter("w2", [3, 32, 3, 3]), { pads: 1 }); // [B, 3, 16, 16]
const d = g.sub(y, x);
addTrainingOutputs(g, g.reduceMean(g.mul(d, d), [0, 1, 2, 3], false));
const parameters = new Map([
  ["w1", { data: prngFill(12, 1, 32 * 27, 0, 0.1), shape: [32, 3, 3, 3] }],
  ["w2", { data: prngFill(12, 2, 3 * 32 * 9, 0, 0.1), shape: [3, 32, 3, 3] }],
]);
const trainer = new Trainer(g, parameters, new Adam({ lr: 1e-3 }), { device });
const data = { x: prngFill(12, 3, 4 * 3 * 256, 0, 1) };
await trainer.step(data);
resetHostDeviceBytes();
const step = await trainer.step(data);
const counted = hostDeviceBytes();
const parameterBytes = [...parameters.values()].reduce((sum, p) => sum + p.data.byteLength, 0);
console.log(JSON.stringify({
  name: "training-step-tiny",
  provider: step.provider,
  parameter_bytes: parameterBytes,
  per_step_uploaded_bytes: counted.uploaded,
  of_which_parameters_bytes: counted.uploadedWeights,
  per_step_downloaded_bytes: counted.downloaded,
}));
