package dev.fovea.tests;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fovea.backend.cpu.CpuBackend;
import dev.fovea.graph.Graph;
import dev.fovea.graph.Parameters;
import dev.fovea.nn.Zoo;
import dev.fovea.optim.LrSchedule;
import dev.fovea.optim.Sgd;
import dev.fovea.train.Checkpoint;
import dev.fovea.train.EpochPosition;
import dev.fovea.train.ModelSpec;
import dev.fovea.train.OptimizerSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hostile input through the commands, in-process: each class of the hardening sweep ends in one line
 * on stderr and exit status 2 (or, for weights of NaN, a warning), never a stack trace, a hang or
 * an internal error.
 */
class HostileInputCliTest {

    /** A lenet5 checkpoint (ten outputs) whose conv1.weight holds {@code nan} NaNs; returns the sidecar. */
    static Path checkpoint(Path dir, int nan) throws Exception {
        Graph g = Zoo.get("lenet5");
        Map<String, float[]> host;
        try (CpuBackend cpu = new CpuBackend()) {
            host = Parameters.initialize(g, cpu, 1).toHost();
        }
        for (int i = 0; i < nan; i++) {
            host.get("conv1.weight")[i] = Float.NaN;
        }
        ObjectNode run = new ObjectMapper().createObjectNode();
        Checkpoint c = new Checkpoint(new ModelSpec("lenet5", null), Checkpoint.stored(g, host), Map.of(), Map.of(),
                OptimizerSettings.toJson(Sgd.plain(0.1), new LrSchedule.Constant()), 1, 1, 10, null,
                dev.fovea.data.Dataset.numberedClasses(10), List.of(), run, EpochPosition.START);
        return c.write(Files.createDirectories(dir).resolve("epoch-001"));
    }

    private static void assertOneLine(Cli r, String expected) {
        assertEquals(2, r.status(), r.toString());
        assertTrue(r.err().startsWith("fovea: " + expected), r.toString());
        assertEquals(1, r.err().lines().count(), r.toString());
    }

    @Test
    void nonsenseArgumentsAreRefused(@TempDir Path dir) throws Exception {
        Path ckpt = checkpoint(dir, 0);
        Path png = dir.resolve("x.png");
        ImageIO.write(new BufferedImage(28, 28, BufferedImage.TYPE_INT_RGB), "png", png.toFile());
        assertOneLine(Cli.run("summary", "mnist-cnn", "--batch-size", "-1"), "--batch-size -1: must be at least 1");
        assertOneLine(Cli.run("summary", "mnist-cnn", "--batch-size", "0"), "--batch-size 0: must be at least 1");
        assertOneLine(Cli.run("predict", ckpt.toString(), png.toString(), "--top", "-1", "--device", "cpu"),
                "--top -1: must be at least 1");
        assertOneLine(Cli.run("predict", ckpt.toString(), png.toString(), "--limit", "-5", "--device", "cpu"),
                "--limit -5: must be at least 1");
    }

    /** A ten-output model evaluated on a two-class folder ended in an ArrayIndexOutOfBoundsException (exit 70). */
    @Test
    void fewerClassesThanOutputsIsOneLine(@TempDir Path dir) throws Exception {
        Path ckpt = checkpoint(dir.resolve("ckpt"), 0);
        for (String split : new String[] {"train", "test"}) {
            for (String cls : new String[] {"cat", "dog"}) {
                Path d = Files.createDirectories(dir.resolve("data").resolve(split).resolve(cls));
                ImageIO.write(new BufferedImage(28, 28, BufferedImage.TYPE_INT_RGB), "png", d.resolve("a.png").toFile());
            }
        }
        Cli eval = Cli.run("eval", ckpt.toString(), "--data", dir.resolve("data").toString(), "--device", "cpu");
        assertOneLine(eval, ckpt + " classifies 10 classes (0, 1, 2, 3, 4, 5, 6, 7, ... 2 more) but data set '"
                + dir.resolve("data").resolve("test") + "' has 2 (cat, dog); to use the model on this data, fine-tune it: "
                + "fovea train --init-from " + ckpt + " --num-classes 2");
        Cli train = Cli.run("train", "--model", "lenet5", "--data", dir.resolve("data").toString(), "--device", "cpu",
                "--out", dir.resolve("run").toString());
        assertOneLine(train, "model 'lenet5' has 10 outputs but data set '" + dir.resolve("data").resolve("train")
                + "' has 2 classes");
    }

