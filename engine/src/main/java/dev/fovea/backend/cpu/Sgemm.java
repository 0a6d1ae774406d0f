package dev.fovea.backend.cpu;

import java.util.Arrays;

/**
 * Blocked, packed, multi-threaded single-precision GEMM on row-major arrays, after the Goto/BLIS layout:
 * C is cut into NC-wide column blocks, the depth into KC slices; for each slice a KC x NC block of B is
 * packed once (shared, L3 resident), and a {@link GemmKernel} computes MR x NR tiles from it and from
 * row blocks of A of at most MC x KC per task (L2 resident). A GEMM with few rows reads A in place
 * (packing it was measured to cost up to 15% of a convolution's GEMM time); with more rows each task
 * copies its block to contiguous rows, which every panel of its chunk then reads with the kernel's
 * fastest loop (measured up to 25% faster with A transposed, no change untransposed). Threads split C's tiles only,
 * never the depth, and the depth slices are the same for every thread count, so results are bitwise
 * independent of threading; with beta == 0 the first slice overwrites C, so C is never cleared first.
 */
final class Sgemm {
    static final int KC = 384;
    static final int MC = 120;
    static final int NC = 3072;
    /** Up to this many rows of A (read in place: 256 x KC floats stay in L2), C is split by columns only. */
    static final int FEW_ROWS = 256;
    /** Column panels a task of such a GEMM takes through all depth slices at once. */
    static final int FEW_ROWS_PANELS = 8;
    /**
     * Up to this many rows of A, full panels of an untransposed B are read in place instead of packed:
     * each packed value would serve only a few tiles (measured on a convolution's 64-row GEMMs; with
     * 128 rows and a short depth, as in a linear layer's weight gradient, packing won).
     */
    static final int IN_PLACE_B_ROWS = 96;
    /**
     * Longest row of B read in place: a tile reads kc rows of B, each on another page once a row is
     * longer than a page, and a linear layer's 9216-wide weight ran at a third of the speed
     * (address-translation misses) until it was packed.
     */
    static final int IN_PLACE_B_COLUMNS = 1024;

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
        run(kernel, threads, transA, m, k, alpha, a, aOff, transB, n, b, bOff, beta, c, cOff);
    }

    private static void run(GemmKernel kernel, CpuThreads threads, boolean transA, int m, int k,
                            float alpha, float[] a, int aOff, boolean transB, int n, float[] b, int bOff, float beta,
                            float[] c, int cOff) {
        if (m == 0 || n == 0) {
            return;
        }
        if (k == 0 || alpha == 0) {
            scale(c, cOff, m * n, beta);
            return;
        }
        if (beta != 0 && beta != 1) {
            scale(c, cOff, m * n, beta);
        }
        boolean addToC = beta != 0;

        int mr = kernel.mr();
        int nr = kernel.nr();
        int usable = threads.usableHere();
        // A is read in place: element (i, p) of op(A) is a[aOff + i*rs + p*cs].
        int rs = transA ? 1 : k;
        int cs = transA ? m : 1;
        if (m <= FEW_ROWS) {
            boolean inPlaceB = !transB && m <= IN_PLACE_B_ROWS && n <= IN_PLACE_B_COLUMNS;
            fewRows(kernel, threads, m, k, alpha, a, aOff, rs, cs, transB, n, b, bOff, addToC, c, cOff, inPlaceB);
            return;
        }
        // Many rows: every panel of B serves many tiles, so the slice of B is packed once and shared.
        int mc = rowBlock(m, mr, usable);
        int mBlocks = ceilDiv(m, mc);
        for (int jc = 0; jc < n; jc += NC) {
            int nc = Math.min(NC, n - jc);
            int nPanels = ceilDiv(nc, nr);
            // Enough column chunks to keep every thread busy when C has few row blocks.
            int chunks = Math.min(nPanels, Math.max(1, ceilDiv(2 * usable, mBlocks)));
            int panelsPerChunk = ceilDiv(nPanels, chunks);
            int chunkCount = ceilDiv(nPanels, panelsPerChunk);
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                float[] bp = Scratch.get(Scratch.Slot.PACK_B, nPanels * nr * kc);
                int jcF = jc;
                int pcF = pc;
                boolean add = addToC || pc > 0;
                threads.parallelFor(nPanels, jp -> packB(transB, n, k, b, bOff, pcF, kc, jcF + jp * nr,
                        Math.min(nr, n - jcF - jp * nr), nr, bp, jp * nr * kc));
                threads.parallelFor(mBlocks * chunkCount, task -> {
                    int ic = (task / chunkCount) * mc;
                    int rows = Math.min(mc, m - ic);
                    int firstPanel = (task % chunkCount) * panelsPerChunk;
                    float[] ap = Scratch.get(Scratch.Slot.PACK_A, rows * kc);
                    packA(a, aOff + ic * rs + pcF * cs, rs, cs, rows, kc, ap);
                    tiles(kernel, kc, pcF, ap, 0, kc, 1, m, ic, rows, b, bOff, n, bp, 0, jcF, firstPanel,
                            Math.min(nPanels, firstPanel + panelsPerChunk), 0, c, cOff, alpha, add);
                });
            }
        }
    }

    /**
     * A with at most FEW_ROWS rows (a linear layer's batch or width, a convolution's output channels):
     * all of it is one row block, threads split C's columns only, and each task runs every depth slice
     * over its own panels, packing them itself (or, with {@code inPlaceB}, only the last partial one).
     * One fork-join per call instead of two per depth slice, which for a 9216-deep linear layer (24 slices
     * of tiny work) cost more than the arithmetic.
     */
    private static void fewRows(GemmKernel kernel, CpuThreads threads, int m, int k, float alpha, float[] a, int aOff,
                                int rs, int cs, boolean transB, int n, float[] b, int bOff, boolean addToC, float[] c,
                                int cOff, boolean inPlaceB) {
        int nr = kernel.nr();
        int usable = threads.usableHere();
        int nPanels = ceilDiv(n, nr);
        int firstPacked = inPlaceB ? n / nr : 0;
        int chunks = Math.min(nPanels, usable == 1 ? 1 : 4 * usable);
        int panelsPerChunk = ceilDiv(nPanels, chunks);
        int chunkCount = ceilDiv(nPanels, panelsPerChunk);
        threads.parallelFor(chunkCount, chunk -> {
            int chunkEnd = Math.min(nPanels, (chunk + 1) * panelsPerChunk);
            // A few panels at a time through every depth slice, so that the packed ones stay in L2.
            for (int first = chunk * panelsPerChunk; first < chunkEnd; first += FEW_ROWS_PANELS) {
                int last = Math.min(chunkEnd, first + FEW_ROWS_PANELS);
                for (int pc = 0; pc < k; pc += KC) {
                    int kc = Math.min(KC, k - pc);
                    float[] bp = Scratch.get(Scratch.Slot.PACK_B, (last - first) * nr * kc);
                    for (int jp = Math.max(first, firstPacked); jp < last; jp++) {
                        packB(transB, n, k, b, bOff, pc, kc, jp * nr, Math.min(nr, n - jp * nr), nr, bp,
                                (jp - first) * nr * kc);
                    }
                    tiles(kernel, kc, pc, a, aOff + pc * cs, rs, cs, m, 0, m, b, bOff, n, bp, first, 0, first, last,
                            firstPacked, c, cOff, alpha, addToC || pc > 0);
                }
            }
        });
    }

    /**
     * The tiles of rows [ic, ic + rows) and panels [firstPanel, lastPanel) of the column block at jc, for
     * the depth slice at pc: A's row ic at depth pc is at {@code a[ao0]}, its rows rs and its depth steps cs
     * apart; panels before {@code firstPacked} read B in place, the others the packed panels in {@code bp},
     * whose first is panel {@code bpFirst}.
     */
    private static void tiles(GemmKernel kernel, int kc, int pc, float[] a, int ao0, int rs, int cs, int m, int ic,
                              int rows, float[] b, int bOff, int n, float[] bp, int bpFirst, int jc, int firstPanel,
                              int lastPanel, int firstPacked, float[] c, int cOff, float alpha, boolean add) {
        int mr = kernel.mr();
        int nr = kernel.nr();
        int mPanels = ceilDiv(rows, mr);
        for (int jp = firstPanel; jp < lastPanel; jp++) {
            int j = jc + jp * nr;
            int cols = Math.min(nr, n - j);
            for (int ip = 0; ip < mPanels; ip++) {
                int i = ic + ip * mr;
                int ao = ao0 + ip * mr * rs;
                if (jp < firstPacked) {
                    kernel.tile(kc, a, ao, rs, cs, b, bOff + pc * n + j, n, c, cOff + i * n + j, n,
                            Math.min(mr, m - i), cols, alpha, add);
                } else {
                    kernel.tile(kc, a, ao, rs, cs, bp, (jp - bpFirst) * nr * kc, nr, c, cOff + i * n + j, n,
                            Math.min(mr, m - i), cols, alpha, add);
                }
            }
        }
    }

    /**
     * Rows per task: at most MC, a multiple of MR, and as many equal blocks as a multiple of the thread
     * count, so that no thread idles while another finishes a last block (9 blocks of 120 rows for
     * m = 1024 left one of two threads a block behind). Only the split of C changes, never a sum.
     */
    static int rowBlock(int m, int mr, int threads) {
        int blocks = ceilDiv(m, MC);
        if (threads > 1) {
            blocks = ceilDiv(blocks, threads) * threads;
        }
        return Math.max(mr, ceilDiv(ceilDiv(m, blocks), mr) * mr);
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

    /**
     * Copies rows x kc of op(A), from a[src] with rows rs and depth steps cs apart, to dst as rows of kc:
     * the micro-kernel then reads each row contiguously (its fastest loop), whether A was transposed or
     * not, and the rows of a wide A no longer lie a page apart.
     */
    private static void packA(float[] a, int src, int rs, int cs, int rows, int kc, float[] dst) {
        if (cs == 1) {
            for (int i = 0; i < rows; i++) {
                System.arraycopy(a, src + i * rs, dst, i * kc, kc);
            }
            return;
        }
        // A transposed: rows of op(A) are columns of A; reading a few of them side by side walks A by rows.
        int i = 0;
        for (; i + 4 <= rows; i += 4) {
            int s = src + i * rs;
            for (int p = 0, d = i * kc; p < kc; p++, d++, s += cs) {
                dst[d] = a[s];
                dst[d + kc] = a[s + rs];
                dst[d + 2 * kc] = a[s + 2 * rs];
                dst[d + 3 * kc] = a[s + 3 * rs];
            }
        }
        for (; i < rows; i++) {
            for (int p = 0; p < kc; p++) {
                dst[i * kc + p] = a[src + i * rs + p * cs];
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
        // Four rows of B^T at a time, so each step writes four neighbouring floats of a panel row
        // instead of one float per cache line (measured faster than row by row).
        int jj = 0;
        for (; jj + 4 <= cols; jj += 4) {
            int s0 = bOff + (j0 + jj) * k + p0;
            int s1 = s0 + k;
            int s2 = s1 + k;
            int s3 = s2 + k;
            for (int p = 0, d = dOff + jj; p < kc; p++, d += nr) {
                dst[d] = b[s0 + p];
                dst[d + 1] = b[s1 + p];
                dst[d + 2] = b[s2 + p];
                dst[d + 3] = b[s3 + p];
            }
        }
        for (; jj < cols; jj++) {
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
