package dev.fovea.backend.cpu;

import dev.fovea.primitives.ShapeRules;
import dev.fovea.tensor.Shape;

/**
 * Reference softmax and log-softmax along one dimension (negative dims count from the end). Each
 * row is shifted by its maximum before exponentiating, so very large logits do not overflow and
 * -inf logits get probability 0 (log-probability -inf) while the rest of the row stays finite. A row
 * with no finite maximum (all -inf, or a +inf) has no distribution and gives NaN, as in PyTorch.
 */
final class RefSoftmax {
    private RefSoftmax() {
    }

    static float[] softmax(float[] x, Shape xs, int dim, boolean log) {
        int d = ShapeRules.axis(log ? "log_softmax" : "softmax", xs, dim);
        int outer = xs.product(0, d);
        int len = xs.dim(d);
        int inner = xs.product(d + 1, xs.rank());
        float[] y = new float[x.length];
        for (int o = 0; o < outer; o++) {
            for (int in = 0; in < inner; in++) {
                int base = o * len * inner + in;
                double max = Double.NEGATIVE_INFINITY;
                for (int k = 0; k < len; k++) {
                    max = Math.max(max, x[base + k * inner]);
                }
                double sum = 0;
                for (int k = 0; k < len; k++) {
                    sum += Math.exp(x[base + k * inner] - max);
                }
                double logSum = Math.log(sum);
                for (int k = 0; k < len; k++) {
                    double shifted = x[base + k * inner] - max;
                    y[base + k * inner] = (float) (log ? shifted - logSum : Math.exp(shifted) / sum);
                }
            }
        }
        return y;
    }

    /**
     * From the forward output y: softmax dx = y * (dy - sum(dy * y)); log-softmax
     * dx = dy - exp(y) * sum(dy). Both stay finite where y is 0 or -inf.
     */
    static float[] softmaxBackward(float[] dy, float[] y, Shape ys, int dim, boolean log) {
        int d = ShapeRules.axis(log ? "log_softmax backward" : "softmax backward", ys, dim);
        int outer = ys.product(0, d);
        int len = ys.dim(d);
        int inner = ys.product(d + 1, ys.rank());
        float[] dx = new float[y.length];
        for (int o = 0; o < outer; o++) {
            for (int in = 0; in < inner; in++) {
                int base = o * len * inner + in;
                double dot = 0;
                for (int k = 0; k < len; k++) {
                    int i = base + k * inner;
                    dot += log ? dy[i] : (double) dy[i] * y[i];
                }
                for (int k = 0; k < len; k++) {
                    int i = base + k * inner;
                    dx[i] = (float) (log ? dy[i] - Math.exp(y[i]) * dot : y[i] * (dy[i] - dot));
                }
            }
        }
        return dx;
    }
}
