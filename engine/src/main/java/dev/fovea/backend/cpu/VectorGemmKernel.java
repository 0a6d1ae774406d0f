package dev.fovea.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * A GEMM micro-kernel on the JDK Vector API: a 6 x (2 vectors) tile held in twelve vector registers and
 * updated with fused multiply-adds (6 x 32 floats with AVX-512, 6 x 16 with AVX2). Loaded only when the
 * {@code jdk.incubator.vector} module is present, see {@link GemmKernels}.
 */
final class VectorGemmKernel implements GemmKernel {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int VL = S.length();
    static final int MR = 6;
    static final int NR = 2 * VL;

    @Override
    public int mr() {
        return MR;
    }

    @Override
    public int nr() {
        return NR;
    }

    @Override
    public String name() {
        return "vector-api " + MR + "x" + NR + " (" + S.vectorBitSize() + "-bit)";
    }

    @Override
    public void tile(int kc, float[] a, int ao, int rs, int cs, float[] b, int bo, int bs, float[] c, int co, int ldc,
                     int rows, int cols, float alpha, boolean add) {
        float[] t = Scratch.get(Scratch.Slot.TILE, MR * NR);
        // Rows of A contiguous (A untransposed, or packed) have a loop of their own whose A indices step by
        // a constant, so that the JIT hoists six of its eight bounds checks out of the loop (with A's step
        // known only at run time it checks every load: 5-9% of a convolution's 64-row GEMM, none at 1024^3).
        // Each loop is its own method because both in one method exceeded the JIT's inlining budget and
        // left the second one's vectors boxed (5-20x slower).
        if (cs == 1) {
            sumContiguous(kc, a, ao, rs, rows, b, bo, bs, t);
        } else {
            sumStrided(kc, a, ao, rs, cs, rows, b, bo, bs, t);
        }
        store(t, c, co, ldc, rows, cols, alpha, add);
    }

    /** The tile's sums into t (MR rows of NR), A's rows contiguous and B's rows {@code bs} apart. */
    private static void sumContiguous(int kc, float[] a, int ao, int rs, int rows, float[] b, int bo, int bs,
                                      float[] t) {
        // Rows past the tile read the last valid row again; their sums are never stored.
        int r1 = ao + Math.min(1, rows - 1) * rs;
        int r2 = ao + Math.min(2, rows - 1) * rs;
        int r3 = ao + Math.min(3, rows - 1) * rs;
        int r4 = ao + Math.min(4, rows - 1) * rs;
        int r5 = ao + Math.min(5, rows - 1) * rs;
        FloatVector c00 = FloatVector.zero(S);
        FloatVector c01 = c00;
        FloatVector c10 = c00;
        FloatVector c11 = c00;
        FloatVector c20 = c00;
        FloatVector c21 = c00;
        FloatVector c30 = c00;
        FloatVector c31 = c00;
        FloatVector c40 = c00;
        FloatVector c41 = c00;
        FloatVector c50 = c00;
        FloatVector c51 = c00;
        // Unrolling this loop was measured slower (the JIT then spills accumulators).
        for (int p = 0; p < kc; p++) {
            int bp = bo + p * bs;
            FloatVector b0 = FloatVector.fromArray(S, b, bp);
            FloatVector b1 = FloatVector.fromArray(S, b, bp + VL);
            FloatVector av = FloatVector.broadcast(S, a[ao + p]);
            c00 = av.fma(b0, c00);
            c01 = av.fma(b1, c01);
            av = FloatVector.broadcast(S, a[r1 + p]);
            c10 = av.fma(b0, c10);
            c11 = av.fma(b1, c11);
            av = FloatVector.broadcast(S, a[r2 + p]);
            c20 = av.fma(b0, c20);
            c21 = av.fma(b1, c21);
            av = FloatVector.broadcast(S, a[r3 + p]);
            c30 = av.fma(b0, c30);
            c31 = av.fma(b1, c31);
            av = FloatVector.broadcast(S, a[r4 + p]);
            c40 = av.fma(b0, c40);
            c41 = av.fma(b1, c41);
            av = FloatVector.broadcast(S, a[r5 + p]);
            c50 = av.fma(b0, c50);
            c51 = av.fma(b1, c51);
        }
        c00.intoArray(t, 0);
        c01.intoArray(t, VL);
        c10.intoArray(t, NR);
        c11.intoArray(t, NR + VL);
        c20.intoArray(t, 2 * NR);
        c21.intoArray(t, 2 * NR + VL);
        c30.intoArray(t, 3 * NR);
        c31.intoArray(t, 3 * NR + VL);
        c40.intoArray(t, 4 * NR);
        c41.intoArray(t, 4 * NR + VL);
        c50.intoArray(t, 5 * NR);
        c51.intoArray(t, 5 * NR + VL);
    }

