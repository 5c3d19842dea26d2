import assert from "node:assert/strict";
import { PluginError } from "../../io/plugin_loader.ts";
import { BUILTIN_DATA_SOURCES, parseDataSpec, resolveDataSource } from "./source.ts";

const PLUGIN = `
export const stripes = {
  name: "stripes",
  async open({ resolution, channels }) {
    const split = (count) => ({
      count,
      batch: (indices) => new Float32Array(indices.length * channels * resolution * resolution).fill(0.5),
    });
    return { train: split(4), validation: split(2), test: split(2) };
  },
};
export const wrongSize = { open: async () => ({ train: { count: 1, batch: () => new Float32Array(3) },
  validation: { count: 0, batch: () => new Float32Array() }, test: { count: 0, batch: () => new Float32Array() } }) };
export const notASource = { name: "nothing to open" };
`;

async function withPlugin(body: (folder: string) => Promise<void>) {
  const folder = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${folder}/plugins`);
    await Deno.writeTextFile(`${folder}/plugins/stripes.js`, PLUGIN);
    await body(folder);
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
}

Deno.test("a plug-in named relative to the config file, by absolute path or file: URL opens and is checked", async () => {
  await withPlugin(async (folder) => {
    for (
      const spec of [
        "./plugins/stripes.js#stripes",
        `${folder}/plugins/stripes.js#stripes`,
        `file://${folder}/plugins/stripes.js#stripes`,
      ]
    ) {
      const source = await resolveDataSource(spec, { base: `${folder}/config.json` });
      assert.equal(source.name, `file://${folder}/plugins/stripes.js#stripes`);
      assert.match(source.sha256!, /^[0-9a-f]{64}$/);
      const { train, test } = await source.open({ resolution: 4, channels: 3 });
      assert.equal(train.count, 4);
      assert.equal(test.batch(Int32Array.of(0, 1)).length, 2 * 3 * 4 * 4);
    }
  });
});

Deno.test("a missing module is refused naming the specifier", async () => {
  await withPlugin(async (folder) => {
    await assert.rejects(
      resolveDataSource("./plugins/nope.js#stripes", { base: `${folder}/` }),
      (error: Error) =>
        error instanceof PluginError && error.kind === "missing-module" &&
        error.message.includes(`file://${folder}/plugins/nope.js#stripes`),
    );
  });
});

Deno.test("a missing export is refused naming the specifier and the exports there are", async () => {
  await withPlugin(async (folder) => {
    await assert.rejects(
      resolveDataSource("./plugins/stripes.js#strips", { base: `${folder}/` }),
      (error: Error) =>
        error instanceof PluginError &&
        error.message.includes(`file://${folder}/plugins/stripes.js#strips`) &&
        error.message.includes('no export "strips"') && error.message.includes("stripes, wrongSize"),
    );
  });
});

Deno.test("an export that is not a data source is refused naming the specifier and the contract", async () => {
  await withPlugin(async (folder) => {
    await assert.rejects(
      resolveDataSource("./plugins/stripes.js#notASource", { base: `${folder}/` }),
      (error: Error) =>
        error instanceof PluginError && error.kind === "contract" &&
        error.message.includes(`file://${folder}/plugins/stripes.js#notASource`) &&
        error.message.includes("is not a data source") &&
        error.message.includes("open({ resolution, channels })"),
    );
  });
});

Deno.test("a plug-in source whose sha256 differs from the recorded one is refused before it is imported", async () => {
  await withPlugin(async (folder) => {
    const { sha256 } = await resolveDataSource("./plugins/stripes.js#stripes", { base: `${folder}/` });
    await Deno.writeTextFile(`${folder}/plugins/stripes.js`, PLUGIN + "\n// changed\n");
    await assert.rejects(
      resolveDataSource("./plugins/stripes.js#stripes", { base: `${folder}/`, expectedSha256: sha256 }),
      (error: Error) =>
        error instanceof PluginError && error.kind === "hash-mismatch" && error.message.includes(sha256!),
    );
  });
});

Deno.test("a source whose batches have the wrong shape is refused when opened, naming it and the shape", async () => {
  await withPlugin(async (folder) => {
    const source = await resolveDataSource("./plugins/stripes.js#wrongSize", { base: `${folder}/` });
    await assert.rejects(
      source.open({ resolution: 8, channels: 3 }),
      (error: Error) =>
        error instanceof TypeError && error.message.includes("stripes.js#wrongSize") &&
        error.message.includes('split "train" gives a batch of 3 values') &&
        error.message.includes("[1, 3, 8, 8]"),
    );
  });
});

Deno.test("built-in names load through the same path; other strings are folders relative to the naming file", async () => {
  assert.ok(BUILTIN_DATA_SOURCES["fashion-mnist"].endsWith("fashion_mnist_source.ts#fashionMnistSource"));
  assert.equal((await resolveDataSource(null)).name, "fashion-mnist");
  assert.equal((await resolveDataSource("fashion-mnist")).name, "fashion-mnist");
  assert.equal(
    (await resolveDataSource("photos", { base: "/data/suites/suite.json" })).name,
    "/data/suites/photos",
  );
  assert.equal((await resolveDataSource({ folder: "/abs/photos/" }, { base: "/x/" })).name, "/abs/photos");
  assert.equal((await resolveDataSource("photos")).name, `${Deno.cwd()}/photos`);
});

Deno.test("malformed data specs are refused naming the value and the valid forms", () => {
  assert.throws(
    () => parseDataSpec(3),
    (e: Error) => e instanceof TypeError && /Data source 3 must be/.test(e.message),
  );
  assert.throws(
    () => parseDataSpec({ folder: "x", testFraktion: 0.1 }),
    (e: Error) =>
      e instanceof TypeError && e.message.includes("testFraktion") && e.message.includes("testFraction"),
  );
  assert.throws(() => parseDataSpec({ folder: "x", testFraction: 1.5 }), RangeError);
  assert.throws(() => parseDataSpec({ folder: "x", testFraction: 0.5, validationFraction: 0.5 }), RangeError);
  assert.throws(() => parseDataSpec({}), TypeError);
  assert.throws(() => parseDataSpec(""), TypeError);
});
