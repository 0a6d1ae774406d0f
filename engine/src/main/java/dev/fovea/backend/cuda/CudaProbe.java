package dev.fovea.backend.cuda;

import java.util.Locale;
import java.util.Map;

/**
 * Decides once per process whether CUDA can be used. The switches ({@code -Dfovea.cuda=false},
 * {@code FOVEA_DEVICE=cpu}) are read first, so a disabled probe never loads a JCuda class; otherwise
 * {@link NativeProbe} tries the driver, the runtime, cuBLAS and cuDNN in turn and records why the
 * first one that fails does.
 */
public final class CudaProbe {
    private CudaProbe() {
    }

    /** The user's switches; {@code null} when not set. */
    public record Switches(String cudaProperty, String deviceEnv) {
        public static Switches fromSystem() {
            return new Switches(System.getProperty("fovea.cuda"), System.getenv("FOVEA_DEVICE"));
        }

        public static Switches of(Map<String, String> properties, Map<String, String> env) {
            return new Switches(properties.get("fovea.cuda"), env.get("FOVEA_DEVICE"));
        }

        /** Why CUDA is switched off, or null when it is not. */
        public String disabledReason() {
            if (cudaProperty != null && cudaProperty.trim().equalsIgnoreCase("false")) {
                return CudaReasons.disabled("-Dfovea.cuda=false");
            }
            if (deviceEnv != null && deviceEnv.trim().toLowerCase(Locale.ROOT).equals("cpu")) {
                return CudaReasons.disabled("FOVEA_DEVICE=cpu");
            }
            return null;
        }
    }

    private static final class Cached {
        static final CudaStatus STATUS = probe(Switches.fromSystem());
    }

    /** The probe's verdict for this process, computed on first use. */
    public static CudaStatus status() {
        return Cached.STATUS;
    }

    /** Probes with the given switches (not cached; the CLI and tests use {@link #status()}). */
    static CudaStatus probe(Switches switches) {
        String disabled = switches.disabledReason();
        if (disabled != null) {
            return CudaStatus.unavailable(disabled);
        }
        return NativeProbe.run();
    }

    /** Prints the status; the forked-JVM tests run this as their main class. */
    public static void main(String[] args) {
        CudaStatus s = status();
        System.out.println("available=" + s.available());
        System.out.println("reason=" + (s.reason() == null ? "" : s.reason()));
        System.out.println("cudnn=" + s.cudnnAvailable());
        System.out.println("gpus=" + s.gpus());
    }
}
