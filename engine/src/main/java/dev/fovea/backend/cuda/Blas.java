package dev.fovea.backend.cuda;

import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.jcublas.JCublas2;

/** Row-major single-precision GEMMs on cuBLAS (see {@link ColumnMajorGemm} for the operand swap). */
final class Blas {
    private Blas() {
    }

    /** C = alpha * op(A) op(B) + beta * C, all row-major and densely packed. */
    static void gemm(CudaDevice dev, boolean transA, boolean transB, int m, int n, int k, float alpha,
                     CUdeviceptr a, CUdeviceptr b, float beta, CUdeviceptr c, String context) {
        if (m == 0 || n == 0) {
            return;
        }
        ColumnMajorGemm g = ColumnMajorGemm.of(transA, transB, m, n, k);
        dev.cublas("cublasSgemm(" + m + "x" + n + "x" + k + ")", context, h -> JCublas2.cublasSgemm(h, g.opFirst(),
                g.opSecond(), g.m(), g.n(), g.k(), Pointer.to(new float[]{alpha}), b, g.ldFirst(), a, g.ldSecond(),
                Pointer.to(new float[]{beta}), c, g.ldc()));
    }

    /**
     * {@code batch} independent GEMMs whose operands lie {@code strideA}, {@code strideB},
     * {@code strideC} floats apart (a stride of 0 shares one operand across the batch).
     */
    static void gemmStridedBatched(CudaDevice dev, boolean transA, boolean transB, int m, int n, int k, float alpha,
                                   CUdeviceptr a, long strideA, CUdeviceptr b, long strideB, float beta,
                                   CUdeviceptr c, long strideC, int batch, String context) {
        if (m == 0 || n == 0 || batch == 0) {
            return;
        }
        ColumnMajorGemm g = ColumnMajorGemm.of(transA, transB, m, n, k);
        dev.cublas("cublasSgemmStridedBatched(" + batch + " x " + m + "x" + n + "x" + k + ")", context,
                h -> JCublas2.cublasSgemmStridedBatched(h, g.opFirst(), g.opSecond(), g.m(), g.n(), g.k(),
                        Pointer.to(new float[]{alpha}), b, g.ldFirst(), strideB, a, g.ldSecond(), strideA,
                        Pointer.to(new float[]{beta}), c, g.ldc(), strideC, batch));
    }
}
