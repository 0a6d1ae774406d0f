package dev.fovea.backend.cpu;

import dev.fovea.ops.Pool2dParams;
import dev.fovea.tensor.Shape;

/** Reference pooling. Filled in by the pooling work. */
final class RefPool {
    private RefPool() {
    }

    /** Writes y; for max/min also idx (flat h*W+w of the winner in its plane). */
    static void forward(float[] x, Shape xs, Pool2dParams p, Shape ys, float[] y, int[] idx) {
        throw new UnsupportedOperationException("TODO");
    }

    static float[] backward(float[] dy, Shape ys, Shape xs, Pool2dParams p, int[] idx) {
        throw new UnsupportedOperationException("TODO");
    }

    static float[] globalAvg(float[] x, Shape xs) {
        throw new UnsupportedOperationException("TODO");
    }

    static float[] globalAvgBackward(float[] dy, Shape xs) {
        throw new UnsupportedOperationException("TODO");
    }
}
