import assert from "node:assert/strict";
import { GraphBuilder } from "./builder.ts";
import { withOutputReshapesOnHost } from "./host_reshape.ts";
import { encodeOnnxModel } from "./onnx_writer.ts";
import { writtenOpCount } from "../tests/_onnx_ops.ts";
import { GraphSession } from "../runtime/session.ts";

Deno.test("withOutputReshapesOnHost: same values under the declared shapes; shared or input reshapes stay", async () => {
  const g = new GraphBuilder("r");
  const x = g.input("x", [2, 6]);
  const moved = g.reshape(g.relu(x), [3, 4]); // made by Relu, used only by the output: moved to the host
  g.output(moved, "moved");
  const shared = g.reshape(g.exp(x), [12]); // its result is also used by another output: stays
  g.output(shared, "shared");
  g.output(g.neg(shared), "negated");
  g.output(g.reshape(x, [6, 2]), "of_input"); // the reshape of an input: stays (an output needs its own tensor)
  const { graph, hostShapes } = withOutputReshapesOnHost(g);
  assert.deepEqual([...hostShapes], [["moved", [3, 4]]]);
  assert.deepEqual(graph.outputs.map((o) => o.name), g.outputs.map((o) => o.name));
  // No renaming copy is written: every output here is named on its producer (graph/onnx_writer.ts).
  assert.equal(writtenOpCount(encodeOnnxModel(graph).model, "Identity"), 0, "no renaming copy");
  const reshapes = (b: GraphBuilder) => b.nodes.filter((n) => n.op === "Reshape").length;
  assert.equal(reshapes(graph), reshapes(g) - 1, "the moved output's Reshape is gone");
  const data = Float32Array.from({ length: 12 }, (_, i) => i - 5.5);
  const before = (await (await GraphSession.create(g)).run({ x: data })).outputs;
  const after = (await (await GraphSession.create(graph)).run({ x: data })).outputs;
  for (const name of ["moved", "shared", "negated", "of_input"]) {
    assert.deepEqual(after[name].data, before[name].data, name);
    assert.deepEqual(hostShapes.get(name) ?? after[name].shape, before[name].shape, name);
  }
});

Deno.test("a copied graph keeps its nodes' scopes (profiles of the run graph name their layers)", () => {
  const g = new GraphBuilder("scoped");
  const x = g.input("x", [2, 6]);
  g.output(g.scope("encoder", () => g.scope("body.0", () => g.reshape(g.relu(x), [3, 4]))), "y");
  const { graph } = withOutputReshapesOnHost(g);
  const relu = graph.nodes.find((n) => n.op === "Relu")!;
  assert.match(relu.name, /^encoder\/body\.0\/Relu_\d+$/);
});
