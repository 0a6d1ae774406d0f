package dev.fovea.onnx;

/**
 * An ONNX model that is well formed but uses what Fovea's model files cannot express: an operator,
 * an attribute value, an opset or a graph shape. The message is one line naming the node, its
 * operator, the attribute and the opset.
 */
public final class OnnxUnsupportedException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public OnnxUnsupportedException(String message) {
        super(message);
    }
}
