package dev.fovea.tests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fovea.io.SafeTensors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fine-tuning and data that matches its model: --init-from with a new head (--num-classes) and
 * frozen layers, eval and visualize on the data a checkpoint was trained on, the one rule for
 * outputs, classes and class names, a class-balanced --limit, inference without optimiser state.
 */
class FineTuneCliTest {
    @TempDir
    static Path shared;
    /** Digits 0, 1, 2 as image folders "zero", "one", "two" (sorted: one, two, zero). */
    static Path folders;
    /** The tiny model trained one epoch on the ten embedded digit classes. */
    static Path digits;

    @BeforeAll
    static void data() throws Exception {
        Map<String, Integer> classes = new LinkedHashMap<>();
        classes.put("zero", 0);
        classes.put("one", 1);
        classes.put("two", 2);
        folders = Fixtures.digitFolders(shared.resolve("three"), classes, 40);
        Fixtures.trainTiny(shared, shared.resolve("digits"));
        digits = shared.resolve("digits").resolve("epoch-001.json");
    }

    private static JsonNode json(Path p) throws Exception {
        return new ObjectMapper().readTree(p.toFile());
    }

    @Test
    void initFromWithANewHeadAndFrozenLayersFineTunesOnNewClasses(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("three");
        Cli tune = Cli.run("train", "--init-from", digits.toString(), "--num-classes", "3", "--freeze", "conv1",
                "--data", folders.toString(), "--epochs", "2", "--batch-size", "16", "--device", "cpu", "--out",
                out.toString());
        assertEquals(0, tune.status(), tune.toString());
        assertTrue(tune.out().contains("starting from the weights of " + digits + " with a new 3-class head"), tune.out());
        assertTrue(tune.out().contains("training model file 'tiny' (3-class head) on " + folders.resolve("train")), tune.out());
        assertTrue(tune.out().contains("frozen (not trained, batch norms keep their statistics): conv1, 104 of "), tune.out());
        JsonNode side = json(out.resolve("epoch-002.json"));
        assertEquals(3, side.path("model").path("num_classes").asInt());
        assertEquals("[\"one\",\"two\",\"zero\"]", side.path("classes").toString());
        var before = SafeTensors.read(digits.resolveSibling("epoch-001.safetensors")).tensors();
        var after = SafeTensors.read(out.resolve("epoch-002.safetensors")).tensors();
        assertArrayEquals(before.get("conv1.weight").values(), after.get("conv1.weight").values(), "frozen conv1 kept");
        assertEquals(dev.fovea.tensor.Shape.of(3, 144), after.get("fc.weight").shape(), "a new 3-class head");

        // eval and visualize find the data the checkpoint was trained on, without --data.
        Cli eval = Cli.run("eval", out.toString(), "--device", "cpu");
        assertEquals(0, eval.status(), eval.toString());
        assertTrue(eval.out().startsWith(out.resolve("epoch-002.json") + " on " + folders.toAbsolutePath().normalize()
                .resolve("test") + " (30 images, cpu): accuracy"), eval.out());
        Cli vis = Cli.run("visualize", out.toString(), "--layer", "conv1", "--out", dir.resolve("maps.png").toString(),
                "--device", "cpu");
        assertEquals(0, vis.status(), vis.toString());
        assertTrue(vis.out().contains("for test image 0 of " + folders.toAbsolutePath().normalize().resolve("test")
                + " (class one)"), vis.out());
    }

    @Test
    void freezeBnStatsTrainsBatchNormWeightsWithTheRunningStatisticsFixedAndResumesSo(@TempDir Path dir)
            throws Exception {
        Path model = dir.resolve("bn.json");
        Files.writeString(model, """
                {"format": "fovea-model/1", "name": "bn", "input": [1, 28, 28], "layers": [
                  {"name": "conv1", "type": "conv2d", "out_channels": 4, "kernel_size": 5, "stride": 2, "bias": false},
                  {"name": "bn1", "type": "batch_norm"},
                  {"type": "relu"},
                  {"type": "max_pool2d", "kernel_size": 2},
                  {"type": "flatten"},
                  {"name": "fc", "type": "linear", "out_features": 10}]}""");
        Path run = dir.resolve("run");
        Cli c = Cli.run("train", "--model", model.toString(), "--freeze", "bn-stats", "--limit", "64", "--batch-size",
                "16", "--epochs", "1", "--device", "cpu", "--out", run.toString());
        assertEquals(0, c.status(), c.toString());
        assertTrue(c.out().contains("frozen (not trained, batch norms keep their statistics): bn-stats, 0 of "), c.out());
        assertEquals("[\"bn-stats\"]", json(run.resolve("epoch-001.json")).path("run").path("freeze").toString());
        Cli resumed = Cli.run("train", "--resume", run.toString(), "--epochs", "2", "--device", "cpu");
        assertEquals(0, resumed.status(), resumed.toString());
        var w = SafeTensors.read(run.resolve("epoch-002.safetensors")).tensors();
        // PyTorch's initial statistics, never updated; the batch norm's weight trained away from its initial 1.
        assertArrayEquals(new float[4], w.get("bn1.running_mean").values(), "running mean kept");
        assertArrayEquals(new float[] {1, 1, 1, 1}, w.get("bn1.running_var").values(), "running variance kept");
        float[] gamma = w.get("bn1.weight").values();
        assertTrue(gamma[0] != 1 || gamma[1] != 1 || gamma[2] != 1 || gamma[3] != 1, Arrays.toString(gamma));
    }

