package dev.fovea.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fovea.data.Normalization;
import dev.fovea.graph.ParamSpec;
import dev.fovea.io.FormatException;
import dev.fovea.io.Limits;
import dev.fovea.io.SpecialFiles;
import dev.fovea.io.StoredTensor;
import dev.fovea.optim.LrSchedule;
import dev.fovea.optim.Sgd;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A checkpoint sidecar is an untrusted file: it may only name files in its own folder, each field has
 * one JSON type (nothing coerced), and it is bounded in size and nesting; every refusal is one line
 * naming the sidecar and the field.
 */
class SidecarValidationTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    /** A valid checkpoint of TrainerTest's tiny model, written to {@code dir/NAME}; returns its sidecar. */
    static Path write(Path dir, String name, float fill) throws Exception {
        ModelSpec spec = new ModelSpec(null, TrainerTest.MODEL);
        Map<String, StoredTensor> w = new LinkedHashMap<>();
        for (ParamSpec p : spec.graph().params().values()) {
            float[] v = new float[p.shape().size()];
            java.util.Arrays.fill(v, fill);
            w.put(p.name(), StoredTensor.f32(p.shape(), v));
        }
        Map<String, StoredTensor> optim = new LinkedHashMap<>();
        w.forEach((k, v) -> optim.put(k + "/momentum_buffer", v));
        Checkpoint c = new Checkpoint(spec, w, optim, Map.of("conv1.weight", 3L),
                OptimizerSettings.toJson(new Sgd(0.1, 0.9, 0, false, 0), new LrSchedule.Cosine(4, 0)), 1, 7, 40,
                Normalization.parse("0.1307,0.3081"), List.of("0", "1"),
                List.of(new History.Epoch(1, 2.3, Double.NaN, 0.1, 100, 0.1)), JSON.createObjectNode()
                .put("data", "mnist-digits").put("batch_size", 64), new EpochPosition(3, 1.5, 96, 0));
        return c.write(dir.resolve(name));
    }

    private Path edited(Consumer<ObjectNode> edit) throws Exception {
        Path side = write(dir, "epoch-001", 0.5f);
        ObjectNode root = (ObjectNode) JSON.readTree(side.toFile());
        edit.accept(root);
        Files.writeString(side, root.toString());
        return side;
    }

    private String refused(Consumer<ObjectNode> edit) throws Exception {
        Path side = edited(edit);
        FormatException e = assertThrows(FormatException.class, () -> Checkpoint.read(side));
        assertTrue(e.getMessage().startsWith(side + ": ") && !e.getMessage().contains("\n"), e.getMessage());
        return e.getMessage().substring(side.toString().length() + 2);
    }

    @Test
    void aValidSidecarReadsBackWhole() throws Exception {
        Checkpoint c = Checkpoint.read(write(dir, "epoch-001", 0.5f));
        assertEquals(1, c.epoch());
        assertEquals(new EpochPosition(3, 1.5, 96, 0), c.position());
        assertTrue(Double.isNaN(c.history().get(0).testLoss()), "NaN is written as a string and read back");
        assertEquals(64, c.run().get("batch_size").intValue());
    }

    /** A downloaded checkpoint must not make Fovea read a file outside its folder, even one that exists. */
    @Test
    void weightAndOptimiserFilesOutsideTheFolderAreRefused() throws Exception {
        Path outside = dir.resolve("secret.safetensors");
        Files.copy(write(Files.createDirectories(dir.resolve("elsewhere")), "epoch-001", 0.5f).resolveSibling("epoch-001.safetensors"), outside);
        Files.createDirectories(dir.resolve("sub"));
        Files.copy(outside, dir.resolve("sub").resolve("w.safetensors"));
        for (String name : List.of("../secret.safetensors", outside.toAbsolutePath().toString(), "sub/w.safetensors",
                "..", ".", "./epoch-001.safetensors")) {
            for (String field : List.of("weights", "optimizer_state")) {
                String msg = refused(root -> root.put(field, name));
                assertTrue(msg.startsWith(field + ": names '" + name + "', which is not a file beside the sidecar; a checkpoint "
                        + "may only name its own files in its own folder"), msg);
            }
        }
    }

    @Test
    void fieldsOfTheWrongTypeAreRefusedNotCoerced() throws Exception {
        assertEquals("epoch: expected an integer in 0..2147483647, found 2.5", refused(r -> r.put("epoch", 2.5)));
        assertEquals("epoch: expected an integer in 0..2147483647, found 2.0", refused(r -> r.put("epoch", 2.0)));
        assertEquals("epoch: expected an integer in 0..2147483647, found \"2\"", refused(r -> r.put("epoch", "2")));
        assertEquals("epoch: expected an integer in 0..2147483647, found -1", refused(r -> r.put("epoch", -1)));
        assertEquals("seed: expected an integer in " + Long.MIN_VALUE + ".." + Long.MAX_VALUE + ", found \"7\"",
                refused(r -> r.put("seed", "7")));
        assertEquals("global_step: expected an integer in 0.." + Long.MAX_VALUE + ", found 1.5",
                refused(r -> r.put("global_step", 1.5)));
        assertEquals("optimizer_steps.conv1.weight: expected an integer in 0.." + Long.MAX_VALUE + ", found \"3\"",
                refused(r -> r.putObject("optimizer_steps").put("conv1.weight", "3")));
        assertEquals("classes[1]: expected a class name (a string)", refused(r -> r.putArray("classes").add("0").add(1)));
        assertEquals("history[0].epoch: expected an integer in 0..2147483647, found \"1\"",
                refused(r -> ((ObjectNode) r.get("history").get(0)).put("epoch", "1")));
        assertEquals("history[0].train_loss: expected a number, found \"low\"",
                refused(r -> ((ObjectNode) r.get("history").get(0)).put("train_loss", "low")));
        assertEquals("in_epoch.skipped: expected an integer in 0..2147483647, found 0.5",
                refused(r -> ((ObjectNode) r.get("in_epoch")).put("skipped", 0.5)));
        assertEquals("normalize: expected null or a string such as \"0.1307,0.3081\"", refused(r -> r.put("normalize", 1)));
        assertEquals("run.batch_size: expected an integer in 1..2147483647, found \"64\"",
                refused(r -> ((ObjectNode) r.get("run")).put("batch_size", "64")));
        assertEquals("model: expected {\"zoo\": NAME} or {\"file\": MODEL}", refused(r -> r.putObject("model").put("zoo", 5)));
        assertEquals("optimizer: sgd: field 'lr' must be a finite number, got \"0.1\"",
                refused(r -> ((ObjectNode) r.get("optimizer")).put("lr", "0.1")));
        assertEquals("optimizer: sgd: field 'nesterov' must be true or false, got 0",
                refused(r -> ((ObjectNode) r.get("optimizer")).put("nesterov", 0)));
        assertEquals("optimizer: sgd: unknown field 'lr_typo'; expected lr, momentum, dampening, nesterov, weightDecay",
                refused(r -> ((ObjectNode) r.get("optimizer")).put("lr_typo", 1)));
        assertEquals("optimizer: schedule: field 'tMax' must be an integer, got 4.5",
                refused(r -> ((ObjectNode) r.get("optimizer").get("schedule")).put("tMax", 4.5)));
        assertEquals("optimizer: schedule_kind: expected \"Constant\", \"Step\" or \"Cosine\", got \"cosine\"",
                refused(r -> ((ObjectNode) r.get("optimizer")).put("schedule_kind", "cosine")));
        assertEquals("optimizer: sgd: lr must be >= 0, got -0.1", refused(r -> ((ObjectNode) r.get("optimizer")).put("lr", -0.1)));
    }

    /** What fine-tuning and training accuracy added to the sidecar (and --resume and inference read) has one type too. */
    @Test
    void theReplacedHeadTrainingAccuracyAndRunSettingsAreCheckedToo() throws Exception {
        assertEquals("model.num_classes: expected an integer in 2.." + Limits.MODEL_CHANNELS + ", found 1",
                refused(r -> ((ObjectNode) r.get("model")).put("num_classes", 1)));
        assertEquals("model.num_classes: expected an integer in 2.." + Limits.MODEL_CHANNELS + ", found \"3\"",
                refused(r -> ((ObjectNode) r.get("model")).put("num_classes", "3")));
        assertEquals("history[0].train_accuracy: expected a number, found \"high\"",
                refused(r -> ((ObjectNode) r.get("history").get(0)).put("train_accuracy", "high")));
        assertEquals("in_epoch.correct: expected an integer in 0.." + Long.MAX_VALUE + ", found 1.5",
                refused(r -> ((ObjectNode) r.get("in_epoch")).put("correct", 1.5)));
        assertEquals("in_epoch: epoch position: counts 3/96/0/97 are negative or more correct than counted",
                refused(r -> ((ObjectNode) r.get("in_epoch")).put("correct", 97)));
        assertEquals("run.epochs: expected an integer in 1..2147483647, found 2.5",
                refused(r -> ((ObjectNode) r.get("run")).put("epochs", 2.5)));
        assertEquals("run.keep: expected an integer in 0..2147483647, found \"2\"",
                refused(r -> ((ObjectNode) r.get("run")).put("keep", "2")));
        assertEquals("run.schedule: expected a string or null", refused(r -> ((ObjectNode) r.get("run")).put("schedule", 4)));
        assertEquals("run.freeze: expected an array", refused(r -> ((ObjectNode) r.get("run")).put("freeze", "conv1")));
        assertEquals("run.freeze[1]: expected a layer or parameter name (a string)",
                refused(r -> ((ObjectNode) r.get("run")).putArray("freeze").add("conv1").add(2)));
        assertEquals("run.background[0]: expected a number in 0..1, found 1.5",
                refused(r -> ((ObjectNode) r.get("run")).putArray("background").add(1.5)));

        Checkpoint head = Checkpoint.read(edited(r -> ((ObjectNode) r.get("model")).put("num_classes", 3)));
        assertEquals(3, head.model().numClasses());
        assertEquals(3, head.model().graph().outputShape().dim(-1));
        Checkpoint old = Checkpoint.read(edited(r -> {
            ((ObjectNode) r.get("history").get(0)).remove("train_accuracy");
            ((ObjectNode) r.get("in_epoch")).remove("correct");
        }));
        assertTrue(Double.isNaN(old.history().get(0).trainAccuracy()), "a checkpoint older than training accuracy reads");
        assertEquals(0, old.position().correct());
    }

    @Test
    void sizeAndNestingAreBounded() throws Exception {
        String big = refused(r -> r.put("padding", " ".repeat((int) Limits.SIDECAR_BYTES)));
        assertTrue(big.startsWith("file size: expected at most 16,777,216 bytes (the limit for checkpoint sidecars)"), big);
        Path side = write(dir, "epoch-002", 0.5f);
        String text = Files.readString(side);
        Files.writeString(side, text.replaceFirst("\"run\" : \\{", "\"run\" : {\"x\": " + "[".repeat(100_000)));
        FormatException deep = assertThrows(FormatException.class, () -> Checkpoint.read(side));
        assertTrue(deep.getMessage().startsWith(side + ": json: not valid JSON: ") && deep.getMessage().contains("nesting depth"),
                deep.getMessage());
    }

    @Test
    void specialFilesAreRefusedAsSidecarsAndAsTheFilesTheyName() throws Exception {
        SpecialFiles.assertRefused(dir.resolve("sidecars"), "epoch-001.json", FormatException.class, Checkpoint::read);
        Path side = write(dir, "epoch-001", 0.5f);
        Path weights = side.resolveSibling("epoch-001.safetensors");
        Files.delete(weights);
        Files.createSymbolicLink(weights, Path.of("/dev/zero"));
        FormatException e = assertThrows(FormatException.class, () -> Checkpoint.read(side));
        assertEquals(weights + ": file type: expected a regular file, found a character device (it has no size to check and "
                + "reading it may never end)", e.getMessage());
    }

    /** Weights of NaN or infinity are loaded, but not silently: one warning per tensor, with the counts. */
    @Test
    void nonFiniteWeightsAreCountedPerTensor() {
        Map<String, float[]> weights = new LinkedHashMap<>();
        weights.put("conv1.weight", new float[] {1, Float.NaN, Float.POSITIVE_INFINITY, Float.NaN});
        weights.put("conv1.bias", new float[] {0, 1});
        weights.put("fc.weight", new float[] {Float.NEGATIVE_INFINITY});
        assertEquals(List.of("w.safetensors: tensor 'conv1.weight' holds 3 non-finite values of 4 (2 NaN, 1 infinite)",
                "w.safetensors: tensor 'fc.weight' holds 1 non-finite values of 1 (0 NaN, 1 infinite)"),
                Checkpoint.nonFiniteWarnings(weights, "w.safetensors"));
        Map<String, float[]> many = new LinkedHashMap<>();
        for (int i = 0; i < 25; i++) {
            many.put("t" + i, new float[] {Float.NaN});
        }
        List<String> capped = Checkpoint.nonFiniteWarnings(many, "w");
        assertEquals(Limits.LISTED + 1, capped.size());
        assertEquals("w: ... and 15 more tensors with non-finite values", capped.get(Limits.LISTED));
    }
}
