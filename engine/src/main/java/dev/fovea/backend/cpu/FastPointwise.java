package dev.fovea.backend.cpu;

import dev.fovea.primitives.Activation;
import dev.fovea.tensor.HostArrays;

/**
 * The parameter-free activations and their gradients over fixed-size chunks spread on the threads.
 * Each element is computed by exactly the reference's formula, so results are bitwise those of
 * {@link RefPointwise} for any thread count (both evaluate {@link Activation}'s scalar methods);
 * the win is branch-free, vectorised ReLU and leaky ReLU ({@link PointwiseOps}) and the other cores.
 */
final class FastPointwise {
    /** Elements per task: large enough to amortise a task, small enough to balance two or more threads. */
    static final int CHUNK = 1 << 15;
    private static final PointwiseOps OPS = PointwiseOps.best();

    private FastPointwise() {
    }

    static float[] activation(CpuThreads threads, float[] x, Activation kind, float p) {
        float[] y = HostArrays.floats(x.length);
        Range body;
        if (kind == Activation.RELU) {
            body = (from, to) -> OPS.relu(x, y, from, to);
        } else if (kind == Activation.LEAKY_RELU) {
            body = (from, to) -> OPS.leakyRelu(x, y, p, from, to);
        } else {
            // Every other kind (and a new one) runs the reference's scalar formula.
            body = (from, to) -> {
                for (int i = from; i < to; i++) {
                    y[i] = kind.forward(x[i], p);
                }
            };
        }
        forChunks(threads, x.length, body);
        return y;
    }

    static float[] activationBackward(CpuThreads threads, float[] dy, float[] x, float[] y, Activation kind,
                                      float p) {
        float[] dx = HostArrays.floats(dy.length);
        Range body;
        if (kind == Activation.RELU) {
            body = (from, to) -> OPS.reluBackward(dy, x, dx, from, to);
        } else if (kind == Activation.LEAKY_RELU) {
            body = (from, to) -> OPS.leakyReluBackward(dy, x, dx, p, from, to);
        } else {
            body = (from, to) -> {
                for (int i = from; i < to; i++) {
                    dx[i] = kind.backward(dy[i], x[i], y[i], p);
                }
            };
        }
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
