package dev.fovea.primitives;

import dev.fovea.tensor.Shape;

import java.util.Arrays;

/**
 * The shape rules of the ops whose attributes have no parameter record (convolution and pooling keep
 * theirs in {@link Conv2dParams} and {@link Pool2dParams}). Every backend checks its arguments with
 * these, and graph shape inference uses the same ones, so a bad call fails the same way, with the
 * same message, whether a graph is being built or run, on any backend. They sit here, above the
 * backends, so that neither the graph nor another backend has to reach into the reference backend.
 */
public final class ShapeRules {
    private ShapeRules() {
    }

    /** Checks that row-major op(A) m x k, op(B) k x n and C m x n fit arrays of the given sizes. */
    public static void gemm(boolean transA, boolean transB, int m, int n, int k, int aSize, int bSize, int cSize) {
        if (m < 0 || n < 0 || k < 0) {
            throw new IllegalArgumentException("gemm: negative size m=" + m + " n=" + n + " k=" + k);
        }
        if ((long) m * k > aSize || (long) k * n > bSize || (long) m * n > cSize) {
            throw new IllegalArgumentException("gemm: m=" + m + " n=" + n + " k=" + k + " (transA=" + transA
                    + ", transB=" + transB + ") needs A>=" + (long) m * k + ", B>=" + (long) k * n + ", C>="
                    + (long) m * n + " elements; got " + aSize + ", " + bSize + ", " + cSize);
        }
    }

    /** Checks x [N, in], w [out, in], b [out]; returns [N, out]. */
    public static Shape linear(Shape x, Shape w, Shape b) {
        String ctx = " (input " + x + ", weight " + w + (b != null ? ", bias " + b : "") + ")";
        if (x.rank() != 2) {
            throw new IllegalArgumentException("linear: input must be 2-D [N, in_features]" + ctx);
        }
        if (w.rank() != 2) {
            throw new IllegalArgumentException("linear: weight must be 2-D [out_features, in_features]" + ctx);
        }
        if (w.dim(1) != x.dim(1)) {
            throw new IllegalArgumentException("linear: weight expects " + w.dim(1) + " input features, input has "
                    + x.dim(1) + ctx);
        }
        if (b != null && (b.rank() != 1 || b.dim(0) != w.dim(0))) {
            throw new IllegalArgumentException("linear: bias must be [" + w.dim(0) + "]" + ctx);
        }
        return Shape.of(x.dim(0), w.dim(0));
    }

    /** Checks x [N,C,H,W] or [N,C] against the four [C] tensors; returns C. */
    public static int batchNorm(Shape x, Shape gamma, Shape beta, Shape runningMean, Shape runningVar) {
        String ctx = " (input " + x + ", weight " + gamma + ", bias " + beta + ", running_mean " + runningMean
                + ", running_var " + runningVar + ")";
        if (x.rank() != 2 && x.rank() != 4) {
            throw new IllegalArgumentException("batch_norm: input must be [N, C] or [N, C, H, W], got rank "
                    + x.rank() + ctx);
        }
        if (x.size() == 0) {
            throw new IllegalArgumentException("batch_norm: input is empty" + ctx);
        }
        int c = x.dim(1);
        Shape expected = Shape.of(c);
        String[] names = {"weight", "bias", "running_mean", "running_var"};
        Shape[] shapes = {gamma, beta, runningMean, runningVar};
        for (int i = 0; i < names.length; i++) {
            if (!shapes[i].equals(expected)) {
                throw new IllegalArgumentException("batch_norm: " + names[i] + " must be " + expected
                        + " for " + c + " input channels, got " + shapes[i] + ctx);
            }
        }
        return c;
    }

