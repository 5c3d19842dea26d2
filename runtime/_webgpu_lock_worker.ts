// A worker for webgpu_lock_test.ts: appends "start <id>" and "end <id>" around a pause, under the WebGPU lock.
import { withWebGpuLock } from "./webgpu_lock.ts";

self.onmessage = async (event: MessageEvent<{ id: number; log: string }>) => {
  const { id, log } = event.data;
  for (let i = 0; i < 4; i++) {
    await withWebGpuLock(async () => {
      await Deno.writeTextFile(log, `start ${id}\n`, { append: true });
      await new Promise((resolve) => setTimeout(resolve, 10));
      await Deno.writeTextFile(log, `end ${id}\n`, { append: true });
    });
  }
  self.postMessage("done");
};
