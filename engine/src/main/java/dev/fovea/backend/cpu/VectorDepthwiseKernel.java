package dev.fovea.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link DepthwiseKernel} on the Vector API: each output vector accumulates all its taps in registers
 * (one unaligned load and one FMA per tap, one store). A single 3x3 plane keeps its nine weights in
 * registers and, for height dilation 1, computes two output rows per pass so that each loaded input vector
 * feeds both; the weight gradient likewise takes two dy rows per pass. Loaded only when the module is present.
 *
 * <p>C2 (JDK 17) only keeps vectors in registers when no call sits in a loop that they live across and a
 * loop-carried vector belongs to a single (not nested) loop; otherwise it boxes them and allocates per
 * iteration, an order of magnitude slower. Hence the inline tails and the flat loops.
 */
final class VectorDepthwiseKernel extends DepthwiseKernel {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Weight-gradient lanes are flushed to double after about this many vectors per accumulator. */
    private static final int FLUSH_VECTORS = 256;

    @Override
    int lanes() {
        return L;
    }

    @Override
    int tmpSize(int taps) {
        return (taps + 1) * L;
    }

    @Override
    void pad(float[] src, int off, int sh, int sw, int top, int left, float[] p, int po, int ph, int pw) {
        // Vector stores, no calls: rows are short, and arraycopy / fill calls cost as much as the copy. A zero
        // store may run past the row into the next one, which is written after it; never past the plane.
        FloatVector z = FloatVector.zero(S);
        int c0 = Math.max(0, -left);
        int c1 = Math.min(sw, pw - left);
        int planeEnd = po + ph * pw;
        for (int r = 0; r < ph; r++) {
            int base = po + r * pw;
            int stop = base + pw;
            int sr = r - top;
            int i = base;
            if (sr >= 0 && sr < sh && c1 > c0) {
                int d = base + c0 + left;
                for (int j = base; j < d; j += L) {
                    if (j + L <= planeEnd) {
                        z.intoArray(p, j);
                    } else {
                        for (int e = j; e < d; e++) {
                            p[e] = 0f;
                        }
                    }
                }
                int s = off + sr * sw + c0;
                int n = c1 - c0;
                int j = 0;
                for (; j <= n - L; j += L) {
                    FloatVector.fromArray(S, src, s + j).intoArray(p, d + j);
                }
                for (; j < n; j++) {
                    p[d + j] = src[s + j];
                }
                i = d + n;
            }
            for (; i < stop; i += L) {
                if (i + L <= planeEnd) {
                    z.intoArray(p, i);
                } else {
                    for (int j = i; j < stop; j++) {
                        p[j] = 0f;
                    }
                }
            }
        }
    }

    @Override
    void correlate(float[] p, int pw, int planeStride, int planes, float[] wt, int wo, int kh, int kw, int dh,
                   int dw, float init, float[] dst, int dstOff, int oh, int ow, float[] tmp) {
        if (planes == 1 && kh == 3 && kw == 3) {
            correlate3x3(p, pw, wt, wo, dh, dw, init, dst, dstOff, oh, ow, tmp);
            return;
        }
        FloatVector iv = FloatVector.broadcast(S, init);
        int end = oh * ow;
        int taps = planes * kh * kw;
        int rowStep = dh * pw;
        for (int oy = 0; oy < oh; oy++) {
            int d = oy * ow;
            for (int cx = 0; cx < ow; cx += L) {
                // One flat loop over the taps (planes, rows, columns in order): the accumulator must be the
                // variable of a single loop, or C2 (JDK 17) boxes it.
                FloatVector acc = iv;
                int planeStart = oy * pw + cx;
                int rowStart = planeStart;
                int s = rowStart;
                int b = 0;
                int a = 0;
                for (int t = 0; t < taps; t++) {
                    acc = FloatVector.fromArray(S, p, s).fma(FloatVector.broadcast(S, wt[wo + t]), acc);
                    s += dw;
                    if (++b == kw) {
                        b = 0;
                        if (++a == kh) {
                            a = 0;
                            planeStart += planeStride;
                            rowStart = planeStart;
                        } else {
                            rowStart += rowStep;
                        }
                        s = rowStart;
                    }
                }
                // Lanes past the row land at the start of the next rows, which are written afterwards; only a
                // chunk that would cross the end of the plane goes through tmp (no calls here: the vectors
                // live across this code and would be boxed).
                if (d + cx + L <= end) {
                    acc.intoArray(dst, dstOff + d + cx);
                } else {
                    acc.intoArray(tmp, 0);
                    for (int j = 0, valid = ow - cx; j < valid; j++) {
                        dst[dstOff + d + cx + j] = tmp[j];
                    }
                }
            }
        }
    }

