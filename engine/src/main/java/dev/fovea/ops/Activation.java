package dev.fovea.ops;

/** Pointwise activations without learned parameters; PReLU has its own backend entry. */
public enum Activation {
    RELU, LEAKY_RELU, SIGMOID, TANH;

    /** The op name in case files and the graph. */
    public String opName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
