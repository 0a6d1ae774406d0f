package dev.fovea.backend.cpu;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * An optimised native BLAS (OpenBLAS, MKL or BLIS installed as {@code libblas.so.3}; on Debian
 * {@code apt-get install libopenblas0-pthread}) for the dense layers' GEMMs, through
 * dev.ludovic.netlib's JNI binding. Chosen once per process by {@code -Dfovea.blas=auto|native|java}:
 * auto uses it only when the library that loaded is an optimised one (Debian's reference libblas3 is
 * slower than Fovea's own kernel), native requires it, java never loads it. The native library runs
 * on its own threads (OpenBLAS: {@code OPENBLAS_NUM_THREADS}, default every core), not Fovea's.
 * Convolutions always use Fovea's kernel: their GEMMs run one image at a time inside Fovea's workers.
 */
final class NativeBlas {
    static final String PROPERTY = "fovea.blas";
    /** Libraries that count as optimised, by a word in their file name. */
    private static final List<String> OPTIMISED = List.of("openblas", "mkl", "blis");
    // Held so that the level set on it survives: netlib logs a warning whenever it finds no library.
    private static final Logger NETLIB_LOG = Logger.getLogger("dev.ludovic.netlib.blas");

    private static final class Holder {
        static final NativeBlas INSTANCE = load(System.getProperty(PROPERTY, "auto").trim());
    }

    private final dev.ludovic.netlib.blas.BLAS blas;
    private final String description;

    private NativeBlas(dev.ludovic.netlib.blas.BLAS blas, String description) {
        this.blas = blas;
        this.description = description;
    }

    /** The process's choice. */
    static NativeBlas get() {
        return Holder.INSTANCE;
    }

    boolean inUse() {
        return blas != null;
    }

    /** E.g. "libopenblasp-r0.3.21.so (native, its own threads)", or why none is used. */
    String description() {
        return description;
    }

    static NativeBlas load(String mode) {
        switch (mode) {
            case "java":
                return new NativeBlas(null, "not used (-D" + PROPERTY + "=java)");
            case "auto":
            case "native":
                break;
            default:
                throw new IllegalArgumentException("-D" + PROPERTY + "=" + mode + ": expected auto, native or java");
        }
        dev.ludovic.netlib.blas.BLAS blas;
        try {
            NETLIB_LOG.setLevel(Level.OFF);
            blas = dev.ludovic.netlib.blas.NativeBLAS.getInstance();
        } catch (RuntimeException | LinkageError e) {
            String why = "no native BLAS could be loaded (libblas.so.3; Debian: apt-get install libopenblas0-pthread)";
            if (mode.equals("native")) {
                throw new IllegalStateException("-D" + PROPERTY + "=native: " + why, e);
            }
            return new NativeBlas(null, "not used: " + why);
        }
        String library = mappedBlasLibraries();
        boolean optimised = OPTIMISED.stream().anyMatch(w -> library.toLowerCase(Locale.ROOT).contains(w));
        if (!optimised && mode.equals("auto")) {
            return new NativeBlas(null, "not used: " + library + " is not an optimised BLAS (OpenBLAS, MKL, BLIS)");
        }
        return new NativeBlas(blas, library + " (native, its own threads)");
    }

    /** The BLAS shared libraries this process has mapped, by file name (Linux: /proc/self/maps). */
    private static String mappedBlasLibraries() {
        try (var lines = Files.lines(Path.of("/proc/self/maps"))) {
            String names = String.join(", ", lines.map(l -> l.substring(l.lastIndexOf(' ') + 1))
                    .filter(p -> p.endsWith(".so") || p.contains(".so."))
                    .map(p -> p.substring(p.lastIndexOf('/') + 1))
                    .filter(n -> n.contains("blas") || n.contains("mkl") || n.contains("blis"))
                    .filter(n -> !n.startsWith("libnetlibblasjni"))
                    .distinct().toList());
            return names.isEmpty() ? "an unidentified BLAS" : names;
        } catch (IOException | RuntimeException e) {
            return "an unidentified BLAS";
        }
    }

    /**
     * Row-major C (m x n) = alpha op(A) op(B) + beta C, as {@link Sgemm#gemm}: a column-major BLAS
     * sees each row-major matrix transposed, so it computes C^T = op(B)^T op(A)^T.
     */
    void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int aOff, float[] b,
               int bOff, float beta, float[] c, int cOff) {
        blas.sgemm(transB ? "T" : "N", transA ? "T" : "N", n, m, k, alpha, b, bOff, transB ? k : n, a, aOff,
                transA ? m : k, beta, c, cOff, n);
    }
}