    private static void correlate3x3(float[] p, int pw, float[] wt, int wo, int dh, int dw, float init, float[] dst,
                                     int dstOff, int oh, int ow, float[] tmp) {
        FloatVector w00 = FloatVector.broadcast(S, wt[wo]);
        FloatVector w01 = FloatVector.broadcast(S, wt[wo + 1]);
        FloatVector w02 = FloatVector.broadcast(S, wt[wo + 2]);
        FloatVector w10 = FloatVector.broadcast(S, wt[wo + 3]);
        FloatVector w11 = FloatVector.broadcast(S, wt[wo + 4]);
        FloatVector w12 = FloatVector.broadcast(S, wt[wo + 5]);
        FloatVector w20 = FloatVector.broadcast(S, wt[wo + 6]);
        FloatVector w21 = FloatVector.broadcast(S, wt[wo + 7]);
        FloatVector w22 = FloatVector.broadcast(S, wt[wo + 8]);
        FloatVector iv = FloatVector.broadcast(S, init);
        int dw2 = 2 * dw;
        int end = oh * ow;
        int full = ow - L; // chunks starting at or below this column lie inside the row
        int oy = 0;
        if (dh == 1) {
            // Two output rows at a time: four input rows, each load feeding both rows.
            for (; oy + 1 < oh; oy += 2) {
                int r0 = oy * pw;
                int r1 = r0 + pw;
                int r2 = r1 + pw;
                int r3 = r2 + pw;
                int d = oy * ow;
                for (int cx = 0; cx < ow; cx += L) {
                    FloatVector v = FloatVector.fromArray(S, p, r0 + cx);
                    FloatVector a = v.fma(w00, iv);
                    v = FloatVector.fromArray(S, p, r0 + cx + dw);
                    a = v.fma(w01, a);
                    v = FloatVector.fromArray(S, p, r0 + cx + dw2);
                    a = v.fma(w02, a);
                    v = FloatVector.fromArray(S, p, r1 + cx);
                    FloatVector a1 = v.mul(w10);
                    FloatVector b = v.fma(w00, iv);
                    v = FloatVector.fromArray(S, p, r1 + cx + dw);
                    a1 = v.fma(w11, a1);
                    b = v.fma(w01, b);
                    v = FloatVector.fromArray(S, p, r1 + cx + dw2);
                    a1 = v.fma(w12, a1);
                    b = v.fma(w02, b);
                    v = FloatVector.fromArray(S, p, r2 + cx);
                    a = v.fma(w20, a);
                    FloatVector b1 = v.mul(w10);
                    v = FloatVector.fromArray(S, p, r2 + cx + dw);
                    a = v.fma(w21, a);
                    b1 = v.fma(w11, b1);
                    v = FloatVector.fromArray(S, p, r2 + cx + dw2);
                    a = v.fma(w22, a);
                    b1 = v.fma(w12, b1);
                    a = a.add(a1);
                    // The first row's last chunk must not run into the second row, already written.
                    if (cx <= full) {
                        a.intoArray(dst, dstOff + d + cx);
                    } else {
                        a.intoArray(tmp, 0);
                        for (int j = 0, valid = ow - cx; j < valid; j++) {
                            dst[dstOff + d + cx + j] = tmp[j];
                        }
                    }
                    v = FloatVector.fromArray(S, p, r3 + cx);
                    b = v.fma(w20, b);
                    v = FloatVector.fromArray(S, p, r3 + cx + dw);
                    b = v.fma(w21, b);
                    v = FloatVector.fromArray(S, p, r3 + cx + dw2);
                    b = v.fma(w22, b);
                    b = b.add(b1);
                    if (d + ow + cx + L <= end) {
                        b.intoArray(dst, dstOff + d + ow + cx);
                    } else {
                        b.intoArray(tmp, 0);
                        for (int j = 0, valid = ow - cx; j < valid; j++) {
                            dst[dstOff + d + ow + cx + j] = tmp[j];
                        }
                    }
                }
            }
        }
        for (; oy < oh; oy++) {
            int r0 = oy * pw;
            int r1 = r0 + dh * pw;
            int r2 = r1 + dh * pw;
            int d = oy * ow;
            int cx = 0;
            for (; cx <= full; cx += L) {
                // Three short chains, one per kernel row, added at the end: FMA latency, not throughput,
                // bounds a single nine-long chain.
                FloatVector acc = FloatVector.fromArray(S, p, r0 + cx).fma(w00, iv);
                FloatVector acc1 = FloatVector.fromArray(S, p, r1 + cx).mul(w10);
                FloatVector acc2 = FloatVector.fromArray(S, p, r2 + cx).mul(w20);
                acc = FloatVector.fromArray(S, p, r0 + cx + dw).fma(w01, acc);
                acc1 = FloatVector.fromArray(S, p, r1 + cx + dw).fma(w11, acc1);
                acc2 = FloatVector.fromArray(S, p, r2 + cx + dw).fma(w21, acc2);
                acc = FloatVector.fromArray(S, p, r0 + cx + dw2).fma(w02, acc);
                acc1 = FloatVector.fromArray(S, p, r1 + cx + dw2).fma(w12, acc1);
                acc2 = FloatVector.fromArray(S, p, r2 + cx + dw2).fma(w22, acc2);
                acc = acc.add(acc1).add(acc2);
                acc.intoArray(dst, dstOff + d + cx);
            }
            if (cx < ow) {
                FloatVector acc = FloatVector.fromArray(S, p, r0 + cx).fma(w00, iv);
                FloatVector acc1 = FloatVector.fromArray(S, p, r1 + cx).mul(w10);
                FloatVector acc2 = FloatVector.fromArray(S, p, r2 + cx).mul(w20);
                acc = FloatVector.fromArray(S, p, r0 + cx + dw).fma(w01, acc);
                acc1 = FloatVector.fromArray(S, p, r1 + cx + dw).fma(w11, acc1);
                acc2 = FloatVector.fromArray(S, p, r2 + cx + dw).fma(w21, acc2);
                acc = FloatVector.fromArray(S, p, r0 + cx + dw2).fma(w02, acc);
                acc1 = FloatVector.fromArray(S, p, r1 + cx + dw2).fma(w12, acc1);
                acc2 = FloatVector.fromArray(S, p, r2 + cx + dw2).fma(w22, acc2);
                acc = acc.add(acc1).add(acc2);
                if (d + cx + L <= end) {
                    acc.intoArray(dst, dstOff + d + cx);
                } else {
                    acc.intoArray(tmp, 0);
                    for (int j = 0, valid = ow - cx; j < valid; j++) {
                        dst[dstOff + d + cx + j] = tmp[j];
                    }
                }
            }
        }
    }

