/**
 * The site's routes as specs, through `site.fetch` (no socket) on a temporary experiments folder.
 */
import assert from "node:assert/strict";
import {
  maxDifference,
  pngPixels as pixels,
  REPOSITORY_ROOT,
  siteTest as test,
  writeFixtureExperiments,
} from "./_fixture.ts";
import { createSite, serveSite, type Site, type SiteOptions } from "./server.ts";
import { manifest } from "./manifest.ts";

const root = await Deno.makeTempDir({ prefix: "site-routes-" });
const fixture = writeFixtureExperiments(root);
globalThis.addEventListener("unload", () => Deno.removeSync(root, { recursive: true }));

const ORIGIN = "http://127.0.0.1:8000";
const SAMPLE = `${REPOSITORY_ROOT}/data/models/default/samples/test-0013-dress.png`;

async function withSite(options: SiteOptions, body: (site: Site) => Promise<void>) {
  await fixture;
  const site = await createSite({ experimentsRoot: root, repositoryRoot: REPOSITORY_ROOT, ...options });
  try {
    await body(site);
  } finally {
    site.state.queue.resume();
    site.close();
  }
}

const get = (site: Site, path: string, init?: RequestInit) =>
  site.fetch(new Request(`${ORIGIN}${path}`, init));

function uploadForm(bytes: Uint8Array, variants = ["full"], suite = "demo"): FormData {
  const form = new FormData();
  form.set("image", new File([bytes as Uint8Array<ArrayBuffer>], "x.png", { type: "image/png" }));
  form.set("suite", suite);
  for (const v of variants) form.append("variant", v);
  return form;
}

const post = (site: Site, form: FormData, headers: HeadersInit = {}) =>
  get(site, "/api/jobs", { method: "POST", body: form, headers });

test("GET /api/suites and /api/suites/:suite list the suite, its variants and their status", async () => {
  await withSite({}, async (site) => {
    assert.deepEqual(await (await get(site, "/api/suites")).json(), [
      { name: "demo", description: "Fixture suite for the site's tests", variants: 3 },
    ]);
    const { variants } = await (await get(site, "/api/suites/demo")).json();
    assert.deepEqual(
      variants.map((
        v: { variant: string; status: string; hasModel: boolean },
      ) => [v.variant, v.status, v.hasModel]),
      [
        ["full", "done", true],
        ["phase_one", "done", true], // the suite's base model renders phase I
        ["pending", "pending", false],
      ],
    );
    assert.ok(
      variants.every((v: Record<string, unknown>) => !("modelPath" in v)),
      "no server paths leave the server",
    );
  });
});

test("GET /suites/:suite renders every variant with our numbers beside the paper's and the table's island", async () => {
  await withSite({}, async (site) => {
    const response = await get(site, "/suites/demo");
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-security-policy") ?? "", /script-src 'self'/);
    const html = await response.text();
    for (const label of ["Full", "Phase I only", "Not trained yet"]) assert.ok(html.includes(label), label);
    assert.ok(html.includes("21.44") && html.includes("18.65"), "the paper's PSNR column");
    const metrics = JSON.parse(await Deno.readTextFile(`${root}/results/demo/full/metrics.json`));
    assert.ok(html.includes(metrics.psnr.toFixed(2)), "our PSNR");
    assert.ok(html.includes('data-island="SuiteTable"') && html.includes('src="/islands/SuiteTable.js"'));
  });
});

