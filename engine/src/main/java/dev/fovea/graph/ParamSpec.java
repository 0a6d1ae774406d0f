package dev.fovea.graph;

import dev.fovea.tensor.Shape;

/**
 * A named parameter or buffer of a graph, with PyTorch's name and layout ("conv1.weight" OIHW,
 * "fc1.weight" [out, in], "bn1.running_mean"), and how it is initialised.
 */
public record ParamSpec(String name, Shape shape, boolean trainable, Init init) {

    /** How a parameter starts. */
    public sealed interface Init {
        /** Uniform in [-bound, bound): PyTorch's default for conv and linear is bound = 1/sqrt(fan_in). */
        record Uniform(double bound) implements Init {
        }

        record Constant(float value) implements Init {
        }
    }
}
