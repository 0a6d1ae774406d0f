package dev.fovea.tests;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The main job, `fovea train` with its defaults (mnist-cnn, embedded digits, 4 epochs), reaches the
 * promised 97% on the 2,000-image test split on the CPU. It is the slowest test (a couple of minutes
 * on 2 cores) and the one that matters most to a new user.
 */
class DefaultTrainingTest {

    @Test
    void theDefaultJobReaches97PercentOnTheCpu(@TempDir Path dir) throws Exception {
        Cli run = Cli.run("train", "--device", "cpu", "--out", dir.toString());
        assertEquals(0, run.status(), run.toString());
        List<String> history = Files.readAllLines(dir.resolve("history.csv"));
        assertEquals(5, history.size(), "header + 4 epochs");
        double accuracy = Double.parseDouble(history.get(4).split(",")[3]);
        assertTrue(accuracy >= 0.97, "test accuracy after the default epochs: " + accuracy);
    }
}