test("GET /islands/<Name>.js serves every island as a browser bundle with no npm imports left", async () => {
  await withSite({}, async (site) => {
    for (const name of manifest.islands) {
      const response = await get(site, `/islands/${name}.js`);
      assert.equal(response.status, 200, name);
      assert.match(response.headers.get("content-type")!, /javascript/);
      const js = await response.text();
      assert.ok(js.includes("data-island"), `${name} hydrates its markers`);
      assert.doesNotMatch(
        js,
        /from\s*["']npm:|import\(\s*["']npm:|require\(/,
        `${name} imports nothing from npm`,
      );
    }
    assert.equal((await get(site, "/islands/..%2Fserver.js")).status, 404);
  });
});

test("route parameters cannot leave the experiments folder", async () => {
  await withSite({}, async (site) => {
    const attempts = [
      "/api/suites/..%2F..%2Fetc/full/samples/00_final.png",
      "/api/suites/demo/..%2F..%2F..%2Fsuites/samples/demo.json",
      "/api/suites/demo/full/samples/..%2F..%2Fmetrics.json",
      "/api/suites/demo/full/samples/%2E%2E%2Fmetrics.json",
      "/api/suites/demo/full/samples/00_final.png%00.txt",
      "/api/suites/..%5C..%5Cetc/full/delta_w",
      "/suites/..%2F..%2Fetc%2Fpasswd",
      "/suites/demo/..%2Fcompare",
      "/api/suites/demo/full/edit?sample=..%2F..%2Fmetrics",
      "/api/jobs/..%2F..%2Fetc/files/passwd",
      "/static/..%2Fserver.ts",
    ];
    for (const path of attempts) {
      const response = await get(site, path);
      const body = await response.text();
      assert.ok([400, 404].includes(response.status), `${path} answered ${response.status}`);
      assert.doesNotMatch(body, /"msSsim"|root:|import /, path);
    }
  });
});

test("unknown suites and variants get a 404 page; invalid names a 400", async () => {
  await withSite({}, async (site) => {
    assert.equal((await get(site, "/suites/nope")).status, 404);
    assert.equal((await get(site, "/suites/demo/nope")).status, 404);
    assert.equal((await get(site, "/suites/demo/compare?variants=full,nope")).status, 404);
    assert.equal((await get(site, "/suites/demo/compare?variants=a.b")).status, 400);
    assert.equal((await get(site, "/api/suites/nope")).status, 404);
  });
});

test("POST /api/jobs refuses a body over the byte limit with 413 before reading it all", async () => {
  await withSite({ limits: { maxUploadBytes: 500 } }, async (site) => {
    const big = new Uint8Array(200_000);
    const response = await post(site, uploadForm(big));
    assert.equal(response.status, 413);
    const body = await response.json();
    assert.equal(body.error, "too_large");
    assert.match(body.message, /limit is/);
    // A file just over the limit inside a small body is refused too.
    const file = await Deno.readFile(SAMPLE);
    assert.ok(file.length > 500);
    assert.equal((await post(site, uploadForm(file))).status, 413);
  });
});

test("POST /api/jobs refuses an image larger than the side limit, and a file that is not an image, with 422", async () => {
  await withSite({ limits: { maxImageSide: 16 } }, async (site) => {
    const wide = await post(site, uploadForm(await Deno.readFile(SAMPLE)));
    assert.equal(wide.status, 422);
    assert.deepEqual(await wide.json(), {
      error: "image_too_large",
      message: "The image is 32×32 pixels; the limit is 16 pixels on each side",
    });
    const text = await post(site, uploadForm(new TextEncoder().encode("not an image at all")));
    assert.equal(text.status, 422);
    assert.equal((await text.json()).error, "not_an_image");
  });
});

test("POST /api/jobs answers 400 for a form without variants, or a variant with no model", async () => {
  await withSite({}, async (site) => {
    const bytes = await Deno.readFile(SAMPLE);
    const none = await post(site, uploadForm(bytes, []));
    assert.equal(none.status, 400);
    assert.match((await none.json()).message, /at least one variant/);
    const pending = await post(site, uploadForm(bytes, ["pending"]));
    assert.equal(pending.status, 400);
    assert.match((await pending.json()).message, /"pending" of suite "demo" has no model yet/);
    assert.equal((await post(site, uploadForm(bytes, ["full"], "../x"))).status, 400);
  });
});

test("POST /api/jobs answers 503 busy when the queue is full", async () => {
  await withSite({ queue: { capacity: 1 } }, async (site) => {
    site.state.queue.pause();
    const bytes = await Deno.readFile(SAMPLE);
    assert.equal((await post(site, uploadForm(bytes))).status, 202);
    const busy = await post(site, uploadForm(bytes));
    assert.equal(busy.status, 503);
    assert.equal(busy.headers.get("retry-after"), "5");
    const body = await busy.json();
    assert.equal(body.error, "busy");
    assert.equal(body.capacity, 1);
    // Renders share the queue, so they are refused too while it is full.
    assert.equal((await get(site, "/api/suites/demo/full/edit?sample=00&gamma=1")).status, 503);
  });
});

test("an upload's SSE stream shows queued, progress and done; its images are served", async () => {
  await withSite({}, async (site) => {
    const accepted = await post(site, uploadForm(await Deno.readFile(SAMPLE), ["full", "phase_one"]));
    assert.equal(accepted.status, 202);
    const { id, events } = await accepted.json();
    const stream = await get(site, events);
    assert.equal(stream.headers.get("content-type"), "text/event-stream");
    const text = await stream.text(); // the stream ends after "done"
    const parsed = [...text.matchAll(/event: (\w+)\ndata: (.*)\n\n/g)].map((m) => ({
      type: m[1],
      ...JSON.parse(m[2]),
    }));
    assert.equal(parsed[0].type, "queued");
    const progress = parsed.filter((e) => e.type === "progress");
    assert.ok(progress.length >= 4, `progress for both variants: ${JSON.stringify(progress)}`);
    assert.ok(
      progress.every((e, i) => i === 0 || e.fraction >= progress[i - 1].fraction),
      "progress only grows",
    );
    const done = parsed.at(-1);
    assert.equal(done.type, "done");
    assert.deepEqual(done.result.variants.map((v: { variant: string }) => v.variant), ["full", "phase_one"]);
    const [full, phaseOne] = done.result.variants;
    assert.ok(full.psnr > 10 && phaseOne.psnr > 10, JSON.stringify(done.result));
    assert.equal(phaseOne.psnr, phaseOne.phaseOnePsnr, "the phase-I-only variant's final image is phase I's");
    for (const file of Object.values(full.images) as string[]) {
      const image = await get(site, `/api/jobs/${id}/files/${file}`);
      assert.equal(image.status, 200);
      assert.equal(image.headers.get("content-type"), "image/png");
      assert.equal((await pixels(new Uint8Array(await image.arrayBuffer()))).length, 32 * 32 * 3);
    }
    const status = await (await get(site, `/api/jobs/${id}`)).json();
    assert.equal(status.status, "done");
  });
});

test("edit at γ = 0 reproduces the variant's samples (ΔW reused, or none for phase I only); γ = 3 changes the image", async () => {
  await withSite({}, async (site) => {
    const png = async (path: string) => {
      const response = await get(site, path);
      assert.equal(response.status, 200, `${path}: ${response.status}`);
      return await pixels(new Uint8Array(await response.arrayBuffer()));
    };
    const sample = (variant: string, file: string) =>
      pixels(Deno.readFileSync(`${root}/results/demo/${variant}/samples/${file}`));
    const unedited = await png("/api/suites/demo/full/edit?sample=01&component=0&gamma=0");
    assert.ok(maxDifference(unedited, await sample("full", "01_final.png")) <= 1);
    const phaseOne = await png("/api/suites/demo/full/edit?sample=01&gamma=0&phase1=1");
    assert.ok(maxDifference(phaseOne, await sample("full", "01_phase1.png")) <= 1);
    assert.ok(
      maxDifference(
        await png("/api/suites/demo/phase_one/edit?sample=01&gamma=0"),
        await sample("phase_one", "01_final.png"),
      ) <= 1,
    );
    const edited = await png("/api/suites/demo/full/edit?sample=01&component=0&gamma=3");
    assert.ok(maxDifference(edited, unedited) > 8, "a 3σ step along PC 1 changes the image");
    // A learned InterFaceGAN direction: γ = 0 is the reconstruction again, γ = 3 moves it.
    const learned = "/api/suites/demo/full/edit?sample=01&direction=fixture_axis";
    assert.ok(maxDifference(await png(`${learned}&gamma=0`), await sample("full", "01_final.png")) <= 1);
    assert.ok(maxDifference(await png(`${learned}&gamma=3`), unedited) > 8);
    assert.equal((await get(site, "/api/suites/demo/full/edit?direction=smile&gamma=1")).status, 404);
    assert.ok((await (await get(site, "/suites/demo/full")).text()).includes("fixture_axis (learned)"));
    assert.equal((await get(site, "/api/suites/demo/full/edit?gamma=99")).status, 400);
    assert.equal((await get(site, "/api/suites/demo/full/edit?sample=07")).status, 404);
    assert.equal((await get(site, "/api/suites/demo/pending/edit?sample=00")).status, 409);
  });
});

test("interpolate at t = 0 and t = 1 gives the two samples' reconstructions, in between neither", async () => {
  await withSite({}, async (site) => {
    const png = async (t: number) =>
      await pixels(
        new Uint8Array(
          await (await get(site, `/api/suites/demo/full/interpolate?a=00&b=02&t=${t}`)).arrayBuffer(),
        ),
      );
    const a = await pixels(Deno.readFileSync(`${root}/results/demo/full/samples/00_final.png`));
    const b = await pixels(Deno.readFileSync(`${root}/results/demo/full/samples/02_final.png`));
    assert.ok(maxDifference(await png(0), a) <= 1);
    assert.ok(maxDifference(await png(1), b) <= 1);
    const middle = await png(0.5);
    assert.ok(maxDifference(middle, a) > 8 && maxDifference(middle, b) > 8);
  });
});

test("requests naming another host (DNS rebinding) or posting from another origin (CSRF) get 403", async () => {
  await withSite({}, async (site) => {
    const rebound = await site.fetch(new Request("http://evil.example:8000/api/suites"));
    assert.equal(rebound.status, 403);
    assert.equal((await rebound.json()).error, "forbidden_host");
    const crossSite = await post(site, uploadForm(await Deno.readFile(SAMPLE)), {
      origin: "http://evil.example",
    });
    assert.equal(crossSite.status, 403);
    assert.equal((await crossSite.json()).error, "forbidden_origin");
  });
});

test("serveSite listens on loopback by default and refuses another interface without allowRemote", async () => {
  await fixture;
  await assert.rejects(
    serveSite({ hostname: "0.0.0.0", experimentsRoot: root }),
    /Refusing to listen on 0\.0\.0\.0/,
  );
  const { server } = await serveSite({ experimentsRoot: root, repositoryRoot: REPOSITORY_ROOT, port: 0 });
  try {
    const address = server.addr as Deno.NetAddr;
    assert.equal(address.hostname, "127.0.0.1");
    assert.equal((await fetch(`http://127.0.0.1:${address.port}/api/suites`)).status, 200);
  } finally {
    await server.shutdown();
  }
});

test("POST /api/suites/:suite/:variant/train trains and evaluates the variant in a worker, streaming its steps", async () => {
  const trainingRoot = await Deno.makeTempDir({ prefix: "site-train-" });
  try {
    await writeFixtureExperiments(trainingRoot);
    const site = await createSite({
      experimentsRoot: trainingRoot,
      repositoryRoot: REPOSITORY_ROOT,
      runsRoot: `${trainingRoot}/runs`,
    });
    try {
      const accepted = await get(site, "/api/suites/demo/pending/train", { method: "POST" });
      assert.equal(accepted.status, 202);
      const { events } = await accepted.json();
      const second = await get(site, "/api/suites/demo/full/train", { method: "POST" });
      assert.equal(second.status, 503, "one training run at a time");
      const text = await (await get(site, events)).text();
      const parsed = [...text.matchAll(/event: (\w+)\ndata: (.*)\n\n/g)].map((m) => ({
        type: m[1],
        ...JSON.parse(m[2]),
      }));
      const steps = parsed.filter((e) => e.type === "progress" && /^step \d\/4, loss \d/.test(e.message));
      assert.deepEqual(steps.map((e) => e.message.slice(0, 8)), [
        "step 1/4",
        "step 2/4",
        "step 3/4",
        "step 4/4",
      ]);
      assert.deepEqual(parsed.at(-1), {
        type: "done",
        result: { suite: "demo", variant: "pending", trained: true, evaluated: true },
      });
      const { variants } = await (await get(site, "/api/suites/demo")).json();
      const trained = variants.find((v: { variant: string }) => v.variant === "pending");
      assert.equal(trained.status, "done");
      assert.equal(trained.metrics.steps, 4);
      assert.ok(trained.hasModel && trained.samples.includes("00_final.png"));
    } finally {
      site.close();
    }
  } finally {
    await Deno.remove(trainingRoot, { recursive: true });
  }
});
