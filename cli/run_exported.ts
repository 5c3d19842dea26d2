/**
 * A standalone check of `deno task export`'s files: it imports nothing of this project, only ONNX Runtime, so
 * it shows that the exported folder runs on its own (cli/export_test.ts runs it in a separate process).
 *
 * `deno run -A cli/run_exported.ts EXPORT_DIR INPUT.bin OUT_DIR`
 *
 * INPUT.bin holds the preprocessed image (float32 [1, 3, R, R], little-endian). The script reads
 * `model.export.json`, runs `hyperinverter.onnx` (fused) and the staged chain (encode → synthesis with zero
 * residuals → per pass: e2 → hypernet → synthesis with ΔW), and writes each result as raw float32 into OUT_DIR:
 * `fused.<output>.bin`, `staged.ws.bin`, `staged.phase1.bin`, `staged.final.bin`, `staged.dW.<target>.bin`.
 *
 * @module
 */

// deno-lint-ignore no-import-prefix -- standalone on purpose: the one dependency, pinned as deps.ts pins it.
import * as ort from "npm:onnxruntime-node@1.30.0";

type Tensor = InstanceType<typeof ort.Tensor>;
interface Described {
  name: string;
  shape: number[];
}
interface Description {
  refinementPasses: number;
  files: Record<string, { inputs: Described[]; outputs: Described[] }>;
}

const [dir, inputPath, outDir] = Deno.args;
if (!dir || !inputPath || !outDir) {
  console.error("usage: deno run -A cli/run_exported.ts EXPORT_DIR INPUT.bin OUT_DIR");
  Deno.exit(2);
}
const description = JSON.parse(await Deno.readTextFile(`${dir}/model.export.json`)) as Description;
const bytes = await Deno.readFile(inputPath);
const x = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
await Deno.mkdir(outDir, { recursive: true });

const tensor = (data: Float32Array, shape: number[]) => new ort.Tensor("float32", data, shape);
const save = (name: string, data: Float32Array) =>
  Deno.writeFile(`${outDir}/${name}.bin`, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
const sessions = new Map<string, ort.InferenceSession>();
async function run(file: string, feeds: Record<string, Tensor>): Promise<Record<string, Tensor>> {
  let session = sessions.get(file);
  if (!session) sessions.set(file, session = await ort.InferenceSession.create(`${dir}/${file}`));
  return await session.run(feeds) as Record<string, Tensor>;
}

const xShape = description.files["hyperinverter.onnx"].inputs[0].shape;
const fused = await run("hyperinverter.onnx", { x: tensor(x, xShape) });
for (const [name, value] of Object.entries(fused)) await save(`fused.${name}`, value.data as Float32Array);

const synthesisInputs = description.files["synthesis.onnx"].inputs;
const encoded = await run("encode.onnx", { x: tensor(x, xShape) });
const zeros: Record<string, Tensor> = {};
for (const input of synthesisInputs) {
  if (input.name.startsWith("residual.")) {
    zeros[input.name] = tensor(new Float32Array(input.shape.reduce((a, b) => a * b, 1)), input.shape);
  }
}
const phaseOne = (await run("synthesis.onnx", { ws: encoded.ws, ...zeros })).img;
let image = phaseOne;
const residuals = new Map<string, Float32Array>();
for (let pass = 0; pass < description.refinementPasses; pass++) {
  const fw = (await run("e2.onnx", { image })).F;
  const predicted = await run("hypernet.onnx", { Fw: fw, Fx: encoded.Fx });
  for (const [name, value] of Object.entries(predicted)) {
    const target = name.slice("dW.".length);
    const sum = residuals.get(target);
    if (!sum) residuals.set(target, Float32Array.from(value.data as Float32Array));
    else (value.data as Float32Array).forEach((v, i) => sum[i] += v);
  }
  const feeds: Record<string, Tensor> = { ws: encoded.ws };
  for (const input of synthesisInputs) {
    if (input.name.startsWith("residual.")) {
      feeds[input.name] = tensor(residuals.get(input.name.slice("residual.".length))!, input.shape);
    }
  }
  image = (await run("synthesis.onnx", feeds)).img;
}
await save("staged.ws", encoded.ws.data as Float32Array);
await save("staged.phase1", phaseOne.data as Float32Array);
await save("staged.final", image.data as Float32Array);
for (const [target, data] of residuals) await save(`staged.dW.${target}`, data);
console.log(`ran ${sessions.size} exported files`);
