/**
 * Our synthesis graph does the work of the official one: its multiply-accumulate counts per kind equal the
 * official forward's (reference flops.jsonl, counted with a TorchDispatchMode; two synthesis calls per inversion).
 */
import assert from "node:assert/strict";
import { countMacs } from "../graph/flops.ts";
import { CHURCH_256, FFHQ_1024 } from "../generator/config.ts";
import { synthesisGraph } from "../generator/generator_graphs.ts";
import { referenceFixturesRoot } from "../io/reference_fixture.ts";

Deno.test("synthesis MACs (dense conv, transposed conv) equal the official counts at 1024 and 256", async () => {
  const lines = (await Deno.readTextFile(`${referenceFixturesRoot()}/flops.jsonl`)).trim().split("\n");
  const official = new Map<string, { conv: number; conv_transpose: number }>();
  for (const line of lines) {
    const row = JSON.parse(line);
    official.set(row.config, row.stages.synthesis.by_kind_GMAC);
  }
  for (const [config, name] of [[FFHQ_1024, "ffhq1024-D128"], [CHURCH_256, "church256-D64"]] as const) {
    const ours = countMacs(synthesisGraph(config));
    const theirs = official.get(name)!;
    // The official numbers are GMAC for two calls, rounded to 4 decimals.
    assert.ok(
      Math.abs((2 * ours.conv) / 1e9 - theirs.conv) < 1e-3,
      `${name} conv ${2 * ours.conv / 1e9} vs ${theirs.conv}`,
    );
    assert.ok(
      Math.abs((2 * ours.convTranspose) / 1e9 - theirs.conv_transpose) < 1e-3,
      `${name} transposed ${2 * ours.convTranspose / 1e9} vs ${theirs.conv_transpose}`,
    );
  }
});
