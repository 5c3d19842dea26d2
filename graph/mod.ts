/**
 * The graph IR: tensors with static shapes and dtypes, a builder whose methods check shapes as nodes are
 * added, the documented op set, and the ONNX writer.
 *
 * @example
 * ```ts
 * import { encodeOnnxModel, GraphBuilder } from "./mod.ts";
 * const g = new GraphBuilder("relu");
 * g.output(g.relu(g.input("x", [4])), "y");
 * console.log(encodeOnnxModel(g).model.length > 0); // true
 * ```
 *
 * @module
 */
export {
  type ConstantData,
  type ConvOptions,
  type ConvTransposeOptions,
  GraphBuilder,
  type GraphNode,
  type ParameterInit,
  type ParameterOptions,
} from "./builder.ts";
export {
  type Attributes,
  type AttributeValue,
  broadcastShapes,
  isOpName,
  type NodeSignature,
  OP_NAMES,
  OP_SET,
  type OpDefinition,
  type OpName,
} from "./ops.ts";
export {
  type EncodedOnnxModel,
  encodeOnnxModel,
  ONNX_IR_VERSION,
  ONNX_OPSET,
  type OnnxEncodeOptions,
  writeOnnxModel,
} from "./onnx_writer.ts";
export { type DType, formatShape, numel, Tensor, type TensorOrigin, type TensorType } from "./tensor.ts";
export { type GradientOptions, gradients } from "./autodiff.ts";
export { GRADIENT_RULES, type GradientRule } from "./gradients.ts";
export { countMacs, type MacCount } from "./flops.ts";