    /** Weight [1] (one shared slope) or [C] with C = input dim 1 (a slope per channel). */
    public static void prelu(Shape x, Shape w) {
        String ctx = " (input " + x + ", weight " + w + ")";
        if (w.rank() != 1) {
            throw new IllegalArgumentException("prelu: weight must be 1-D [1] or [C]" + ctx);
        }
        if (w.dim(0) == 1) {
            return;
        }
        if (x.rank() < 2) {
            throw new IllegalArgumentException("prelu: a per-channel weight needs an input of rank >= 2 with"
                    + " channels in dim 1" + ctx);
        }
        if (w.dim(0) != x.dim(1)) {
            throw new IllegalArgumentException("prelu: weight has " + w.dim(0) + " slopes but the input has "
                    + x.dim(1) + " channels" + ctx);
        }
    }

    /** Checks that all inputs agree except along {@code dim}; returns the concatenated shape. */
    public static Shape concat(Shape[] shapes, int dim) {
        if (shapes.length == 0) {
            throw new IllegalArgumentException("concat: needs at least one input, got none");
        }
        Shape first = shapes[0];
        int d = axis("concat", first, dim);
        int total = 0;
        for (int i = 0; i < shapes.length; i++) {
            Shape s = shapes[i];
            boolean same = s.rank() == first.rank();
            for (int a = 0; same && a < s.rank(); a++) {
                same = a == d || s.dim(a) == first.dim(a);
            }
            if (!same) {
                throw new IllegalArgumentException("concat: input " + i + " has shape " + s + " but input 0 has "
                        + first + "; all dimensions except dim " + dim + " must match (shapes "
                        + Arrays.toString(shapes) + ")");
            }
            total += s.dim(d);
        }
        return first.withDim(d, total);
    }

    /** Checks that the sizes are non-negative and add up to the size of {@code dim}; returns the parts' shapes. */
    public static Shape[] split(Shape s, int dim, int[] sizes) {
        int d = axis("split", s, dim);
        long sum = 0;
        for (int size : sizes) {
            if (size < 0) {
                throw new IllegalArgumentException("split: sizes " + Arrays.toString(sizes)
                        + " contain a negative size (input " + s + ", dim " + dim + ")");
            }
            sum += size;
        }
        if (sum != s.dim(d)) {
            throw new IllegalArgumentException("split: sizes " + Arrays.toString(sizes) + " add up to " + sum
                    + " but dim " + dim + " of input " + s + " has size " + s.dim(d));
        }
        Shape[] parts = new Shape[sizes.length];
        for (int i = 0; i < sizes.length; i++) {
            parts[i] = s.withDim(d, sizes[i]);
        }
        return parts;
    }

    /** The non-negative axis for {@code dim} (PyTorch's negative dims), or an error naming the op, the dim and the shape. */
    public static int axis(String op, Shape s, int dim) {
        if (dim < -s.rank() || dim >= s.rank()) {
            throw new IllegalArgumentException(op + ": dim " + dim + " is out of range for input " + s
                    + (s.rank() == 0 ? " (a scalar has no dims)" : " (valid: " + -s.rank() + " to " + (s.rank() - 1) + ")"));
        }
        return dim < 0 ? dim + s.rank() : dim;
    }

    /** Cross-entropy takes logits [N, C] and N class indices; the other losses take two tensors of one shape. */
    public static void loss(LossKind kind, Shape input, Shape target) {
        String op = kind.opName();
        String ctx = " (input " + input + ", target " + target + ")";
        if (kind == LossKind.CROSS_ENTROPY) {
            if (input.rank() != 2) {
                throw new IllegalArgumentException(op + ": input must be 2-D logits [N, C]" + ctx);
            }
            if (target.rank() != 1 || target.dim(0) != input.dim(0)) {
                throw new IllegalArgumentException(op + ": target must be [" + input.dim(0)
                        + "] class indices, one per input row" + ctx);
            }
            if (input.dim(1) == 0) {
                throw new IllegalArgumentException(op + ": input has no classes" + ctx);
            }
        } else if (!input.equals(target)) {
            throw new IllegalArgumentException(op + ": input and target shapes differ" + ctx);
        }
        if (input.size() == 0) {
            throw new IllegalArgumentException(op + ": input is empty, the mean is undefined" + ctx);
        }
    }
}
