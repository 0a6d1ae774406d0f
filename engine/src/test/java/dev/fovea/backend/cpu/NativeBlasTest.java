package dev.fovea.backend.cpu;

import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.testing.Arrays2;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The native BLAS binding: its row-major mapping against {@link RefDense#gemm} where an optimised BLAS is
 * installed (Debian: libopenblas0-pthread; skipped with the reason elsewhere), and the choice of mode.
 */
class NativeBlasTest {

    @Test
    void rowMajorProductsMatchTheReference() {
        NativeBlas blas = NativeBlas.get();
        Assumptions.assumeTrue(blas.inUse(), "native BLAS " + blas.description());
        int seed = 0;
        for (int[] s : new int[][] {{1, 1, 1}, {7, 33, 5}, {64, 128, 300}, {33, 7, 257}, {100, 65, 31}}) {
            for (int t = 0; t < 4; t++) {
                boolean transA = (t & 1) != 0;
                boolean transB = (t & 2) != 0;
                int m = s[0];
                int n = s[1];
                int k = s[2];
                float[] a = Arrays2.random(3 + m * k, seed++);
                float[] b = Arrays2.random(5 + k * n, seed++);
                float[] c = Arrays2.random(2 + m * n, seed++);
                float[] expected = Arrays.copyOfRange(c, 2, c.length);
                RefDense.gemm(transA, transB, m, n, k, 0.5f, Arrays.copyOfRange(a, 3, a.length),
                        Arrays.copyOfRange(b, 5, b.length), -1.5f, expected);
                blas.sgemm(transA, transB, m, n, k, 0.5f, a, 3, b, 5, -1.5f, c, 2);
                Arrays2.assertClose("m=" + m + " n=" + n + " k=" + k + " transA=" + transA + " transB=" + transB,
                        expected, Arrays.copyOfRange(c, 2, c.length), 4e-6 * k * 2 + 1e-6, 1e-5);
            }
        }
    }

    @Test
    void linearLayersOnTheNativeBlasMatchTheReference() {
        NativeBlas blas = NativeBlas.get();
        Assumptions.assumeTrue(blas.inUse(), "native BLAS " + blas.description());
        ReferenceBackend ref = new ReferenceBackend();
        try (CpuBackend fast = new CpuBackend(2)) {
            float[] x = Arrays2.random(64 * 300, 1);
            float[] w = Arrays2.random(40 * 300, 2);
            float[] bias = Arrays2.random(40, 3);
            Tensor yRef = ref.linear(ref.upload(Shape.of(64, 300), x), ref.upload(Shape.of(40, 300), w),
                    ref.upload(Shape.of(40), bias));
            Tensor yFast = fast.linear(fast.upload(Shape.of(64, 300), x), fast.upload(Shape.of(40, 300), w),
                    fast.upload(Shape.of(40), bias));
            Arrays2.assertClose("linear", ref.download(yRef), fast.download(yFast), 4e-6 * 300 + 1e-6, 1e-5);
        }
    }

    @Test
    void modes() {
        assertFalse(NativeBlas.load("java").inUse());
        assertTrue(NativeBlas.load("java").description().contains("-Dfovea.blas=java"));
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> NativeBlas.load("openblas"));
        assertTrue(bad.getMessage().contains("expected auto, native or java"), bad.getMessage());
        NativeBlas auto = NativeBlas.load("auto");
        if (auto.inUse() || auto.description().contains("not an optimised BLAS")) {
            // A library loads: "native" takes it even when "auto" declines a reference BLAS.
            assertTrue(NativeBlas.load("native").inUse());
        } else {
            IllegalStateException missing = assertThrows(IllegalStateException.class, () -> NativeBlas.load("native"));
            assertTrue(missing.getMessage().contains("apt-get install libopenblas0-pthread"), missing.getMessage());
        }
    }
}
