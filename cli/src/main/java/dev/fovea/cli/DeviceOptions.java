package dev.fovea.cli;

import dev.fovea.backend.Backend;
import dev.fovea.backend.Backends;
import dev.fovea.backend.cuda.CudaOptions;
import picocli.CommandLine.Option;

import java.io.PrintWriter;

/** The device options every command that computes shares (a Picocli mixin). */
public final class DeviceOptions {

    @Option(names = "--device", defaultValue = "auto", paramLabel = "auto|cpu|cuda[:N]",
            description = "Where to compute. auto (default) uses CUDA when the driver and cuBLAS load, "
                    + "otherwise says why and uses the CPU; cuda fails with the reason instead.")
    String device;

    @Option(names = "--deterministic", description = "CUDA: deterministic cuDNN algorithms only.")
    boolean deterministic;

    @Option(names = "--cudnn-search", description = "CUDA: choose convolution algorithms by timing them (once per shape).")
    boolean cudnnSearch;

    @Option(names = "--tf32", description = "CUDA: allow tensor-core TF32 math on Ampere and newer.")
    boolean tf32;

    @Option(names = "--cuda-sync-check", description = "CUDA: wait for the GPU after every op, so that a fault is "
            + "reported by the op, shapes and kernel that caused it (slow; for debugging, like CUDA_LAUNCH_BLOCKING).")
    boolean syncCheck;

    @Option(names = "--cudnn-workspace-mb", defaultValue = "1024", paramLabel = "MB",
            description = "CUDA: cap of the shared cuDNN workspace (default ${DEFAULT-VALUE}).")
    long workspaceMb;

    @Option(names = {"-v", "--verbose"}, description = "Show backend decisions (routing, fallbacks) and stack traces.")
    boolean verbose;

    /** Opens the chosen backend; notices (fallback reasons, routing decisions) go to {@code err}. */
    Backend open(PrintWriter err) {
        CudaOptions options = CudaOptions.defaults().withDeterministic(deterministic).withCudnnSearch(cudnnSearch)
                .withTensorCores(tf32).withWorkspaceMb(workspaceMb).withSyncCheck(syncCheck);
        Backend b = Backends.forDevice(device, options, note -> {
            if (verbose || note.contains("continuing on the CPU")) {
                err.println("fovea: " + note);
                err.flush();
            }
        });
        if (verbose) {
            err.println("fovea: computing on " + b.name() + " (" + b.device() + ")");
            err.flush();
        }
        return b;
    }

    /** What a run reports it computed on: the GPU with its index ("cuda:1"), else the CPU backend's name. */
    static String label(Backend b) {
        return b.device().toString().startsWith("cuda") ? b.device().toString() : b.name();
    }
}
