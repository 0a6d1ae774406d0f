package dev.fovea.backend.cuda;

import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;

import java.util.List;

/**
 * Shape checks for the ops whose attributes have no parameter record (batch norm, linear, gemm,
 * prelu, concat, split, losses), with the same messages as the CPU reference gives, so a bad call
 * fails the same way on every backend before anything is queued on the GPU.
 */
final class CudaChecks {
    private CudaChecks() {
    }

    static void sameShape(String op, Tensor a, Tensor b) {
        if (!a.shape().equals(b.shape())) {
            throw new IllegalArgumentException(op + ": shapes differ: " + a.shape() + " and " + b.shape());
        }
    }

    static void shape(String op, String what, Tensor t, Shape expected) {
        if (!t.shape().equals(expected)) {
            throw new IllegalArgumentException(op + ": " + what + " must be " + expected + ", got " + t.shape());
        }
    }

    /** Returns the channel count C of [N, C] or [N, C, H, W] batch-norm input. */
    static int batchNorm(Shape x, Shape gamma, Shape beta, Shape runningMean, Shape runningVar) {
        String ctx = " (input " + x + ", weight " + gamma + ", bias " + beta + ", running_mean " + runningMean
                + ", running_var " + runningVar + ")";
        if (x.rank() != 2 && x.rank() != 4) {
            throw new IllegalArgumentException("batch_norm: input must be [N, C] or [N, C, H, W], got rank " + x.rank() + ctx);
        }
        if (x.size() == 0) {
            throw new IllegalArgumentException("batch_norm: input is empty" + ctx);
        }
        int c = x.dim(1);
        String[] names = {"weight", "bias", "running_mean", "running_var"};
        Shape[] shapes = {gamma, beta, runningMean, runningVar};
        for (int i = 0; i < names.length; i++) {
            if (!shapes[i].equals(Shape.of(c))) {
                throw new IllegalArgumentException("batch_norm: " + names[i] + " must be " + Shape.of(c) + " for " + c
                        + " input channels, got " + shapes[i] + ctx);
            }
        }
        return c;
    }

    static void gemm(boolean transA, boolean transB, int m, int n, int k, int aSize, int bSize, int cSize) {
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
    static Shape linear(Shape x, Shape w, Shape b) {
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

    static void prelu(Shape x, Shape w) {
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

    /** The shape of concatenating {@code shapes} along {@code dim}. */
    static Shape concat(List<Shape> shapes, int dim) {
        if (shapes.isEmpty()) {
            throw new IllegalArgumentException("concat: needs at least one input");
        }
        Shape first = shapes.get(0);
        int axis = first.axis(dim);
        int total = 0;
        for (Shape s : shapes) {
            boolean ok = s.rank() == first.rank();
            for (int i = 0; ok && i < s.rank(); i++) {
                ok = i == axis || s.dim(i) == first.dim(i);
            }
            if (!ok) {
                throw new IllegalArgumentException("concat: inputs must agree in every dimension but " + dim
                        + ", got " + shapes);
            }
            total += s.dim(axis);
        }
        return first.withDim(axis, total);
    }

    static void split(Shape s, int dim, int[] sizes) {
        int axis = s.axis(dim);
        long sum = 0;
        for (int size : sizes) {
            if (size < 0) {
                throw new IllegalArgumentException("split: sizes must be >= 0, got " + java.util.Arrays.toString(sizes));
            }
            sum += size;
        }
        if (sum != s.dim(axis)) {
            throw new IllegalArgumentException("split: sizes " + java.util.Arrays.toString(sizes) + " add up to " + sum
                    + ", dimension " + dim + " of " + s + " is " + s.dim(axis));
        }
    }

    static void loss(String op, boolean classIndices, Shape input, Shape target) {
        String ctx = " (input " + input + ", target " + target + ")";
        if (classIndices) {
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
