package dev.fovea.train;

import dev.fovea.backend.cuda.CudaBackend;
import dev.fovea.backend.cuda.SoftGpuCounters;
import dev.fovea.backend.cuda.SoftGpuCounters.Counter;
import dev.fovea.backend.cuda.SoftGpuCounters.Snapshot;
import dev.fovea.data.Augmentation;
import dev.fovea.data.EmbeddedDatasets;
import dev.fovea.data.Splits;
import dev.fovea.optim.LrSchedule;
import dev.fovea.optim.Sgd;
import dev.fovea.testing.GpuTests;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * What one real training step of mnist-cnn (the Trainer's, not a benchmark loop) asks of the GPU
 * once warm: the batch's two uploads (images and labels), one read of a few floats (the loss with
 * its label check, the correct count, the gradients' finiteness sum: three small copies queued
 * together) and the single host synchronisation that read needs; no device allocation, no
 * device-to-device copy. Measured with the software GPU's counters as the difference between
 * two otherwise identical runs, one with more training batches, each on a fresh backend (so each
 * pays the same warm-up, evaluation and checkpoint costs, and only whole steps differ).
 */
@Tag("gpu")
class TrainingStepActivityTest {
    private static final int BATCH = 32;
    private static final int EXTRA_STEPS = 4;

    @TempDir
    Path dir;

    @BeforeEach
    void softGpu() {
        GpuTests.requireGpu();
    }

    private Snapshot train(SoftGpuCounters counters, Splits data, String name) throws Exception {
        Trainer.Config cfg = new Trainer.Config(1, BATCH, 7, new Sgd(0.05, 0.9, 0, false, 0), new LrSchedule.Step(1, 0.5),
                null, Augmentation.NONE, dir.resolve(name), Trainer.NonFinite.STOP, false,
                new PrintWriter(new StringWriter()), null);
        try (CudaBackend cuda = new CudaBackend()) {
            Snapshot before = counters.snapshot();
            new Trainer(new ModelSpec("mnist-cnn", null), cuda, data, cfg).run(null);
            cuda.synchronize();
            return counters.snapshot().since(before);
        }
    }

    @Test
    void aWarmTrainingStepUploadsTheBatchAndReadsOnceWithoutAllocating() throws Exception {
        SoftGpuCounters counters = SoftGpuCounters.attach()
                .orElseThrow(() -> new AssertionError("the GPU tests run on the software GPU, whose counters are missing"));
        Splits all = EmbeddedDatasets.mnistDigits();
        Splits shortRun = new Splits(all.train().first(3 * BATCH), all.test().first(64));
        Splits longRun = new Splits(all.train().first((3 + EXTRA_STEPS) * BATCH), all.test().first(64));
        Snapshot a = train(counters, shortRun, "short");
        Snapshot b = train(counters, longRun, "long");
        String report = "per step: " + perStep(a, b);
        assertEquals(2, steps(a, b, Counter.HTOD_COPIES), report);
        assertEquals(3, steps(a, b, Counter.DTOH_COPIES), report);
        assertEquals(1, steps(a, b, Counter.SYNCHRONIZATIONS), report);
        assertEquals(0, steps(a, b, Counter.DEVICE_ALLOCATIONS), report);
        assertEquals(0, steps(a, b, Counter.DTOD_COPIES), report);
        // The download is the loss (with its label check), the correct count and the finiteness sum.
        assertEquals(5 * Float.BYTES, steps(a, b, Counter.DTOH_BYTES), report);
        assertEquals((BATCH + BATCH * 28 * 28) * Float.BYTES, steps(a, b, Counter.HTOD_BYTES), report);
    }

    private static double steps(Snapshot shortRun, Snapshot longRun, Counter c) {
        return (longRun.get(c) - shortRun.get(c)) / (double) EXTRA_STEPS;
    }

    private static String perStep(Snapshot a, Snapshot b) {
        StringBuilder s = new StringBuilder();
        for (Counter c : Counter.values()) {
            s.append(c).append(' ').append(steps(a, b, c)).append(", ");
        }
        return s.toString();
    }
}