    @Test
    void weightsOfNaNAreLoadedWithAWarning(@TempDir Path dir) throws Exception {
        Path ckpt = checkpoint(dir, 7);
        Path png = dir.resolve("x.png");
        ImageIO.write(new BufferedImage(28, 28, BufferedImage.TYPE_INT_RGB), "png", png.toFile());
        Cli r = Cli.run("predict", ckpt.toString(), png.toString(), "--device", "cpu");
        assertEquals(0, r.status(), r.toString());
        assertTrue(r.err().contains("fovea: warning: " + ckpt + ": tensor 'conv1.weight' holds 7 non-finite values of 150 "
                + "(7 NaN, 0 infinite)"), r.toString());
        // Fine-tuning from such weights says so too, before the first batch.
        Cli tune = Cli.run("train", "--init-from", ckpt.toString(), "--limit", "32", "--batch-size", "32", "--epochs", "1",
                "--device", "cpu", "--out", dir.resolve("tuned").toString());
        assertTrue(tune.out().contains("warning: " + ckpt + ": tensor 'conv1.weight' holds 7 non-finite values of 150 "
                + "(7 NaN, 0 infinite)"), tune.toString());
    }

    /** A FIFO blocks a reader in open(2) forever; as every kind of input it is refused by name at once. */
    @Test
    void aFifoAsAnyInputIsRefusedAtOnce(@TempDir Path dir) throws Exception {
        Path fifo = dir.resolve("input.json");
        if (new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor() != 0) {
            return; // no mkfifo here: FileBytesTest and the fuzz tests cover /dev/zero and directories
        }
        Path ckpt = checkpoint(dir.resolve("ckpt"), 0);
        String refusal = fifo + ": file type: expected a regular file, found a FIFO (named pipe)";
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            assertOneLine(Cli.run("predict", ckpt.toString(), fifo.toString(), "--device", "cpu"), refusal);
            assertOneLine(Cli.run("summary", fifo.toString()), refusal);
            assertOneLine(Cli.run("eval", fifo.toString(), "--device", "cpu"), refusal);
            assertOneLine(Cli.run("train", "--model", fifo.toString(), "--device", "cpu", "--out",
                    dir.resolve("run").toString()), refusal);
            assertOneLine(Cli.run("bench", "plot", "--out", dir.resolve("p.png").toString(), fifo.toString()), refusal);
            Cli cases = Cli.run("conformance", "--cases", fifo.toString(), "--backend", "cpu");
            assertEquals(2, cases.status(), cases.toString());
            assertTrue(cases.err().startsWith("conformance: " + fifo + ": file type: expected a regular file"), cases.toString());
        });
    }

    @Test
    void aSidecarNamingFilesOutsideItsFolderIsRefused(@TempDir Path dir) throws Exception {
        Path ckpt = checkpoint(dir.resolve("ckpt"), 0);
        Files.writeString(ckpt, Files.readString(ckpt).replace("\"epoch-001.safetensors\"", "\"../../etc/passwd\""));
        assertOneLine(Cli.run("eval", ckpt.toString(), "--device", "cpu"), ckpt + ": weights: names '../../etc/passwd', "
                + "which is not a file beside the sidecar");
    }

    /** A 5 MB model file ran summary for over a minute, and a deeply nested one ended in a Jackson NullPointerException. */
    @Test
    void largeAndDeepModelFilesAreOneLine(@TempDir Path dir) throws Exception {
        Path big = dir.resolve("big.json");
        Files.writeString(big, "{\"format\": \"fovea-model/1\", \"input\": [1, 8, 8], \"layers\": ["
                + ",{\"type\": \"relu\"}".repeat(300_000).substring(1) + "]}");
        assertOneLine(assertTimeoutPreemptively(Duration.ofSeconds(20), () -> Cli.run("summary", big.toString())),
                big + ": file size: expected at most 4,194,304 bytes (the limit for model files)");
        Path deep = dir.resolve("deep.json");
        Files.writeString(deep, "{\"format\": \"fovea-model/1\", \"input\": " + "[".repeat(100_000));
        Cli r = Cli.run("summary", deep.toString());
        // The model file's error names the file (it once said "model file in checkpoint" wherever the text came from).
        assertOneLine(r, deep + ": not valid JSON: ");
        assertTrue(r.err().contains("nesting depth") && !r.err().contains("internal error"), r.toString());
        assertFalse(r.err().contains("Exception"), r.toString());
    }
}