    @Test
    void outputsClassesAndClassNamesMustMatchTheData(@TempDir Path dir) throws Exception {
        // Training a 10-output model on 3 classes: refused before the first batch, with the remedy.
        Cli train = Cli.run("train", "--model", Fixtures.tinyModel(dir).toString(), "--data", folders.toString(),
                "--device", "cpu", "--out", dir.resolve("run").toString());
        assertEquals(2, train.status(), train.toString());
        assertTrue(train.err().startsWith("fovea: model 'tiny' has 10 outputs but data set '" + folders.resolve("train")
                + "' has 3 classes (one, two, zero): give --num-classes 3"), train.err());

        // Evaluating a 10-class checkpoint on 3 classes: one line, exit 2 (it was an exception and exit 70).
        Cli eval = Cli.run("eval", digits.toString(), "--data", folders.toString(), "--device", "cpu");
        assertEquals(2, eval.status(), eval.toString());
        assertEquals(1, eval.err().lines().filter(l -> l.startsWith("fovea:") && !l.contains("CUDA")).count(), eval.err());
        assertTrue(eval.err().contains(digits + " classifies 10 classes (0, 1, 2, 3, 4, 5, 6, 7, ... 2 more) but data set '"
                + folders.resolve("test") + "' has 3 (one, two, zero); to use the model on this data, fine-tune it: fovea "
                + "train --init-from " + digits + " --num-classes 3"), eval.err());

        // A 3-class checkpoint on the same images in renamed folders: the names differ, and that is said.
        Path three = dir.resolve("three");
        Cli tune = Cli.run("train", "--init-from", digits.toString(), "--num-classes", "3", "--data", folders.toString(),
                "--limit", "30", "--device", "cpu", "--out", three.toString());
        assertEquals(0, tune.status(), tune.toString());
        Path renamed = dir.resolve("renamed");
        for (String split : new String[] {"train", "test"}) {
            for (String[] r : new String[][] {{"zero", "null"}, {"one", "eins"}, {"two", "zwei"}}) {
                Path to = Files.createDirectories(renamed.resolve(split).resolve(r[1]));
                try (var files = Files.list(folders.resolve(split).resolve(r[0]))) {
                    for (Path f : files.toList()) {
                        Files.copy(f, to.resolve(f.getFileName()));
                    }
                }
            }
        }
        Cli other = Cli.run("eval", three.toString(), "--data", renamed.toString(), "--device", "cpu");
        assertEquals(2, other.status(), other.toString());
        assertTrue(other.err().contains("was trained on classes one, two, zero but data set '" + renamed.resolve("test")
                + "' has eins, null, zwei (class 0 is 'one' in the checkpoint, 'eins' in the data)"), other.err());
    }

    @Test
    void aLimitIsASeededClassBalancedSubset(@TempDir Path dir) throws Exception {
        // The folders are sorted by class: the first 6 files would all be "one".
        Cli c = Cli.run("train", "--init-from", digits.toString(), "--num-classes", "3", "--data", folders.toString(),
                "--limit", "6", "--device", "cpu", "--out", dir.resolve("run").toString());
        assertEquals(0, c.status(), c.toString());
        assertTrue(c.out().contains("(6 train / 3 test images of 120 / 30, 3 classes; class-balanced, 2 / 1 per class)"),
                c.out());
    }

    @Test
    void inferenceNeedsOnlyTheSidecarAndTheWeights(@TempDir Path dir) throws Exception {
        Path run = dir.resolve("run");
        Fixtures.trainTiny(dir, run);
        Files.delete(run.resolve("epoch-001.optim.safetensors"));
        Path ckpt = run.resolve("epoch-001.json");
        for (String[] args : new String[][] {
            {"eval", ckpt.toString(), "--device", "cpu"},
            {"predict", ckpt.toString(), Fixtures.EXAMPLE_DIGIT.toString(), "--device", "cpu"},
            {"visualize", ckpt.toString(), "--layer", "conv1", "--out", dir.resolve("m.png").toString(), "--device", "cpu"},
            {"summary", ckpt.toString()},
        }) {
            Cli c = Cli.run(args);
            assertEquals(0, c.status(), c.toString());
        }
        Cli resume = Cli.run("train", "--resume", ckpt.toString(), "--epochs", "2", "--device", "cpu");
        assertEquals(2, resume.status(), "resuming does need the optimiser state: " + resume);
        assertTrue(resume.err().contains("optimizer_state"), resume.err());
    }

    @Test
    void bareWeightsUseASidecarBesideThemOrSayWhatTheyAssume(@TempDir Path dir) throws Exception {
        Path bare = Files.copy(digits.resolveSibling("epoch-001.safetensors"), dir.resolve("weights.safetensors"));
        Path model = Fixtures.tinyModel(dir);
        Cli alone = Cli.run("predict", bare.toString(), Fixtures.EXAMPLE_DIGIT.toString(), "--model", model.toString(),
                "--device", "cpu");
        assertEquals(0, alone.status(), alone.toString());
        assertTrue(alone.err().contains("fovea: note: " + bare + " has no sidecar: no normalisation is applied (give "
                + "--normalize MEAN,STD if the model was trained with one), classes are numbered 0..9"), alone.err());
        Files.copy(digits, dir.resolve("weights.json"));
        Cli beside = Cli.run("predict", bare.toString(), Fixtures.EXAMPLE_DIGIT.toString(), "--model", model.toString(),
                "--device", "cpu");
        assertEquals(0, beside.status(), beside.toString());
        assertTrue(!beside.err().contains("note:"), "the sidecar beside them says what applies: " + beside.err());
    }
}
