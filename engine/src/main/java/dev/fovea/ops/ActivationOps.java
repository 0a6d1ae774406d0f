package dev.fovea.ops;

import dev.fovea.backend.Grads;
import dev.fovea.primitives.Activation;
import dev.fovea.primitives.ShapeRules;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One op per {@link Activation} op name, with the constant's number attribute where it has one and
 * gelu's approximate ("none" or "tanh"), and prelu, softmax and log_softmax (dim).
 */
final class ActivationOps {
    private ActivationOps() {
    }

    static List<OpDef> all() {
        List<OpDef> ops = new ArrayList<>();
        Map<String, List<Activation>> byName = new LinkedHashMap<>();
        for (Activation kind : Activation.values()) {
            byName.computeIfAbsent(kind.opName(), k -> new ArrayList<>()).add(kind);
        }
        byName.forEach((name, forms) -> ops.add(activation(name, forms)));
        ops.add(OpDef.builder("prelu")
                .inputs("input", "weight").gradInputs("input", "weight")
                .shape((attrs, in) -> {
                    ShapeRules.prelu(in.get("input"), in.get("weight"));
                    return in.get("input");
                })
                .lowering(attrs -> Lowering.of(null,
                        (b, in) -> Outputs.output(b.prelu(in.get("input"), in.get("weight"))),
                        (b, in, out, dy, wanted) -> {
                            Grads g = b.preluBackward(dy, in.get("input"), in.get("weight"));
                            return Outputs.grads(wanted, "input", g.input(), "weight", g.weight());
                        })));
        ops.add(softmax("softmax", false));
        ops.add(softmax("log_softmax", true));
        return ops;
    }

    /**
     * An activation op; several constants sharing an op name are its forms, told apart by PyTorch's
     * {@code approximate} attribute (gelu's "none" and "tanh").
     */
    private static OpDef activation(String name, List<Activation> forms) {
        Activation first = forms.get(0);
        OpDef.Builder builder = OpDef.builder(name).inputs("input").gradInputs("input").sameShape();
        if (first.parameter() != null) {
            builder.attribute(Attribute.of(first.parameter(), Attribute.Kind.NUMBER, "")
                    .byDefault(first.defaultParameter()));
        }
        if (forms.size() > 1) {
            builder.attribute(Attribute.choice("approximate", forms.stream().map(Activation::approximate).toList(),
                    "PyTorch's forms").byDefault("none"));
        }
        return builder.lowering(attrs -> {
            Activation kind = form(name, forms, attrs);
            float p = kind.parameter() == null ? 0f : (float) attrs.real(kind.parameter());
            Object params = kind.parameter() != null ? (Object) p : forms.size() > 1 ? kind.approximate() : null;
            return Lowering.of(params,
                    (b, in) -> Outputs.output(b.activation(in.get("input"), kind, p)),
                    (b, in, out, dy, wanted) -> Outputs.of("input",
                            b.activationBackward(dy, in.get("input"), out.get(Op.OUTPUT), kind, p)));
        });
    }

    private static Activation form(String name, List<Activation> forms, Attrs attrs) {
        if (forms.size() == 1) {
            return forms.get(0);
        }
        String approximate = attrs.string("approximate");
        for (Activation kind : forms) {
            if (kind.approximate().equals(approximate)) {
                return kind;
            }
        }
        throw new IllegalArgumentException(name + ": attribute 'approximate' must be one of "
                + forms.stream().map(k -> "'" + k.approximate() + "'").toList() + ", got '" + approximate + "'");
    }

    /** dim is required, as PyTorch's implicit choice of dimension is deprecated; negative counts from the end. */
    private static OpDef softmax(String name, boolean log) {
        return OpDef.builder(name)
                .inputs("input").gradInputs("input")
                .attribute(Attribute.of("dim", Attribute.Kind.INTEGER, "negative counts from the end").range(-4, 3).asRequired())
                .shape((attrs, in) -> {
                    TensorOps.axis(name, "dim", in.get("input"), attrs.requireInteger("dim"));
                    return in.get("input");
                })
                .lowering(attrs -> {
                    int dim = attrs.requireInteger("dim");
                    return Lowering.of(dim,
                            (b, in) -> Outputs.output(b.softmax(in.get("input"),
                                    TensorOps.axis(name, "dim", in.get("input").shape(), dim), log)),
                            (b, in, out, dy, wanted) -> Outputs.of("input", b.softmaxBackward(dy, out.get(Op.OUTPUT),
                                    TensorOps.axis(name, "dim", out.get(Op.OUTPUT).shape(), dim), log)));
                });
    }
}
