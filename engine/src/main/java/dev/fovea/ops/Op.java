package dev.fovea.ops;

import dev.fovea.backend.Backend;
import dev.fovea.tensor.Tensor;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An op with its attributes parsed: what a graph node holds. Checks the names of the tensors it is
 * given against its {@link OpDef} before calling the lowering, so a misspelt input is reported by name.
 */
public final class Op {
    /** The name of every op's main output (and of its gradient in backward). */
    public static final String OUTPUT = "output";

    private final OpDef def;
    private final Attrs attrs;
    private final Lowering lowering;

    Op(OpDef def, Attrs attrs, Lowering lowering) {
        this.def = def;
        this.attrs = attrs;
        this.lowering = lowering;
    }

    public OpDef def() {
        return def;
    }

    public String name() {
        return def.name();
    }

    public Attrs attrs() {
        return attrs;
    }

    /** The parameter record the attributes became (Conv2dParams, Pool2dParams, ...), or null. */
    public Object params() {
        return lowering.params();
    }

    /** Runs forward; returns the public outputs and any state the backward pass needs. */
    public Map<String, Tensor> forward(Backend backend, Map<String, Tensor> inputs) {
        return lowering.forward(backend, checked(inputs));
    }

    /** Gradients of every differentiable input present in {@code inputs}. */
    public Map<String, Tensor> backward(Backend backend, Map<String, Tensor> inputs, Map<String, Tensor> outputs,
                                        Map<String, Tensor> gradOutputs) {
        Set<String> wanted = new LinkedHashSet<>(def.gradInputs());
        wanted.retainAll(inputs.keySet());
        return backward(backend, inputs, outputs, gradOutputs, wanted);
    }

    /**
     * Gradients of the inputs in {@code wanted} only (a network's first layer does not need its
     * input gradient). {@code outputs} is what {@link #forward} returned.
     */
    public Map<String, Tensor> backward(Backend backend, Map<String, Tensor> inputs, Map<String, Tensor> outputs,
                                        Map<String, Tensor> gradOutputs, Set<String> wanted) {
        Inputs in = checked(inputs);
        for (String g : gradOutputs.keySet()) {
            if (!g.equals(OUTPUT)) {
                throw new IllegalArgumentException(name() + ": no gradient flows back from output '" + g
                        + "'; only from '" + OUTPUT + "'");
            }
        }
        Tensor dy = gradOutputs.get(OUTPUT);
        if (dy == null) {
            throw new IllegalArgumentException(name() + ": backward needs the gradient of '" + OUTPUT + "'");
        }
        for (String w : wanted) {
            if (!def.gradInputs().contains(w)) {
                throw new IllegalArgumentException(name() + ": input '" + w + "' has no gradient; inputs with gradients: "
                        + String.join(", ", def.gradInputs()));
            }
            in.get(w);
        }
        return lowering.backward(backend, in, outputs, dy, Set.copyOf(wanted));
    }

    private Inputs checked(Map<String, Tensor> inputs) {
        checkNames(inputs);
        return new Inputs(name(), inputs);
    }

    /** Rejects unknown (with a near miss), null and missing required inputs, naming them. */
    void checkNames(Map<String, ?> inputs) {
        List<String> valid = def.inputs();
        for (Map.Entry<String, ?> e : inputs.entrySet()) {
            if (!valid.contains(e.getKey())) {
                String hint = Names.closest(e.getKey(), valid).map(c -> " (did you mean '" + c + "'?)").orElse("");
                throw new IllegalArgumentException(name() + ": unknown input '" + e.getKey() + "'" + hint
                        + "; inputs: " + String.join(", ", valid));
            }
            if (e.getValue() == null) {
                throw new IllegalArgumentException(name() + ": input '" + e.getKey() + "' is null");
            }
        }
        for (String required : valid) {
            if (!def.optionalInputs().contains(required) && !inputs.containsKey(required)) {
                throw new IllegalArgumentException(name() + ": missing input '" + required + "'; inputs: "
                        + String.join(", ", valid));
            }
        }
    }

    @Override
    public String toString() {
        return name() + attrs;
    }
}
