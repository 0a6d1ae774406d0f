package dev.fovea.backend.cpu;

import java.util.Arrays;

/**
 * Direct kernels for depthwise convolution (every output channel reads one input channel; a channel
 * multiplier above 1 is allowed), cross-correlation form. im2col would copy each input pixel kh*kw times
 * to feed GEMMs of a single row, so these loops work on the planes themselves.
 *
 * <p>Stride 1 (any padding and dilation) copies each source plane into a zero-padded per-thread plane and
 * makes one pass over it with {@link DepthwiseKernel}: every output vector sums all its taps in a register.
 * The input gradient is then the same correlation of the padded dy planes with the rotated kernels, and
 * the weight gradient (with the bias gradient) one pass per image over dy and the padded input.
 * Other strides take the general loops: for each kernel tap the valid span of every output row is
 * computed once and the inner loop is a plain, vectorisable axpy.
 * One task per plane (per channel for the weights); each element is accumulated over taps (and images)
 * in a fixed order, so results do not depend on the thread count.
 */
final class DirectDepthwise {
    private static final RowOps OPS = RowOps.best();

    private DirectDepthwise() {
    }

    private static boolean unitStride(ConvGeometry g) {
        return g.strideH() == 1 && g.strideW() == 1;
    }

    private static int roundUp(int v, int m) {
        return (v + m - 1) / m * m;
    }

