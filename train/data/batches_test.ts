import assert from "node:assert/strict";
import { BatchSampler } from "./batches.ts";

function takeEpoch(sampler: BatchSampler): number[] {
  const seen: number[] = [];
  for (let b = 0; b < sampler.batchesPerEpoch; b++) seen.push(...sampler.next());
  return seen;
}

Deno.test("every index appears exactly once per epoch, in a new order each epoch", () => {
  const sampler = new BatchSampler(103, 10, 42);
  const epochs = [takeEpoch(sampler), takeEpoch(sampler), takeEpoch(sampler)];
  const sorted = Array.from({ length: 103 }, (_, i) => i);
  for (const epoch of epochs) assert.deepEqual([...epoch].sort((a, b) => a - b), sorted);
  assert.notDeepEqual(epochs[0], epochs[1]);
  assert.notDeepEqual(epochs[0], sorted);
  assert.deepEqual(sampler.state(), { epoch: 2, position: 103 });
});

Deno.test("batch sizes: short last batch by default, dropped with dropLast", () => {
  const sampler = new BatchSampler(10, 4, 0);
  assert.deepEqual([0, 1, 2, 3].map(() => sampler.next().length), [4, 4, 2, 4]);
  const fixed = new BatchSampler(10, 4, 0, { dropLast: true });
  assert.equal(fixed.batchesPerEpoch, 2);
  assert.deepEqual([0, 1, 2, 3, 4].map(() => fixed.next().length), [4, 4, 4, 4, 4]);
  assert.equal(fixed.state().epoch, 2);
});

Deno.test("the same seed gives the same batches; another seed does not", () => {
  const a = new BatchSampler(50, 8, 7);
  const b = new BatchSampler(50, 8, 7);
  const c = new BatchSampler(50, 8, 8);
  const runA = Array.from({ length: 20 }, () => Array.from(a.next()));
  const runB = Array.from({ length: 20 }, () => Array.from(b.next()));
  const runC = Array.from({ length: 20 }, () => Array.from(c.next()));
  assert.deepEqual(runA, runB);
  assert.notDeepEqual(runA, runC);
});

Deno.test("restore(state()) continues identically, within and across epochs", () => {
  for (const dropLast of [false, true]) {
    const reference = new BatchSampler(37, 5, 99, { dropLast });
    const states = [];
    const batches = [];
    for (let step = 0; step < 40; step++) {
      states.push(reference.state());
      batches.push(Array.from(reference.next()));
    }
    for (const start of [0, 3, 7, 8, 15, 39]) {
      const resumed = new BatchSampler(37, 5, 99, { dropLast });
      resumed.restore(JSON.parse(JSON.stringify(states[start])));
      for (let step = start; step < 40; step++) assert.deepEqual(Array.from(resumed.next()), batches[step]);
    }
  }
});

Deno.test("bad arguments and states are errors naming the value", () => {
  assert.throws(() => new BatchSampler(0, 1, 0), /count=0 is not a positive/);
  assert.throws(() => new BatchSampler(5, 6, 0), /batchSize=6 is not an integer in 1…count=5/);
  assert.throws(() => new BatchSampler(5, 2, -1), /seed=-1 is not an unsigned 32-bit/);
  const sampler = new BatchSampler(5, 2, 0);
  assert.throws(() => sampler.restore({ epoch: 0, position: 6 }), /position=6 is outside 0…count=5/);
  assert.throws(() => sampler.restore({ epoch: -1, position: 0 }), /epoch=-1/);
});
