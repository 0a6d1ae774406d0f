package dev.fovea.tests;

import dev.fovea.nn.ModelFile;
import dev.fovea.train.Checkpoint;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Nothing is lost when a training process is interrupted. A small network trains for 3 epochs in a
 * forked JVM on a slice of the embedded digits; the process is killed with SIGKILL at exact moments
 * (test pause points, -Dfovea.test.pause), interrupted with SIGINT, or runs out of file space. Each
 * time the previous checkpoint must load, --resume must continue from it, and the final weights and
 * optimiser state must equal the uninterrupted run's byte for byte.
 */
class InterruptedRunTest {
    static final String MODEL = """
            {"format": "fovea-model/1", "name": "tiny", "input": [1, 28, 28], "layers": [
              {"name": "conv1", "type": "conv2d", "out_channels": 4, "kernel_size": 5, "stride": 2},
              {"type": "relu"},
              {"type": "max_pool2d", "kernel_size": 2},
              {"type": "flatten"},
              {"type": "dropout", "p": 0.1},
              {"name": "fc", "type": "linear", "out_features": 10}]}""";

    @TempDir
    static Path shared;
    static Path model;
    static Path reference;

    @BeforeAll
    static void uninterruptedRun() throws Exception {
        model = shared.resolve("tiny.json");
        Files.writeString(model, MODEL);
        reference = shared.resolve("reference");
        finish(train(reference, List.of()));
    }

    /** `fovea train` of the tiny model: 256 images, 16 batches of 16 per epoch, 3 epochs. */
    private static TrainingProcess train(Path out, List<String> jvmArgs, String... extra) throws IOException {
        List<String> args = new ArrayList<>(List.of("train", "--model", model.toString(), "--device", "cpu",
                "--limit", "256", "--batch-size", "16", "--epochs", "3", "--out", out.toString()));
        args.addAll(List.of(extra));
        return TrainingProcess.start(shared.resolve("logs"), jvmArgs, null, args.toArray(String[]::new));
    }

    private static TrainingProcess resume(Path checkpoint, String shellPrefix) throws IOException {
        return TrainingProcess.start(shared.resolve("logs"), List.of("-XX:-UsePerfData"), shellPrefix,
                "train", "--resume", checkpoint.toString(), "--epochs", "3", "--device", "cpu");
    }

    private static void finish(TrainingProcess p) throws Exception {
        try (p) {
            assertEquals(0, p.waitFor(), p.toString());
        }
    }

    private static List<String> files(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }

    /** The checkpoint loads completely: sidecar, weights that fit the model, optimiser state. */
    private static void assertLoadable(Path sidecar) throws Exception {
        Checkpoint c = Checkpoint.read(sidecar);
        c.weightsFor(ModelFile.parse(MODEL, "tiny.json"), sidecar.toString());
        assertEquals(c.weights().keySet(), Checkpoint.read(reference.resolve(sidecar.getFileName())).weights().keySet());
        assertFalse(c.optimizerState().isEmpty());
    }

    /** The last checkpoint's files equal the uninterrupted run's, byte for byte. */
    private static void assertSameAsReference(Path out) throws IOException {
        for (String f : new String[] {"epoch-003.safetensors", "epoch-003.optim.safetensors"}) {
            assertEquals(-1L, Files.mismatch(reference.resolve(f), out.resolve(f)), f + " differs from the uninterrupted run");
        }
        List<String> trainLoss = Files.readAllLines(reference.resolve("history.csv")).stream()
                .map(l -> l.split(",")[1]).toList();
        assertEquals(trainLoss, Files.readAllLines(out.resolve("history.csv")).stream().map(l -> l.split(",")[1]).toList(),
                "the epochs' train losses");
    }

