package dev.fovea.backend.cpu;

import dev.fovea.testing.Arrays2;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The packed SGEMM against {@link RefDense#gemm} (double accumulation) for every transpose combination,
 * odd sizes around the kernel's tile and block edges, alpha/beta, with each available micro-kernel.
 * Tolerance: inputs lie in [-1, 1), so each of the k products is at most 1 in size; float32 accumulation
 * in a different order from the double reference errs by about k * 2^-24 per term sum at worst, so
 * |err| <= 4e-6 * k * (|alpha| + |beta|) + 1e-5 relative.
 */
class FastGemmTest {

    static List<GemmKernel> kernels() {
        List<GemmKernel> ks = new ArrayList<>(List.of(new PlainGemmKernel()));
        if (GemmKernels.vectorApiPresent()) {
            ks.add(new VectorGemmKernel());
        }
        return ks;
    }

    static Stream<Arguments> cases() {
        int[][] sizes = {{1, 1, 1}, {7, 33, 5}, {33, 7, 257}, {257, 33, 7}, {6, 97, 1}, {100, 300, 513},
            {13, 1, 300}, {1, 129, 64}, {97, 65, 31}};
        float[][] alphaBeta = {{1, 0}, {0.5f, -2}, {-1.5f, 1}};
        List<Arguments> out = new ArrayList<>();
        int seed = 0;
        for (GemmKernel kernel : kernels()) {
            for (int[] s : sizes) {
                for (int t = 0; t < 4; t++) {
                    float[] ab = alphaBeta[seed % alphaBeta.length];
                    out.add(Arguments.of(kernel, (t & 1) != 0, (t & 2) != 0, s[0], s[1], s[2], ab[0], ab[1], seed++));
                }
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} transA={1} transB={2} m={3} n={4} k={5} alpha={6} beta={7}")
    @MethodSource("cases")
    void matchesReference(GemmKernel kernel, boolean transA, boolean transB, int m, int n, int k, float alpha,
                          float beta, int seed) {
        float[] a = Arrays2.random(m * k, seed * 3L + 1);
        float[] b = Arrays2.random(k * n, seed * 3L + 2);
        float[] c0 = Arrays2.random(m * n, seed * 3L + 3);
        float[] expected = c0.clone();
        RefDense.gemm(transA, transB, m, n, k, alpha, a, b, beta, expected);
        try (CpuThreads threads = new CpuThreads(2)) {
            float[] actual = c0.clone();
            Sgemm.gemm(kernel, threads, transA, transB, m, n, k, alpha, a, 0, b, 0, beta, actual, 0);
            Arrays2.assertClose(kernel.name(), expected, actual, 4e-6 * k * (Math.abs(alpha) + Math.abs(beta)) + 1e-6,
                    1e-5);
        }
    }

    @Test
    void vectorKernelChosenExactlyWhenItsModuleIsPresent() {
        boolean forced = System.getProperty(GemmKernels.PROPERTY) != null;
        if (!forced) {
            assertEquals(GemmKernels.vectorApiPresent(), GemmKernels.best() instanceof VectorGemmKernel,
                    "kernel in use: " + GemmKernels.best().name());
        }
        assertEquals(GemmKernels.best().name(), CpuBackend.gemmKernelName());
    }

    @Test
    void betaZeroIgnoresNaNInC() {
        for (GemmKernel kernel : kernels()) {
            int m = 9;
            int n = 70;
            int k = 11;
            float[] a = Arrays2.random(m * k, 5);
            float[] b = Arrays2.random(k * n, 6);
            float[] c = new float[m * n];
            Arrays.fill(c, Float.NaN);
            float[] expected = new float[m * n];
            RefDense.gemm(false, false, m, n, k, 1f, a, b, 0f, expected);
            Sgemm.gemm(kernel, CpuThreads.shared(), false, false, m, n, k, 1f, a, 0, b, 0, 0f, c, 0);
            Arrays2.assertClose(kernel.name() + " beta=0 over NaN", expected, c, 4e-6 * k, 1e-5);
        }
    }

    @Test
    void emptyDepthOnlyScalesC() {
        float[] c = {1, 2, 3, 4};
        Sgemm.gemm(CpuThreads.shared(), false, false, 2, 2, 0, 1f, new float[0], 0, new float[0], 0, 0.5f, c, 0);
        assertArrayEquals(new float[] {0.5f, 1, 1.5f, 2}, c);
    }

    @Test
    void offsetsAddressSubmatrices() {
        float[] a = Arrays2.random(5 + 4 * 3, 7);
        float[] b = Arrays2.random(2 + 3 * 6, 8);
        float[] c = new float[3 + 4 * 6];
        Sgemm.gemm(CpuThreads.shared(), false, false, 4, 6, 3, 1f, a, 5, b, 2, 0f, c, 3);
        float[] expected = new float[4 * 6];
        RefDense.gemm(false, false, 4, 6, 3, 1f, Arrays.copyOfRange(a, 5, a.length), Arrays.copyOfRange(b, 2,
                b.length), 0f, expected);
        Arrays2.assertClose("offsets", expected, Arrays.copyOfRange(c, 3, c.length), 1e-5, 1e-5);
        assertEquals(0f, c[0] + c[1] + c[2], "elements before the C offset stay untouched");
    }

    @Test
    void bitwiseIdenticalForAnyThreadCount() {
        // Larger than one depth slice (KC), and both more rows than FEW_ROWS (row blocks and column
        // chunks split C, depth slice by depth slice) and fewer (one task per column chunk runs every
        // slice), with B packed and read in place, so every threading split is exercised.
        int k = Sgemm.KC + 77;
        for (int[] mn : new int[][] {{Sgemm.FEW_ROWS + 5, 700}, {64, 700}, {64, 2000}}) {
            for (int t = 0; t < 4; t++) {
                bitwiseIdenticalForAnyThreadCount(mn[0], mn[1], k, (t & 1) != 0, (t & 2) != 0);
            }
        }
    }

    private static void bitwiseIdenticalForAnyThreadCount(int m, int n, int k, boolean transA, boolean transB) {
        float[] a = Arrays2.random(m * k, 11);
        float[] b = Arrays2.random(k * n, 12);
        float[] reference = null;
        for (int t : new int[] {1, 2, 3}) {
            try (CpuThreads threads = new CpuThreads(t)) {
                float[] c = new float[m * n];
                Sgemm.gemm(threads, transA, transB, m, n, k, 1f, a, 0, b, 0, 0f, c, 0);
                if (reference == null) {
                    reference = c;
                    assertTrue(Math.abs(c[0]) > 0, "the product is not trivially zero");
                } else {
                    assertArrayEquals(reference, c, "m=" + m + " n=" + n + " transA=" + transA + " transB=" + transB
                            + " threads=" + t + " differs from threads=1");
                }
            }
        }
    }

    @Test
    void rowBlocksAreWholeTilesSharedEvenlyByTheThreads() {
        // 1024 rows: 9 blocks of 120 would leave one of two threads a block behind; 10 blocks of 108 do not.
        assertEquals(108, Sgemm.rowBlock(1024, 6, 2));
        assertEquals(114, Sgemm.rowBlock(1024, 6, 1)); // 9 blocks, the last one full too
        assertEquals(36, Sgemm.rowBlock(64, 6, 2));
        assertEquals(6, Sgemm.rowBlock(1, 6, 4));
        for (int m : new int[] {1, 5, 64, 100, 257, 1024}) {
            for (int t : new int[] {1, 2, 3}) {
                int mc = Sgemm.rowBlock(m, 6, t);
                assertEquals(0, mc % 6, "m=" + m + " threads=" + t);
                assertTrue(mc <= Math.max(6, Sgemm.MC), "m=" + m + " threads=" + t);
            }
        }
    }

    @Test
    void partialTilesWriteOnlyTheirOwnRowsAndColumns() {
        // C sits inside a larger array: rows of A past m and panel columns past n must leave it alone,
        // whether B is packed (transposed) or read in place, and whether the tile adds or overwrites.
        for (GemmKernel kernel : kernels()) {
            for (boolean transB : new boolean[] {false, true}) {
                for (float beta : new float[] {0f, 1f}) {
                    int m = 7;
                    int n = 19;
                    int k = 5;
                    float[] a = Arrays2.random(m * k, 21);
                    float[] b = Arrays2.random(k * n, 22);
                    float[] c = new float[m * n + 40];
                    Arrays.fill(c, 3f);
                    float[] expected = new float[m * n];
                    Arrays.fill(expected, 3f);
                    RefDense.gemm(false, transB, m, n, k, 1f, a, b, beta, expected);
                    Sgemm.gemm(kernel, CpuThreads.shared(), false, transB, m, n, k, 1f, a, 0, b, 0, beta, c, 0);
                    String what = kernel.name() + " transB=" + transB + " beta=" + beta;
                    Arrays2.assertClose(what, expected, Arrays.copyOf(c, m * n), 1e-5, 1e-5);
                    for (int i = m * n; i < c.length; i++) {
                        assertEquals(3f, c[i], what + ": element " + i + " past C changed");
                    }
                }
            }
        }
    }
}
