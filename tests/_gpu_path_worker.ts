// A worker for tests/_gpu_path_checks.ts: builds and runs a WebGPU session (a few 3×3 Convs), posts the provider.
import { GraphBuilder } from "../graph/builder.ts";
import { prngFill } from "../io/prng.ts";
import { GraphSession } from "../runtime/session.ts";

self.onmessage = async (event: MessageEvent<number>) => {
  const g = new GraphBuilder(`worker_${event.data}`);
  const x = g.input("x", [1, 16, 32, 32]); // [1, 16, 32, 32]
  const w = g.input("w", [16, 16, 3, 3]);
  g.output(g.conv(g.conv(x, w, { pads: 1 }), w, { pads: 1 }), "y"); // [1, 16, 32, 32]
  const session = await GraphSession.create(g, { device: "webgpu" });
  let provider = "";
  for (let i = 0; i < 10; i++) {
    ({ provider } = await session.run({
      x: prngFill(7, event.data, 16 * 32 * 32, 0, 1),
      w: prngFill(7, 10 + i, 16 * 16 * 9, 0, 0.1),
    }));
  }
  await session.release();
  self.postMessage(provider);
};