    @Override
    void weightGrad(float[] p, int po, int pw, float[] dy, int dyOff, int gw, int oh, int ow, int kh, int kw, int dh,
                    int dw, double[] sums, int sumsOff, float[] tmp) {
        int chunks = (ow + L - 1) / L;
        int block = Math.max(2, FLUSH_VECTORS / chunks & ~1); // even, for the two-row loop
        int taps = kh * kw;
        for (int r = 0; r < oh; r += block) {
            int rEnd = Math.min(oh, r + block);
            if (kh == 3 && kw == 3) {
                weightGrad3x3(p, po, pw, dy, dyOff, gw, r, rEnd, ow, dh, dw, tmp);
            } else {
                weightGradTaps(p, po, pw, dy, dyOff, gw, r, rEnd, ow, kh, kw, dh, dw, tmp);
            }
            for (int t = 0; t <= taps; t++) {
                double sum = 0;
                for (int l = 0; l < L; l++) {
                    sum += tmp[t * L + l];
                }
                sums[sumsOff + t] += sum;
            }
        }
    }

    @Override
    double sum(float[] a, int off, int n, float[] tmp) {
        double total = 0;
        int i = 0;
        while (i <= n - L) {
            FloatVector acc = FloatVector.zero(S);
            int stop = Math.min(n - L, i + (FLUSH_VECTORS - 1) * L);
            for (; i <= stop; i += L) {
                acc = acc.add(FloatVector.fromArray(S, a, off + i));
            }
            acc.intoArray(tmp, 0);
            for (int l = 0; l < L; l++) {
                total += tmp[l];
            }
        }
        for (; i < n; i++) {
            total += a[off + i];
        }
        return total;
    }

