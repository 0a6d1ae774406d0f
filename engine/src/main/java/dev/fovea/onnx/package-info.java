/**
 * ONNX import ({@link dev.fovea.onnx.OnnxImport}): an ONNX model file becomes a fovea-model file and
 * safetensors weights ({@link dev.fovea.onnx.OnnxShapeOperators} holds its elementwise and shape operators,
 * {@link dev.fovea.onnx.OnnxConstantFolding} the folding of shape constants); ONNX export ({@link dev.fovea.onnx.OnnxExport}): a graph and its weights become an
 * ONNX model (opset 17). {@code dev.fovea.onnx.proto} is generated at build time from
 * {@code src/main/protobuf/onnx.proto}.
 */
package dev.fovea.onnx;
