package dev.fovea.backend.cuda;

/**
 * How the CUDA backend chooses and runs its algorithms.
 *
 * @param device            which GPU (cuda:N)
 * @param deterministic     cuDNN may use deterministic algorithms only (bit-reproducible gradients)
 * @param cudnnSearch       time every cuDNN algorithm once per shape instead of trusting the heuristic
 * @param tensorCores       allow tensor-core math (TF32 on Ampere and later): faster, ~10-bit mantissa
 * @param workspaceCapBytes the most memory the shared cuDNN workspace may grow to
 * @param syncCheck         wait for the GPU after every op, so a fault is reported by the op that caused
 *                          it (like CUDA_LAUNCH_BLOCKING; slow, for debugging)
 */
public record CudaOptions(int device, boolean deterministic, boolean cudnnSearch, boolean tensorCores,
                          long workspaceCapBytes, boolean syncCheck) {

    public static final long DEFAULT_WORKSPACE_MB = 1024;

    public CudaOptions {
        if (device < 0) {
            throw new IllegalArgumentException("cuda: device index must be >= 0, got " + device);
        }
        if (workspaceCapBytes < 0) {
            throw new IllegalArgumentException("cuda: --cudnn-workspace-mb must be >= 0, got "
                    + workspaceCapBytes / (1024 * 1024));
        }
    }

    /** Device 0, heuristic algorithms, full FP32 math, a 1 GiB workspace cap. */
    public static CudaOptions defaults() {
        return new CudaOptions(0, false, false, false, DEFAULT_WORKSPACE_MB << 20, false);
    }

    public CudaOptions withDevice(int d) {
        return new CudaOptions(d, deterministic, cudnnSearch, tensorCores, workspaceCapBytes, syncCheck);
    }

    public CudaOptions withDeterministic(boolean on) {
        return new CudaOptions(device, on, cudnnSearch, tensorCores, workspaceCapBytes, syncCheck);
    }

    public CudaOptions withCudnnSearch(boolean on) {
        return new CudaOptions(device, deterministic, on, tensorCores, workspaceCapBytes, syncCheck);
    }

    public CudaOptions withTensorCores(boolean on) {
        return new CudaOptions(device, deterministic, cudnnSearch, on, workspaceCapBytes, syncCheck);
    }

    public CudaOptions withWorkspaceMb(long mb) {
        return new CudaOptions(device, deterministic, cudnnSearch, tensorCores, mb << 20, syncCheck);
    }

    public CudaOptions withSyncCheck(boolean on) {
        return new CudaOptions(device, deterministic, cudnnSearch, tensorCores, workspaceCapBytes, on);
    }
}
