package dev.fovea.tests;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Host memory: `fovea train` in a JVM with a 160 MiB heap, asked for batches that cannot fit, is
 * refused by the memory plan before the first batch (one line, exit status 2, no checkpoint, no
 * OutOfMemoryError).
 */
class ResourceLimitTest {

    @Test
    void aBatchSizeThatCannotFitTheHeapIsRefusedBeforeTraining(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("run");
        try (TrainingProcess p = TrainingProcess.start(dir.resolve("logs"), List.of("-Xmx160m"), null, "train",
                "--device", "cpu", "--batch-size", "4096", "--limit", "4096", "--epochs", "1", "--out", out.toString())) {
            assertEquals(2, p.waitFor(), p.toString());
            String err = p.stderr().lines().filter(l -> !l.startsWith("WARNING: Using incubator")).reduce("", String::concat);
            assertTrue(err.matches("fovea: model 'mnist-cnn' with --batch-size 4096 needs about \\d+\\.\\d GiB for training "
                    + "\\(activations \\d+\\.\\d GiB, parameters and optimiser state 0\\.0 GiB\\) but the JVM may use 0\\.\\d "
                    + "GiB: lower --batch-size or raise -Xmx \\(FOVEA_JAVA_OPTS\\)"), err);
            assertFalse(p.stdout().contains("epoch 1/1"), "no batch was trained: " + p.stdout());
        }
        try (var files = Files.list(out)) {
            assertEquals(0, files.count(), "nothing written");
        }
    }
}
