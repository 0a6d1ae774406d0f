package dev.fovea.backend.cpu;

/**
 * The ReLU-family loops over a span, on the Vector API when its module is present and as plain loops
 * otherwise (chosen once, like the GEMM kernel). The vector form matters more than usual: activations
 * change sign at random, so the scalar select is a mispredicted branch per element (about 5 ns), while
 * a compare-and-blend costs a fraction of that. Both forms compute exactly the reference's
 * {@code x > 0 ? a : b}: NaN and -0 take the "not positive" side.
 */
abstract class PointwiseOps {
    private static final PointwiseOps BEST = GemmKernels.best() instanceof PlainGemmKernel ? new PointwiseOps() {
    } : new VectorPointwiseOps();

    static PointwiseOps best() {
        return BEST;
    }

    /** y[i] = x[i] > 0 ? x[i] : x[i] * slope, for i in [from, to); slope 0 is ReLU (giving +0). */
    void leakyRelu(float[] x, float[] y, float slope, int from, int to) {
        for (int i = from; i < to; i++) {
            float v = x[i];
            y[i] = v > 0 ? v : slope == 0 ? 0f : v * slope;
        }
    }

    /** dx[i] = x[i] > 0 ? dy[i] : dy[i] * slope, for i in [from, to); slope 0 is ReLU (giving +0). */
    void leakyReluBackward(float[] dy, float[] x, float[] dx, float slope, int from, int to) {
        for (int i = from; i < to; i++) {
            dx[i] = x[i] > 0 ? dy[i] : slope == 0 ? 0f : dy[i] * slope;
        }
    }
}
