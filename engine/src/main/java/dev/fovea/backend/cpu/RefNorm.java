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
 * Training's sums over a channel run in four interleaved lanes (value s of each image's plane into lane
 * s mod 4, a plane's last hw mod 4 values into lane 0), added as (l0 + l1) + (l2 + l3): one running sum
 * was a chain of dependent double adds, about 4 cycles per value, and batch norm took a quarter of a
 * ResNet training step in a per-op profile. In double the order changes the sums by far less than
 * float32 can show (on a 2M-value batch of 64 channels no output bit changed).
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
            // Every sum in four interleaved lanes (see the class comment).
            double s0 = 0;
            double s1 = 0;
            double s2 = 0;
            double s3 = 0;
            for (int b = 0; b < n; b++) {
                int base = (b * c + ch) * hw;
                int s = 0;
                for (; s + 4 <= hw; s += 4) {
                    s0 += x[base + s];
                    s1 += x[base + s + 1];
                    s2 += x[base + s + 2];
                    s3 += x[base + s + 3];
                }
                for (; s < hw; s++) {
                    s0 += x[base + s];
                }
            }
            double mu = ((s0 + s1) + (s2 + s3)) / m;
            s0 = 0;
            s1 = 0;
            s2 = 0;
            s3 = 0;
            for (int b = 0; b < n; b++) {
                int base = (b * c + ch) * hw;
                int s = 0;
                for (; s + 4 <= hw; s += 4) {
                    double d0 = x[base + s] - mu;
                    double d1 = x[base + s + 1] - mu;
                    double d2 = x[base + s + 2] - mu;
                    double d3 = x[base + s + 3] - mu;
                    s0 += d0 * d0;
                    s1 += d1 * d1;
                    s2 += d2 * d2;
                    s3 += d3 * d3;
                }
                for (; s < hw; s++) {
                    double d = x[base + s] - mu;
                    s0 += d * d;
                }
            }
            double sq = (s0 + s1) + (s2 + s3);
            double var = sq / m;
            double inv = 1 / Math.sqrt(var + p.eps());
            // In locals: y's stores might alias gamma or beta, so the loop would read them again per value.
            double g = gamma[ch];
            double bt = beta[ch];
            for (int b = 0; b < n; b++) {
                int base = (b * c + ch) * hw;
                for (int s = 0; s < hw; s++) {
                    y[base + s] = (float) (g * (x[base + s] - mu) * inv + bt);
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
            // In locals: dx's stores might alias mean or invStd, so the loops would read them again per value.
            double mu = mean[ch];
            double inv = invStd[ch];
            // Both sums in four interleaved lanes (see the class comment).
            double d0 = 0;
            double d1 = 0;
            double d2 = 0;
            double d3 = 0;
            double h0 = 0;
            double h1 = 0;
            double h2 = 0;
            double h3 = 0;
            for (int b = 0; b < n; b++) {
                int base = (b * c + ch) * hw;
                int s = 0;
                for (; s + 4 <= hw; s += 4) {
                    int at = base + s;
                    d0 += dy[at];
                    d1 += dy[at + 1];
                    d2 += dy[at + 2];
                    d3 += dy[at + 3];
                    h0 += dy[at] * ((x[at] - mu) * inv);
                    h1 += dy[at + 1] * ((x[at + 1] - mu) * inv);
                    h2 += dy[at + 2] * ((x[at + 2] - mu) * inv);
                    h3 += dy[at + 3] * ((x[at + 3] - mu) * inv);
                }
                for (; s < hw; s++) {
                    d0 += dy[base + s];
                    h0 += dy[base + s] * ((x[base + s] - mu) * inv);
                }
            }
            double sumDy = (d0 + d1) + (d2 + d3);
            double sumDyXhat = (h0 + h1) + (h2 + h3);
            double k = (double) gamma[ch] * inv / m;
            for (int b = 0; b < n; b++) {
                int base = (b * c + ch) * hw;
                for (int s = 0; s < hw; s++) {
                    double xhat = (x[base + s] - mu) * inv;
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
