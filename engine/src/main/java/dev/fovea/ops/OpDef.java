package dev.fovea.ops;

import dev.fovea.backend.Backend;
import dev.fovea.primitives.ReceptiveField;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * One op, declared once: its name, its inputs (required and optional, and which of them have
 * gradients), its public outputs, its attributes (typed, with defaults and docs: {@link Attribute}),
 * the shape of its output given its inputs' shapes and its attributes, and how attributes are parsed
 * into a {@link Lowering} that maps forward and backward onto the Backend SPI; and the facts a summary and a
 * memory plan need ({@link OpFacts}: multiply-adds, receptive field, state saved for backward,
 * whether the output is a view). Names follow PyTorch's functional API. The graph executor, the
 * conformance runner, summaries and memory plans all go through here, so an op is described in
 * exactly one place.
 */
public final class OpDef {
    private final String name;
    private final List<String> inputs;
    private final Set<String> optionalInputs;
    private final List<String> gradInputs;
    private final List<String> outputs;
    private final List<Attribute> attributes;
    private final OpFacts.ShapeRule shapeRule;
    private final Function<Attrs, Lowering> binder;
    private final OpFacts.Macs macs;
    private final OpFacts.FieldRule fieldRule;
    private final int savedBytesPerOutput;
    private final boolean view;
    private final boolean loss;

    private OpDef(Builder b) {
        this.name = b.name;
        this.inputs = List.copyOf(b.inputs);
        this.optionalInputs = Collections.unmodifiableSet(new LinkedHashSet<>(b.optionalInputs));
        this.gradInputs = List.copyOf(b.gradInputs);
        this.outputs = List.copyOf(b.outputs);
        this.attributes = List.copyOf(b.attributes);
        this.shapeRule = Objects.requireNonNull(b.shapeRule, () -> name + ": no shape rule declared");
        this.binder = Objects.requireNonNull(b.binder, "binder");
        this.macs = b.macs;
        this.fieldRule = b.fieldRule;
        this.savedBytesPerOutput = b.savedBytesPerOutput;
        this.view = b.view;
        this.loss = b.loss;
    }

    public static Builder builder(String name) {
        return new Builder(name);
    }

    public String name() {
        return name;
    }

    /** Every input name, required ones first, in the order a graph node lists them. */
    public List<String> inputs() {
        return inputs;
    }

    public Set<String> optionalInputs() {
        return optionalInputs;
    }

    /** The inputs that receive a gradient in the backward pass (never a loss target or running statistics). */
    public List<String> gradInputs() {
        return gradInputs;
    }

    /**
     * Public outputs: always "output" first; batch norm in training also returns the updated
     * "running_mean" and "running_var", the inputs of those names updated in place (so of their
     * shapes). Forward may return more entries (state saved for backward).
     */
    public List<String> outputs() {
        return outputs;
    }

    /** The declared attributes, in declaration order. */
    public List<Attribute> attributes() {
        return attributes;
    }

    public List<String> attributeNames() {
        return attributes.stream().map(Attribute::name).toList();
    }

    /** The attribute called {@code name}; an undeclared one is a programming error. */
    public Attribute attribute(String name) {
        for (Attribute a : attributes) {
            if (a.name().equals(name)) {
                return a;
            }
        }
        throw new IllegalStateException(this.name + ": no attribute '" + name + "' is declared");
    }

    /** Whether the op declares attribute {@code name}. */
    public boolean takes(String name) {
        return attributes.stream().anyMatch(a -> a.name().equals(name));
    }

    /**
     * The shape of "output" for inputs of {@code inputs}' shapes (op input name to shape; absent
     * optional inputs left out), by the same rules, with the same one-line errors, as the backends
     * apply when they run the op. {@code attrs} are checked as {@link #bind} checks them.
     */
    public Shape outputShape(Attrs attrs, Map<String, Shape> inputs) {
        bind(attrs).checkNames(inputs);
        return shapeRule.of(attrs, new OpShapes.In(name, inputs));
    }

    /** Multiply-adds of one sample through this op (0 for ops whose cost is memory traffic). */
    public long macs(Attrs attrs, OpShapes shapes) {
        return macs.of(attrs, shapes);
    }

    /**
     * The receptive field of one output cell given those of its "input" and (for two-input ops)
     * "other" cells: the declared rule, or by default what the input's cell sees, widened to what the
     * other operand's cell sees. The spacing of the output's cells (the jump) is that of the operand
     * shaped like the output: a broadcast gate such as squeeze-and-excitation's [N, C, 1, 1] lets every
     * cell see the whole image but does not move the cells apart.
     */
    public ReceptiveField receptiveField(Attrs attrs, OpShapes shapes, ReceptiveField input, ReceptiveField other) {
        if (fieldRule != null) {
            return fieldRule.of(attrs, shapes, input);
        }
        if (other == null) {
            return input;
        }
        boolean inputShaped = shapes.input("input").equals(shapes.output());
        ReceptiveField spacing = inputShaped || !shapes.input("other").equals(shapes.output()) ? input : other;
        return new ReceptiveField(Math.max(input.size(), other.size()), spacing.jump());
    }

