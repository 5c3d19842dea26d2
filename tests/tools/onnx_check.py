"""Test-only helper: runs onnx.checker (full check, with shape inference) on the models given as arguments.

Uses Debian's python3-onnx (`apt-get install python3-onnx`). Prints one line per model and exits non-zero
on the first failure.
"""
import sys

import onnx
import onnx.checker
import onnx.shape_inference

for path in sys.argv[1:]:
    model = onnx.load(path, load_external_data=False)
    onnx.checker.check_model(path, full_check=True)
    inferred = onnx.shape_inference.infer_shapes(model, strict_mode=True)
    print(f"ok {path} opset={model.opset_import[0].version} nodes={len(model.graph.node)} "
          f"value_info={len(inferred.graph.value_info)}")
