package dev.fovea.ops;

import dev.fovea.primitives.ShapeRules;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;

import java.util.List;

/** Ops that combine or reshape tensors: concat (input, other; dim), flatten (the binary maps live in AlgebraOps). */
final class TensorOps {
    private TensorOps() {
    }

    static List<OpDef> all() {
        return List.of(concat(), flatten());
    }

    /** dim defaults to 0 as in torch.cat; negative counts from the end. */
    private static OpDef concat() {
        return OpDef.builder("concat")
                .inputs("input", "other").gradInputs("input", "other")
                .attribute(Attribute.of("dim", Attribute.Kind.INTEGER, "negative counts from the end").range(-4, 3).byDefault(0))
                .shape((attrs, in) -> ShapeRules.concat(new Shape[] {in.get("input"), in.get("other")},
                        axis("concat", "dim", in.get("input"), attrs.integer("dim"))))
                .lowering(attrs -> {
                    int dim = attrs.integer("dim");
                    return Lowering.of(dim,
                            (b, in) -> Outputs.output(b.concat(List.of(in.get("input"), in.get("other")),
                                    axis("concat", "dim", in.get("input").shape(), dim))),
                            (b, in, out, dy, wanted) -> {
                                int axis = axis("concat", "dim", in.get("input").shape(), dim);
                                List<Tensor> parts = b.split(dy, axis, new int[] {
                                        in.get("input").shape().dim(axis), in.get("other").shape().dim(axis)});
                                return Outputs.grads(wanted, "input", parts.get(0), "other", parts.get(1));
                            });
                });
    }

    /**
     * Merges dimensions start_dim..end_dim into one. start_dim defaults to 1 (nn.Flatten's choice,
     * which keeps the batch dimension) and end_dim to -1. The output is a view of the input.
     */
    private static OpDef flatten() {
        return OpDef.builder("flatten")
                .inputs("input").gradInputs("input")
                .attribute(Attribute.of("start_dim", Attribute.Kind.INTEGER, "").dimRange().byDefault(1))
                .attribute(Attribute.of("end_dim", Attribute.Kind.INTEGER, "").dimRange().byDefault(-1))
                .shape((attrs, in) -> flattened(in.get("input"), attrs.integer("start_dim"), attrs.integer("end_dim")))
                .view()
                .lowering(attrs -> {
                    int start = attrs.integer("start_dim");
                    int end = attrs.integer("end_dim");
                    return Lowering.of(new int[] {start, end},
                            (b, in) -> Outputs.output(in.get("input").reshape(flattened(in.get("input").shape(), start, end))),
                            (b, in, out, dy, wanted) -> Outputs.of("input", dy.reshape(in.get("input").shape())));
                });
    }

    static Shape flattened(Shape s, int startDim, int endDim) {
        if (s.rank() == 0) {
            return Shape.of(1);
        }
        int start = axis("flatten", "start_dim", s, startDim);
        int end = axis("flatten", "end_dim", s, endDim);
        if (start > end) {
            throw new IllegalArgumentException("flatten: start_dim " + startDim + " comes after end_dim " + endDim
                    + " for input " + s);
        }
        int[] dims = new int[s.rank() - (end - start)];
        int k = 0;
        for (int i = 0; i < start; i++) {
            dims[k++] = s.dim(i);
        }
        dims[k++] = s.product(start, end + 1);
        for (int i = end + 1; i < s.rank(); i++) {
            dims[k++] = s.dim(i);
        }
        return Shape.of(dims);
    }

    /** Normalises a PyTorch-style (possibly negative) dimension, naming the op and attribute when out of range. */
    static int axis(String op, String attribute, Shape s, int dim) {
        int a = dim < 0 ? dim + s.rank() : dim;
        if (a < 0 || a >= s.rank()) {
            throw new IllegalArgumentException(op + ": " + attribute + " " + dim + " is out of range for input " + s);
        }
        return a;
    }
}
