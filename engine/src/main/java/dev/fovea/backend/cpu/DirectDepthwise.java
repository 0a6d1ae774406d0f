package dev.fovea.backend.cpu;

import java.util.Arrays;

/**
 * Direct kernels for depthwise convolution (every output channel reads one input channel; a channel
 * multiplier above 1 is allowed), cross-correlation form. im2col would copy each input pixel kh*kw times
 * to feed GEMMs of a single row, so these loops work on the planes themselves: for each kernel tap the
 * valid span of every output row is computed once and the inner loop is a plain, vectorisable axpy.
 * One task per plane; each element is accumulated over taps (and images) in a fixed order.
 */
final class DirectDepthwise {
    private static final RowOps OPS = RowOps.best();

    private DirectDepthwise() {
    }

    static float[] forward(CpuThreads threads, float[] x, float[] w, float[] bias, ConvGeometry g) {
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
    static float[] backwardWeight(CpuThreads threads, float[] dy, float[] x, ConvGeometry g) {
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