    /**
     * The same with A's depth steps {@code cs} apart: the columns of a transposed A read in place (a GEMM
     * with few rows, where packing A cost more than it saved).
     */
    private static void sumStrided(int kc, float[] a, int ao, int rs, int cs, int rows, float[] b, int bo, int bs,
                                   float[] t) {
        int r1 = ao + Math.min(1, rows - 1) * rs;
        int r2 = ao + Math.min(2, rows - 1) * rs;
        int r3 = ao + Math.min(3, rows - 1) * rs;
        int r4 = ao + Math.min(4, rows - 1) * rs;
        int r5 = ao + Math.min(5, rows - 1) * rs;
        FloatVector c00 = FloatVector.zero(S);
        FloatVector c01 = c00;
        FloatVector c10 = c00;
        FloatVector c11 = c00;
        FloatVector c20 = c00;
        FloatVector c21 = c00;
        FloatVector c30 = c00;
        FloatVector c31 = c00;
        FloatVector c40 = c00;
        FloatVector c41 = c00;
        FloatVector c50 = c00;
        FloatVector c51 = c00;
        for (int p = 0; p < kc; p++) {
            int o = p * cs;
            int bp = bo + p * bs;
            FloatVector b0 = FloatVector.fromArray(S, b, bp);
            FloatVector b1 = FloatVector.fromArray(S, b, bp + VL);
            FloatVector av = FloatVector.broadcast(S, a[ao + o]);
            c00 = av.fma(b0, c00);
            c01 = av.fma(b1, c01);
            av = FloatVector.broadcast(S, a[r1 + o]);
            c10 = av.fma(b0, c10);
            c11 = av.fma(b1, c11);
            av = FloatVector.broadcast(S, a[r2 + o]);
            c20 = av.fma(b0, c20);
            c21 = av.fma(b1, c21);
            av = FloatVector.broadcast(S, a[r3 + o]);
            c30 = av.fma(b0, c30);
            c31 = av.fma(b1, c31);
            av = FloatVector.broadcast(S, a[r4 + o]);
            c40 = av.fma(b0, c40);
            c41 = av.fma(b1, c41);
            av = FloatVector.broadcast(S, a[r5 + o]);
            c50 = av.fma(b0, c50);
            c51 = av.fma(b1, c51);
        }
        c00.intoArray(t, 0);
        c01.intoArray(t, VL);
        c10.intoArray(t, NR);
        c11.intoArray(t, NR + VL);
        c20.intoArray(t, 2 * NR);
        c21.intoArray(t, 2 * NR + VL);
        c30.intoArray(t, 3 * NR);
        c31.intoArray(t, 3 * NR + VL);
        c40.intoArray(t, 4 * NR);
        c41.intoArray(t, 4 * NR + VL);
        c50.intoArray(t, 5 * NR);
        c51.intoArray(t, 5 * NR + VL);
    }

    /** Scales the tile's sums in t by alpha and adds them into C (or overwrites it), rows and columns in range. */
    private static void store(float[] t, float[] c, int co, int ldc, int rows, int cols, float alpha, boolean add) {
        if (cols == NR) {
            // Whole rows: vector stores, however many rows the tile has (a 64-channel GEMM ends in 4).
            FloatVector av = FloatVector.broadcast(S, alpha);
            for (int i = 0; i < rows; i++) {
                FloatVector lo = FloatVector.fromArray(S, t, i * NR);
                FloatVector hi = FloatVector.fromArray(S, t, i * NR + VL);
                if (alpha != 1) {
                    lo = lo.mul(av);
                    hi = hi.mul(av);
                }
                int off = co + i * ldc;
                if (add) {
                    lo = FloatVector.fromArray(S, c, off).add(lo);
                    hi = FloatVector.fromArray(S, c, off + VL).add(hi);
                }
                lo.intoArray(c, off);
                hi.intoArray(c, off + VL);
            }
            return;
        }
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                int ci = co + i * ldc + j;
                float v = alpha == 1 ? t[i * NR + j] : alpha * t[i * NR + j];
                c[ci] = add ? c[ci] + v : v;
            }
        }
    }
}
