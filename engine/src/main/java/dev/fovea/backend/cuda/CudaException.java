package dev.fovea.backend.cuda;

/** A CUDA, cuBLAS or cuDNN call failed; the message names the call, the error and the op it served. */
public final class CudaException extends RuntimeException {
    public CudaException(String message) {
        super(message);
    }
}
