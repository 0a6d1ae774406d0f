package dev.fovea.backend.cpu;

import dev.fovea.primitives.Activation;
import dev.fovea.tensor.Shape;

/**
 * Reference elementwise ops: the parameter-free activations (their formulas live on
 * {@link Activation}) and PReLU (the dropout mask is {@link dev.fovea.primitives.DropoutMask}). Backward
 * rules follow PyTorch, including its choices at kinks (the ReLU gradient at exactly 0 is 0).
 */
final class RefPointwise {
    private RefPointwise() {
    }

    /** The activation's own scalar formula ({@link Activation#forward}) over every element. */
    static float[] activation(float[] x, Activation kind, float p) {
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = kind.forward(x[i], p);
        }
        return y;
    }

    /** The activation's own scalar derivative ({@link Activation#backward}) over every element. */
    static float[] activationBackward(float[] dy, float[] x, float[] y, Activation kind, float p) {
        float[] dx = new float[dy.length];
        for (int i = 0; i < dy.length; i++) {
            dx[i] = kind.backward(dy[i], x[i], y[i], p);
        }
        return dx;
    }

    static float[] prelu(float[] x, Shape xs, float[] w) {
        int inner = innerSize(xs, w.length);
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            float a = w[channel(i, inner, w.length)];
            y[i] = x[i] > 0 ? x[i] : a * x[i];
        }
        return y;
    }

    static void preluBackward(float[] dy, float[] x, Shape xs, float[] w, float[] dx, float[] dw) {
        int inner = innerSize(xs, w.length);
        double[] acc = new double[w.length];
        for (int i = 0; i < x.length; i++) {
            int c = channel(i, inner, w.length);
            if (x[i] > 0) {
                dx[i] = dy[i];
            } else {
                dx[i] = w[c] * dy[i];
                acc[c] += (double) x[i] * dy[i];
            }
        }
        for (int c = 0; c < w.length; c++) {
            dw[c] = (float) acc[c];
        }
    }

    /** Elements per (sample, channel) pair: the product of the dims after dim 1. */
    private static int innerSize(Shape xs, int slopes) {
        return slopes == 1 ? 1 : xs.product(2, xs.rank());
    }

    /** The slope index of flat element i: 0 for a shared slope, else its dim-1 coordinate. */
    private static int channel(int i, int inner, int slopes) {
        return slopes == 1 ? 0 : (i / inner) % slopes;
    }

}
