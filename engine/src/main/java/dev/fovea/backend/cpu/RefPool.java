package dev.fovea.backend.cpu;

import dev.fovea.primitives.Pool2dParams;
import dev.fovea.primitives.PoolKind;
import dev.fovea.tensor.Shape;

/**
 * Reference pooling over NCHW, each channel plane on its own. Max and min visit a window's real
 * cells in row-major order and replace the winner on a strictly better value or on any NaN, so
 * padded cells never win, ties go to the first cell and the last NaN wins: PyTorch's rule
 * ({@code val > maxval || isnan(val)}), so NaN propagates and its gradient goes where PyTorch's does. Average pooling follows PyTorch: with count_include_pad the divisor is the window
 * clipped to the padded extent, otherwise the number of real cells.
 */
final class RefPool {
    private RefPool() {
    }

    /** Writes y; for max/min also idx (flat h*W+w of the winner in its plane). */
    static void forward(float[] x, Shape xs, Pool2dParams p, Shape ys, float[] y, int[] idx) {
        int h = xs.dim(2);
        int w = xs.dim(3);
        int oh = ys.dim(2);
        int ow = ys.dim(3);
        int planes = xs.dim(0) * xs.dim(1);
        for (int plane = 0; plane < planes; plane++) {
            int xBase = plane * h * w;
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    Window win = Window.of(p, oy, ox, h, w);
                    int o = (plane * oh + oy) * ow + ox;
                    if (p.kind() == PoolKind.AVG) {
                        double sum = 0;
                        for (int iy = win.y0; iy < win.y1; iy++) {
                            for (int ix = win.x0; ix < win.x1; ix++) {
                                sum += x[xBase + iy * w + ix];
                            }
                        }
                        y[o] = (float) (sum / win.divisor(p));
                    } else {
                        int best = -1;
                        for (int iy = win.y0; iy < win.y1; iy++) {
                            for (int ix = win.x0; ix < win.x1; ix++) {
                                int at = iy * w + ix;
                                if (best < 0 || beats(p.kind(), x[xBase + at], x[xBase + best])) {
                                    best = at;
                                }
                            }
                        }
                        y[o] = x[xBase + best];
                        idx[o] = best;
                    }
                }
            }
        }
    }

    static float[] backward(float[] dy, Shape ys, Shape xs, Pool2dParams p, int[] idx) {
        int h = xs.dim(2);
        int w = xs.dim(3);
        int oh = ys.dim(2);
        int ow = ys.dim(3);
        int planes = xs.dim(0) * xs.dim(1);
        if (p.kind() != PoolKind.AVG && (idx == null || idx.length != ys.size())) {
            throw new IllegalArgumentException(p.kind().opName() + " backward: indices from the forward pass must hold "
                    + ys.size() + " values for output " + ys + ", got " + (idx == null ? "none" : idx.length));
        }
        double[] dx = new double[xs.size()];
        for (int plane = 0; plane < planes; plane++) {
            int xBase = plane * h * w;
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    int o = (plane * oh + oy) * ow + ox;
                    if (p.kind() != PoolKind.AVG) {
                        if (idx[o] < 0 || idx[o] >= h * w) {
                            throw new IllegalArgumentException(p.kind().opName() + " backward: index " + idx[o]
                                    + " at output " + o + " is outside the " + h + "x" + w + " plane of input " + xs);
                        }
                        dx[xBase + idx[o]] += dy[o];
                        continue;
                    }
                    Window win = Window.of(p, oy, ox, h, w);
                    double share = dy[o] / (double) win.divisor(p);
                    for (int iy = win.y0; iy < win.y1; iy++) {
                        for (int ix = win.x0; ix < win.x1; ix++) {
                            dx[xBase + iy * w + ix] += share;
                        }
                    }
                }
            }
        }
        return toFloats(dx);
    }

    /** Whether {@code candidate} replaces {@code best}: any NaN, or strictly better (never better than a NaN). */
    private static boolean beats(PoolKind kind, float candidate, float best) {
        if (Float.isNaN(candidate)) {
            return true;
        }
        return kind == PoolKind.MAX ? candidate > best : candidate < best;
    }

    /**
     * The real cells [y0, y1) x [x0, x1) of one pooling window, and the window clipped to the padded
     * extent (what PyTorch divides by when padding counts). With floor-mode output sizes, the only
     * ones Pool2dParams produces, a window never passes the padded extent, so that area is kH * kW;
     * the clip is PyTorch's formula kept whole so a ceil mode would need no second rule.
     */
    private record Window(int y0, int y1, int x0, int x1, int paddedArea) {
        static Window of(Pool2dParams p, int oy, int ox, int h, int w) {
            int ys = oy * p.strideH() - p.padH();
            int xs = ox * p.strideW() - p.padW();
            int ye = Math.min(ys + p.kernelH(), h + p.padH());
            int xe = Math.min(xs + p.kernelW(), w + p.padW());
            return new Window(Math.max(ys, 0), Math.min(ye, h), Math.max(xs, 0), Math.min(xe, w),
                    (ye - ys) * (xe - xs));
        }

        int divisor(Pool2dParams p) {
            return p.countIncludePad() ? paddedArea : (y1 - y0) * (x1 - x0);
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
