package dev.fovea.train;

import dev.fovea.backend.Backend;
import dev.fovea.backend.cpu.CpuBackend;
import dev.fovea.data.Augmentation;
import dev.fovea.data.DataLoader;
import dev.fovea.data.Dataset;
import dev.fovea.data.EmbeddedDatasets;
import dev.fovea.data.Splits;
import dev.fovea.graph.Executor;
import dev.fovea.graph.Parameters;
import dev.fovea.io.StoredTensor;
import dev.fovea.nn.Zoo;
import dev.fovea.optim.LrSchedule;
import dev.fovea.optim.Sgd;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Training end to end on a slice of the embedded digits with a small network. */
class TrainerTest {
    /** A small conv net (with dropout, so the seeded masks are exercised too). */
    static final String MODEL = """
            {"format": "fovea-model/1", "name": "tiny", "input": [1, 28, 28], "layers": [
              {"name": "conv1", "type": "conv2d", "out_channels": 4, "kernel_size": 5, "stride": 2},
              {"type": "relu"},
              {"type": "max_pool2d", "kernel_size": 2},
              {"type": "flatten"},
              {"type": "dropout", "p": 0.1},
              {"name": "fc", "type": "linear", "out_features": 10}]}""";

    static Splits data;
    final Backend cpu = new CpuBackend();

    @BeforeAll
    static void load() throws Exception {
        Splits all = EmbeddedDatasets.mnistDigits();
        data = new Splits(all.train().first(1024), all.test().first(256));
    }

    private Trainer.Config config(Path out, int epochs, double lr, Trainer.NonFinite onNan) {
        return new Trainer.Config(epochs, 32, 7, new Sgd(lr, 0.9, 0, false, 0), new LrSchedule.Step(1, 0.5), null,
                new Augmentation(2, false), out, onNan, false, new java.io.PrintWriter(new java.io.StringWriter()), null);
    }

    private Trainer.Result train(Path out, int epochs, Checkpoint resume) throws Exception {
        return new Trainer(new ModelSpec(null, MODEL), cpu, data, config(out, epochs, 0.05, Trainer.NonFinite.STOP))
                .run(resume);
    }

    private static Map<String, StoredTensor> weights(Path sidecar) throws Exception {
        return Checkpoint.read(sidecar).weights();
    }

    @Test
    void trainingLearnsAndWritesCheckpointsCurvesAndCharts(@TempDir Path dir) throws Exception {
        Trainer.Result r = train(dir, 2, null);
        assertEquals(2, r.history().rows().size());
        assertTrue(r.lastEvaluation().accuracy() > 0.6, "a small net learns digits: " + r.lastEvaluation().accuracy());
        for (String f : new String[] {"epoch-001.json", "epoch-001.safetensors", "epoch-001.optim.safetensors",
                "epoch-002.json", "history.csv", "loss.png", "accuracy.png"}) {
            assertTrue(Files.isRegularFile(dir.resolve(f)), f);
        }
        assertEquals(3, Files.readAllLines(dir.resolve("history.csv")).size(), "header + one row per epoch");
        assertEquals(dir.resolve("epoch-002.json"), r.lastCheckpoint());
        assertEquals(dev.fovea.tensor.Shape.of(4, 1, 5, 5), weights(r.lastCheckpoint()).get("conv1.weight").shape(),
                "weights keep PyTorch's OIHW layout");
    }

    @Test
    void theSameSeedGivesIdenticalRunsAndResumeContinuesExactly(@TempDir Path dir) throws Exception {
        Trainer.Result a = train(dir.resolve("a"), 2, null);
        Trainer.Result b = train(dir.resolve("b"), 2, null);
        assertEquals(a.history().rows().get(1).trainLoss(), b.history().rows().get(1).trainLoss(), 0.0);
        Trainer.Result resumed = train(dir.resolve("c"), 2, Checkpoint.read(dir.resolve("a/epoch-001.json")));
        assertEquals(1, resumed.history().rows().size() - 1, "the resumed run adds epoch 2 to epoch 1's history");
        Map<String, StoredTensor> full = weights(a.lastCheckpoint());
        Map<String, StoredTensor> cont = weights(resumed.lastCheckpoint());
        for (String k : full.keySet()) {
            assertArrayEquals(full.get(k).values(), cont.get(k).values(), k + " bit for bit");
        }
    }

