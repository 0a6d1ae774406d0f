package dev.fovea.backend.cpu;

import dev.fovea.backend.PoolOutput;
import dev.fovea.primitives.AdaptivePool2dParams;
import dev.fovea.primitives.Pad2dParams;
import dev.fovea.primitives.PoolKind;
import dev.fovea.primitives.Resampling2d;
import dev.fovea.primitives.Upsample2dParams;
import dev.fovea.primitives.Upsample2dParams.Taps;
import dev.fovea.primitives.UpsampleMode;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;

import java.util.Arrays;
import java.util.function.IntConsumer;

/**
 * The reference {@link Resampling2d} family (adaptive pooling, upsampling, padding) over NCHW, one
 * channel plane at a time; {@link #forward} and {@link #backward} pick the member's loops.
 * Backward passes scatter each output gradient onto the input cells it came from and sum in double
 * per plane. Planes are independent, so the fast backend runs these same loops with its planes
 * spread over threads ({@link Planes}) and gets the same bits.
 */
final class RefSpatial {
    private RefSpatial() {
    }

    /** Runs {@code body} once for each of {@code count} planes of {@code planeElements} input cells. */
    @FunctionalInterface
    interface Planes {
        void each(int count, int planeElements, IntConsumer body);
    }

    /** One plane after another on the calling thread: the reference. */
    static final Planes IN_ORDER = (count, planeElements, body) -> {
        for (int plane = 0; plane < count; plane++) {
            body.accept(plane);
        }
    };

    // ---- the family's dispatch ---------------------------------------------------------------

    /** {@link dev.fovea.backend.Backend#resample2d} on host tensors, with {@code planes} walking the planes. */
    static PoolOutput forward(Planes planes, Tensor input, Resampling2d p) {
        Shape xs = input.shape();
        Shape ys = p.outputShape(xs);
        float[] x = Host.floats(input);
        float[] y = new float[ys.size()];
        int[] winners = p.winners() ? new int[ys.size()] : null;
        p.match(new Resampling2d.Cases<Void>() {
            @Override
            public Void adaptivePool(AdaptivePool2dParams a) {
                adaptiveForward(planes, x, xs, a, y, winners);
                return null;
            }

            @Override
            public Void upsample(Upsample2dParams u) {
                RefSpatial.upsample(planes, x, xs, u, ys, y);
                return null;
            }

            @Override
            public Void pad(Pad2dParams q) {
                RefSpatial.pad(planes, x, xs, q, ys, y);
                return null;
            }
        });
        return new PoolOutput(Host.tensor(ys, y), winners == null ? null : Host.intTensor(ys, winners));
    }

    /** {@link dev.fovea.backend.Backend#resample2dBackward} on host tensors. */
    static Tensor backward(Planes planes, Tensor gradOutput, Shape xs, Tensor indices, Resampling2d p) {
        Shape ys = p.outputShape(xs);
        ReferenceBackend.requireShape(p.opName() + " backward", "grad_output", gradOutput, ys);
        float[] dy = Host.floats(gradOutput);
        float[] dx = new float[xs.size()];
        p.match(new Resampling2d.Cases<Void>() {
            @Override
            public Void adaptivePool(AdaptivePool2dParams a) {
                adaptiveBackward(planes, dy, xs, a, indices == null ? null : Host.ints(indices), dx);
                return null;
            }

            @Override
            public Void upsample(Upsample2dParams u) {
                upsampleBackward(planes, dy, ys, xs, u, dx);
                return null;
            }

            @Override
            public Void pad(Pad2dParams q) {
                padBackward(planes, dy, ys, xs, q, dx);
                return null;
            }
        });
        return Host.tensor(xs, dx);
    }

    // ---- adaptive pooling -------------------------------------------------------------------

