import assert from "node:assert/strict";
import { main, sampleIndicesByClass } from "./ablate.ts";

Deno.test("samples are the first test image of classes spread over the ten", () => {
  const labels = new Uint8Array([9, 2, 1, 1, 6, 1, 4, 6, 5, 7, 4, 5, 7, 3, 4, 1, 2, 4, 8, 0]);
  assert.deepEqual(sampleIndicesByClass(labels, 5), [19, 1, 6, 4, 18]); // classes 0, 2, 4, 6, 8
  assert.deepEqual(sampleIndicesByClass(labels, 1), [19]);
});

Deno.test("ablate without a suite, with an unknown or bad suite, a bad flag or an unknown variant exits 2", async () => {
  const errors: string[] = [];
  const { error } = console;
  console.error = (message: string) => errors.push(message);
  try {
    assert.equal(await main([]), 2);
    assert.match(errors.at(-1)!, /Expected 1 positional argument\(s\) \(suite\), got 0/);
    assert.equal(await main(["no_such_suite"]), 2);
    assert.equal(await main(["../etc"]), 2);
    assert.equal(await main(["table3", "--reevalute"]), 2);
    assert.match(errors.at(-1)!, /Unknown option --reevalute \(did you mean --reevaluate\?\)/);
    assert.equal(await main(["table3", "--samples", "0"]), 2);
    assert.match(errors.at(-1)!, /--samples must be at least 1/);
    // Checked before the data set loads (a misspelt variant used to surface only after it).
    assert.equal(await main(["table3", "--variants", "nope"]), 2);
    assert.match(errors.at(-1)!, /Suite "table3" has no variant "nope"; it has /);
  } finally {
    console.error = error;
  }
});
