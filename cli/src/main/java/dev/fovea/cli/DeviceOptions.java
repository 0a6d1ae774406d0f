package dev.fovea.cli;

import dev.fovea.backend.Backend;
import dev.fovea.backend.cuda.CudaOptions;
import dev.fovea.backend.factory.Backends;
import picocli.CommandLine.Option;

import java.io.PrintWriter;

/** The device options every command that computes shares (a Picocli mixin). */
public final class DeviceOptions {

    @Option(names = "--device", defaultValue = "auto", paramLabel = "auto|cpu|cuda[:N]",
            description = "Where to compute. auto (default) uses CUDA when the driver and cuBLAS load, "
                    + "otherwise says so in one line and uses the CPU; cuda fails with the reason instead.")
    String device;

    @Option(names = "--deterministic", description = "CUDA: deterministic cuDNN algorithms only (default off).")
    boolean deterministic;

    @Option(names = "--cudnn-search", description = "CUDA: choose convolution algorithms by timing them, once per shape "
            + "(default off: by cuDNN's heuristic).")
    boolean cudnnSearch;

    @Option(names = "--tf32", description = "CUDA: allow tensor-core TF32 math on Ampere and newer (default off).")
    boolean tf32;

    @Option(names = "--cuda-sync-check", description = "CUDA: wait for the GPU after every op, so that a fault is "
            + "reported by the op, shapes and kernel that caused it (slow; for debugging, like CUDA_LAUNCH_BLOCKING; "
            + "default off).")
    boolean syncCheck;

    @Option(names = "--cudnn-workspace-mb", defaultValue = "1024", paramLabel = "MB",
            description = "CUDA: cap of the shared cuDNN workspace (default ${DEFAULT-VALUE}).")
    long workspaceMb;

    @Option(names = {"-v", "--verbose"}, description = "Show backend decisions (routing, fallbacks) and stack traces "
            + "(default off).")
    boolean verbose;

    /**
     * Opens the chosen backend; notices go to {@code err}. When --device auto falls back to the CPU,
     * one short line says so and where the details are (all of them with --verbose); nothing when
     * CUDA was switched off on purpose (FOVEA_DEVICE=cpu, -Dfovea.cuda=false).
     */
    Backend open(PrintWriter err) {
        if (workspaceMb < 0) {
            throw new IllegalArgumentException("--cudnn-workspace-mb " + workspaceMb + ": must be at least 0");
        }
        CudaOptions options = CudaOptions.defaults().withDeterministic(deterministic).withCudnnSearch(cudnnSearch)
                .withTensorCores(tf32).withWorkspaceMb(workspaceMb).withSyncCheck(syncCheck);
        Backend b = Backends.forDevice(device, options, note -> {
            if (verbose) {
                err.println("fovea: " + note);
            } else if (note.endsWith(FALLBACK)) {
                String why = note.substring(0, note.length() - FALLBACK.length());
                if (!why.startsWith("CUDA disabled by")) {
                    err.println("fovea: " + shortReason(why) + "; computing on the CPU (details: fovea devices; "
                            + "FOVEA_DEVICE=cpu skips CUDA)");
                }
            }
            err.flush();
        });
        if (verbose) {
            err.println("fovea: computing on " + b.name() + " (" + b.device() + ")");
            err.flush();
        }
        return b;
    }

    /** How {@link Backends#forDevice} ends the note of a fallback to the CPU. */
    private static final String FALLBACK = "; continuing on the CPU";

    /** The probe's reason without the advice: "CUDA unavailable: the NVIDIA driver ... could not be loaded". */
    static String shortReason(String reason) {
        int cut = reason.length();
        for (String end : new String[] {" (", "; "}) {
            int i = reason.indexOf(end);
            if (i > 0) {
                cut = Math.min(cut, i);
            }
        }
        return reason.substring(0, cut);
    }

    /** What a run reports it computed on: the GPU with its index ("cuda:1"), else the CPU backend's name. */
    static String label(Backend b) {
        return b.device().toString().startsWith("cuda") ? b.device().toString() : b.name();
    }
}