    @Test
    void killedMidEpochResumesFromThePreviousCheckpoint(@TempDir Path dir) throws Exception {
        try (TrainingProcess p = train(dir, List.of("-Dfovea.test.pause=batch:2:5"))) {
            p.awaitStderr("fovea-test: paused at batch:2:5");
            assertEquals(137, p.kill(), "SIGKILL");
        }
        assertEquals(List.of("accuracy.png", "epoch-001.json", "epoch-001.optim.safetensors", "epoch-001.safetensors",
                "history.csv", "loss.png", "train.lock"), files(dir), "the killed run's lock stays, for the next to see");
        assertLoadable(dir.resolve("epoch-001.json"));
        finish(resume(dir.resolve("epoch-001.json"), null));
        assertSameAsReference(dir);
    }

    @Test
    void killedWhileWritingACheckpointLeavesThePreviousOneWhole(@TempDir Path dir) throws Exception {
        try (TrainingProcess p = train(dir, List.of("-Dfovea.test.pause=checkpoint:epoch-002"))) {
            p.awaitStderr("fovea-test: paused at checkpoint:epoch-002");
            assertEquals(137, p.kill(), "SIGKILL");
        }
        List<String> left = files(dir);
        assertTrue(left.contains("epoch-002.safetensors") && left.stream().anyMatch(f -> f.matches("\\.epoch-002\\.json\\..*\\.tmp")),
                "killed after the weights were written, with the sidecar half-committed: " + left);
        assertFalse(left.contains("epoch-002.json"), "the uncommitted checkpoint has no sidecar: " + left);
        assertThrows(dev.fovea.io.FormatException.class, () -> Checkpoint.read(dir.resolve("epoch-002.safetensors")),
                "the half-written checkpoint is refused, not half-loaded");
        assertLoadable(dir.resolve("epoch-001.json"));
        finish(resume(dir.resolve("epoch-001.json"), null));
        assertSameAsReference(dir);
        assertTrue(files(dir).stream().noneMatch(f -> f.endsWith(".tmp")), "the next write removes the stale temporary");
    }

    @Test
    void killedWhileRewritingAnExistingCheckpointNeverMixesOldAndNew(@TempDir Path dir) throws Exception {
        // A directory holding a finished run; resuming from epoch 1 rewrites epoch 2 and is killed mid-write.
        for (String f : files(reference)) {
            Files.copy(reference.resolve(f), dir.resolve(f));
        }
        try (TrainingProcess p = TrainingProcess.start(shared.resolve("logs"),
                List.of("-Dfovea.test.pause=checkpoint:epoch-002"), null, "train", "--resume",
                dir.resolve("epoch-001.json").toString(), "--epochs", "3", "--device", "cpu")) {
            p.awaitStderr("fovea-test: paused at checkpoint:epoch-002");
            assertEquals(137, p.kill(), "SIGKILL");
        }
        assertFalse(Files.exists(dir.resolve("epoch-002.json")),
                "the old sidecar went before the new weights were written, so it cannot vouch for them");
        assertLoadable(dir.resolve("epoch-001.json"));
        finish(resume(dir.resolve("epoch-001.json"), null));
        assertSameAsReference(dir);
    }

