package dev.fovea.backend.cuda;

import java.util.List;

/**
 * What the CUDA probe found. {@code available} means the driver and cuBLAS work and at least one
 * supported GPU is present; cuDNN is reported separately because without it the GPU still runs
 * (convolution through the custom kernels and im2col + cuBLAS). When unavailable, {@code reason}
 * says which library or condition is missing and what to install.
 */
public record CudaStatus(boolean available, String reason, List<GpuInfo> gpus, int driverVersion, int cublasVersion,
                         boolean cudnnAvailable, long cudnnVersion, String cudnnReason) {

    public CudaStatus {
        gpus = List.copyOf(gpus);
    }

    static CudaStatus unavailable(String reason) {
        return new CudaStatus(false, reason, List.of(), 0, 0, false, 0, reason);
    }

    static CudaStatus unavailable(String reason, List<GpuInfo> gpus, int driverVersion) {
        return new CudaStatus(false, reason, gpus, driverVersion, 0, false, 0, reason);
    }

    /** The GPUs Fovea can use (compute capability 7.5 or newer). */
    public List<GpuInfo> usableGpus() {
        return gpus.stream().filter(GpuInfo::supported).toList();
    }

    /** One line of versions for logs and benchmark headers. */
    public String versions() {
        return "driver " + CudaVersions.cuda(driverVersion) + ", cuBLAS " + CudaVersions.cublas(cublasVersion)
                + ", cuDNN " + (cudnnAvailable ? CudaVersions.cudnn(cudnnVersion) : "not available");
    }
}
