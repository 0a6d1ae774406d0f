package dev.fovea.backend.cpu;

import dev.fovea.ops.LossKind;
import dev.fovea.tensor.Shape;

/**
 * The shape rules of the ops whose checks live beside their reference kernels, made public for
 * shape inference, so that a graph checks shapes with exactly the rules its kernels enforce.
 * Convolution and pooling rules live in their parameter records.
 */
public final class ShapeRules {
    private ShapeRules() {
    }

    /** Checks that row-major op(A) m x k, op(B) k x n and C m x n fit arrays of the given sizes. */
    public static void gemm(boolean transA, boolean transB, int m, int n, int k, int aSize, int bSize, int cSize) {
        RefDense.checkGemm(transA, transB, m, n, k, aSize, bSize, cSize);
    }

    /** x [N, in], w [out, in], b [out] (nullable) -> [N, out]. */
    public static Shape linear(Shape x, Shape w, Shape b) {
        return RefDense.linearShape(x, w, b);
    }

    /** Checks batch norm's parameter shapes against x; returns the channel count. */
    public static int batchNorm(Shape x, Shape gamma, Shape beta, Shape runningMean, Shape runningVar) {
        return RefNorm.checkShapes(x, gamma, beta, runningMean, runningVar);
    }

    public static void prelu(Shape x, Shape w) {
        RefPointwise.checkPrelu(x, w);
    }

    public static Shape concat(Shape[] shapes, int dim) {
        return RefConcat.concatShape(shapes, dim);
    }

    public static Shape[] split(Shape s, int dim, int[] sizes) {
        return RefConcat.splitShapes(s, dim, sizes);
    }

    /** Normalises a possibly negative {@code dim} of {@code s} for {@code op}, with an error naming both. */
    public static int axis(String op, Shape s, int dim) {
        return Axes.axis(op, s, dim);
    }

    public static void loss(LossKind kind, Shape input, Shape target) {
        RefLoss.checkShapes(kind, input, target);
    }
}