    /**
     * Writes y and, for max, idx (flat h*W+w of the winner in its plane). Max visits a window in
     * row-major order and takes a strictly greater value or any NaN, as {@link RefPool} does.
     */
    private static void adaptiveForward(Planes planes, float[] x, Shape xs, AdaptivePool2dParams p, float[] y, int[] idx) {
        int h = xs.dim(2);
        int w = xs.dim(3);
        int oh = p.outH();
        int ow = p.outW();
        if (wholePlane(p)) {
            wholePlaneForward(x, xs, y);
            return;
        }
        planes.each(xs.dim(0) * xs.dim(1), h * w, plane -> {
            int xBase = plane * h * w;
            for (int oy = 0; oy < oh; oy++) {
                int y0 = AdaptivePool2dParams.start(oy, h, oh);
                int y1 = AdaptivePool2dParams.end(oy, h, oh);
                for (int ox = 0; ox < ow; ox++) {
                    int x0 = AdaptivePool2dParams.start(ox, w, ow);
                    int x1 = AdaptivePool2dParams.end(ox, w, ow);
                    int o = (plane * oh + oy) * ow + ox;
                    if (p.kind() == PoolKind.AVG) {
                        double sum = 0;
                        for (int iy = y0; iy < y1; iy++) {
                            for (int ix = x0; ix < x1; ix++) {
                                sum += x[xBase + iy * w + ix];
                            }
                        }
                        y[o] = (float) (sum / ((y1 - y0) * (x1 - x0)));
                        continue;
                    }
                    int best = y0 * w + x0;
                    for (int iy = y0; iy < y1; iy++) {
                        for (int ix = x0; ix < x1; ix++) {
                            float v = x[xBase + iy * w + ix];
                            if (Float.isNaN(v) || v > x[xBase + best]) {
                                best = iy * w + ix;
                            }
                        }
                    }
                    y[o] = x[xBase + best];
                    idx[o] = best;
                }
            }
        });
    }

    /** Writes dx (input shape) from dy; max routes each gradient to its window's winner in {@code idx}. */
    private static void adaptiveBackward(Planes planes, float[] dy, Shape xs, AdaptivePool2dParams p, int[] idx, float[] dx) {
        int h = xs.dim(2);
        int w = xs.dim(3);
        int oh = p.outH();
        int ow = p.outW();
        if (p.kind() == PoolKind.MAX && (idx == null || idx.length != dy.length)) {
            throw new IllegalArgumentException(p.opName() + " backward: indices from the forward pass must hold "
                    + dy.length + " values, got " + (idx == null ? "none" : idx.length));
        }
        if (wholePlane(p)) {
            wholePlaneBackward(dy, xs, dx);
            return;
        }
        planes.each(xs.dim(0) * xs.dim(1), h * w, plane -> {
            double[] acc = new double[h * w];
            for (int oy = 0; oy < oh; oy++) {
                int y0 = AdaptivePool2dParams.start(oy, h, oh);
                int y1 = AdaptivePool2dParams.end(oy, h, oh);
                for (int ox = 0; ox < ow; ox++) {
                    int x0 = AdaptivePool2dParams.start(ox, w, ow);
                    int x1 = AdaptivePool2dParams.end(ox, w, ow);
                    int o = (plane * oh + oy) * ow + ox;
                    if (p.kind() == PoolKind.MAX) {
                        int at = idx[o];
                        if (at < y0 * w || at >= y1 * w || at % w < x0 || at % w >= x1) {
                            throw new IllegalArgumentException(p.opName() + " backward: index " + at + " at output " + o
                                    + " is outside its window rows [" + y0 + ", " + y1 + ") columns [" + x0 + ", " + x1
                                    + ") of input " + xs);
                        }
                        acc[at] += dy[o];
                        continue;
                    }
                    double share = dy[o] / (double) ((y1 - y0) * (x1 - x0));
                    for (int iy = y0; iy < y1; iy++) {
                        for (int ix = x0; ix < x1; ix++) {
                            acc[iy * w + ix] += share;
                        }
                    }
                }
            }
            store(acc, dx, plane * h * w);
        });
    }

    /** Average pooling to 1x1: global_avg_pool2d. */
    private static boolean wholePlane(AdaptivePool2dParams p) {
        return p.kind() == PoolKind.AVG && p.outH() == 1 && p.outW() == 1;
    }

    /**
     * Global average pooling, one plane after another on the calling thread: the windows' general
     * loops give the same bits, but on a network's last feature maps (7x7 planes) their per-plane
     * window arithmetic and dispatch cost twice this loop's time or more.
     */
    private static void wholePlaneForward(float[] x, Shape xs, float[] y) {
        int plane = xs.dim(2) * xs.dim(3);
        for (int c = 0; c < y.length; c++) {
            double sum = 0;
            for (int i = 0; i < plane; i++) {
                sum += x[c * plane + i];
            }
            y[c] = (float) (sum / plane);
        }
    }

    /** Each cell's gradient is its plane's share, rounded once from double as the general loop rounds it. */
    private static void wholePlaneBackward(float[] dy, Shape xs, float[] dx) {
        int plane = xs.dim(2) * xs.dim(3);
        for (int c = 0; c < dy.length; c++) {
            Arrays.fill(dx, c * plane, (c + 1) * plane, (float) ((double) dy[c] / plane));
        }
    }

    // ---- upsampling -------------------------------------------------------------------------