    /**
     * Any kernel, one tap at a time over rows [r, rEnd); lanes left in tmp[0 .. (taps + 1) * L). Each pass is
     * one flat loop over the chunks of the rows (nested loops keep C2 from eliminating the vector boxes).
     */
    private static void weightGradTaps(float[] p, int po, int pw, float[] dy, int dyOff, int gw, int r, int rEnd,
                                       int ow, int kh, int kw, int dh, int dw, float[] tmp) {
        int count = (rEnd - r) * ((ow + L - 1) / L);
        for (int a = 0; a < kh; a++) {
            for (int b = 0; b < kw; b++) {
                FloatVector acc = FloatVector.zero(S);
                int s = po + (r + a * dh) * pw + b * dw;
                int d = dyOff + r * gw;
                int cx = 0;
                for (int i = 0; i < count; i++) {
                    acc = FloatVector.fromArray(S, dy, d + cx).fma(FloatVector.fromArray(S, p, s + cx), acc);
                    cx += L;
                    if (cx >= ow) {
                        cx = 0;
                        s += pw;
                        d += gw;
                    }
                }
                acc.intoArray(tmp, (a * kw + b) * L);
            }
        }
        FloatVector acc = FloatVector.zero(S);
        int d = dyOff + r * gw;
        int cx = 0;
        for (int i = 0; i < count; i++) {
            acc = acc.add(FloatVector.fromArray(S, dy, d + cx));
            cx += L;
            if (cx >= ow) {
                cx = 0;
                d += gw;
            }
        }
        acc.intoArray(tmp, kh * kw * L);
    }

