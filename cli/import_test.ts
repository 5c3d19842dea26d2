import assert from "node:assert/strict";
import { main } from "./import.ts";

async function run(args: string[]): Promise<{ status: number; errors: string }> {
  const errors: string[] = [];
  const { error, log } = console;
  console.error = (message: string) => errors.push(message);
  console.log = () => {};
  try {
    return { status: await main(args), errors: errors.join("\n") };
  } finally {
    console.error = error;
    console.log = log;
  }
}

Deno.test("import refuses an existing output before reading the input, and names --force", async () => {
  const dir = await Deno.makeTempDir({ prefix: "import-" });
  try {
    await Deno.writeTextFile(`${dir}/in.pt`, "not read: the output is checked first");
    await Deno.writeTextFile(`${dir}/out.safetensors`, "mine");
    const { status, errors } = await run(["interfacegan", `${dir}/in.pt`, "--out", `${dir}/out.safetensors`]);
    assert.equal(status, 2);
    assert.match(errors, /The output ".*out\.safetensors" exists; pass --force to overwrite it/);
    assert.doesNotMatch(errors, /pass overwrite/);
    assert.equal(await Deno.readTextFile(`${dir}/out.safetensors`), "mine");
    // A generator folder's files too.
    await Deno.mkdir(`${dir}/g`);
    await Deno.writeTextFile(`${dir}/g/generator.json`, "mine");
    const generator = await run(["generator", `${dir}/in.pt`, "--out", `${dir}/g`]);
    assert.equal(generator.status, 2);
    assert.match(generator.errors, /generator\.json" exists; pass --force/);
    // A file's missing folder is made, as the zoo's commands expect (`--out directions/age.safetensors`); the
    // junk input then fails to parse, and nothing is written.
    const made = await run(["interfacegan", `${dir}/in.pt`, "--out", `${dir}/directions/age.safetensors`]);
    assert.equal(made.status, 2);
    assert.ok((await Deno.stat(`${dir}/directions`)).isDirectory);
    assert.deepEqual([...Deno.readDirSync(`${dir}/directions`)], []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("import checks its command line, inputs and outputs first: each error exits 2 and names the value", async () => {
  const dir = await Deno.makeTempDir({ prefix: "import-" });
  try {
    const input = `${dir}/in.pt`;
    await Deno.writeTextFile(input, "junk");
    await Deno.writeTextFile(`${dir}/file`, "mine");
    const cases: [string[], RegExp][] = [
      [
        ["interfacegan", input, "--out", `${dir}/o`, "--froce"],
        /Unknown option --froce \(did you mean --force\?\)/,
      ],
      [
        ["checkpoint", input, "--out", `${dir}/o`],
        /Unknown kind "checkpoint"; kinds: hyperinverter, generator/,
      ],
      [["interfacegan", input], /--out is required/],
      [["interfacegan", "--out", `${dir}/o`], /import interfacegan needs the file to convert/],
      [
        ["interfacegan", input, "--out", `${dir}/o`, "--network", "alex"],
        /--network applies only to import lpips or torchvision/,
      ],
      [
        ["lpips", input, "--out", `${dir}/o`, "--network", "vgg16"],
        /--network must be one of alex, vgg, squeeze/,
      ],
      [["torchvision", input, "--out", `${dir}/o`], /--network must be alexnet or resnet34/],
      [
        ["hyperinverter", input, "--out", `${dir}/o`],
        /--generator <ADA \.pkl or rosinality \.pt> is required/,
      ],
      [
        ["interfacegan", `${dir}/missing.pt`, "--out", `${dir}/o`],
        /The input ".*missing\.pt" does not exist/,
      ],
      // A device is never read (it would be read forever).
      [["interfacegan", "/dev/zero", "--out", `${dir}/o`], /The input "\/dev\/zero" is not a regular file/],
      [["generator", input, "--out", `${dir}/file/g`], /Cannot create the output folder ".*file\/g"/],
      [
        ["interfacegan", input, "--out", `${dir}/file/o.safetensors`],
        /The output folder ".*file" is not a folder/,
      ],
    ];
    for (const [args, message] of cases) {
      const { status, errors } = await run(args);
      assert.equal(status, 2, args.join(" "));
      assert.match(errors, message, args.join(" "));
      assert.doesNotMatch(errors, /^\s+at /m, "no stack trace");
    }
    const help: string[] = [];
    const { log } = console;
    console.log = (text: string) => help.push(text);
    try {
      assert.equal(await main(["--help"]), 0);
    } finally {
      console.log = log;
    }
    assert.match(help.join("\n"), /usage: deno task import <kind> <file> --out <path>/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
