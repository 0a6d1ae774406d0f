package dev.fovea.ops;

import dev.fovea.tensor.Tensor;

import java.util.Map;

/** An op's input tensors by name, already checked against the op's signature by {@link Op}. */
public final class Inputs {
    private final String op;
    private final Map<String, Tensor> tensors;

    Inputs(String op, Map<String, Tensor> tensors) {
        this.op = op;
        this.tensors = tensors;
    }

    /** A required input (or an optional one the caller knows is present). */
    public Tensor get(String name) {
        Tensor t = tensors.get(name);
        if (t == null) {
            throw new IllegalArgumentException(op + ": missing input '" + name + "'");
        }
        return t;
    }

    /** An optional input, or null when absent. */
    public Tensor optional(String name) {
        return tensors.get(name);
    }

    public boolean has(String name) {
        return tensors.containsKey(name);
    }
}