    @Test
    void aNonFiniteLossStopsWithEpochAndBatchOrIsSkipped(@TempDir Path dir) throws Exception {
        var stop = assertThrows(TrainingStopped.class, () -> new Trainer(new ModelSpec(null, MODEL), cpu, data,
                config(dir.resolve("stop"), 1, 1e30, Trainer.NonFinite.STOP)).run(null));
        assertTrue(stop.getMessage().matches("training stopped: loss became (NaN|Infinity) at epoch 1, batch \\d+; .*"),
                stop.getMessage());
        Trainer.Result skip = new Trainer(new ModelSpec(null, MODEL), cpu, data,
                config(dir.resolve("skip"), 1, 1e30, Trainer.NonFinite.SKIP)).run(null);
        assertTrue(skip.skippedBatches() > 0);
    }

    /** Resuming from weights of NaN says so before the first batch, naming each tensor (the run then stops on the loss). */
    @Test
    void resumingFromNonFiniteWeightsWarnsNamingTheTensors(@TempDir Path dir) throws Exception {
        Path side = SidecarValidationTest.write(dir, "epoch-001", Float.NaN);
        java.io.StringWriter log = new java.io.StringWriter();
        Trainer.Config c = config(dir.resolve("run"), 2, 0.05, Trainer.NonFinite.STOP);
        Trainer.Config logged = new Trainer.Config(c.epochs(), c.batchSize(), c.seed(), c.optimizer(), c.schedule(), null,
                c.augmentation(), c.outDir(), c.onNonFinite(), false, new java.io.PrintWriter(log, true), null);
        assertThrows(TrainingStopped.class, () -> new Trainer(new ModelSpec(null, MODEL), cpu, data, logged)
                .run(Checkpoint.read(side), side));
        assertTrue(log.toString().startsWith("warning: " + side + ": tensor 'conv1.weight' holds 100 non-finite values of 100 "
                + "(100 NaN, 0 infinite)\nwarning: " + side + ": tensor 'conv1.bias' holds 4 non-finite values"), log.toString());
    }

    /** Ten outputs on two classes used to train and then crash in the confusion matrix; now it is refused at the start. */
    @Test
    void aModelWithMoreOutputsThanClassesIsRefused(@TempDir Path dir) {
        Dataset ten = data.train().first(64);
        int[] labels = ten.labels().clone();
        for (int i = 0; i < labels.length; i++) {
            labels[i] %= 2;
        }
        Dataset two = new Dataset("two-classes", 1, 28, 28, ten.images(), labels, List.of("even", "odd"));
        var e = assertThrows(IllegalArgumentException.class, () -> new Trainer(new ModelSpec(null, MODEL), cpu,
                new Splits(two, two), config(dir, 1, 0.05, Trainer.NonFinite.STOP)));
        assertEquals("model 'tiny' has 10 outputs but data set 'two-classes' has 2 classes (even, odd): give --num-classes 2 "
                + "for a new classifier head (with --init-from CHECKPOINT to keep trained weights)", e.getMessage());
        Executor exec = new Executor(Zoo.get("lenet5"), Parameters.initialize(Zoo.get("lenet5"), cpu, 1));
        var eval = assertThrows(IllegalArgumentException.class, () -> Evaluation.run(exec,
                new DataLoader(two, DataLoader.Options.evaluation(16, null)), 2));
        assertEquals("model 'lenet5' has 10 outputs but data set 'two-classes' has 2 classes (even, odd): give --num-classes 2 "
                + "for a new classifier head (with --init-from CHECKPOINT to keep trained weights)", eval.getMessage());
    }

    @Test
    void aCheckpointOfAnotherModelIsRefusedWithTheMismatches(@TempDir Path dir) throws Exception {
        Trainer.Result r = train(dir, 1, null);
        Checkpoint c = Checkpoint.read(r.lastCheckpoint());
        var e = assertThrows(IllegalArgumentException.class,
                () -> c.weightsFor(dev.fovea.nn.Zoo.mnistCnn(), "--resume x"));
        assertTrue(e.getMessage().startsWith("--resume x: checkpoint does not fit model 'mnist-cnn':"), e.getMessage());
        assertTrue(e.getMessage().contains("conv1.weight: checkpoint has [4, 1, 5, 5], model needs [32, 1, 3, 3]"),
                e.getMessage());
        assertTrue(e.getMessage().contains("missing conv2.weight"), e.getMessage());
        assertTrue(e.getMessage().contains("unexpected fc.weight"), e.getMessage());
    }

