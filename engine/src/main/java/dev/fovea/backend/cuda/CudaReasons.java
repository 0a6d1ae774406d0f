package dev.fovea.backend.cuda;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The messages that explain why CUDA (or one of its libraries) cannot be used, each naming the
 * missing piece and what to install. Kept apart from the probe so that they are tested without a GPU.
 */
final class CudaReasons {
    private CudaReasons() {
    }

    static final String DRIVER_HINT = "install an NVIDIA driver that supports CUDA 11.x or newer (every current"
            + " driver does) on a machine with an NVIDIA GPU of compute capability 7.5 (Turing) or newer";
    static final String CUBLAS_HINT = "install the CUDA 11 cuBLAS (libcublas.so.11 and libcublasLt.so.11; CUDA"
            + " 11.8's supports Hopper): NVIDIA's libcublas-11-8 package, or `pip install nvidia-cublas-cu11`"
            + " and add its site-packages/nvidia/cublas/lib directory to LD_LIBRARY_PATH";
    static final String CUDNN_HINT = "install cuDNN 8 for CUDA 11 (libcudnn.so.8; 8.9 for Hopper): NVIDIA's"
            + " libcudnn8 package, or `pip install nvidia-cudnn-cu11` and add its site-packages/nvidia/cudnn/lib"
            + " directory to LD_LIBRARY_PATH";

    private static final Pattern MISSING_LIBRARY =
            Pattern.compile("([\\w.+-]+\\.so[\\w.]*): cannot open shared object file[^\\n]*");
    private static final Pattern UNDEFINED_SYMBOL = Pattern.compile("undefined symbol: \\S+");

    /**
     * The one informative line of a native-library {@link LinkageError}: JCuda's messages carry
     * stack traces of every load attempt, of which only the dynamic loader's complaint matters.
     */
    static String linkageDetail(Throwable e) {
        String message = String.valueOf(e.getMessage());
        Matcher m = MISSING_LIBRARY.matcher(message);
        if (m.find()) {
            return m.group().trim();
        }
        m = UNDEFINED_SYMBOL.matcher(message);
        if (m.find()) {
            return m.group();
        }
        if (e instanceof NoClassDefFoundError) {
            return message + " (its native library failed to load earlier in this process)";
        }
        int newline = message.indexOf('\n');
        return e.getClass().getSimpleName() + ": " + (newline < 0 ? message : message.substring(0, newline));
    }

    static String disabled(String switchName) {
        return "CUDA disabled by " + switchName + "; the CPU backend is used";
    }

    static String driverNotLoaded(String detail) {
        return "CUDA unavailable: the NVIDIA driver library libcuda.so.1 could not be loaded (" + detail + "); "
                + DRIVER_HINT;
    }

    /** A driver-API error code from probing; 34, 35 and 100 get their own explanation. */
    static String errorCode(String call, int code, String codeName) {
        String what = call + " returned " + codeName + " (" + code + ")";
        return switch (code) {
            case 34 -> "CUDA unavailable: " + what + ": the libcuda.so.1 found is the CUDA toolkit's stub"
                    + " library, not a real driver (remove the toolkit's lib64/stubs directory from"
                    + " LD_LIBRARY_PATH); " + DRIVER_HINT;
            case 35 -> "CUDA unavailable: " + what + ": the installed NVIDIA driver is older than CUDA 11"
                    + " needs, or no driver is installed; " + DRIVER_HINT;
            case 100 -> "CUDA unavailable: " + what + ": the driver sees no CUDA-capable GPU (check nvidia-smi"
                    + " and CUDA_VISIBLE_DEVICES); " + DRIVER_HINT;
            default -> "CUDA unavailable: " + what + "; " + DRIVER_HINT;
        };
    }

    static String noDevice() {
        return "CUDA unavailable: the driver loaded but reports no GPU (check nvidia-smi and"
                + " CUDA_VISIBLE_DEVICES)";
    }

    static String unsupportedGpus(List<GpuInfo> gpus) {
        StringBuilder b = new StringBuilder("CUDA unavailable: no GPU of compute capability 7.5 or newer (");
        for (int i = 0; i < gpus.size(); i++) {
            GpuInfo g = gpus.get(i);
            b.append(i > 0 ? "; " : "").append(g.name()).append(" is ").append(g.ccMajor()).append('.').append(g.ccMinor());
        }
        return b.append("); Fovea's kernels are built for sm_75 (Turing) and newer").toString();
    }

    static String cublasNotLoaded(String detail) {
        return "CUDA unavailable: cuBLAS could not be loaded (" + detail + "); " + CUBLAS_HINT;
    }

    static String cublasFailed(int code) {
        return "CUDA unavailable: cublasCreate returned status " + code + " (is the GPU out of memory or in"
                + " exclusive use by another process?)";
    }

    static String cudnnNotLoaded(String detail) {
        return "cuDNN unavailable (" + detail + "); convolution, pooling and batch norm run on the custom"
                + " kernels and im2col + cuBLAS instead; for cuDNN " + CUDNN_HINT;
    }

    static String cudnnFailed(String status, int code) {
        return "cuDNN unavailable: cudnnCreate returned " + status + " (" + code + "), typically a cuDNN built for"
                + " another CUDA major version; " + CUDNN_HINT;
    }

    static String cudnnTooOld(String version) {
        return "cuDNN unavailable: version " + version + " is older than 8.0; " + CUDNN_HINT;
    }
}
