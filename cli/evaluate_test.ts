import assert from "node:assert/strict";
import { main } from "./evaluate.ts";
import { writeTinyModel } from "../tests/_tiny_model.ts";
import { WAVES_DATA_PLUGIN } from "../tests/_waves_data_plugin.ts";
import { AttributeModel } from "../editing/attribute_model.ts";
import { attributeClassifierGraph, initialClassifierWeights } from "../editing/attribute_classifier.ts";

async function capture(args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  const out: string[] = [], err: string[] = [];
  const { log, error, warn } = console;
  console.log = (...parts: unknown[]) => out.push(parts.join(" "));
  console.error = console.warn = (...parts: unknown[]) => err.push(parts.join(" "));
  try {
    const status = await main(args);
    return { status, stdout: out.join("\n"), stderr: err.join("\n") };
  } finally {
    Object.assign(console, { log, error, warn });
  }
}

/** A tiny model, and a data plug-in whose test split has 2 images. */
async function fixture(): Promise<{ folder: string; model: string; data: string }> {
  const folder = await Deno.makeTempDir({ prefix: "evaluate-" });
  const model = await writeTinyModel(`${folder}/model`);
  await Deno.writeTextFile(`${folder}/waves.js`, WAVES_DATA_PLUGIN);
  return { folder, model, data: `${folder}/waves.js#waves` };
}

function assertPhase(phase: Record<string, unknown>, name: string): void {
  for (const key of ["l2", "psnr", "msSsim", "msPerImage"]) {
    assert.ok(Number.isFinite(phase[key]), `${name}.${key} is ${phase[key]}`);
  }
}

Deno.test("evaluate writes phase I and phase II metrics as JSON and refuses to overwrite them", async () => {
  const { folder, model, data } = await fixture();
  try {
    const out = `${folder}/evaluation.json`;
    const args = ["--model", model, "--data", data, "--images", "2", "--batch", "1", "--json", "--out", out];
    const first = await capture(args);
    assert.equal(first.status, 0, first.stderr);
    const report = JSON.parse(await Deno.readTextFile(out));
    assert.deepEqual(JSON.parse(first.stdout), report);
    assert.equal(report.model, model);
    assert.equal(report.images, 2);
    assert.equal(report.classifier, null, "the tiny model has no attributes/conv.safetensors");
    assert.match(report.msSsimLabel, /MS-SSIM/);
    assert.ok(!Number.isNaN(Date.parse(report.measuredAt)));
    assertPhase(report.phaseOne, "phaseOne");
    assertPhase(report.phaseTwo, "phaseTwo");
    assert.equal(report.phaseOne.featureIdentity, null);
    assert.equal(report.phaseOne.deltaW, undefined, "phase I has no ΔW");
    assert.ok(report.phaseTwo.deltaW.length > 0);
    for (const row of report.phaseTwo.deltaW) assert.ok(Number.isFinite(row.meanAbs), row.layer);

    await Deno.writeTextFile(out, "mine");
    const again = await capture(args);
    assert.equal(again.status, 2);
    assert.match(again.stderr, new RegExp(`evaluation\\.json" exists; pass --force`));
    assert.equal(await Deno.readTextFile(out), "mine", "the file is left as it was");

    const forced = await capture([...args, "--force"]);
    assert.equal(forced.status, 0, forced.stderr);
    assert.equal(JSON.parse(await Deno.readTextFile(out)).images, 2);
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
});

Deno.test("evaluate prints a table of both phases, with the feature identity of a --classifier", async () => {
  const { folder, model, data } = await fixture();
  try {
    const input = { channels: 3, size: 64, classes: 10 };
    const weights = initialClassifierWeights(attributeClassifierGraph("mlp", 1, { input }), 3);
    const classifier = `${folder}/mlp.safetensors`;
    await new AttributeModel("mlp", weights, input).save(classifier);
    const { status, stdout, stderr } = await capture(
      ["--model", model, "--data", data, "--images", "2", "--classifier", classifier],
    );
    assert.equal(status, 0, stderr);
    const lines = stdout.split("\n");
    const header = lines.find((line) => line.startsWith("|  "))!;
    for (const title of ["L2 ([0,1])", "PSNR (dB)", "MS-SSIM", "feature identity", "ms/image"]) {
      assert.ok(header.includes(title), `${title} in ${header}`);
    }
    for (const phase of ["phase I ", "phase II"]) {
      const row = lines.find((line) => line.startsWith(`| ${phase}`));
      assert.ok(row, `a row for ${phase} in\n${stdout}`);
      const cells = row.split("|").slice(2, -1).map((cell) => Number(cell.trim()));
      assert.equal(cells.length, 5);
      assert.ok(cells.every(Number.isFinite), row);
      assert.ok(Math.abs(cells[3]) <= 1 + 1e-6, `feature identity is a cosine: ${row}`);
    }

    const wrongSize = `${folder}/mlp32.safetensors`;
    const input32 = { ...input, size: 32 };
    await new AttributeModel(
      "mlp",
      initialClassifierWeights(attributeClassifierGraph("mlp", 1, { input: input32 }), 3),
      input32,
    )
      .save(wrongSize);
    const refused = await capture([
      "--model",
      model,
      "--data",
      data,
      "--images",
      "2",
      "--classifier",
      wrongSize,
    ]);
    assert.equal(refused.status, 2);
    assert.match(refused.stderr, /takes 3×32×32 images, the model makes 3×64×64/);
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
});

Deno.test("evaluate refuses bad flags, a missing input, an unwritable output and too few test images", async () => {
  const { folder, model, data } = await fixture();
  try {
    const cases: [string[], RegExp][] = [
      [["--images", "0"], /--images must be at least 1, got 0/],
      [["--batch", "0"], /--batch must be at least 1, got 0/],
      [["--image", "5"], /Unknown option --image \(did you mean --images\?\)/],
      [["--images", "5", "--batch", "2"], /--images 5 is not a multiple of --batch 2/],
      [["--model", `${folder}/none.json`], /model ".*none\.json" does not exist/],
      [
        ["--model", model, "--classifier", `${folder}/none.safetensors`],
        /classifier ".*none\.safetensors" does not exist/,
      ],
      [
        ["--model", model, "--out", `${folder}/no/such/evaluation.json`],
        /folder of the output ".*no\/such" does not exist/,
      ],
      [
        ["--model", model, "--data", data, "--images", "4", "--batch", "2"],
        /--images 4 is more than the 2 held-out images of file:.*waves\.js#waves/,
      ],
      [["--device", "tpu"], /--device must be one of/],
    ];
    for (const [args, message] of cases) {
      const { status, stderr } = await capture(args);
      assert.equal(status, 2, args.join(" "));
      assert.match(stderr, message, args.join(" "));
      assert.match(stderr, /^evaluate: /);
    }
    const help = await capture(["--help"]);
    assert.equal(help.status, 0);
    assert.match(help.stdout, /^usage: deno task evaluate/);
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
});
