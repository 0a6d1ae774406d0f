package dev.fovea.backend.cuda;

/** Which implementation runs an op on the GPU, and why that one. */
public record Route(Engine engine, String reason) {

    /** The GPU implementations an op can be routed to. */
    public enum Engine {
        /** NVIDIA's cuDNN. */
        CUDNN,
        /** Fovea's im2col kernel followed by a cuBLAS GEMM (convolution without cuDNN). */
        IM2COL_CUBLAS,
        /** One of Fovea's own PTX kernels. */
        KERNEL
    }

    @Override
    public String toString() {
        return engine.name().toLowerCase(java.util.Locale.ROOT) + " (" + reason + ")";
    }
}