    /** The nine tap sums and the dy sum of rows [r, rEnd), their lanes left in tmp[0 .. 10 * L). */
    private static void weightGrad3x3(float[] p, int po, int pw, float[] dy, int dyOff, int gw, int r, int rEnd, int ow,
                                      int dh, int dw, float[] tmp) {
        FloatVector a00 = FloatVector.zero(S);
        FloatVector a01 = a00;
        FloatVector a02 = a00;
        FloatVector a10 = a00;
        FloatVector a11 = a00;
        FloatVector a12 = a00;
        FloatVector a20 = a00;
        FloatVector a21 = a00;
        FloatVector a22 = a00;
        FloatVector ab = a00;
        int dw2 = 2 * dw;
        int dhp = dh * pw;
        int chunks = (ow + L - 1) / L;
        if (dh == 1) {
            // Two dy rows at a time: four input rows, each load feeding both. One flat loop over the chunks.
            int r0 = po + r * pw;
            int d = dyOff + r * gw;
            int cx = 0;
            for (int i = 0, count = (rEnd - r) / 2 * chunks; i < count; i++) {
                FloatVector g0 = FloatVector.fromArray(S, dy, d + cx);
                FloatVector g1 = FloatVector.fromArray(S, dy, d + gw + cx);
                int r1 = r0 + pw;
                int r2 = r1 + pw;
                int r3 = r2 + pw;
                FloatVector v = FloatVector.fromArray(S, p, r0 + cx);
                a00 = g0.fma(v, a00);
                v = FloatVector.fromArray(S, p, r0 + cx + dw);
                a01 = g0.fma(v, a01);
                v = FloatVector.fromArray(S, p, r0 + cx + dw2);
                a02 = g0.fma(v, a02);
                v = FloatVector.fromArray(S, p, r1 + cx);
                a10 = g0.fma(v, a10);
                a00 = g1.fma(v, a00);
                v = FloatVector.fromArray(S, p, r1 + cx + dw);
                a11 = g0.fma(v, a11);
                a01 = g1.fma(v, a01);
                v = FloatVector.fromArray(S, p, r1 + cx + dw2);
                a12 = g0.fma(v, a12);
                a02 = g1.fma(v, a02);
                v = FloatVector.fromArray(S, p, r2 + cx);
                a20 = g0.fma(v, a20);
                a10 = g1.fma(v, a10);
                v = FloatVector.fromArray(S, p, r2 + cx + dw);
                a21 = g0.fma(v, a21);
                a11 = g1.fma(v, a11);
                v = FloatVector.fromArray(S, p, r2 + cx + dw2);
                a22 = g0.fma(v, a22);
                a12 = g1.fma(v, a12);
                v = FloatVector.fromArray(S, p, r3 + cx);
                a20 = g1.fma(v, a20);
                v = FloatVector.fromArray(S, p, r3 + cx + dw);
                a21 = g1.fma(v, a21);
                v = FloatVector.fromArray(S, p, r3 + cx + dw2);
                a22 = g1.fma(v, a22);
                ab = ab.add(g0).add(g1);
                cx += L;
                if (cx >= ow) {
                    cx = 0;
                    r0 += 2 * pw;
                    d += 2 * gw;
                }
            }
            r += (rEnd - r) / 2 * 2; // an odd last row is left to the loop below
        }
        // One flat loop over the chunks of the rows (nested loops keep C2 from eliminating the vector boxes).
        int r0 = po + r * pw;
        int d = dyOff + r * gw;
        int cx = 0;
        for (int i = 0, count = (rEnd - r) * chunks; i < count; i++) {
            FloatVector g = FloatVector.fromArray(S, dy, d + cx);
            int r1 = r0 + dhp;
            int r2 = r1 + dhp;
            a00 = g.fma(FloatVector.fromArray(S, p, r0 + cx), a00);
            a01 = g.fma(FloatVector.fromArray(S, p, r0 + cx + dw), a01);
            a02 = g.fma(FloatVector.fromArray(S, p, r0 + cx + dw2), a02);
            a10 = g.fma(FloatVector.fromArray(S, p, r1 + cx), a10);
            a11 = g.fma(FloatVector.fromArray(S, p, r1 + cx + dw), a11);
            a12 = g.fma(FloatVector.fromArray(S, p, r1 + cx + dw2), a12);
            a20 = g.fma(FloatVector.fromArray(S, p, r2 + cx), a20);
            a21 = g.fma(FloatVector.fromArray(S, p, r2 + cx + dw), a21);
            a22 = g.fma(FloatVector.fromArray(S, p, r2 + cx + dw2), a22);
            ab = ab.add(g);
            cx += L;
            if (cx >= ow) {
                cx = 0;
                r0 += pw;
                d += gw;
            }
        }
        a00.intoArray(tmp, 0);
        a01.intoArray(tmp, L);
        a02.intoArray(tmp, 2 * L);
        a10.intoArray(tmp, 3 * L);
        a11.intoArray(tmp, 4 * L);
        a12.intoArray(tmp, 5 * L);
        a20.intoArray(tmp, 6 * L);
        a21.intoArray(tmp, 7 * L);
        a22.intoArray(tmp, 8 * L);
        ab.intoArray(tmp, 9 * L);
    }
}
