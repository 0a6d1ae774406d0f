package dev.fovea.backend.cpu;

import dev.fovea.primitives.Activation;
import dev.fovea.primitives.LossDomain;
import dev.fovea.primitives.LossKind;
import dev.fovea.tensor.Shape;

/**
 * Reference losses with mean reduction (cross-entropy over the batch, the others over all
 * elements), following PyTorch's formulas including its guards: binary cross-entropy clamps each log
 * at -100 and its gradient's denominator at {@link #BCE_EPS}, so probabilities of exactly 0 or 1
 * give a finite loss and a finite gradient.
 */
final class RefLoss {
    /** PyTorch's floor for log(p) and log(1-p) in binary cross-entropy. */
    static final double LOG_FLOOR = -100;
    /** PyTorch's floor for p(1-p) in the binary cross-entropy gradient. */
    static final double BCE_EPS = 1e-12;

    private RefLoss() {
    }

    static float forward(LossKind kind, float[] x, Shape xs, float[] target) {
        // A switch expression, so that a new loss fails to compile here instead of returning 0.
        return switch (kind) {
            case CROSS_ENTROPY -> {
                int n = xs.dim(0);
                int c = xs.dim(1);
                float[] logP = RefSoftmax.softmax(x, xs, 1, true);
                double sum = 0;
                for (int i = 0; i < n; i++) {
                    sum -= logP[i * c + label(target, i, xs)];
                }
                yield (float) (sum / n);
            }
            case BINARY_CROSS_ENTROPY -> {
                double sum = 0;
                for (int i = 0; i < x.length; i++) {
                    double p = probability(x, i, xs);
                    double logP = Math.max(Math.log(p), LOG_FLOOR);
                    double log1mP = Math.max(Math.log1p(-p), LOG_FLOOR);
                    sum -= target[i] * logP + (1 - target[i]) * log1mP;
                }
                yield (float) (sum / x.length);
            }
            case BINARY_CROSS_ENTROPY_WITH_LOGITS -> {
                // max(x, 0) - x t + log(1 + e^-|x|): equal to the textbook form, without overflow.
                double sum = 0;
                for (int i = 0; i < x.length; i++) {
                    double v = x[i];
                    sum += Math.max(v, 0) - v * target[i] + Math.log1p(Math.exp(-Math.abs(v)));
                }
                yield (float) (sum / x.length);
            }
            case MSE -> {
                double sum = 0;
                for (int i = 0; i < x.length; i++) {
                    double d = (double) x[i] - target[i];
                    sum += d * d;
                }
                yield (float) (sum / x.length);
            }
        };
    }

    static float[] backward(LossKind kind, float[] x, Shape xs, float[] target, float gradOutput) {
        float[] dx = new float[x.length];
        // A switch expression, so that a new loss fails to compile here instead of returning zeros.
        return switch (kind) {
            case CROSS_ENTROPY -> {
                int n = xs.dim(0);
                int c = xs.dim(1);
                double scale = (double) gradOutput / n;
                float[] prob = RefSoftmax.softmax(x, xs, 1, false);
                for (int i = 0; i < n; i++) {
                    int label = label(target, i, xs);
                    for (int j = 0; j < c; j++) {
                        dx[i * c + j] = (float) (scale * (prob[i * c + j] - (j == label ? 1 : 0)));
                    }
                }
                yield dx;
            }
            case BINARY_CROSS_ENTROPY -> {
                double scale = (double) gradOutput / x.length;
                for (int i = 0; i < x.length; i++) {
                    double p = probability(x, i, xs);
                    dx[i] = (float) (scale * (p - target[i]) / Math.max(p * (1 - p), BCE_EPS));
                }
                yield dx;
            }
            case BINARY_CROSS_ENTROPY_WITH_LOGITS -> {
                double scale = (double) gradOutput / x.length;
                for (int i = 0; i < x.length; i++) {
                    dx[i] = (float) (scale * ((float) Activation.sigmoid(x[i]) - target[i]));
                }
                yield dx;
            }
            case MSE -> {
                double scale = 2.0 * gradOutput / x.length;
                for (int i = 0; i < x.length; i++) {
                    dx[i] = (float) (scale * ((double) x[i] - target[i]));
                }
                yield dx;
            }
        };
    }

    /** Row {@code row} of the targets as a class index, or an error naming the bad value. */
    private static int label(float[] target, int row, Shape xs) {
        float t = target[row];
        if (!LossDomain.isClassIndex(t, xs.dim(1))) {
            throw new IllegalArgumentException(LossDomain.notAClassIndex(row, t, xs));
        }
        return (int) t;
    }

    /** x[i] as a probability, or an error: like PyTorch, values outside [0, 1] are refused. */
    private static double probability(float[] x, int i, Shape xs) {
        float p = x[i];
        if (!LossDomain.isProbability(p)) {
            throw new IllegalArgumentException(LossDomain.notAProbability(i, p, xs));
        }
        return p;
    }
}