    @Test
    void trainingAccuracyIsRecordedBesideTheTestAccuracy(@TempDir Path dir) throws Exception {
        Trainer.Result r = train(dir, 1, null);
        double acc = r.history().rows().get(0).trainAccuracy();
        assertTrue(acc > 0.15 && acc <= 1, "running accuracy over the epoch's batches, above chance (0.1): " + acc);
        var csv = Files.readAllLines(dir.resolve("history.csv"));
        assertTrue(csv.get(0).endsWith(",train_accuracy"), csv.get(0));
        assertEquals(acc, Double.parseDouble(csv.get(1).split(",")[6]), 1e-6);
        assertEquals(acc, Checkpoint.read(r.lastCheckpoint()).history().get(0).trainAccuracy(), 1e-9);
    }

    @Test
    void keepLeavesTheLastEpochsAndFrozenParametersStayAsTheyWere(@TempDir Path dir) throws Exception {
        Trainer.Config c = config(dir, 3, 0.05, Trainer.NonFinite.STOP);
        Trainer.Config keepOne = new Trainer.Config(c.epochs(), c.batchSize(), c.seed(), c.optimizer(), c.schedule(),
                c.normalization(), c.augmentation(), c.outDir(), c.onNonFinite(), false, c.log(), c.run(),
                java.util.Set.of("conv1.weight", "conv1.bias"), 1);
        Trainer.Result r = new Trainer(new ModelSpec(null, MODEL), cpu, data, keepOne).run(null);
        try (var files = Files.list(dir)) {
            assertEquals(java.util.List.of("epoch-003.json", "epoch-003.optim.safetensors", "epoch-003.safetensors"),
                    files.map(f -> f.getFileName().toString()).filter(f -> f.startsWith("epoch-")).sorted().toList());
        }
        var init = dev.fovea.graph.Parameters.initialValues(new ModelSpec(null, MODEL).graph(), 7);
        Map<String, StoredTensor> w = weights(r.lastCheckpoint());
        assertArrayEquals(init.get("conv1.weight"), w.get("conv1.weight").values(), "frozen: as initialised");
        assertTrue(!java.util.Arrays.equals(init.get("fc.weight"), w.get("fc.weight").values()), "the rest trained");
        assertTrue(Checkpoint.read(r.lastCheckpoint()).optimizerState().keySet().stream()
                .noneMatch(k -> k.startsWith("conv1.")), "and frozen parameters have no optimiser state");
    }

    @Test
    void moreOutputsThanClassesAreRefusedWithTheRemedy() {
        Splits three = new Splits(threeClasses(data.train()), threeClasses(data.test()));
        var e = assertThrows(IllegalArgumentException.class, () -> new Trainer(new ModelSpec(null, MODEL), cpu, three,
                config(Path.of("x"), 1, 0.1, Trainer.NonFinite.STOP)));
        assertTrue(e.getMessage().startsWith("model 'tiny' has 10 outputs but data set 'mnist-digits/train' has 3 classes "
                + "(a, b, c): give --num-classes 3"), e.getMessage());
    }

    /** The digits 0-2 only, named a, b, c. */
    private static dev.fovea.data.Dataset threeClasses(dev.fovea.data.Dataset d) {
        int n = 0;
        for (int l : d.labels()) {
            n += l < 3 ? 1 : 0;
        }
        float[] img = new float[n * d.imageSize()];
        int[] lab = new int[n];
        for (int i = 0, k = 0; i < d.size(); i++) {
            if (d.labels()[i] < 3) {
                System.arraycopy(d.images(), i * d.imageSize(), img, k * d.imageSize(), d.imageSize());
                lab[k++] = d.labels()[i];
            }
        }
        return new dev.fovea.data.Dataset(d.name(), 1, 28, 28, img, lab, java.util.List.of("a", "b", "c"));
    }

    @Test
    void aModelThatDoesNotFitTheDataIsRefusedBeforeTraining() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> new Trainer(new ModelSpec("resnet18-cifar", null), cpu, data, config(Path.of("x"), 1, 0.1,
                        Trainer.NonFinite.STOP)));
        assertEquals("model 'resnet18-cifar' expects input [1, 3, 32, 32] (batch 1) but data set 'mnist-digits/train' has "
                + "images [1, 1, 28, 28]", e.getMessage());
    }
}