    /** Bytes the forward pass keeps beside each output element for backward (winner indices, dropout masks). */
    public int savedBytesPerOutputElement() {
        return savedBytesPerOutput;
    }

    /** True when the output shares its input's storage (flatten, reshape): it owns no buffer. */
    public boolean isView() {
        return view;
    }

    /** True for a loss: it compares an output with a target, and ends a training graph rather than being a layer. */
    public boolean isLoss() {
        return loss;
    }

    /** Parses and validates {@code attrs} (unknown names rejected) into a ready-to-run op. */
    public Op bind(Attrs attrs) {
        if (!attrs.op().equals(name)) {
            throw new IllegalArgumentException(name + ": attributes were built for op '" + attrs.op() + "'");
        }
        attrs.check(attributes);
        return new Op(this, attrs, binder.apply(attrs));
    }

    public Op bind(Map<String, ?> attrs) {
        return bind(Attrs.of(name, attrs));
    }

    /** One-shot forward; a graph binds once with {@link #bind} and reuses the {@link Op}. */
    public Map<String, Tensor> forward(Backend backend, Map<String, Tensor> inputs, Attrs attrs) {
        return bind(attrs).forward(backend, inputs);
    }

    /** One-shot backward: gradients of every differentiable input that is present. */
    public Map<String, Tensor> backward(Backend backend, Map<String, Tensor> inputs, Map<String, Tensor> outputs,
                                        Map<String, Tensor> gradOutputs, Attrs attrs) {
        return bind(attrs).backward(backend, inputs, outputs, gradOutputs);
    }

    @Override
    public String toString() {
        return name + "(" + String.join(", ", inputs) + "; " + String.join(", ", attributeNames()) + ")";
    }

    /** Declares an op; the family files (ConvOps, PoolOps, ...) each build a few. */
    public static final class Builder {
        private final String name;
        private final List<String> inputs = new ArrayList<>();
        private final List<String> optionalInputs = new ArrayList<>();
        private final List<String> gradInputs = new ArrayList<>();
        private final List<String> outputs = new ArrayList<>(List.of(Op.OUTPUT));
        private final List<Attribute> attributes = new ArrayList<>();
        private OpFacts.ShapeRule shapeRule;
        private Function<Attrs, Lowering> binder;
        private OpFacts.Macs macs = OpFacts.NO_MACS;
        private OpFacts.FieldRule fieldRule;
        private int savedBytesPerOutput;
        private boolean view;
        private boolean loss;

        private Builder(String name) {
            this.name = name;
        }

        public Builder inputs(String... names) {
            inputs.addAll(List.of(names));
            return this;
        }

        public Builder optionalInputs(String... names) {
            inputs.addAll(List.of(names));
            optionalInputs.addAll(List.of(names));
            return this;
        }

        public Builder gradInputs(String... names) {
            gradInputs.addAll(List.of(names));
            return this;
        }

        public Builder extraOutputs(String... names) {
            outputs.addAll(List.of(names));
            return this;
        }

        public Builder attribute(Attribute a) {
            if (attributes.stream().anyMatch(b -> b.name().equals(a.name()))) {
                throw new IllegalStateException(name + ": attribute '" + a.name() + "' is declared twice");
            }
            attributes.add(a);
            return this;
        }

        /** The output's shape; every op declares one (most call their parameter record's rule). */
        public Builder shape(OpFacts.ShapeRule rule) {
            this.shapeRule = Objects.requireNonNull(rule);
            return this;
        }

        /** The output has the shape of input "input" (element-wise maps, dropout, batch norm). */
        public Builder sameShape() {
            return shape((attrs, in) -> in.get("input"));
        }

        public Builder macs(OpFacts.Macs rule) {
            this.macs = Objects.requireNonNull(rule);
            return this;
        }

        /** For ops that look at a window of their input (convolution, pooling). */
        public Builder receptiveField(OpFacts.FieldRule rule) {
            this.fieldRule = Objects.requireNonNull(rule);
            return this;
        }

        /** The forward pass saves this many bytes per output element for backward. */
        public Builder saves(int bytesPerOutputElement) {
            this.savedBytesPerOutput = bytesPerOutputElement;
            return this;
        }

        public Builder view() {
            this.view = true;
            return this;
        }

        public Builder loss() {
            this.loss = true;
            return this;
        }

        public OpDef lowering(Function<Attrs, Lowering> parseAttributes) {
            this.binder = parseAttributes;
            if (!inputs.containsAll(gradInputs)) {
                throw new IllegalStateException(name + ": gradient inputs " + gradInputs + " are not all inputs " + inputs);
            }
            return new OpDef(this);
        }
    }
}
