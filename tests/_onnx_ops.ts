/**
 * Test support: how many nodes of an op type an encoded ONNX model holds, read from its bytes (a NodeProto's
 * op_type is field 4: tag 0x22, then the length, then the name), without an ONNX parser.
 *
 * @module
 */

/**
 * Counts the nodes of `op` in encoded `ModelProto` bytes.
 *
 * @param model the bytes (graph/onnx_writer.ts `encodeOnnxModel(…).model`)
 * @param op an op type of fewer than 128 characters
 * @returns the number of nodes of that type
 * @example
 * ```ts
 * import { GraphBuilder } from "../graph/builder.ts";
 * import { encodeOnnxModel } from "../graph/onnx_writer.ts";
 * import { writtenOpCount } from "./_onnx_ops.ts";
 * const g = new GraphBuilder("r");
 * g.output(g.relu(g.relu(g.input("x", [2]))), "y");
 * console.log(writtenOpCount(encodeOnnxModel(g).model, "Relu")); // 2
 * ```
 */
export function writtenOpCount(model: Uint8Array, op: string): number {
  const pattern = [0x22, op.length, ...new TextEncoder().encode(op)];
  let count = 0;
  for (let i = 0; i + pattern.length <= model.length; i++) {
    let j = 0;
    while (j < pattern.length && model[i + j] === pattern[j]) j++;
    if (j === pattern.length) count++;
  }
  return count;
}
