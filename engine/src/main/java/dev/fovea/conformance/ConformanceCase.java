package dev.fovea.conformance;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One conformance case: an op with its attributes and inputs, the outputs it must produce and,
 * optionally, the input gradients it must return for given output gradients. Maps keep the
 * order they were written in, so a case file round-trips unchanged.
 */
public record ConformanceCase(String name, String op, Map<String, Object> attrs,
                              Map<String, TensorData> inputs, Map<String, TensorData> outputs,
                              Map<String, TensorData> gradOutputs, Map<String, TensorData> gradInputs,
                              Tolerance tolerance) {
    public ConformanceCase {
        attrs = frozen(attrs);
        inputs = frozen(inputs);
        outputs = frozen(outputs);
        gradOutputs = frozen(gradOutputs);
        gradInputs = frozen(gradInputs);
        if (tolerance == null) {
            tolerance = Tolerance.DEFAULT;
        }
    }

    /** Whether the backward pass is checked too. */
    public boolean checksGradients() {
        return !gradInputs.isEmpty();
    }

    public static Builder builder(String name, String op) {
        return new Builder(name, op);
    }

    /** Builds a case step by step (the built-in suite and tests write cases this way). */
    public static final class Builder {
        private final String name;
        private final String op;
        private final Map<String, Object> attrs = new LinkedHashMap<>();
        private final Map<String, TensorData> inputs = new LinkedHashMap<>();
        private final Map<String, TensorData> outputs = new LinkedHashMap<>();
        private final Map<String, TensorData> gradOutputs = new LinkedHashMap<>();
        private final Map<String, TensorData> gradInputs = new LinkedHashMap<>();
        private Tolerance tolerance = Tolerance.DEFAULT;

        private Builder(String name, String op) {
            this.name = name;
            this.op = op;
        }

        public Builder attr(String key, Object value) {
            attrs.put(key, value);
            return this;
        }

        public Builder input(String key, TensorData t) {
            inputs.put(key, t);
            return this;
        }

        public Builder output(String key, TensorData t) {
            outputs.put(key, t);
            return this;
        }

        public Builder gradOutput(String key, TensorData t) {
            gradOutputs.put(key, t);
            return this;
        }

        public Builder gradInput(String key, TensorData t) {
            gradInputs.put(key, t);
            return this;
        }

        public Builder tolerance(Tolerance t) {
            tolerance = t;
            return this;
        }

        public ConformanceCase build() {
            return new ConformanceCase(name, op, attrs, inputs, outputs, gradOutputs, gradInputs, tolerance);
        }
    }

    private static <V> Map<String, V> frozen(Map<String, V> m) {
        return m == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(m));
    }
}
