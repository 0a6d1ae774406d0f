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
                     int rows,
                     int cols, float alpha, boolean add) {
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
        // Unrolling this loop was measured slower (the JIT then spills accumulators); reading A in place
        // through its strides was measured as fast as a packed panel, and saves packing it.
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
        if (alpha != 1) {
            FloatVector av = FloatVector.broadcast(S, alpha);
            c00 = c00.mul(av);
            c01 = c01.mul(av);
            c10 = c10.mul(av);
            c11 = c11.mul(av);
            c20 = c20.mul(av);
            c21 = c21.mul(av);
            c30 = c30.mul(av);
            c31 = c31.mul(av);
            c40 = c40.mul(av);
            c41 = c41.mul(av);
            c50 = c50.mul(av);
            c51 = c51.mul(av);
        }
        if (cols == NR) {
            // Whole rows: vector stores, however many rows the tile has (a 64-channel GEMM ends in 4).
            store(c, co, c00, c01, add);
            if (rows > 1) {
                store(c, co + ldc, c10, c11, add);
            }
            if (rows > 2) {
                store(c, co + 2 * ldc, c20, c21, add);
            }
            if (rows > 3) {
                store(c, co + 3 * ldc, c30, c31, add);
            }
            if (rows > 4) {
                store(c, co + 4 * ldc, c40, c41, add);
            }
            if (rows > 5) {
                store(c, co + 5 * ldc, c50, c51, add);
            }
            return;
        }
        float[] t = Scratch.get(Scratch.Slot.TILE, MR * NR);
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
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                int ci = co + i * ldc + j;
                c[ci] = add ? c[ci] + t[i * NR + j] : t[i * NR + j];
            }
        }
    }

    private static void store(float[] c, int off, FloatVector lo, FloatVector hi, boolean add) {
        if (add) {
            lo = FloatVector.fromArray(S, c, off).add(lo);
            hi = FloatVector.fromArray(S, c, off + VL).add(hi);
        }
        lo.intoArray(c, off);
        hi.intoArray(c, off + VL);
    }
}
