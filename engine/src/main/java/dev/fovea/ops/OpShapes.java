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

    /** The shapes fed to an op's inputs, by input name, as a declared shape rule reads them. */
    public record In(String op, Map<String, Shape> shapes) {

        public In {
            shapes = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(shapes));
        }

        /** A required input's shape (the op's inputs were checked, so it is present). */
        public Shape get(String name) {
            Shape s = shapes.get(name);
            if (s == null) {
                throw new IllegalArgumentException(op + ": missing input '" + name + "'");
            }
            return s;
        }

        /** An optional input's shape, or null when it is absent. */
        public Shape optional(String name) {
            return shapes.get(name);
        }
    }
}
