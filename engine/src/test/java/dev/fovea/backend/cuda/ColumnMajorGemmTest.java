package dev.fovea.backend.cuda;

import dev.fovea.testing.Arrays2;
import jcuda.jcublas.cublasOperation;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The operand swap that runs row-major GEMMs on column-major cuBLAS, executed by a plain Java
 * column-major sgemm with cuBLAS's argument conventions and compared with a row-major triple loop.
 */
class ColumnMajorGemmTest {

    /** cuBLAS semantics: C = alpha op(A) op(B) + beta C, column-major with leading dimensions. */
    static void sgemmColumnMajor(int opA, int opB, int m, int n, int k, float alpha, float[] a, int lda,
                                 float[] b, int ldb, float beta, float[] c, int ldc) {
        for (int j = 0; j < n; j++) {
            for (int i = 0; i < m; i++) {
                double s = 0;
                for (int p = 0; p < k; p++) {
                    float av = opA == cublasOperation.CUBLAS_OP_N ? a[i + p * lda] : a[p + i * lda];
                    float bv = opB == cublasOperation.CUBLAS_OP_N ? b[p + j * ldb] : b[j + p * ldb];
                    s += (double) av * bv;
                }
                c[i + j * ldc] = (float) (alpha * s + beta * c[i + j * ldc]);
            }
        }
    }

    static float[] rowMajor(boolean ta, boolean tb, int m, int n, int k, float alpha, float[] a, float[] b,
                            float beta, float[] c0) {
        float[] c = c0.clone();
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) {
                    s += (double) (ta ? a[p * m + i] : a[i * k + p]) * (tb ? b[j * k + p] : b[p * n + j]);
                }
                c[i * n + j] = (float) (alpha * s + beta * c[i * n + j]);
            }
        }
        return c;
    }

    @Test
    void swappedOperandsComputeTheRowMajorProduct() {
        int m = 5;
        int n = 7;
        int k = 3;
        float[] a = Arrays2.random(m * k, 1);
        float[] b = Arrays2.random(k * n, 2);
        float[] c0 = Arrays2.random(m * n, 3);
        for (boolean ta : new boolean[]{false, true}) {
            for (boolean tb : new boolean[]{false, true}) {
                ColumnMajorGemm g = ColumnMajorGemm.of(ta, tb, m, n, k);
                float[] c = c0.clone();
                sgemmColumnMajor(g.opFirst(), g.opSecond(), g.m(), g.n(), g.k(), 1.5f, b, g.ldFirst(),
                        a, g.ldSecond(), 0.5f, c, g.ldc());
                Arrays2.assertClose("gemm transA=" + ta + " transB=" + tb,
                        rowMajor(ta, tb, m, n, k, 1.5f, a, b, 0.5f, c0), c, 1e-6, 1e-6);
            }
        }
    }

    @Test
    void linearLayerShapes() {
        // y [N, out] = x [N, in] w^T: transB with B = w [out, in].
        ColumnMajorGemm g = ColumnMajorGemm.of(false, true, 64, 10, 128);
        assertEquals(cublasOperation.CUBLAS_OP_T, g.opFirst());
        assertEquals(cublasOperation.CUBLAS_OP_N, g.opSecond());
        assertEquals(10, g.m());
        assertEquals(64, g.n());
        assertEquals(128, g.ldFirst());
        assertEquals(128, g.ldSecond());
        assertEquals(10, g.ldc());
    }
}
