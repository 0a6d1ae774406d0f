package dev.fovea.backend.cpu;

import java.util.Arrays;

/**
 * Blocked, packed, multi-threaded single-precision GEMM on row-major arrays, in the Goto/BLIS layout:
 * C is cut into NC-wide column blocks, the depth into KC slices; for each slice a KC x NC block of B is
 * packed once (shared, L2/L3 resident) and MC x KC blocks of A are packed per task (L2 resident), then
 * a {@link GemmKernel} computes MR x NR tiles. Threads split C's tiles only, never the depth, and the
 * depth slices are the same for every thread count, so results are bitwise independent of threading.
 */
final class Sgemm {
    static final int KC = 384;
    static final int MC = 120;
    static final int NC = 768;

    private Sgemm() {
    }

    /** C = alpha * op(A) op(B) + beta * C with the process's kernel; op(A) is m x k, op(B) k x n. */
    static void gemm(CpuThreads threads, boolean transA, boolean transB, int m, int n, int k, float alpha,
                     float[] a, int aOff, float[] b, int bOff, float beta, float[] c, int cOff) {
        gemm(GemmKernels.best(), threads, transA, transB, m, n, k, alpha, a, aOff, b, bOff, beta, c, cOff);
    }

    /**
     * The same with a chosen kernel. Matrices are dense at their offsets: A is m x k (k x m when
     * transposed), B is k x n (n x k when transposed), C is m x n. beta == 0 ignores C's old values
     * (NaN included), as BLAS does.
     */
    static void gemm(GemmKernel kernel, CpuThreads threads, boolean transA, boolean transB, int m, int n, int k,
                     float alpha, float[] a, int aOff, float[] b, int bOff, float beta, float[] c, int cOff) {
        if (m == 0 || n == 0) {
            return;
        }
        scale(c, cOff, m * n, beta);
        if (k == 0 || alpha == 0) {
            return;
        }
        int mr = kernel.mr();
        int nr = kernel.nr();
        int mBlocks = ceilDiv(m, MC);
        for (int jc = 0; jc < n; jc += NC) {
            int nc = Math.min(NC, n - jc);
            int nPanels = ceilDiv(nc, nr);
            // Enough column chunks to keep every thread busy when C has few row blocks; each chunk packs
            // its A block again, so inside a worker (where tasks run inline) there is one chunk.
            int chunks = Math.min(nPanels, Math.max(1, ceilDiv(2 * threads.usableHere(), mBlocks)));
            int panelsPerChunk = ceilDiv(nPanels, chunks);
            int chunkCount = ceilDiv(nPanels, panelsPerChunk);
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                float[] bp = Scratch.get(Scratch.Slot.PACK_B, nPanels * nr * kc);
                int jcF = jc;
                int pcF = pc;
                threads.parallelFor(nPanels, jp -> packB(transB, n, k, b, bOff, pcF, kc, jcF + jp * nr,
                        Math.min(nr, n - jcF - jp * nr), nr, bp, jp * nr * kc));
                threads.parallelFor(mBlocks * chunkCount, task -> {
                    int ic = (task / chunkCount) * MC;
                    int mc = Math.min(MC, m - ic);
                    int firstPanel = (task % chunkCount) * panelsPerChunk;
                    int lastPanel = Math.min(nPanels, firstPanel + panelsPerChunk);
                    int mPanels = ceilDiv(mc, mr);
                    float[] ap = Scratch.get(Scratch.Slot.PACK_A, mPanels * mr * kc);
                    for (int ip = 0; ip < mPanels; ip++) {
                        packA(transA, m, k, a, aOff, alpha, ic + ip * mr, Math.min(mr, mc - ip * mr), pcF, kc, mr,
                                ap, ip * mr * kc);
                    }
                    for (int jp = firstPanel; jp < lastPanel; jp++) {
                        int j = jcF + jp * nr;
                        int cols = Math.min(nr, n - j);
                        for (int ip = 0; ip < mPanels; ip++) {
                            int i = ic + ip * mr;
                            kernel.tile(kc, ap, ip * mr * kc, bp, jp * nr * kc, c, cOff + i * n + j, n,
                                    Math.min(mr, m - i), cols);
                        }
                    }
                });
            }
        }
    }

    private static void scale(float[] c, int off, int len, float beta) {
        if (beta == 0) {
            Arrays.fill(c, off, off + len, 0f);
        } else if (beta != 1) {
            for (int i = off; i < off + len; i++) {
                c[i] *= beta;
            }
        }
    }

    /** Packs rows [i0, i0+rows) x depth [p0, p0+kc) of alpha * op(A) as kc groups of mr values, zero-padded. */
    private static void packA(boolean transA, int m, int k, float[] a, int aOff, float alpha, int i0, int rows,
                              int p0, int kc, int mr, float[] dst, int dOff) {
        for (int p = 0; p < kc; p++) {
            int d = dOff + p * mr;
            for (int ii = 0; ii < rows; ii++) {
                int src = transA ? aOff + (p0 + p) * m + i0 + ii : aOff + (i0 + ii) * k + p0 + p;
                dst[d + ii] = alpha == 1 ? a[src] : alpha * a[src];
            }
            for (int ii = rows; ii < mr; ii++) {
                dst[d + ii] = 0f;
            }
        }
    }

    /** Packs depth [p0, p0+kc) x columns [j0, j0+cols) of op(B) as kc groups of nr values, zero-padded. */
    private static void packB(boolean transB, int n, int k, float[] b, int bOff, int p0, int kc, int j0, int cols,
                              int nr, float[] dst, int dOff) {
        if (!transB) {
            for (int p = 0; p < kc; p++) {
                int d = dOff + p * nr;
                System.arraycopy(b, bOff + (p0 + p) * n + j0, dst, d, cols);
                Arrays.fill(dst, d + cols, d + nr, 0f);
            }
            return;
        }
        for (int jj = 0; jj < cols; jj++) {
            int src = bOff + (j0 + jj) * k + p0;
            for (int p = 0; p < kc; p++) {
                dst[dOff + p * nr + jj] = b[src + p];
            }
        }
        for (int p = 0; p < kc; p++) {
            Arrays.fill(dst, dOff + p * nr + cols, dOff + (p + 1) * nr, 0f);
        }
    }

    static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }
}
