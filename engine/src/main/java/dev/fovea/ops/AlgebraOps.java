package dev.fovea.ops;

import dev.fovea.backend.Backend;
import dev.fovea.io.Limits;
import dev.fovea.primitives.BinaryOp;
import dev.fovea.primitives.Broadcast;
import dev.fovea.primitives.Permutation;
import dev.fovea.primitives.Reduction;
import dev.fovea.primitives.Reshape;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * Tensor algebra composed over the backends' generic primitives (Backend#binary, #sumTo,
 * #broadcastTo, #permute): add, sub, mul, div (input, other) with broadcasting, whose gradients sum
 * over the broadcast dims; sum and mean (dim: an int, a list or absent for all; keepdim, default
 * false); reshape (shape, at most one -1; a view), transpose (dim0, dim1) and permute (dims).
 */
final class AlgebraOps {
    private AlgebraOps() {
    }

    static List<OpDef> all() {
        List<OpDef> ops = new ArrayList<>();
        for (BinaryOp op : BinaryOp.values()) {
            ops.add(binary(op));
        }
        ops.add(reduction("sum", false));
        ops.add(reduction("mean", true));
        ops.add(reshape());
        ops.add(transpose());
        ops.add(permute());
        return ops;
    }

    private static OpDef binary(BinaryOp op) {
        return OpDef.builder(op.opName())
                .inputs("input", "other").gradInputs("input", "other")
                .shape((attrs, in) -> Broadcast.shape(op.opName(), in.get("input"), in.get("other")))
                .lowering(attrs -> Lowering.of(null,
                        (b, in) -> Outputs.output(b.binary(op, in.get("input"), in.get("other"))),
                        (b, in, out, dy, wanted) -> {
                            Tensor x = in.get("input");
                            Tensor y = in.get("other");
                            Tensor dx = wanted.contains("input") ? inputGrad(b, op, dy, y, x.shape()) : null;
                            Tensor dOther = wanted.contains("other")
                                    ? otherGrad(b, op, dy, x, y, out.get(Op.OUTPUT)) : null;
                            return Outputs.grads(wanted, "input", dx, "other", dOther);
                        }));
    }

    /** d(x op y)/dx times dy, summed to x's shape. */
    private static Tensor inputGrad(Backend b, BinaryOp op, Tensor dy, Tensor y, Shape xs) {
        return switch (op) {
            case ADD, SUB -> sumTo(b, dy, false, xs, 1f);
            case MUL -> sumTo(b, b.binary(BinaryOp.MUL, dy, y), true, xs, 1f);
            case DIV -> sumTo(b, b.binary(BinaryOp.DIV, dy, y), true, xs, 1f);
        };
    }

    /** d(x op y)/dy times dy, summed to y's shape; div's is PyTorch's -dy * ((x / y) / y), x / y being the output. */
    private static Tensor otherGrad(Backend b, BinaryOp op, Tensor dy, Tensor x, Tensor y, Tensor z) {
        return switch (op) {
            case ADD -> sumTo(b, dy, false, y.shape(), 1f);
            case SUB -> sumTo(b, dy, false, y.shape(), -1f);
            case MUL -> sumTo(b, b.binary(BinaryOp.MUL, dy, x), true, y.shape(), 1f);
            case DIV -> {
                try (Tensor zOverY = b.binary(BinaryOp.DIV, z, y)) {
                    yield sumTo(b, b.binary(BinaryOp.MUL, dy, zOverY), true, y.shape(), -1f);
                }
            }
        };
    }

    /**
     * {@code scale} times {@code g} summed to {@code shape}. Every gradient is a tensor of its own
     * (callers accumulate gradients in place), so an unscaled same-shape {@code g} is returned as is
     * only when this call {@code owns} it (else sumTo's copy, one pass); an owned temporary is closed
     * once summed.
     */
    private static Tensor sumTo(Backend b, Tensor g, boolean owns, Shape shape, float scale) {
        if (owns && g.shape().equals(shape) && scale == 1f) {
            return g;
        }
        Tensor r = b.sumTo(g, shape, scale);
        if (owns) {
            g.close();
        }
        return r;
    }

