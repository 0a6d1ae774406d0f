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
    public void tile(int kc, float[] a, int ao, int rs, int cs, float[] b, int bo, int bs, float[] c, int co, int ldc,
                     int rows,
                     int cols, float alpha, boolean add) {
        float[] acc = Scratch.get(Scratch.Slot.TILE, MR * NR);
        java.util.Arrays.fill(acc, 0, MR * NR, 0f);
        // Rows past the tile read the last valid row again; their sums are never stored.
        int r1 = ao + Math.min(1, rows - 1) * rs;
        int r2 = ao + Math.min(2, rows - 1) * rs;
        int r3 = ao + Math.min(3, rows - 1) * rs;
        for (int p = 0; p < kc; p++) {
            int o = p * cs;
            int bp = bo + p * bs;
            float a0 = a[ao + o];
            float a1 = a[r1 + o];
            float a2 = a[r2 + o];
            float a3 = a[r3 + o];
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
                float v = alpha == 1 ? acc[ai + j] : alpha * acc[ai + j];
                c[ci + j] = add ? c[ci + j] + v : v;
            }
        }
    }
}
