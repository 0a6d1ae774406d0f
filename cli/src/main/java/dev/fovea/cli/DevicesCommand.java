package dev.fovea.cli;

import dev.fovea.backend.Backend;
import dev.fovea.backend.cuda.CudaProbe;
import dev.fovea.backend.cuda.CudaStatus;
import dev.fovea.backend.cuda.CudaVersions;
import dev.fovea.backend.cuda.GpuInfo;
import dev.fovea.backend.factory.Backends;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * `fovea devices`: what this machine offers — the CPU and its fast path, and each GPU with its
 * compute capability, memory and library versions, or the exact reason CUDA cannot be used.
 */
@Command(name = "devices", mixinStandardHelpOptions = true,
        description = "List the CPU and CUDA devices Fovea can use, with library versions, or why CUDA is unusable.")
public final class DevicesCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (Backend cpu = Backends.open("cpu")) {
            render(cpu.name(), cpu.describe(), Runtime.getRuntime().availableProcessors(), CudaProbe.status(), out);
        }
        out.flush();
        return 0;
    }

    /** Writes the report; separate from {@link #call()} so tests can feed any probe result. */
    static void render(String cpuBackend, String cpuDescription, int cores, CudaStatus cuda, PrintWriter out) {
        out.printf(Locale.ROOT, "cpu      %s %s, %d cores; backend \"%s\" with %d threads (reference \"cpu-ref\")%n",
                System.getProperty("os.name"), System.getProperty("os.arch"), cores, cpuBackend, cores);
        out.println("         " + cpuDescription);
        if (!cuda.available()) {
            out.println("cuda     " + cuda.reason());
            for (GpuInfo g : cuda.gpus()) {
                out.println("         seen but unusable: " + g);
            }
            return;
        }
        for (GpuInfo g : cuda.gpus()) {
            out.printf(Locale.ROOT, "cuda:%-3d %s, compute capability %d.%d (%s), %s%s%n", g.index(), g.name(),
                    g.ccMajor(), g.ccMinor(), g.smName(), CudaVersions.bytes(g.totalBytes()),
                    g.supported() ? "" : " — not usable: Fovea needs compute capability 7.5 or newer");
        }
        out.println("         " + cuda.versions());
        if (!cuda.cudnnAvailable()) {
            out.println("         " + cuda.cudnnReason());
        }
    }
}
