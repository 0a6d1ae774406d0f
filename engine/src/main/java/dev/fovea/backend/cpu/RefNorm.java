package dev.fovea.backend.cpu;

import dev.fovea.primitives.BatchNormParams;
import dev.fovea.tensor.Shape;

import java.util.function.IntConsumer;

/**
 * Reference batch normalisation over N (and H, W) per channel of [N,C,H,W] or [N,C], with
 * PyTorch's semantics: biased batch variance to normalise, unbiased variance into the running
 * statistics. Sums are taken in double so that the reference is limited by float32 storage only.
 * Channels are independent, so each method runs its per-channel body through a {@link ChannelLoop}:
 * in turn for the reference, over the threads for the fast backend, with the same bits either way.
 */
final class RefNorm {
    /** Runs {@code body} once for every channel in [0, channels), in any order or concurrently. */
    @FunctionalInterface
    interface ChannelLoop {
        void run(int channels, IntConsumer body);
    }

    /** One channel after the other on the calling thread. */
    static final ChannelLoop IN_TURN = (channels, body) -> {
        for (int ch = 0; ch < channels; ch++) {
            body.accept(ch);
        }
    };

    private RefNorm() {
    }

    /**
     * Normalises with the batch statistics, writes y and the saved mean and 1/sqrt(var+eps) the
     * backward pass needs, and updates the running statistics in place.
     */
    static void training(float[] x, Shape xs, float[] gamma, float[] beta, float[] runningMean,
                         float[] runningVar, BatchNormParams p, float[] y, float[] mean, float[] invStd,
                         ChannelLoop loop) {
        int n = xs.dim(0);
        int c = xs.dim(1);
        int hw = xs.product(2, xs.rank());
        long m = (long) n * hw;
        loop.run(c, ch -> {
            double sum = 0;
            for (int b = 0; b < n; b++) {
                int base = (b * c + ch) * hw;
                for (int s = 0; s < hw; s++) {
                    sum += x[base + s];
                }
            }
            double mu = sum / m;
            double sq = 0;
            for (int b = 0; b < n; b++) {
                int base = (b * c + ch) * hw;
                for (int s = 0; s < hw; s++) {
                    double d = x[base + s] - mu;
                    sq += d * d;
                }
            }
            double var = sq / m;
            double inv = 1 / Math.sqrt(var + p.eps());
            for (int b = 0; b < n; b++) {
                int base = (b * c + ch) * hw;
                for (int s = 0; s < hw; s++) {
                    y[base + s] = (float) (gamma[ch] * (x[base + s] - mu) * inv + beta[ch]);
                }
            }
            mean[ch] = (float) mu;
            invStd[ch] = (float) inv;
            // With one value per channel the unbiased variance is 0/0; PyTorch refuses such a batch,
            // we keep the running variance finite by using the (zero) biased one instead.
            double unbiased = m > 1 ? sq / (m - 1) : var;
            runningMean[ch] = (float) ((1 - p.momentum()) * runningMean[ch] + p.momentum() * mu);
            runningVar[ch] = (float) ((1 - p.momentum()) * runningVar[ch] + p.momentum() * unbiased);
        });
    }

    /** Normalises with the running statistics. */
    static float[] inference(float[] x, Shape xs, float[] gamma, float[] beta, float[] runningMean,
                             float[] runningVar, BatchNormParams p, ChannelLoop loop) {
        int n = xs.dim(0);
        int c = xs.dim(1);
        int hw = xs.product(2, xs.rank());
        float[] y = new float[x.length];
        loop.run(c, ch -> {
            double scale = gamma[ch] / Math.sqrt(runningVar[ch] + p.eps());
            for (int b = 0; b < n; b++) {
                int base = (b * c + ch) * hw;
                for (int s = 0; s < hw; s++) {
                    y[base + s] = (float) ((x[base + s] - runningMean[ch]) * scale + beta[ch]);
                }
            }
        });
        return y;
    }

    /**
     * Gradients of training-mode batch norm: dbeta = sum(dy), dgamma = sum(dy * x_hat),
     * dx = gamma * invStd / m * (m * dy - dbeta - x_hat * dgamma), with x_hat = (x - mean) * invStd.
     */
    static void backward(float[] dy, float[] x, Shape xs, float[] gamma, float[] mean, float[] invStd,
                         float[] dx, float[] dgamma, float[] dbeta, ChannelLoop loop) {
        int n = xs.dim(0);
        int c = xs.dim(1);
        int hw = xs.product(2, xs.rank());
        long m = (long) n * hw;
        loop.run(c, ch -> {
            double sumDy = 0;
            double sumDyXhat = 0;
            for (int b = 0; b < n; b++) {
                int base = (b * c + ch) * hw;
                for (int s = 0; s < hw; s++) {
                    sumDy += dy[base + s];
                    sumDyXhat += dy[base + s] * ((x[base + s] - (double) mean[ch]) * invStd[ch]);
                }
            }
            double k = (double) gamma[ch] * invStd[ch] / m;
            for (int b = 0; b < n; b++) {
                int base = (b * c + ch) * hw;
                for (int s = 0; s < hw; s++) {
                    double xhat = (x[base + s] - (double) mean[ch]) * invStd[ch];
                    dx[base + s] = (float) (k * (m * dy[base + s] - sumDy - xhat * sumDyXhat));
                }
            }
            dgamma[ch] = (float) sumDyXhat;
            dbeta[ch] = (float) sumDy;
        });
    }

    /**
     * Gradients of batch norm with the running statistics, y = gamma (x - mean) invStd + beta with
     * invStd = 1/sqrt(runningVar + eps) a constant: dx = dy gamma invStd, dgamma = sum(dy x_hat),
     * dbeta = sum(dy), x_hat = (x - runningMean) invStd.
     */
    static void inferenceBackward(float[] dy, float[] x, Shape xs, float[] gamma, float[] runningMean,
                                  float[] runningVar, BatchNormParams p, float[] dx, float[] dgamma, float[] dbeta,
                                  ChannelLoop loop) {
        int n = xs.dim(0);
        int c = xs.dim(1);
        int hw = xs.product(2, xs.rank());
        loop.run(c, ch -> {
            double inv = 1 / Math.sqrt(runningVar[ch] + p.eps());
            double scale = gamma[ch] * inv;
            double sumDy = 0;
            double sumDyXhat = 0;
            for (int b = 0; b < n; b++) {
                int base = (b * c + ch) * hw;
                for (int s = 0; s < hw; s++) {
                    sumDy += dy[base + s];
                    sumDyXhat += dy[base + s] * ((x[base + s] - (double) runningMean[ch]) * inv);
                    dx[base + s] = (float) (dy[base + s] * scale);
                }
            }
            dgamma[ch] = (float) sumDyXhat;
            dbeta[ch] = (float) sumDy;
        });
    }
}
