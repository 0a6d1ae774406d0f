package dev.fovea.backend.cpu;

import java.util.Arrays;

/**
 * The plane loops of the stride-1 depthwise kernels ({@link DirectDepthwise}), which work on a
 * zero-padded copy of the source plane so that no loop tests a boundary. The padded plane {@code p}
 * has rows of {@code pw >= roundUp(ow, lanes()) + (kw - 1) * dw} floats and at least
 * {@code oh + (kh - 1) * dh} rows. On the Vector API when its module is present, as plain loops
 * otherwise, chosen once like the GEMM kernel. Every element is summed over taps in a fixed order.
 */
abstract class DepthwiseKernel {
    private static final DepthwiseKernel PLAIN = new DepthwiseKernel() {
    };
    // The vector class names the incubator module, so it is only instantiated when the module is there.
    private static final DepthwiseKernel BEST =
            GemmKernels.best() instanceof PlainGemmKernel ? PLAIN : new VectorDepthwiseKernel();

    static DepthwiseKernel best() {
        return BEST;
    }

    /** The plain-Java loops, whatever the JVM offers (for tests and comparison). */
    static DepthwiseKernel plain() {
        return PLAIN;
    }

    /** Output rows are computed in whole chunks of this many columns. */
    int lanes() {
        return 1;
    }

    /** Floats of per-thread scratch that {@link #correlate} and {@link #weightGrad} need for {@code taps}. */
    int tmpSize(int taps) {
        return 1;
    }

    /**
     * p[po + r * pw + c] = src[off + (r - top) * sw + c - left] inside the sh x sw source plane, 0 elsewhere,
     * for r < ph, c < pw; top and left may be negative (the source is then cropped).
     */
    void pad(float[] src, int off, int sh, int sw, int top, int left, float[] p, int po, int ph, int pw) {
        int c0 = Math.max(0, -left);
        int c1 = Math.min(sw, pw - left);
        for (int r = 0; r < ph; r++) {
            int base = po + r * pw;
            int sr = r - top;
            if (sr < 0 || sr >= sh || c1 <= c0) {
                Arrays.fill(p, base, base + pw, 0f);
                continue;
            }
            Arrays.fill(p, base, base + c0 + left, 0f);
            System.arraycopy(src, off + sr * sw + c0, p, base + c0 + left, c1 - c0);
            Arrays.fill(p, base + c1 + left, base + pw, 0f);
        }
    }

    /**
     * dst[dstOff + oy * ow + ox] = init + sum over planes q, taps (a, b) of
     * wt[wo + (q * kh + a) * kw + b] * p[q * planeStride + (oy + a * dh) * pw + ox + b * dw],
     * planes in order and taps row-major within each.
     */
    void correlate(float[] p, int pw, int planeStride, int planes, float[] wt, int wo, int kh, int kw, int dh,
                   int dw, float init, float[] dst, int dstOff, int oh, int ow, float[] tmp) {
        for (int oy = 0; oy < oh; oy++) {
            int d = dstOff + oy * ow;
            Arrays.fill(dst, d, d + ow, init);
            for (int q = 0; q < planes; q++) {
                for (int a = 0; a < kh; a++) {
                    for (int b = 0; b < kw; b++) {
                        float wv = wt[wo + (q * kh + a) * kw + b];
                        int s = q * planeStride + (oy + a * dh) * pw + b * dw;
                        for (int ox = 0; ox < ow; ox++) {
                            dst[d + ox] += wv * p[s + ox];
                        }
                    }
                }
            }
        }
    }

    /**
     * sums[sumsOff + a * kw + b] += sum over oy < oh, ox < ow of
     * dy[dyOff + oy * gw + ox] * p[po + (oy + a * dh) * pw + ox + b * dw], and sums[sumsOff + kh * kw] += the
     * sum of those dy. The rows of dy are gw >= roundUp(ow, lanes()) apart and zero from column ow to
     * roundUp(ow, lanes()) (the vector kernel reads whole vectors). Products are summed in float lanes
     * flushed to double in a fixed order (plain: in double per row).
     */
    void weightGrad(float[] p, int po, int pw, float[] dy, int dyOff, int gw, int oh, int ow, int kh, int kw, int dh,
                    int dw, double[] sums, int sumsOff, float[] tmp) {
        for (int oy = 0; oy < oh; oy++) {
            int d = dyOff + oy * gw;
            for (int a = 0; a < kh; a++) {
                for (int b = 0; b < kw; b++) {
                    int s = po + (oy + a * dh) * pw + b * dw;
                    double sum = 0;
                    for (int ox = 0; ox < ow; ox++) {
                        sum += dy[d + ox] * p[s + ox];
                    }
                    sums[sumsOff + a * kw + b] += sum;
                }
            }
            double sum = 0;
            for (int ox = 0; ox < ow; ox++) {
                sum += dy[d + ox];
            }
            sums[sumsOff + kh * kw] += sum;
        }
    }

    /** The sum of a[off .. off + n) in double (the vector kernel: float lanes flushed to double in order). */
    double sum(float[] a, int off, int n, float[] tmp) {
        double total = 0;
        for (int i = 0; i < n; i++) {
            total += a[off + i];
        }
        return total;
    }
}
