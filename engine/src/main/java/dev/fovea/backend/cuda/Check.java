package dev.fovea.backend.cuda;

import jcuda.driver.CUresult;
import jcuda.jcublas.cublasStatus;
import jcuda.jcudnn.cudnnStatus;

/**
 * Turns the status codes of the three CUDA APIs Fovea calls (driver, cuBLAS, cuDNN) into
 * {@link CudaException}s that say what failed and for which op. JCuda's own exceptions are left off
 * so that every error carries this context.
 */
final class Check {
    private Check() {
    }

    static void driver(int rc, String call, String context) {
        if (rc != CUresult.CUDA_SUCCESS) {
            throw fail(call, CUresult.stringFor(rc), rc, context);
        }
    }

    static void cublas(int rc, String call, String context) {
        if (rc != cublasStatus.CUBLAS_STATUS_SUCCESS) {
            throw fail(call, cublasStatus.stringFor(rc), rc, context);
        }
    }

    static void cudnn(int rc, String call, String context) {
        if (rc != cudnnStatus.CUDNN_STATUS_SUCCESS) {
            throw fail(call, cudnnStatus.stringFor(rc), rc, context);
        }
    }

    private static CudaException fail(String call, String name, int rc, String context) {
        return new CudaException(context + ": " + call + " failed with " + name + " (" + rc + ")");
    }
}
