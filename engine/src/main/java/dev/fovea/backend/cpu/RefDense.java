package dev.fovea.backend.cpu;

import dev.fovea.tensor.Shape;

/** Reference dense algebra: a triple-loop GEMM (double accumulation) and linear-layer shape rules. */
final class RefDense {
    private RefDense() {
    }

    /** C = alpha * op(A) op(B) + beta * C, row-major; op(A) is m x k, op(B) is k x n. */
    static void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, float[] b,
                     float beta, float[] c) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double sum = 0;
                for (int p = 0; p < k; p++) {
                    float av = transA ? a[p * m + i] : a[i * k + p];
                    float bv = transB ? b[j * k + p] : b[p * n + j];
                    sum += (double) av * bv;
                }
                // beta == 0 must ignore C entirely (it may hold NaN from a previous use), as BLAS does.
                c[i * n + j] = (float) (alpha * sum + (beta == 0 ? 0 : beta * c[i * n + j]));
            }
        }
    }

    static void checkGemm(boolean transA, boolean transB, int m, int n, int k, int aSize, int bSize, int cSize) {
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
    static Shape linearShape(Shape x, Shape w, Shape b) {
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

    /** Sums of each column of a rows x cols matrix (the bias gradient). */
    static float[] columnSums(float[] g, int rows, int cols) {
        double[] acc = new double[cols];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                acc[j] += g[i * cols + j];
            }
        }
        float[] out = new float[cols];
        for (int j = 0; j < cols; j++) {
            out[j] = (float) acc[j];
        }
        return out;
    }
}
