package dev.fovea.bench;

import dev.fovea.backend.Backend;
import dev.fovea.backend.cuda.CudaBackend;
import dev.fovea.backend.cuda.SoftGpuCounters;
import dev.fovea.backend.cuda.SoftGpuCounters.Counter;
import dev.fovea.backend.cuda.SoftGpuCounters.Snapshot;

import java.util.Locale;
import java.util.Optional;

/**
 * What one training step asks of the GPU, averaged over a few steps: kernel launches, cuBLAS/cuDNN
 * calls, host-device copies and their bytes, host synchronisations and device allocations. Counted
 * by the software GPU's driver (so available only there), these are real measures of GPU efficiency
 * even where the times mean nothing: every copy, synchronisation and allocation stalls a real GPU.
 */
public record StepActivity(double launches, double libraryCalls, double uploads, double uploadBytes,
                           double downloads, double downloadBytes, double deviceCopies, double synchronizations,
                           double allocations) {

    /** Runs {@code step} {@code steps} times on a CUDA backend under the software GPU and averages the counts. */
    static Optional<StepActivity> measure(Backend backend, int steps, Runnable step) {
        if (!(backend instanceof CudaBackend cuda)) {
            return Optional.empty();
        }
        Optional<SoftGpuCounters> counters = SoftGpuCounters.attach();
        if (counters.isEmpty()) {
            return Optional.empty();
        }
        cuda.synchronize();
        Snapshot before = counters.get().snapshot();
        for (int i = 0; i < steps; i++) {
            step.run();
        }
        Snapshot d = counters.get().snapshot().since(before);
        double n = steps;
        return Optional.of(new StepActivity(d.get(Counter.LAUNCHES) / n,
                (d.get(Counter.CUBLAS_CALLS) + d.get(Counter.CUDNN_CALLS)) / n, d.get(Counter.HTOD_COPIES) / n,
                d.get(Counter.HTOD_BYTES) / n, d.get(Counter.DTOH_COPIES) / n, d.get(Counter.DTOH_BYTES) / n,
                d.get(Counter.DTOD_COPIES) / n, d.get(Counter.SYNCHRONIZATIONS) / n,
                d.get(Counter.DEVICE_ALLOCATIONS) / n));
    }

    /** One line for the bench report. */
    public String describe() {
        return String.format(Locale.ROOT, "%s kernel launches, %s cuBLAS/cuDNN calls, %s uploads (%s bytes), "
                        + "%s downloads (%s bytes), %s device-to-device copies, %s host synchronisations, "
                        + "%s device allocations", num(launches), num(libraryCalls), num(uploads), num(uploadBytes),
                num(downloads), num(downloadBytes), num(deviceCopies), num(synchronizations), num(allocations));
    }

    private static String num(double v) {
        return v == Math.rint(v) ? String.format(Locale.ROOT, "%,d", (long) v) : String.format(Locale.ROOT, "%,.1f", v);
    }
}
