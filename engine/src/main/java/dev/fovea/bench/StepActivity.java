package dev.fovea.bench;

import dev.fovea.backend.Backend;
import dev.fovea.backend.DeviceActivity;

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

    /**
     * Runs {@code step} {@code steps} times and averages the device's activity counts; empty where the
     * backend's device keeps none (anything but the CUDA backend under the software GPU).
     */
    static Optional<StepActivity> measure(Backend backend, int steps, Runnable step) {
        // Work queued before the first step is not the step's: wait for it before the first reading.
        backend.synchronize();
        Optional<DeviceActivity> before = backend.activity();
        if (before.isEmpty()) {
            return Optional.empty();
        }
        for (int i = 0; i < steps; i++) {
            step.run();
        }
        DeviceActivity d = backend.activity().orElseThrow().since(before.get());
        double n = steps;
        return Optional.of(new StepActivity(d.launches() / n, d.libraryCalls() / n, d.uploads() / n,
                d.uploadBytes() / n, d.downloads() / n, d.downloadBytes() / n, d.deviceCopies() / n,
                d.synchronizations() / n, d.allocations() / n));
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
