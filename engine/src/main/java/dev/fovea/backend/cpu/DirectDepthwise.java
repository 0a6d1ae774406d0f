package dev.fovea.backend.cpu;

import dev.fovea.primitives.ConvGeometry;
import dev.fovea.tensor.HostArrays;

import java.util.Arrays;

/**
 * Direct kernels for depthwise convolution (every output channel reads one input channel; a channel
 * multiplier above 1 is allowed), cross-correlation form. im2col would copy each input pixel kh*kw times
 * to feed GEMMs of a single row, so these loops work on the planes themselves.
 *
 * <p>Stride 1 (any padding and dilation) copies each source plane into a zero-padded per-thread plane and
 * makes one pass over it with {@link DepthwiseKernel}: every output vector sums all its taps in registers.
 * The backward pass is one task per input plane: the input gradient is the same correlation of its padded
 * dy planes with the rotated kernels, and the weight and bias sums of each (image, output channel) come
 * from one pass over those dy rows and the padded input, then are added over the images in order.
 * Other strides take the general loops: for each kernel tap the valid span of every output row is
 * computed once and the inner loop is a plain, vectorisable axpy (one task per plane, per output channel
 * for the weights). Every element is accumulated in a fixed order, so results do not depend on the
 * thread count.
 */
final class DirectDepthwise {
    private static final RowOps OPS = RowOps.best();

    private DirectDepthwise() {
    }

    private static boolean unitStride(ConvGeometry g) {
        return g.strideH() == 1 && g.strideW() == 1;
    }

    private static int roundUp(int v, int m) {
        return Sgemm.ceilDiv(v, m) * m;
    }

    static float[] forward(CpuThreads threads, float[] x, float[] w, float[] bias, ConvGeometry g) {
        return unitStride(g) ? forward(DepthwiseKernel.best(), threads, x, w, bias, g)
                : forwardStrided(threads, x, w, bias, g);
    }

    /** Stride 1 with the given plane kernel. */
    static float[] forward(DepthwiseKernel k, CpuThreads threads, float[] x, float[] w, float[] bias, ConvGeometry g) {
        int plane = g.outPlane();
        int taps = g.kh() * g.kw();
        int mult = g.coutG();
        int pw = roundUp(g.ow(), k.lanes()) + (g.kw() - 1) * g.dilationW();
        int ph = g.oh() + (g.kh() - 1) * g.dilationH();
        float[] y = HostArrays.floats(g.n() * g.cout() * plane); // correlate writes every element
        threads.parallelFor(g.n() * g.cout(), task -> {
            int o = task % g.cout();
            int xOff = (task / g.cout() * g.cin() + o / mult) * g.inPlane();
            float[] p = Scratch.get(Scratch.Slot.PADDED_PLANE, ph * pw);
            float[] tmp = Scratch.get(Scratch.Slot.PLANE_TMP, k.tmpSize(taps));
            k.pad(x, xOff, g.h(), g.w(), g.padH(), g.padW(), p, 0, ph, pw);
            k.correlate(p, pw, 0, 1, w, o * taps, g.kh(), g.kw(), g.dilationH(), g.dilationW(),
                    bias == null ? 0f : bias[o], y, task * plane, g.oh(), g.ow(), tmp);
        });
        return y;
    }

