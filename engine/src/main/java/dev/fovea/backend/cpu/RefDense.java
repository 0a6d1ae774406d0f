package dev.fovea.backend.cpu;

/** Reference dense algebra: a triple-loop GEMM (double accumulation) and the bias gradient. */
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
