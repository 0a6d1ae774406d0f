package dev.fovea.backend.cuda;

import jcuda.jcublas.cublasOperation;

/**
 * A row-major GEMM C = op(A) op(B) expressed as the column-major call cuBLAS understands. A
 * row-major matrix read column-major is its transpose, so C^T = op(B)^T op(A)^T: swap the operands
 * and m with n, keep each operand's own transpose flag. Pure arithmetic, tested against a plain
 * column-major GEMM without a GPU.
 *
 * @param opFirst  cuBLAS op of the first operand (Fovea's B)
 * @param opSecond cuBLAS op of the second operand (Fovea's A)
 * @param m        rows of the column-major result (Fovea's n)
 * @param n        columns of the column-major result (Fovea's m)
 * @param k        the shared dimension
 * @param ldFirst  leading dimension of B as stored row-major
 * @param ldSecond leading dimension of A as stored row-major
 * @param ldc      leading dimension of C
 */
public record ColumnMajorGemm(int opFirst, int opSecond, int m, int n, int k, int ldFirst, int ldSecond, int ldc) {

    /** For row-major C[m x n] = op(A) op(B), A being [m x k] (or [k x m] when transA), B [k x n] (or [n x k]). */
    public static ColumnMajorGemm of(boolean transA, boolean transB, int m, int n, int k) {
        return new ColumnMajorGemm(
                transB ? cublasOperation.CUBLAS_OP_T : cublasOperation.CUBLAS_OP_N,
                transA ? cublasOperation.CUBLAS_OP_T : cublasOperation.CUBLAS_OP_N,
                n, m, k,
                Math.max(1, transB ? k : n),
                Math.max(1, transA ? m : k),
                Math.max(1, n));
    }
}
