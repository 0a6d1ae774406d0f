package dev.fovea.ops;

import dev.fovea.tensor.Shape;

import java.util.Map;

/**
 * The shapes around one node of a graph (batch 1): each connected input's shape by input name, and
 * the output's. What an op's declared cost and receptive-field rules read.
 */
public record OpShapes(Map<String, Shape> inputs, Shape output) {

    public OpShapes {
        inputs = Map.copyOf(inputs);
    }

    /** The shape fed to input {@code name}; the op's rule names only inputs it declares. */
    public Shape input(String name) {
        Shape s = inputs.get(name);
        if (s == null) {
            throw new IllegalArgumentException("no shape for input '" + name + "'; inputs: " + inputs.keySet());
        }
        return s;
    }
}
