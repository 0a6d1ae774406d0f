package dev.fovea.backend.cpu;

/**
 * A GEMM micro-kernel in plain Java: a 4 x 64 tile accumulated in a per-thread array. Used when the
 * Vector API module is absent. Measured on JDK 17 (AVX-512 Xeon), C2 does not vectorise this loop, nor
 * an axpy-per-row or a 4 x 6 scalar register tile (all about 3-5 GFLOP/s per core against 100+ for
 * {@link VectorGemmKernel}), so this is the correct, slow fallback; run with the Vector API for speed.
 */
final class PlainGemmKernel implements GemmKernel {
    static final int MR = 4;
    static final int NR = 64;

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
        return "java-loops " + MR + "x" + NR;
    }

    @Override
    public void tile(int kc, float[] a, int ao, float[] b, int bo, float[] c, int co, int ldc, int rows, int cols) {
        float[] acc = Scratch.get(Scratch.Slot.TILE, MR * NR);
        java.util.Arrays.fill(acc, 0, MR * NR, 0f);
        for (int p = 0; p < kc; p++) {
            int ap = ao + p * MR;
            int bp = bo + p * NR;
            float a0 = a[ap];
            float a1 = a[ap + 1];
            float a2 = a[ap + 2];
            float a3 = a[ap + 3];
            for (int j = 0; j < NR; j++) {
                float bv = b[bp + j];
                acc[j] += a0 * bv;
                acc[NR + j] += a1 * bv;
                acc[2 * NR + j] += a2 * bv;
                acc[3 * NR + j] += a3 * bv;
            }
        }
        for (int i = 0; i < rows; i++) {
            int ci = co + i * ldc;
            int ai = i * NR;
            for (int j = 0; j < cols; j++) {
                c[ci + j] += acc[ai + j];
            }
        }
    }
}