    private static float[] forwardStrided(CpuThreads threads, float[] x, float[] w, float[] bias, ConvGeometry g) {
        int plane = g.outPlane();
        int taps = g.kh() * g.kw();
        int mult = g.coutG();
        float[] y = HostArrays.zeroedFloats(g.n() * g.cout() * plane);
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

    /**
     * Every gradient of a depthwise convolution: returns dx (null unless {@code needInputGrad}), fills dw and,
     * unless it is null, db. Stride 1 makes one fused pass ({@link #backward(DepthwiseKernel, CpuThreads,
     * float[], float[], float[], ConvGeometry, boolean, float[], float[])}); other strides take the general
     * loops, with the bias summed as {@link FastConv#biasGrad}.
     */
    static float[] backward(CpuThreads threads, float[] dy, float[] x, float[] w, ConvGeometry g,
                            boolean needInputGrad, float[] dw, float[] db) {
        if (unitStride(g)) {
            return backward(DepthwiseKernel.best(), threads, dy, x, w, g, needInputGrad, dw, db);
        }
        if (db != null) {
            System.arraycopy(FastConv.biasGrad(threads, dy, g.n(), g.cout(), g.outPlane()), 0, db, 0, g.cout());
        }
        backwardWeightStrided(threads, dy, x, g, dw);
        return needInputGrad ? backwardInputStrided(threads, dy, w, g) : null;
    }

    /**
     * Stride 1, one task per input plane (image, channel), reading its dy planes and its input plane once.
     * dx is the correlation of dy, padded by dilation * (k - 1) - pad, with the kernels rotated by 180 degrees,
     * summed over the channel multiplier in order. The weight and bias sums of each (image, output channel)
     * are taken in one pass over the plane's pixels and kept apart in double; they are then added over the
     * images in order, so no sum depends on how the tasks were spread.
     */
    static float[] backward(DepthwiseKernel k, CpuThreads threads, float[] dy, float[] x, float[] w, ConvGeometry g,
                            boolean needInputGrad, float[] dw, float[] db) {
        int taps = g.kh() * g.kw();
        int mult = g.coutG();
        int lanes = k.lanes();
        // The input plane padded as in the forward pass.
        int pwX = roundUp(g.ow(), lanes) + (g.kw() - 1) * g.dilationW();
        int phX = g.oh() + (g.kh() - 1) * g.dilationH();
        // The dy planes padded for the input gradient.
        int top = (g.kh() - 1) * g.dilationH() - g.padH();
        int left = (g.kw() - 1) * g.dilationW() - g.padW();
        int pwG = roundUp(g.w(), lanes) + (g.kw() - 1) * g.dilationW();
        int phG = g.h() + (g.kh() - 1) * g.dilationH();
        int planeG = phG * pwG;
        // When the padded dy planes hold all of dy (no cropping), the weight sums are taken over the input
        // pixels instead: dw[a][b] = sum over (iy, ix) of x[iy][ix] * pg[iy + a'dh][ix + b'dw] with the tap
        // (a', b') rotated by 180 degrees, so the input plane needs no padded copy. Otherwise over dy pixels
        // against the padded input. Either way the rows the kernel streams must be zero from the last column
        // to a whole number of vectors: in place when that is a whole row, else copied.
        boolean overInput = needInputGrad && top >= 0 && left >= 0;
        int gw = roundUp(overInput ? g.w() : g.ow(), lanes);
        boolean rowsInPlace = gw == (overInput ? g.w() : g.ow());
        int stride = taps + 1;
        double[] partial = Scratch.doubles(g.n() * g.cout() * stride);
        float[] dx = needInputGrad ? HostArrays.floats(g.n() * g.cin() * g.inPlane()) : null;
        threads.parallelFor(g.n() * g.cin(), task -> {
            int img = task / g.cin();
            int ci = task % g.cin();
            float[] tmp = Scratch.get(Scratch.Slot.PLANE_TMP, k.tmpSize(taps));
            float[] pg = null;
            if (needInputGrad) {
                pg = Scratch.get(Scratch.Slot.PADDED_GRADS, mult * planeG);
                float[] wr = Scratch.get(Scratch.Slot.PLANE_WEIGHTS, mult * taps);
                for (int m = 0; m < mult; m++) {
                    int o = ci * mult + m;
                    k.pad(dy, (img * g.cout() + o) * g.outPlane(), g.oh(), g.ow(), top, left, pg, m * planeG, phG,
                            pwG);
                    for (int t = 0; t < taps; t++) {
                        wr[m * taps + t] = w[o * taps + taps - 1 - t];
                    }
                }
                k.correlate(pg, pwG, planeG, mult, wr, 0, g.kh(), g.kw(), g.dilationH(), g.dilationW(), 0f,
                        dx, task * g.inPlane(), g.h(), g.w(), tmp);
            }
            if (overInput) {
                float[] rows = x;
                int rowsOff = task * g.inPlane();
                if (!rowsInPlace) {
                    rows = Scratch.get(Scratch.Slot.GRAD_ROWS, g.h() * gw);
                    k.pad(x, rowsOff, g.h(), g.w(), 0, 0, rows, 0, g.h(), gw);
                    rowsOff = 0;
                }
                for (int m = 0; m < mult; m++) {
                    int sumsOff = (img * g.cout() + ci * mult + m) * stride;
                    Arrays.fill(partial, sumsOff, sumsOff + stride, 0);
                    k.weightGrad(pg, m * planeG, pwG, rows, rowsOff, gw, g.h(), g.w(), g.kh(), g.kw(), g.dilationH(),
                            g.dilationW(), partial, sumsOff, tmp);
                    for (int i = sumsOff, j = sumsOff + taps - 1; i < j; i++, j--) {
                        double t = partial[i];
                        partial[i] = partial[j];
                        partial[j] = t;
                    }
                    // The kernel summed the input plane there; the bias wants dy, which is pg's only non-zero.
                    partial[sumsOff + taps] = k.sum(pg, m * planeG, planeG, tmp);
                }
                return;
            }
            float[] px = Scratch.get(Scratch.Slot.PADDED_PLANE, phX * pwX);
            k.pad(x, task * g.inPlane(), g.h(), g.w(), g.padH(), g.padW(), px, 0, phX, pwX);
            for (int m = 0; m < mult; m++) {
                int o = ci * mult + m;
                float[] rows = dy;
                int rowsOff = (img * g.cout() + o) * g.outPlane();
                if (!rowsInPlace) {
                    rows = Scratch.get(Scratch.Slot.GRAD_ROWS, g.oh() * gw);
                    k.pad(dy, rowsOff, g.oh(), g.ow(), 0, 0, rows, 0, g.oh(), gw);
                    rowsOff = 0;
                }
                int sumsOff = (img * g.cout() + o) * stride;
                Arrays.fill(partial, sumsOff, sumsOff + stride, 0);
                k.weightGrad(px, 0, pwX, rows, rowsOff, gw, g.oh(), g.ow(), g.kh(), g.kw(), g.dilationH(),
                        g.dilationW(), partial, sumsOff, tmp);
            }
        });
        for (int o = 0; o < g.cout(); o++) {
            for (int t = 0; t < stride; t++) {
                double sum = 0;
                for (int img = 0; img < g.n(); img++) {
                    sum += partial[(img * g.cout() + o) * stride + t];
                }
                if (t < taps) {
                    dw[o * taps + t] = (float) sum;
                } else if (db != null) {
                    db[o] = (float) sum;
                }
            }
        }
        return dx;
    }

    /** dx for every input plane, gathered from the planes of its channel multiplier in order. */
    private static float[] backwardInputStrided(CpuThreads threads, float[] dy, float[] w, ConvGeometry g) {
        int plane = g.outPlane();
        int taps = g.kh() * g.kw();
        int mult = g.coutG();
        float[] dx = HostArrays.zeroedFloats(g.n() * g.cin() * g.inPlane());
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
    private static void backwardWeightStrided(CpuThreads threads, float[] dy, float[] x, ConvGeometry g, float[] dw) {
        int plane = g.outPlane();
        int taps = g.kh() * g.kw();
        int mult = g.coutG();
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
    }
}