    /**
     * p[po + r * pw + c] = src[off + (r - top) * sw + c - left] inside the sh x sw source plane, 0 elsewhere,
     * for r < ph, c < pw; top and left may be negative (the source is then cropped).
     */
    static void pad(float[] src, int off, int sh, int sw, int top, int left, float[] p, int po, int ph, int pw) {
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

    static float[] forward(CpuThreads threads, float[] x, float[] w, float[] bias, ConvGeometry g) {
        return unitStride(g) ? forward(DepthwiseKernel.best(), threads, x, w, bias, g) : forwardStrided(threads, x, w, bias, g);
    }

    /** Stride 1 with the given plane kernel. */
    static float[] forward(DepthwiseKernel k, CpuThreads threads, float[] x, float[] w, float[] bias, ConvGeometry g) {
        int plane = g.outPlane();
        int taps = g.kh() * g.kw();
        int mult = g.coutG();
        int pw = roundUp(g.ow(), k.lanes()) + (g.kw() - 1) * g.dilationW();
        int ph = g.oh() + (g.kh() - 1) * g.dilationH();
        float[] y = new float[g.n() * g.cout() * plane];
        threads.parallelFor(g.n() * g.cout(), task -> {
            int o = task % g.cout();
            int xOff = (task / g.cout() * g.cin() + o / mult) * g.inPlane();
            float[] p = Scratch.get(Scratch.Slot.PADDED_PLANE, ph * pw);
            float[] tmp = Scratch.get(Scratch.Slot.PLANE_TMP, k.tmpSize(taps));
            pad(x, xOff, g.h(), g.w(), g.padH(), g.padW(), p, 0, ph, pw);
            k.correlate(p, pw, 0, 1, w, o * taps, g.kh(), g.kw(), g.dilationH(), g.dilationW(),
                    bias == null ? 0f : bias[o], y, task * plane, g.oh(), g.ow(), tmp);
        });
        return y;
    }

    private static float[] forwardStrided(CpuThreads threads, float[] x, float[] w, float[] bias, ConvGeometry g) {
        int plane = g.outPlane();
        int taps = g.kh() * g.kw();
        int mult = g.coutG();
        float[] y = new float[g.n() * g.cout() * plane];
        threads.parallelFor(g.n() * g.cout(), task -> {
            int o = task % g.cout();
            int xOff = (task / g.cout() * g.cin() + o / mult) * g.inPlane();
            int yOff = task * plane;
            if (bias != null) {
                Arrays.fill(y, yOff, yOff + plane, bias[o]);
            }
            for (int a = 0; a < g.kh(); a++) {
                for (int b = 0; b < g.kw(); b++) {
                    float wv = w[o * taps + a * g.kw() + b];
                    int offset = b * g.dilationW() - g.padW();
                    int lo = g.firstValidColumn(offset);
                    int hi = g.endValidColumn(offset);
                    for (int oy = 0; oy < g.oh(); oy++) {
                        int iy = oy * g.strideH() - g.padH() + a * g.dilationH();
                        if (iy < 0 || iy >= g.h()) {
                            continue;
                        }
                        int src = xOff + iy * g.w() + offset;
                        int dst = yOff + oy * g.ow();
                        if (g.strideW() == 1) {
                            OPS.axpy(wv, x, src + lo, y, dst + lo, hi - lo);
                        } else {
                            for (int ox = lo; ox < hi; ox++) {
                                y[dst + ox] += wv * x[src + ox * g.strideW()];
                            }
                        }
                    }
                }
            }
        });
        return y;
    }

    /** dx for every input plane, gathered from the planes of its channel multiplier in order. */
    static float[] backwardInput(CpuThreads threads, float[] dy, float[] w, ConvGeometry g) {
        return unitStride(g) ? backwardInput(DepthwiseKernel.best(), threads, dy, w, g) : backwardInputStrided(threads, dy, w, g);
    }

    /**
     * Stride 1: dx is the correlation of dy, padded by dilation * (k - 1) - pad, with the kernels rotated by
     * 180 degrees, summed over the channel multiplier in order.
     */
    static float[] backwardInput(DepthwiseKernel k, CpuThreads threads, float[] dy, float[] w, ConvGeometry g) {
        int taps = g.kh() * g.kw();
        int mult = g.coutG();
        int top = (g.kh() - 1) * g.dilationH() - g.padH();
        int left = (g.kw() - 1) * g.dilationW() - g.padW();
        int pw = roundUp(g.w(), k.lanes()) + (g.kw() - 1) * g.dilationW();
        int ph = g.h() + (g.kh() - 1) * g.dilationH();
        float[] dx = new float[g.n() * g.cin() * g.inPlane()];
        threads.parallelFor(g.n() * g.cin(), task -> {
            int img = task / g.cin();
            int ci = task % g.cin();
            float[] p = Scratch.get(Scratch.Slot.PADDED_PLANE, mult * ph * pw);
            float[] wr = Scratch.get(Scratch.Slot.PLANE_WEIGHTS, mult * taps);
            float[] tmp = Scratch.get(Scratch.Slot.PLANE_TMP, k.tmpSize(taps));
            for (int m = 0; m < mult; m++) {
                int o = ci * mult + m;
                pad(dy, (img * g.cout() + o) * g.outPlane(), g.oh(), g.ow(), top, left, p, m * ph * pw, ph, pw);
                for (int t = 0; t < taps; t++) {
                    wr[m * taps + t] = w[o * taps + taps - 1 - t];
                }
            }
            k.correlate(p, pw, ph * pw, mult, wr, 0, g.kh(), g.kw(), g.dilationH(), g.dilationW(), 0f,
                    dx, task * g.inPlane(), g.h(), g.w(), tmp);
        });
        return dx;
    }

    private static float[] backwardInputStrided(CpuThreads threads, float[] dy, float[] w, ConvGeometry g) {
        int plane = g.outPlane();
        int taps = g.kh() * g.kw();
        int mult = g.coutG();
        float[] dx = new float[g.n() * g.cin() * g.inPlane()];
        threads.parallelFor(g.n() * g.cin(), task -> {
            int img = task / g.cin();
            int ci = task % g.cin();
            int dxOff = task * g.inPlane();
            for (int o = ci * mult; o < (ci + 1) * mult; o++) {
                int dyOff = (img * g.cout() + o) * plane;
                for (int a = 0; a < g.kh(); a++) {
                    for (int b = 0; b < g.kw(); b++) {
                        float wv = w[o * taps + a * g.kw() + b];
                        int offset = b * g.dilationW() - g.padW();
                        int lo = g.firstValidColumn(offset);
                        int hi = g.endValidColumn(offset);
                        for (int oy = 0; oy < g.oh(); oy++) {
                            int iy = oy * g.strideH() - g.padH() + a * g.dilationH();
                            if (iy < 0 || iy >= g.h()) {
                                continue;
                            }
                            int dst = dxOff + iy * g.w() + offset;
                            int src = dyOff + oy * g.ow();
                            int sw = g.strideW();
                            if (sw == 1) {
                                OPS.axpy(wv, dy, src + lo, dx, dst + lo, hi - lo);
                                continue;
                            }
                            for (int ox = lo; ox < hi; ox++) {
                                dx[dst + ox * sw] += wv * dy[src + ox];
                            }
                        }
                    }
                }
            }
        });
        return dx;
    }

    /**
     * dw per output channel: for each tap, products are accumulated elementwise into a row buffer over
     * all images and rows (a vectorisable loop, unlike a scalar dot product), then the row is summed.
     */
    /**
     * dw, and the bias gradient into {@code db} unless it is null: the plain loops for strides above 1
     * (the bias summed apart, as {@link FastConv#biasGrad}), else {@link #backwardWeight(DepthwiseKernel,
     * CpuThreads, float[], float[], ConvGeometry, float[])}.
     */
    static float[] backwardWeight(CpuThreads threads, float[] dy, float[] x, ConvGeometry g, float[] db) {
        if (unitStride(g)) {
            return backwardWeight(DepthwiseKernel.best(), threads, dy, x, g, db);
        }
        if (db != null) {
            System.arraycopy(FastConv.biasGrad(threads, dy, g.n(), g.cout(), g.outPlane()), 0, db, 0, g.cout());
        }
        return backwardWeightStrided(threads, dy, x, g);
    }

    /**
     * Stride 1, one task per output channel: for each image, one pass over its dy plane and the padded input
     * plane sums every tap (and dy itself, the bias gradient) in vector lanes, flushed to double in order.
     */
    static float[] backwardWeight(DepthwiseKernel k, CpuThreads threads, float[] dy, float[] x, ConvGeometry g,
                                  float[] db) {
        int taps = g.kh() * g.kw();
        int mult = g.coutG();
        int pw = roundUp(g.ow(), k.lanes()) + (g.kw() - 1) * g.dilationW();
        int ph = g.oh() + (g.kh() - 1) * g.dilationH();
        int gw = roundUp(g.ow(), k.lanes()); // dy rows, zero past ow when ow is not a whole number of vectors
        float[] dw = new float[g.cout() * taps];
        threads.parallelFor(g.cout(), o -> {
            float[] p = Scratch.get(Scratch.Slot.PADDED_PLANE, ph * pw);
            float[] tmp = Scratch.get(Scratch.Slot.PLANE_TMP, k.tmpSize(taps));
            float[] dyRows = gw == g.ow() ? dy : Scratch.get(Scratch.Slot.PADDED_GRADS, g.oh() * gw);
            double[] sums = Scratch.zeroedSums(taps + 1);
            for (int img = 0; img < g.n(); img++) {
                pad(x, (img * g.cin() + o / mult) * g.inPlane(), g.h(), g.w(), g.padH(), g.padW(), p, 0, ph, pw);
                int dyOff = (img * g.cout() + o) * g.outPlane();
                if (dyRows != dy) {
                    pad(dy, dyOff, g.oh(), g.ow(), 0, 0, dyRows, 0, g.oh(), gw);
                    dyOff = 0;
                }
                k.weightGrad(p, pw, dyRows, dyOff, gw, g.oh(), g.ow(), g.kh(), g.kw(), g.dilationH(), g.dilationW(),
                        sums, tmp);
            }
            for (int t = 0; t < taps; t++) {
                dw[o * taps + t] = (float) sums[t];
            }
            if (db != null) {
                db[o] = (float) sums[taps];
            }
        });
        return dw;
    }

    private static float[] backwardWeightStrided(CpuThreads threads, float[] dy, float[] x, ConvGeometry g) {
        int plane = g.outPlane();
        int taps = g.kh() * g.kw();
        int mult = g.coutG();
        float[] dw = new float[g.cout() * taps];
        threads.parallelFor(g.cout(), o -> {
            float[] acc = Scratch.get(Scratch.Slot.COLUMNS, g.ow());
            for (int a = 0; a < g.kh(); a++) {
                for (int b = 0; b < g.kw(); b++) {
                    int offset = b * g.dilationW() - g.padW();
                    int lo = g.firstValidColumn(offset);
                    int hi = g.endValidColumn(offset);
                    Arrays.fill(acc, 0, g.ow(), 0f);
                    for (int img = 0; img < g.n(); img++) {
                        int dyOff = (img * g.cout() + o) * plane;
                        int xOff = (img * g.cin() + o / mult) * g.inPlane();
                        for (int oy = 0; oy < g.oh(); oy++) {
                            int iy = oy * g.strideH() - g.padH() + a * g.dilationH();
                            if (iy < 0 || iy >= g.h()) {
                                continue;
                            }
                            int src = xOff + iy * g.w() + offset;
                            int d = dyOff + oy * g.ow();
                            int sw = g.strideW();
                            if (sw == 1) {
                                OPS.multiplyAdd(dy, d + lo, x, src + lo, acc, lo, hi - lo);
                                continue;
                            }
                            for (int ox = lo; ox < hi; ox++) {
                                acc[ox] += dy[d + ox] * x[src + ox * sw];
                            }
                        }
                    }
                    double sum = 0;
                    for (int ox = lo; ox < hi; ox++) {
                        sum += acc[ox];
                    }
                    dw[o * taps + a * g.kw() + b] = (float) sum;
                }
            }
        });
        return dw;
    }
}
