package dev.fovea.backend.cpu;

import dev.fovea.primitives.Pool2dParams;
import dev.fovea.primitives.PoolKind;
import dev.fovea.tensor.HostArrays;
import dev.fovea.tensor.Shape;

import java.util.Arrays;

/**
 * Max, min and average pooling over NCHW, a group of channel planes per task. Every output and
 * gradient element is computed exactly as {@link RefPool} does (same window order, same tie and NaN
 * rules, sums in double), so results are bitwise the reference's for any thread count; what is saved is
 * the per-window record, the per-element kind test, the whole-tensor double buffer and the single core.
 * Gradients of overlapping windows are summed in a per-thread double plane, like the reference.
 */
final class FastPool {
    /** Aim for about this many input elements per task. */
    private static final int TASK_ELEMENTS = 1 << 14;
    private static final ThreadLocal<double[][]> PLANE = ThreadLocal.withInitial(() -> new double[1][0]);

    private FastPool() {
    }

    /** Writes y; for max/min also idx (flat h*W+w of the winner in its plane). */
    static void forward(CpuThreads threads, float[] x, Shape xs, Pool2dParams p, Shape ys, float[] y, int[] idx) {
        int h = xs.dim(2);
        int w = xs.dim(3);
        int oh = ys.dim(2);
        int ow = ys.dim(3);
        boolean min = p.kind() == PoolKind.MIN;
        if (p.kind() != PoolKind.AVG && p.kernelH() == 2 && p.kernelW() == 2 && p.strideH() == 2 && p.strideW() == 2
                && p.padH() == 0 && p.padW() == 0) {
            forPlanes(threads, xs, plane -> pick2x2(x, plane * h * w, w, y, idx, plane * oh * ow, oh, ow, min));
            return;
        }
        if (p.kind() == PoolKind.AVG && p.kernelH() == 2 && p.kernelW() == 2 && p.strideH() == 2 && p.strideW() == 2
                && p.padH() == 0 && p.padW() == 0 && 2 * oh <= h && 2 * ow <= w) {
            forPlanes(threads, xs, plane -> mean2x2(x, plane * h * w, w, y, plane * oh * ow, oh, ow));
            return;
        }
        forPlanes(threads, xs, plane -> {
            int xBase = plane * h * w;
            int yBase = plane * oh * ow;
            for (int oy = 0; oy < oh; oy++) {
                int ys0 = oy * p.strideH() - p.padH();
                int ye = Math.min(ys0 + p.kernelH(), h + p.padH());
                int y0 = Math.max(ys0, 0);
                int y1 = Math.min(ye, h);
                for (int ox = 0; ox < ow; ox++) {
                    int xs0 = ox * p.strideW() - p.padW();
                    int xe = Math.min(xs0 + p.kernelW(), w + p.padW());
                    int x0 = Math.max(xs0, 0);
                    int x1 = Math.min(xe, w);
                    int o = yBase + oy * ow + ox;
                    // A switch expression, so that a new pooling kind fails to compile instead of writing nothing.
                    y[o] = switch (p.kind()) {
                        case MAX, MIN -> {
                            int best = y0 * w + x0;
                            int bestKey = Integer.MIN_VALUE;
                            for (int iy = y0; iy < y1; iy++) {
                                for (int ix = x0; ix < x1; ix++) {
                                    int at = iy * w + ix;
                                    int key = rankKey(x[xBase + at], min);
                                    // An int select: the JIT can make it branch-free, unlike a float compare.
                                    best = (key > bestKey) | (key == NAN_KEY) ? at : best;
                                    bestKey = Math.max(key, bestKey);
                                }
                            }
                            idx[o] = best;
                            yield x[xBase + best];
                        }
                        case AVG -> {
                            double sum = 0;
                            for (int iy = y0; iy < y1; iy++) {
                                for (int ix = x0; ix < x1; ix++) {
                                    sum += x[xBase + iy * w + ix];
                                }
                            }
                            int divisor = p.countIncludePad() ? (ye - ys0) * (xe - xs0) : (y1 - y0) * (x1 - x0);
                            yield (float) (sum / divisor);
                        }
                    };
                }
            }
        });
    }

    /**
     * Max or min over 2x2 windows at stride 2 of one plane, in straight-line code: the winner of each row
     * pair (the first on a tie, the second if it is NaN), then the second row's winner if strictly better
     * or NaN, which is the reference's row-major scan.
     */
    private static void pick2x2(float[] x, int xBase, int w, float[] y, int[] idx, int yBase, int oh, int ow,
                                boolean min) {
        for (int oy = 0; oy < oh; oy++) {
            int row = 2 * oy * w;
            int o = yBase + oy * ow;
            for (int ox = 0; ox < ow; ox++) {
                int a = row + 2 * ox;
                int c = a + w;
                int k0 = rankKey(x[xBase + a], min);
                int k1 = rankKey(x[xBase + a + 1], min);
                int k2 = rankKey(x[xBase + c], min);
                int k3 = rankKey(x[xBase + c + 1], min);
                // Non-short-circuit | so that C2 emits flag sets and conditional moves: with || each test
                // was a branch, mispredicted half the time on real activations (2x slower in isolation).
                int top = (k1 > k0) | (k1 == NAN_KEY) ? a + 1 : a;
                int bottom = (k3 > k2) | (k3 == NAN_KEY) ? c + 1 : c;
                int bottomKey = Math.max(k2, k3);
                int best = (bottomKey > Math.max(k0, k1)) | (bottomKey == NAN_KEY) ? bottom : top;
                y[o + ox] = x[xBase + best];
                idx[o + ox] = best;
            }
        }
    }

