package dev.fovea.backend.cpu;

/**
 * The ReLU-family loops over a span, on the Vector API when its module is present and as plain loops
 * otherwise (chosen once, like the GEMM kernel). The vector form matters more than usual: activations
 * change sign at random, so the scalar select is a mispredicted branch per element (about 5 ns), while
 * a compare-and-blend costs a fraction of that. Both forms compute exactly the reference's rules,
 * which are PyTorch's: ReLU is {@code x < 0 ? 0 : x} (NaN and -0 pass) and passes the gradient
 * unless {@code x <= 0}; leaky ReLU is {@code x > 0 ? x : x * slope} both ways (NaN * slope is NaN).
 */
abstract class PointwiseOps {
    private static final PointwiseOps BEST = GemmKernels.best() instanceof PlainGemmKernel ? new PointwiseOps() {
    } : new VectorPointwiseOps();

    static PointwiseOps best() {
        return BEST;
    }

    /** y[i] = x[i] < 0 ? 0 : x[i], for i in [from, to). */
    void relu(float[] x, float[] y, int from, int to) {
        for (int i = from; i < to; i++) {
            float v = x[i];
            y[i] = v < 0 ? 0f : v;
        }
    }

    /** dx[i] = x[i] <= 0 ? 0 : dy[i], for i in [from, to). */
    void reluBackward(float[] dy, float[] x, float[] dx, int from, int to) {
        for (int i = from; i < to; i++) {
            dx[i] = x[i] <= 0 ? 0f : dy[i];
        }
    }

    /** y[i] = x[i] > 0 ? x[i] : x[i] * slope, for i in [from, to). */
    void leakyRelu(float[] x, float[] y, float slope, int from, int to) {
        for (int i = from; i < to; i++) {
            float v = x[i];
            y[i] = v > 0 ? v : v * slope;
        }
    }

    /** dx[i] = x[i] > 0 ? dy[i] : dy[i] * slope, for i in [from, to). */
    void leakyReluBackward(float[] dy, float[] x, float[] dx, float slope, int from, int to) {
        for (int i = from; i < to; i++) {
            dx[i] = x[i] > 0 ? dy[i] : dy[i] * slope;
        }
    }
}