    /** sum or mean over {@code dim}; the sum is taken in the input's rank, then viewed without the reduced dims. */
    private static OpDef reduction(String name, boolean mean) {
        return OpDef.builder(name)
                .inputs("input").gradInputs("input")
                .attribute(Attribute.of("dim", Attribute.Kind.INTEGER_OR_LIST, "negative counts from the end; absent: all dims")
                        .dimRange())
                .attribute(Attribute.of("keepdim", Attribute.Kind.BOOLEAN, "keep reduced dims as size 1").byDefault(false))
                .shape((attrs, in) -> Reduction.of(name, in.get("input"), attrs.integers("dim"), attrs.bool("keepdim"))
                        .outputShape())
                // A cell of a sum over the height (as a squeeze-and-excitation's mean over H and W) sees
                // the whole column; summaries show the height axis.
                .receptiveField((attrs, s, in) -> {
                    Shape x = s.input("input");
                    Reduction r = Reduction.of(name, x, attrs.integers("dim"), attrs.bool("keepdim"));
                    return x.rank() == 4 && r.reduced()[2] ? in.then(x.dim(2), x.dim(2)) : in;
                })
                .lowering(attrs -> {
                    int[] dims = attrs.integers("dim");
                    boolean keepdim = attrs.bool("keepdim");
                    return Lowering.of(dims,
                            (b, in) -> {
                                Reduction r = Reduction.of(name, in.get("input").shape(), dims, keepdim);
                                try (Tensor kept = b.sumTo(in.get("input"), r.keptShape(), scale(r, mean))) {
                                    return Outputs.output(kept.reshape(r.outputShape()));
                                }
                            },
                            (b, in, out, dy, wanted) -> {
                                Reduction r = Reduction.of(name, in.get("input").shape(), dims, keepdim);
                                try (Tensor kept = dy.reshape(r.keptShape())) {
                                    if (!mean) {
                                        return Outputs.of("input", b.broadcastTo(kept, r.input()));
                                    }
                                    try (Tensor scaled = b.sumTo(kept, kept.shape(), scale(r, true))) {
                                        return Outputs.of("input", b.broadcastTo(scaled, r.input()));
                                    }
                                }
                            });
                });
    }

    /** 1 for a sum; 1/count for a mean, rounded once from double (a mean over nothing is NaN, as in PyTorch). */
    private static float scale(Reduction r, boolean mean) {
        return mean ? (float) (1.0 / r.count()) : 1f;
    }

    /** The output is a view of the input (Fovea's tensors are contiguous), and so is the gradient. */
    private static OpDef reshape() {
        return OpDef.builder("reshape")
                .inputs("input").gradInputs("input")
                .attribute(Attribute.of("shape", Attribute.Kind.INTEGER_OR_LIST, "at most one -1; the batch dim included")
                        .range(-1, Limits.JAVA_ARRAY).asRequired())
                .shape((attrs, in) -> Reshape.shape(in.get("input"), attrs.requireIntegers("shape")))
                .view()
                .lowering(attrs -> {
                    int[] shape = attrs.requireIntegers("shape");
                    return Lowering.of(shape,
                            (b, in) -> Outputs.output(in.get("input").reshape(Reshape.shape(in.get("input").shape(), shape))),
                            (b, in, out, dy, wanted) -> Outputs.of("input", dy.reshape(in.get("input").shape())));
                });
    }

    private static OpDef transpose() {
        return OpDef.builder("transpose")
                .inputs("input").gradInputs("input")
                .attribute(Attribute.of("dim0", Attribute.Kind.INTEGER, "").dimRange().asRequired())
                .attribute(Attribute.of("dim1", Attribute.Kind.INTEGER, "").dimRange().asRequired())
                .shape((attrs, in) -> permuted(in.get("input"),
                        swap(in.get("input"), attrs.requireInteger("dim0"), attrs.requireInteger("dim1"))))
                .lowering(attrs -> {
                    int dim0 = attrs.requireInteger("dim0");
                    int dim1 = attrs.requireInteger("dim1");
                    return Lowering.of(new int[] {dim0, dim1},
                            (b, in) -> Outputs.output(b.permute(in.get("input"), swap(in.get("input").shape(), dim0, dim1))),
                            // A swap is its own inverse.
                            (b, in, out, dy, wanted) -> Outputs.of("input", b.permute(dy, swap(in.get("input").shape(), dim0, dim1))));
                });
    }

    /** The identity permutation of {@code s}'s dims with {@code dim0} and {@code dim1} swapped. */
    private static int[] swap(Shape s, int dim0, int dim1) {
        int a = TensorOps.axis("transpose", "dim0", s, dim0);
        int c = TensorOps.axis("transpose", "dim1", s, dim1);
        int[] axes = java.util.stream.IntStream.range(0, s.rank()).toArray();
        axes[a] = c;
        axes[c] = a;
        return axes;
    }

    /** The shape Backend#permute gives, by its rule (axes checked as "permute" checks them). */
    private static Shape permuted(Shape s, int[] dims) {
        return Permutation.apply(s, Permutation.axes("permute", s, dims));
    }

    private static OpDef permute() {
        return OpDef.builder("permute")
                .inputs("input").gradInputs("input")
                .attribute(Attribute.of("dims", Attribute.Kind.INTEGER_OR_LIST, "output dim i is input dim dims[i]")
                        .dimRange().asRequired())
                .shape((attrs, in) -> permuted(in.get("input"), attrs.requireIntegers("dims")))
                .lowering(attrs -> {
                    int[] dims = attrs.requireIntegers("dims");
                    return Lowering.of(dims,
                            (b, in) -> Outputs.output(b.permute(in.get("input"), dims)),
                            (b, in, out, dy, wanted) -> Outputs.of("input", b.permute(dy,
                                    Permutation.inverse(Permutation.axes("permute", in.get("input").shape(), dims)))));
                });
    }
}
