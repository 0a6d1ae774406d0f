package dev.fovea.backend.cuda;

/**
 * One GPU as the driver reports it. {@code supported} is false below compute capability 7.5,
 * the oldest target of Fovea's PTX kernels.
 */
public record GpuInfo(int index, String name, int ccMajor, int ccMinor, long totalBytes) {

    /** The lowest compute capability Fovea's kernels are built for (sm_75, Turing). */
    public static final int MIN_CC = 75;

    public int computeCapability() {
        return ccMajor * 10 + ccMinor;
    }

    public boolean supported() {
        return computeCapability() >= MIN_CC;
    }

    /** "sm_86" style name of the compute capability. */
    public String smName() {
        return "sm_" + computeCapability();
    }

    @Override
    public String toString() {
        return "cuda:" + index + " " + name + " (compute capability " + ccMajor + "." + ccMinor + ", "
                + CudaVersions.bytes(totalBytes) + ")";
    }
}
