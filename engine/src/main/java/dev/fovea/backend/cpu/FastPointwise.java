package dev.fovea.backend.cpu;

import dev.fovea.ops.Activation;
import dev.fovea.tensor.HostArrays;

/**
 * The parameter-free activations and their gradients over fixed-size chunks spread on the threads.
 * Each element is computed by exactly the reference's formula, so results are bitwise those of
 * {@link RefPointwise} for any thread count; the win is one loop per kind (no per-element switch),
 * branch-free ReLU ({@link PointwiseOps}) and the other cores.
 */
final class FastPointwise {
    /** Elements per task: large enough to amortise a task, small enough to balance two or more threads. */
    static final int CHUNK = 1 << 15;
    private static final PointwiseOps OPS = PointwiseOps.best();

    private FastPointwise() {
    }

    static float[] activation(CpuThreads threads, float[] x, Activation kind, float slope) {
        float[] y = HostArrays.floats(x.length);
        // A switch expression, so that a new activation fails to compile here instead of returning zeros.
        Range body = switch (kind) {
            case RELU -> (from, to) -> OPS.relu(x, y, from, to);
            case LEAKY_RELU -> (from, to) -> OPS.leakyRelu(x, y, slope, from, to);
            case SIGMOID -> (from, to) -> {
                for (int i = from; i < to; i++) {
                    y[i] = RefPointwise.sigmoid(x[i]);
                }
            };
            case TANH -> (from, to) -> {
                for (int i = from; i < to; i++) {
                    y[i] = (float) Math.tanh(x[i]);
                }
            };
        };
        forChunks(threads, x.length, body);
        return y;
    }

    /** ReLU and leaky ReLU differentiate through the input; sigmoid and tanh through the output. */
    static float[] activationBackward(CpuThreads threads, float[] dy, float[] x, float[] y, Activation kind,
                                      float slope) {
        float[] dx = HostArrays.floats(dy.length);
        Range body = switch (kind) {
            case RELU -> (from, to) -> OPS.reluBackward(dy, x, dx, from, to);
            case LEAKY_RELU -> (from, to) -> OPS.leakyReluBackward(dy, x, dx, slope, from, to);
            case SIGMOID -> (from, to) -> {
                for (int i = from; i < to; i++) {
                    dx[i] = dy[i] * y[i] * (1 - y[i]);
                }
            };
            case TANH -> (from, to) -> {
                for (int i = from; i < to; i++) {
                    dx[i] = dy[i] * (1 - y[i] * y[i]);
                }
            };
        };
        forChunks(threads, dy.length, body);
        return dx;
    }

    /** A loop body over the element range [from, to). */
    interface Range {
        void run(int from, int to);
    }

    /** Runs {@code body} over [0, n) in {@link #CHUNK}-sized ranges, in parallel. */
    static void forChunks(CpuThreads threads, int n, Range body) {
        int chunks = Sgemm.ceilDiv(n, CHUNK);
        threads.parallelFor(chunks, c -> body.run(c * CHUNK, Math.min(n, (c + 1) * CHUNK)));
    }
}