    private static void upsample(Planes planes, float[] x, Shape xs, Upsample2dParams p, Shape ys, float[] y) {
        int h = xs.dim(2);
        int w = xs.dim(3);
        int oh = ys.dim(2);
        int ow = ys.dim(3);
        Taps rows = p.taps(h, oh, p.scaleH());
        Taps cols = p.taps(w, ow, p.scaleW());
        boolean nearest = p.mode() == UpsampleMode.NEAREST;
        planes.each(xs.dim(0) * xs.dim(1), h * w, plane -> {
            int xBase = plane * h * w;
            for (int oy = 0; oy < oh; oy++) {
                int r0 = xBase + rows.i0()[oy] * w;
                int r1 = xBase + rows.i1()[oy] * w;
                for (int ox = 0; ox < ow; ox++) {
                    int o = (plane * oh + oy) * ow + ox;
                    int c0 = cols.i0()[ox];
                    if (nearest) {
                        y[o] = x[r0 + c0];
                        continue;
                    }
                    int c1 = cols.i1()[ox];
                    double top = (double) cols.l0()[ox] * x[r0 + c0] + (double) cols.l1()[ox] * x[r0 + c1];
                    double bottom = (double) cols.l0()[ox] * x[r1 + c0] + (double) cols.l1()[ox] * x[r1 + c1];
                    y[o] = (float) (rows.l0()[oy] * top + rows.l1()[oy] * bottom);
                }
            }
        });
    }

    private static void upsampleBackward(Planes planes, float[] dy, Shape ys, Shape xs, Upsample2dParams p, float[] dx) {
        int h = xs.dim(2);
        int w = xs.dim(3);
        int oh = ys.dim(2);
        int ow = ys.dim(3);
        Taps rows = p.taps(h, oh, p.scaleH());
        Taps cols = p.taps(w, ow, p.scaleW());
        boolean nearest = p.mode() == UpsampleMode.NEAREST;
        planes.each(xs.dim(0) * xs.dim(1), h * w, plane -> {
            double[] acc = new double[h * w];
            for (int oy = 0; oy < oh; oy++) {
                int r0 = rows.i0()[oy] * w;
                int r1 = rows.i1()[oy] * w;
                for (int ox = 0; ox < ow; ox++) {
                    double g = dy[(plane * oh + oy) * ow + ox];
                    int c0 = cols.i0()[ox];
                    if (nearest) {
                        acc[r0 + c0] += g;
                        continue;
                    }
                    int c1 = cols.i1()[ox];
                    double top = rows.l0()[oy] * g;
                    double bottom = rows.l1()[oy] * g;
                    acc[r0 + c0] += top * cols.l0()[ox];
                    acc[r0 + c1] += top * cols.l1()[ox];
                    acc[r1 + c0] += bottom * cols.l0()[ox];
                    acc[r1 + c1] += bottom * cols.l1()[ox];
                }
            }
            store(acc, dx, plane * h * w);
        });
    }

    // ---- padding ----------------------------------------------------------------------------

    private static void pad(Planes planes, float[] x, Shape xs, Pad2dParams p, Shape ys, float[] y) {
        int h = xs.dim(2);
        int w = xs.dim(3);
        int oh = ys.dim(2);
        int ow = ys.dim(3);
        planes.each(xs.dim(0) * xs.dim(1), oh * ow, plane -> {
            for (int oy = 0; oy < oh; oy++) {
                int iy = p.source(oy, h, p.top());
                for (int ox = 0; ox < ow; ox++) {
                    int ix = p.source(ox, w, p.left());
                    y[(plane * oh + oy) * ow + ox] = iy < 0 || ix < 0 ? p.value() : x[(plane * h + iy) * w + ix];
                }
            }
        });
    }

    private static void padBackward(Planes planes, float[] dy, Shape ys, Shape xs, Pad2dParams p, float[] dx) {
        int h = xs.dim(2);
        int w = xs.dim(3);
        int oh = ys.dim(2);
        int ow = ys.dim(3);
        planes.each(xs.dim(0) * xs.dim(1), oh * ow, plane -> {
            double[] acc = new double[h * w];
            for (int oy = 0; oy < oh; oy++) {
                int iy = p.source(oy, h, p.top());
                for (int ox = 0; ox < ow; ox++) {
                    int ix = p.source(ox, w, p.left());
                    if (iy >= 0 && ix >= 0) {
                        acc[iy * w + ix] += dy[(plane * oh + oy) * ow + ox];
                    }
                }
            }
            store(acc, dx, plane * h * w);
        });
    }

    private static void store(double[] acc, float[] dst, int offset) {
        for (int i = 0; i < acc.length; i++) {
            dst[offset + i] = (float) acc[i];
        }
    }
}
