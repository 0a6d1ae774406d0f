package dev.fovea.backend.cpu;

import dev.fovea.primitives.Conv2dParams;
import dev.fovea.primitives.ConvMode;
import dev.fovea.tensor.Shape;

/**
 * Reference 2-D convolution: NCHW input, OIHW weight [Cout, Cin/groups, kH, kW], any stride,
 * padding and dilation per axis, groups, and both modes (cross-correlation, or convolution with
 * the kernel flipped in both spatial axes).
 *
 * <p>A convolution is a bilinear form: every output cell is a sum of products x[i] * w[j] over a
 * fixed set of (output, input, weight) index triples, the taps. {@link #forEachTap} enumerates
 * that set once; the forward pass and the three gradients are then one line each, so the geometry
 * (padding, stride, dilation, groups, flipping) is written in exactly one place. Sums are kept in
 * double and rounded to float once at the end.
 */
final class RefConv {
    private RefConv() {
    }

    static float[] forward(float[] x, Shape xs, float[] w, Shape ws, float[] b, Conv2dParams p, Shape ys) {
        double[] y = new double[ys.size()];
        forEachTap(xs, ws, ys, p, (yi, xi, wi) -> y[yi] += (double) x[xi] * w[wi]);
        if (b != null) {
            int cout = ys.dim(1);
            int plane = ys.dim(2) * ys.dim(3);
            for (int i = 0; i < y.length; i++) {
                y[i] += b[(i / plane) % cout];
            }
        }
        return toFloats(y);
    }

    static float[] backwardInput(float[] dy, Shape ys, float[] w, Shape ws, Shape xs, Conv2dParams p) {
        double[] dx = new double[xs.size()];
        forEachTap(xs, ws, ys, p, (yi, xi, wi) -> dx[xi] += (double) dy[yi] * w[wi]);
        return toFloats(dx);
    }

    static float[] backwardWeight(float[] dy, Shape ys, float[] x, Shape xs, Shape ws, Conv2dParams p) {
        double[] dw = new double[ws.size()];
        forEachTap(xs, ws, ys, p, (yi, xi, wi) -> dw[wi] += (double) dy[yi] * x[xi]);
        return toFloats(dw);
    }

    /** Sum of the output gradient over batch and space, per output channel. */
    static float[] backwardBias(float[] dy, Shape ys) {
        int cout = ys.dim(1);
        int plane = ys.dim(2) * ys.dim(3);
        double[] db = new double[cout];
        for (int i = 0; i < dy.length; i++) {
            db[(i / plane) % cout] += dy[i];
        }
        return toFloats(db);
    }

    /** Receives the flat indices of one output cell, one input cell and one weight that multiply. */
    @FunctionalInterface
    private interface Tap {
        void at(int yIndex, int xIndex, int wIndex);
    }

    /**
     * Calls {@code tap} for every product the convolution sums: y[n,oc,oh,ow] gets
     * x[n, g*cinG + ic, oh*s - p + kh*d, ow*s - p + kw*d] * w[oc, ic, kh', kw'] where g is the
     * group of oc, kh' = kh for cross-correlation and kH-1-kh for convolution (likewise kw').
     * Taps that fall in the zero padding contribute nothing and are skipped.
     */
    private static void forEachTap(Shape xs, Shape ws, Shape ys, Conv2dParams p, Tap tap) {
        int n = xs.dim(0);
        int cin = xs.dim(1);
        int h = xs.dim(2);
        int wd = xs.dim(3);
        int cout = ws.dim(0);
        int cinG = ws.dim(1);
        int kh = ws.dim(2);
        int kw = ws.dim(3);
        int coutG = cout / p.groups();
        int oh = ys.dim(2);
        int ow = ys.dim(3);
        boolean flip = p.mode() == ConvMode.CONVOLUTION;
        for (int b = 0; b < n; b++) {
            for (int oc = 0; oc < cout; oc++) {
                int group = oc / coutG;
                for (int oy = 0; oy < oh; oy++) {
                    for (int ox = 0; ox < ow; ox++) {
                        int yi = ((b * cout + oc) * oh + oy) * ow + ox;
                        for (int ic = 0; ic < cinG; ic++) {
                            int c = group * cinG + ic;
                            for (int ky = 0; ky < kh; ky++) {
                                int iy = oy * p.strideH() - p.padH() + ky * p.dilationH();
                                if (iy < 0 || iy >= h) {
                                    continue;
                                }
                                int wy = flip ? kh - 1 - ky : ky;
                                for (int kx = 0; kx < kw; kx++) {
                                    int ix = ox * p.strideW() - p.padW() + kx * p.dilationW();
                                    if (ix < 0 || ix >= wd) {
                                        continue;
                                    }
                                    int wx = flip ? kw - 1 - kx : kx;
                                    tap.at(yi, ((b * cin + c) * h + iy) * wd + ix, ((oc * cinG + ic) * kh + wy) * kw + wx);
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    private static float[] toFloats(double[] a) {
        float[] f = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            f[i] = (float) a[i];
        }
        return f;
    }
}
