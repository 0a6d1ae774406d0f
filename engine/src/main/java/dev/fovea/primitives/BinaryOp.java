package dev.fovea.primitives;

/**
 * The element-wise binary maps the backends implement once, with broadcasting ({@link Broadcast}):
 * each is also an op of the same name (add, sub, mul, div: inputs {@code input}, {@code other}).
 * A constant's {@link #code()} is its position here, the {@code op} argument of the CUDA kernel.
 */
public enum BinaryOp {
    ADD("add"),
    SUB("sub"),
    MUL("mul"),
    DIV("div");

    private final String opName;

    BinaryOp(String opName) {
        this.opName = opName;
    }

    /** The op's PyTorch functional name. */
    public String opName() {
        return opName;
    }

    /** The kernels' code for this map (FOVEA_BINARY_* in tensor.cu). */
    public int code() {
        return ordinal();
    }

    /** {@code a op b} in float32, as every backend computes it. */
    public float apply(float a, float b) {
        return switch (this) {
            case ADD -> a + b;
            case SUB -> a - b;
            case MUL -> a * b;
            case DIV -> a / b;
        };
    }
}
