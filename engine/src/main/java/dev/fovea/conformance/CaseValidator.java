package dev.fovea.conformance;

import dev.fovea.ops.Attrs;
import dev.fovea.ops.Op;
import dev.fovea.ops.OpDef;
import dev.fovea.ops.Ops;

import java.util.List;
import java.util.Map;

/**
 * Checks a case against the op registry before anything runs: the op exists, its attributes parse,
 * the inputs, outputs and gradients it names are ones the op has. Failures name the field.
 */
public final class CaseValidator {
    private CaseValidator() {
    }

    /** A problem with one field of a case. */
    public static final class Invalid extends Exception {
        private static final long serialVersionUID = 1L;
        private final String field;

        Invalid(String field, String message) {
            super(message);
            this.field = field;
        }

        public String field() {
            return field;
        }
    }

    /** Returns the bound op, so a caller can reuse its parsed attributes. */
    public static Op check(ConformanceCase c) throws Invalid {
        OpDef def;
        try {
            def = Ops.get(c.op());
        } catch (IllegalArgumentException e) {
            throw new Invalid("op", e.getMessage());
        }
        Op op;
        try {
            op = def.bind(Attrs.of(def.name(), c.attrs()));
        } catch (IllegalArgumentException e) {
            throw new Invalid("attrs", e.getMessage());
        }
        for (String name : c.inputs().keySet()) {
            if (!def.inputs().contains(name)) {
                throw new Invalid("inputs." + name, def.name() + " has no input '" + name + "'; inputs: "
                        + String.join(", ", def.inputs()));
            }
        }
        for (String name : def.inputs()) {
            if (!def.optionalInputs().contains(name) && !c.inputs().containsKey(name)) {
                throw new Invalid("inputs." + name, "missing; " + def.name() + " needs inputs "
                        + String.join(", ", def.inputs().stream().filter(i -> !def.optionalInputs().contains(i)).toList()));
            }
        }
        if (c.outputs().isEmpty()) {
            throw new Invalid("outputs", "at least one expected output is needed (" + String.join(", ", def.outputs()) + ")");
        }
        checkNames(def, "outputs", c.outputs(), def.outputs());
        if (c.gradOutputs().isEmpty() != c.gradInputs().isEmpty()) {
            throw new Invalid(c.gradInputs().isEmpty() ? "grad_inputs" : "grad_outputs",
                    "grad_outputs and grad_inputs go together: give both or neither");
        }
        if (!c.gradOutputs().isEmpty()) {
            checkNames(def, "grad_outputs", c.gradOutputs(), List.of(Op.OUTPUT));
            if (!c.gradOutputs().containsKey(Op.OUTPUT)) {
                throw new Invalid("grad_outputs." + Op.OUTPUT, "missing");
            }
            checkNames(def, "grad_inputs", c.gradInputs(), def.gradInputs());
            for (String name : c.gradInputs().keySet()) {
                if (!c.inputs().containsKey(name)) {
                    throw new Invalid("grad_inputs." + name, "input '" + name + "' is not given in inputs");
                }
            }
        }
        return op;
    }

    private static void checkNames(OpDef def, String field, Map<String, TensorData> given, List<String> valid)
            throws Invalid {
        for (String name : given.keySet()) {
            if (!valid.contains(name)) {
                throw new Invalid(field + "." + name, def.name() + " has no entry '" + name + "' in " + field
                        + "; valid: " + String.join(", ", valid));
            }
        }
    }
}
