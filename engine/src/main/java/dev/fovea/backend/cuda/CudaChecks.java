package dev.fovea.backend.cuda;

import dev.fovea.primitives.Broadcast;
import dev.fovea.primitives.LossKind;
import dev.fovea.primitives.Permutation;
import dev.fovea.primitives.ShapeRules;
import dev.fovea.primitives.StridedLayout;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;

import java.util.List;

/**
 * Shape checks before anything is queued on the GPU. The op rules are the ones every backend shares
 * ({@link ShapeRules}), so a bad call fails the same way, with the same message, on every backend.
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
        return ShapeRules.batchNorm(x, gamma, beta, runningMean, runningVar);
    }

    static void gemm(boolean transA, boolean transB, int m, int n, int k, int aSize, int bSize, int cSize) {
        ShapeRules.gemm(transA, transB, m, n, k, aSize, bSize, cSize);
    }

    /** Checks x [N, in], w [out, in], b [out]; returns [N, out]. */
    static Shape linear(Shape x, Shape w, Shape b) {
        return ShapeRules.linear(x, w, b);
    }

    static void prelu(Shape x, Shape w) {
        ShapeRules.prelu(x, w);
    }

    /** The shape of concatenating {@code shapes} along {@code dim}. */
    static Shape concat(List<Shape> shapes, int dim) {
        return ShapeRules.concat(shapes.toArray(Shape[]::new), dim);
    }

    static void split(Shape s, int dim, int[] sizes) {
        ShapeRules.split(s, dim, sizes);
    }

    static Shape broadcast(String op, Shape a, Shape b) {
        return Broadcast.shape(op, a, b);
    }

    static void reducible(Shape from, Shape target) {
        Broadcast.requireReducible("sum_to", from, target);
    }

    static void expandable(Shape from, Shape to) {
        Broadcast.requireExpandable("broadcast_to", from, to);
    }

    static int[] permutation(Shape s, int[] dims) {
        return Permutation.axes("permute", s, dims);
    }

    /** The merged layout, or an error when it still needs more dims than the strided kernels take. */
    static StridedLayout layout(String context, StridedLayout l, int maxDims) {
        if (l.rank() > maxDims) {
            throw new IllegalArgumentException(context + ": the cuda backend's strided kernels take at most " + maxDims
                    + " dims after merging the contiguous ones, this needs " + l.rank() + " (" + l
                    + "); reshape to fewer dims or use the cpu backend");
        }
        return l;
    }

    static void loss(LossKind kind, Shape input, Shape target) {
        ShapeRules.loss(kind, input, target);
    }
}
