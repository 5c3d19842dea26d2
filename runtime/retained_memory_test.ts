import assert from "node:assert/strict";

/**
 * Runs a child Deno that allocates a 64 MiB buffer, frees it, allocates one again and writes every page; prints
 * the second allocation's minor page faults (from /proc/self/stat) and what retainFreedMemory() returned (or
 * "skipped" when not asked to retain), and what a second call returned. Each case runs in its own process: the
 * setting is process-wide and would outlive the test in this one.
 */
async function secondAllocationFaults(
  retain: boolean,
): Promise<{ faults: number; result: string; again: string; check: number }> {
  const module = JSON.stringify(new URL("./retained_memory.ts", import.meta.url).href);
  const script = `
    import { retainFreedMemory } from ${module};
    const result = ${retain ? "retainFreedMemory()" : '"skipped"'};
    const again = ${retain ? "retainFreedMemory()" : '"skipped"'};
    const faults = () => Number(Deno.readTextFileSync("/proc/self/stat").split(") ")[1].split(" ")[7]);
    const size = 64 << 20;
    const first = new Uint8Array(size);
    for (let i = 0; i < size; i += 4096) first[i] = 1;
    (first.buffer as ArrayBuffer & { transfer(n: number): ArrayBuffer }).transfer(0); // frees it now
    const before = faults();
    const second = new Uint8Array(size);
    for (let i = 0; i < size; i += 4096) second[i] = 2;
    console.log(JSON.stringify({ faults: faults() - before, result, again, check: second[size - 4096] }));
  `;
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--ext=ts", script],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(code, 0, new TextDecoder().decode(stderr));
  return JSON.parse(new TextDecoder().decode(stdout).trim().split("\n").at(-1)!);
}

Deno.test({
  name: "retainFreedMemory: a freed 64 MiB block is reused without faulting its pages in again",
  ignore: Deno.build.os !== "linux",
  fn: async () => {
    const kept = await secondAllocationFaults(true);
    if (kept.result === "unavailable") return; // not glibc: nothing to measure (the function said so)
    assert.equal(kept.result, "applied");
    assert.equal(kept.again, "already", "a second call does nothing");
    assert.equal(kept.check, 2);
    const fresh = await secondAllocationFaults(false);
    // 64 MiB = 16384 pages: glibc maps a block that large afresh, so every page faults in again by default.
    assert.ok(fresh.faults > 8000, `default allocator: ${fresh.faults} faults (expected a fresh mapping)`);
    assert.ok(
      kept.faults < fresh.faults / 8,
      `retained: ${kept.faults} faults vs ${fresh.faults} by default`,
    );
  },
});
