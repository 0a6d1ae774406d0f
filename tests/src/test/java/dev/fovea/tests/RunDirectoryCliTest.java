package dev.fovea.tests;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Where a training writes: a new directory per run by default, an --out that holds another run
 * refused unless --overwrite (or --resume into it), and a lock file that keeps a second training
 * out of a directory in use, while a lock left by a killed run is recognised as stale.
 */
class RunDirectoryCliTest {

    private static List<String> files(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aDirectoryHoldingARunIsRefusedUnlessOverwrite(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("run");
        Fixtures.trainTiny(dir, out, "--epochs", "2");
        Files.writeString(out.resolve("notes.txt"), "mine");
        Cli again = Cli.run("train", "--model", Fixtures.tinyModel(dir).toString(), "--limit", "64", "--epochs", "1",
                "--device", "cpu", "--out", out.toString());
        assertEquals(2, again.status(), again.toString());
        assertEquals("fovea: --out " + out + " already holds accuracy.png, epoch-001.json, epoch-001.optim.safetensors, "
                + "epoch-001.safetensors and 6 more: continue that run with --resume " + out + ", replace it with "
                + "--overwrite, or choose another --out", again.err().strip());
        assertTrue(files(out).contains("epoch-002.json"), "nothing was touched");

        Fixtures.trainTiny(dir, out, "--limit", "64", "--overwrite");
        List<String> left = files(out);
        assertFalse(left.contains("epoch-002.json"), "the earlier run's later epochs are gone: " + left);
        assertTrue(left.contains("epoch-001.json") && left.contains("notes.txt"), "what a run does not write stays: " + left);
        assertEquals(2, Files.readAllLines(out.resolve("history.csv")).size(), "one epoch of history, this run's");
    }

    @Test
    void keepLeavesOnlyTheLastEpochs(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("run");
        Fixtures.trainTiny(dir, out, "--epochs", "3", "--keep", "1", "--limit", "64");
        assertEquals(List.of("accuracy.png", "epoch-003.json", "epoch-003.optim.safetensors", "epoch-003.safetensors",
                "history.csv", "loss.png"), files(out));
    }

    @Test
    void withoutOutEveryRunGetsANewDirectory(@TempDir Path dir) throws Exception {
        Path model = Fixtures.tinyModel(dir);
        for (int i = 0; i < 2; i++) {
            try (TrainingProcess p = TrainingProcess.start(dir.resolve("logs"), dir, Map.of(), List.of(), null, "train",
                    "--model", model.toString(), "--limit", "64", "--epochs", "1", "--device", "cpu")) {
                assertEquals(0, p.waitFor(), p.toString());
                assertTrue(p.stdout().contains("writing to runs/" + (i == 0 ? "train" : "train2")), p.stdout());
            }
        }
        assertTrue(Files.isRegularFile(dir.resolve("runs/train/epoch-001.json")));
        assertTrue(Files.isRegularFile(dir.resolve("runs/train2/epoch-001.json")));
    }

    @Test
    void aSecondTrainingIsKeptOutAndAStaleLockIsTakenOver(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("run");
        Path model = Fixtures.tinyModel(dir);
        String[] train = {"train", "--model", model.toString(), "--limit", "64", "--batch-size", "16", "--epochs", "1",
                "--device", "cpu", "--out", out.toString()};
        try (TrainingProcess first = TrainingProcess.start(dir.resolve("logs"), null, Map.of(),
                List.of("-Dfovea.test.pause=batch:1:2"), null, train)) {
            first.awaitStderr("fovea-test: paused at batch:1:2");
            Cli second = Cli.run(concat(train, "--overwrite"));
            assertEquals(2, second.status(), second.toString());
            assertTrue(second.err().startsWith("fovea: --out " + out + " is in use by another training (pid " + first.pid()
                    + ", fovea train since "), second.err());
            assertEquals(137, first.kill(), "SIGKILL: no chance to remove its lock");
        }
        assertEquals(List.of("train.lock"), files(out), "the killed run left its lock and nothing else");
        Cli third = Cli.run(train);
        assertEquals(0, third.status(), third.toString());
        assertTrue(third.err().contains("fovea: note: " + out.resolve("train.lock") + " was left by a training that is no "
                + "longer running (pid "), third.err());
        assertFalse(files(out).contains("train.lock"), "a run that ends removes its lock");
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
