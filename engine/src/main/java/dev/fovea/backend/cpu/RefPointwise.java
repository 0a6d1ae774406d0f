package dev.fovea.backend.cpu;

import dev.fovea.ops.Activation;
import dev.fovea.tensor.Shape;

/**
 * Reference elementwise ops: the parameter-free activations and PReLU (the dropout mask is
 * {@link dev.fovea.ops.DropoutMask}). Backward rules follow PyTorch, including its choices at kinks
 * (the ReLU gradient at exactly 0 is 0).
 */
final class RefPointwise {
    private RefPointwise() {
    }

    static float[] activation(float[] x, Activation kind, float slope) {
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            float v = x[i];
            y[i] = switch (kind) {
                // PyTorch's clamp_min(x, 0): NaN and -0 pass through.
                case RELU -> v < 0 ? 0f : v;
                case LEAKY_RELU -> v > 0 ? v : v * slope;
                case SIGMOID -> sigmoid(v);
                case TANH -> (float) Math.tanh(v);
            };
        }
        return y;
    }

    /**
     * ReLU and leaky ReLU differentiate through the input; sigmoid and tanh through the output. As in
     * PyTorch, ReLU passes the gradient where its output is NaN ({@code x <= 0} is false for NaN) and
     * leaky ReLU scales it there by the slope.
     */
    static float[] activationBackward(float[] dy, float[] x, float[] y, Activation kind, float slope) {
        float[] dx = new float[dy.length];
        for (int i = 0; i < dy.length; i++) {
            dx[i] = switch (kind) {
                case RELU -> x[i] <= 0 ? 0f : dy[i];
                case LEAKY_RELU -> x[i] > 0 ? dy[i] : dy[i] * slope;
                case SIGMOID -> dy[i] * y[i] * (1 - y[i]);
                case TANH -> dy[i] * (1 - y[i] * y[i]);
            };
        }
        return dx;
    }

    /** 1/(1+e^-x) evaluated so that neither branch exponentiates a large positive number. */
    static float sigmoid(float x) {
        if (x >= 0) {
            return (float) (1 / (1 + Math.exp(-x)));
        }
        double e = Math.exp(x);
        return (float) (e / (1 + e));
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
