package dev.fovea.backend.cuda;

import java.util.Locale;

/** Turns the integer versions that CUDA libraries report into the dotted form users know. */
public final class CudaVersions {
    private CudaVersions() {
    }

    /** Driver and runtime: 1000 * major + 10 * minor (11080 is "11.8"). */
    public static String cuda(int v) {
        return v <= 0 ? "unknown" : (v / 1000) + "." + (v % 1000) / 10;
    }

    /** cuBLAS 11 and later: 10000 * major + 100 * minor + patch (111103 is "11.11.3"). */
    public static String cublas(int v) {
        return v <= 0 ? "unknown" : (v / 10000) + "." + (v % 10000) / 100 + "." + v % 100;
    }

    /** cuDNN 8: 1000 * major + 100 * minor + patch (8905 is "8.9.5"). */
    public static String cudnn(long v) {
        return v <= 0 ? "unknown" : (v / 1000) + "." + (v % 1000) / 100 + "." + v % 100;
    }

    /** Memory in GiB with one decimal, whole MiB below one GiB, bytes below one MiB. */
    public static String bytes(long b) {
        if (b >= 1L << 30) {
            return String.format(Locale.ROOT, "%.1f GiB", b / (double) (1L << 30));
        }
        return b >= 1L << 20 ? (b >> 20) + " MiB" : b + " bytes";
    }
}
