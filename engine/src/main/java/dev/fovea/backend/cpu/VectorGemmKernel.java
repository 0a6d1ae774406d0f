package dev.fovea.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * A GEMM micro-kernel on the JDK Vector API: a 6 x (2 vectors) tile held in twelve vector registers and
 * updated with fused multiply-adds (6 x 32 floats with AVX-512). Loaded only when the
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
    public void tile(int kc, float[] a, int ao, float[] b, int bo, float[] c, int co, int ldc, int rows, int cols) {
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
            int ap = ao + p * MR;
            int bp = bo + p * NR;
            FloatVector b0 = FloatVector.fromArray(S, b, bp);
            FloatVector b1 = FloatVector.fromArray(S, b, bp + VL);
            FloatVector av = FloatVector.broadcast(S, a[ap]);
            c00 = av.fma(b0, c00);
            c01 = av.fma(b1, c01);
            av = FloatVector.broadcast(S, a[ap + 1]);
            c10 = av.fma(b0, c10);
            c11 = av.fma(b1, c11);
            av = FloatVector.broadcast(S, a[ap + 2]);
            c20 = av.fma(b0, c20);
            c21 = av.fma(b1, c21);
            av = FloatVector.broadcast(S, a[ap + 3]);
            c30 = av.fma(b0, c30);
            c31 = av.fma(b1, c31);
            av = FloatVector.broadcast(S, a[ap + 4]);
            c40 = av.fma(b0, c40);
            c41 = av.fma(b1, c41);
            av = FloatVector.broadcast(S, a[ap + 5]);
            c50 = av.fma(b0, c50);
            c51 = av.fma(b1, c51);
        }
        if (rows == MR && cols == NR) {
            addRow(c, co, c00, c01);
            addRow(c, co + ldc, c10, c11);
            addRow(c, co + 2 * ldc, c20, c21);
            addRow(c, co + 3 * ldc, c30, c31);
            addRow(c, co + 4 * ldc, c40, c41);
            addRow(c, co + 5 * ldc, c50, c51);
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
                c[co + i * ldc + j] += t[i * NR + j];
            }
        }
    }

    private static void addRow(float[] c, int off, FloatVector lo, FloatVector hi) {
        FloatVector.fromArray(S, c, off).add(lo).intoArray(c, off);
        FloatVector.fromArray(S, c, off + VL).add(hi).intoArray(c, off + VL);
    }
}