    /**
     * Average over full 2x2 windows at stride 2 of one plane (LeNet's pooling), in straight-line code: the
     * reference's double sum in its row-major order, divided by 4, so bitwise the reference's value. The
     * general loop's per-element window bounds and kind switch made it about 100 ns per output.
     */
    private static void mean2x2(float[] x, int xBase, int w, float[] y, int yBase, int oh, int ow) {
        for (int oy = 0; oy < oh; oy++) {
            int a = xBase + 2 * oy * w;
            int c = a + w;
            int o = yBase + oy * ow;
            for (int ox = 0; ox < ow; ox++, a += 2, c += 2) {
                double sum = 0.0 + x[a]; // as the reference's sum from 0: -0 becomes +0
                sum += x[a + 1];
                sum += x[c];
                sum += x[c + 1];
                y[o + ox] = (float) (sum / 4);
            }
        }
    }

    /**
     * An int whose order is the order in which pooling picks winners: for max, the float order with
     * -0 equal to +0 and every NaN above everything, as {@link #NAN_KEY} (a NaN also replaces an earlier
     * NaN: the last one wins, as in PyTorch); for min the same on -v. Adding +0 turns -0 into +0; floatToIntBits makes every NaN the same
     * positive NaN; flipping the magnitude bits of negatives makes the two's-complement order the float order.
     */
    static final int NAN_KEY = Float.floatToIntBits(Float.NaN);

    static int rankKey(float v, boolean min) {
        int bits = Float.floatToIntBits((min ? -v : v) + 0f);
        return bits ^ ((bits >> 31) & 0x7fffffff);
    }

    /** dx of pooling; for max/min {@code idx} holds the winners from the forward pass. */
    static float[] backward(CpuThreads threads, float[] dy, Shape ys, Shape xs, Pool2dParams p, int[] idx) {
        int h = xs.dim(2);
        int w = xs.dim(3);
        int oh = ys.dim(2);
        int ow = ys.dim(3);
        int hw = h * w;
        if (p.kind() != PoolKind.AVG) {
            checkIndices(idx, ys, xs, p);
        }
        float[] dx = HostArrays.zeroedFloats(xs.size());
        boolean overlapping = p.strideH() < p.kernelH() || p.strideW() < p.kernelW();
        forPlanes(threads, xs, plane -> {
            int xBase = plane * hw;
            int yBase = plane * oh * ow;
            if (p.kind() != PoolKind.AVG && !overlapping) {
                // Each input cell is in at most one window: a single float store per output is exact.
                for (int o = yBase; o < yBase + oh * ow; o++) {
                    dx[xBase + idx[o]] += dy[o];
                }
                return;
            }
            double[] acc = plane(hw);
            if (p.kind() != PoolKind.AVG) {
                for (int o = yBase; o < yBase + oh * ow; o++) {
                    acc[idx[o]] += dy[o];
                }
            } else {
                for (int oy = 0; oy < oh; oy++) {
                    int ys0 = oy * p.strideH() - p.padH();
                    int ye = Math.min(ys0 + p.kernelH(), h + p.padH());
                    int y0 = Math.max(ys0, 0);
                    int y1 = Math.min(ye, h);
                    for (int ox = 0; ox < ow; ox++) {
                        int xs0 = ox * p.strideW() - p.padW();
                        int xe = Math.min(xs0 + p.kernelW(), w + p.padW());
                        int x0 = Math.max(xs0, 0);
                        int x1 = Math.min(xe, w);
                        int divisor = p.countIncludePad() ? (ye - ys0) * (xe - xs0) : (y1 - y0) * (x1 - x0);
                        double share = dy[yBase + oy * ow + ox] / (double) divisor;
                        for (int iy = y0; iy < y1; iy++) {
                            for (int ix = x0; ix < x1; ix++) {
                                acc[iy * w + ix] += share;
                            }
                        }
                    }
                }
            }
            for (int i = 0; i < hw; i++) {
                dx[xBase + i] = (float) acc[i];
            }
        });
        return dx;
    }

    /** The reference's checks, made up front so that a bad index fails on the caller's thread. */
    private static void checkIndices(int[] idx, Shape ys, Shape xs, Pool2dParams p) {
        if (idx == null || idx.length != ys.size()) {
            throw new IllegalArgumentException(p.kind().opName() + " backward: indices from the forward pass must hold "
                    + ys.size() + " values for output " + ys + ", got " + (idx == null ? "none" : idx.length));
        }
        int hw = xs.dim(2) * xs.dim(3);
        for (int o = 0; o < idx.length; o++) {
            if (idx[o] < 0 || idx[o] >= hw) {
                throw new IllegalArgumentException(p.kind().opName() + " backward: index " + idx[o] + " at output "
                        + o + " is outside the " + xs.dim(2) + "x" + xs.dim(3) + " plane of input " + xs);
            }
        }
    }

    /** This thread's zeroed double buffer of {@code size} values. */
    private static double[] plane(int size) {
        double[][] holder = PLANE.get();
        if (holder[0].length < size) {
            holder[0] = new double[size];
        } else {
            Arrays.fill(holder[0], 0, size, 0.0);
        }
        return holder[0];
    }

    /** Runs {@code body} for every N*C plane, grouping planes so that a task holds about TASK_ELEMENTS inputs. */
    private static void forPlanes(CpuThreads threads, Shape xs, java.util.function.IntConsumer body) {
        int planes = xs.dim(0) * xs.dim(1);
        int per = Math.max(1, TASK_ELEMENTS / Math.max(1, xs.dim(2) * xs.dim(3)));
        threads.parallelFor(Sgemm.ceilDiv(planes, per), t -> {
            for (int plane = t * per, end = Math.min(planes, plane + per); plane < end; plane++) {
                body.accept(plane);
            }
        });
    }
}