    @Test
    void ctrlCFinishesTheBatchWritesACheckpointAndResumeContinuesFromThatBatch(@TempDir Path dir) throws Exception {
        Path ckpt = dir.resolve("epoch-002-batch-0005.json");
        try (TrainingProcess p = train(dir, List.of("-Dfovea.test.pause=batch:2:5"))) {
            p.awaitStderr("fovea-test: paused at batch:2:5");
            p.interrupt();
            assertEquals(130, p.waitFor(), p.toString());
            String err = p.stderr();
            assertTrue(err.contains("fovea: SIGINT received: finishing the current batch and writing a checkpoint"), err);
            assertTrue(err.contains("fovea: interrupted (SIGINT): stopped after epoch 2, batch 5 of 16; checkpoint " + ckpt
                    + " written. Continue with: fovea train --resume " + ckpt + " --epochs 3"), err);
            assertFalse(err.contains("\tat "), "no stack trace");
        }
        assertLoadable(dir.resolve("epoch-001.json"));
        Checkpoint c = Checkpoint.read(ckpt);
        assertEquals(1, c.epoch(), "one complete epoch");
        assertEquals(5, c.position().batch(), "and five batches of the second");
        assertEquals(16 + 5, c.globalStep());
        Cli other = Cli.run("train", "--resume", ckpt.toString(), "--batch-size", "8", "--device", "cpu");
        assertEquals(2, other.status(), other.toString());
        assertEquals("fovea: --batch-size: " + ckpt + " was written in the middle of epoch 2, which goes on with the "
                + "batches it started with; to change --batch-size, resume from the checkpoint of epoch 1 "
                + "(epoch-001.json)", other.err().strip());
        try (TrainingProcess p = resume(ckpt, null)) {
            assertEquals(0, p.waitFor(), p.toString());
            assertTrue(p.stdout().contains("(epoch 1 done, and batch 5 of epoch 2)"), p.stdout());
        }
        assertSameAsReference(dir);
        assertTrue(files(dir).stream().noneMatch(f -> f.contains("-batch-")),
                "once epoch 2 is complete its mid-epoch checkpoint goes: " + files(dir));
    }

    @Test
    void aSecondCtrlCStopsAtOnceAndTheLastCompleteCheckpointStillLoads(@TempDir Path dir) throws Exception {
        // The first Ctrl-C starts the interrupt checkpoint, which the test holds mid-write; the second ends the process.
        try (TrainingProcess p = train(dir, List.of("-Dfovea.test.pause=batch:2:5,checkpoint:epoch-002-batch-0005"))) {
            p.awaitStderr("fovea-test: paused at batch:2:5");
            p.interrupt();
            p.awaitStderr("fovea-test: paused at checkpoint:epoch-002-batch-0005");
            p.interrupt();
            assertEquals(130, p.waitFor(), p.toString());
        }
        assertFalse(Files.exists(dir.resolve("epoch-002-batch-0005.json")), "the interrupted checkpoint never committed");
        assertLoadable(dir.resolve("epoch-001.json"));
    }

    @Test
    void aFullDiskDuringACheckpointWriteIsReportedAndTheEarlierCheckpointSurvives(@TempDir Path dir) throws Exception {
        for (String f : new String[] {"epoch-001.json", "epoch-001.safetensors", "epoch-001.optim.safetensors",
                "history.csv"}) {
            Files.copy(reference.resolve(f), dir.resolve(f));
        }
        // A 5 KiB file-size limit: the 6.5 KB weights file cannot be written (EFBIG, as ENOSPC would fail it).
        try (TrainingProcess p = resume(dir.resolve("epoch-001.json"), "ulimit -f 5")) {
            assertEquals(5, p.waitFor(), p.toString());
            String err = p.stderr().lines().filter(l -> l.startsWith("fovea:")).reduce("", String::concat);
            assertEquals("fovea: could not write checkpoint file " + dir.resolve("epoch-002.safetensors")
                    + ": File too large; the last complete checkpoint " + dir.resolve("epoch-001.json") + " is intact: "
                    + "free space or choose another --out, then continue with --resume " + dir.resolve("epoch-001.json"),
                    err);
            assertFalse(p.stderr().contains("\tat "), "no stack trace");
        }
        assertEquals(List.of("epoch-001.json", "epoch-001.optim.safetensors", "epoch-001.safetensors", "history.csv"),
                files(dir), "no partial checkpoint and no temporary file");
        assertEquals(-1L, Files.mismatch(reference.resolve("epoch-001.safetensors"), dir.resolve("epoch-001.safetensors")));
        assertLoadable(dir.resolve("epoch-001.json"));
        finish(resume(dir.resolve("epoch-001.json"), null));
        assertSameAsReference(dir);
    }
}
