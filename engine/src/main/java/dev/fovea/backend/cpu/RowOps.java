package dev.fovea.backend.cpu;

/**
 * Row loops of the direct kernels (y += a * x, acc += x * y over a span), on the Vector API when its
 * module is present and as plain loops otherwise, chosen once like the GEMM kernel.
 */
abstract class RowOps {
    private static final RowOps BEST = GemmKernels.best() instanceof PlainGemmKernel ? new RowOps() {
    } : new VectorRowOps();

    static RowOps best() {
        return BEST;
    }

    /** y[yo + i] += a * x[xo + i] for i < n. */
    void axpy(float a, float[] x, int xo, float[] y, int yo, int n) {
        for (int i = 0; i < n; i++) {
            y[yo + i] += a * x[xo + i];
        }
    }

    /** acc[ao + i] += x[xo + i] * y[yo + i] for i < n. */
    void multiplyAdd(float[] x, int xo, float[] y, int yo, float[] acc, int ao, int n) {
        for (int i = 0; i < n; i++) {
            acc[ao + i] += x[xo + i] * y[yo + i];
        }
    }
}
