package dev.fovea.api;

import dev.fovea.data.EmbeddedDatasets;
import dev.fovea.data.Splits;
import dev.fovea.graph.Graph;
import dev.fovea.graph.GraphBuilder;
import dev.fovea.graph.Value;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Java API on the CPU: loading zoo names, model files and checkpoints, predicting, training a
 * GraphBuilder network, saving and loading, and the errors for bad input. (ONNX files, and the
 * agreement with {@code fovea predict}, are tested with the command line in the tests module.)
 */
class ModelTest {
    static final String MODEL_FILE = """
            {"format": "fovea-model/1", "name": "tiny", "input": [1, 28, 28], "layers": [
              {"name": "conv1", "type": "conv2d", "out_channels": 4, "kernel_size": 5, "stride": 2},
              {"type": "relu"},
              {"type": "max_pool2d", "kernel_size": 2},
              {"type": "flatten"},
              {"name": "fc", "type": "linear", "out_features": 10}]}""";

    static float[] images;
    static int[] labels;

    @BeforeAll
    static void digits() {
        Splits all = EmbeddedDatasets.mnistDigits();
        images = Arrays.copyOf(all.train().images(), 256 * 784);
        labels = Arrays.copyOf(all.train().labels(), 256);
    }

    /** A small network built in code, with batch norm and a residual add. */
    static Graph built() {
        GraphBuilder b = new GraphBuilder("built", 1, 28, 28);
        Value stem = b.relu(b.batchNorm("bn1", b.conv2d("conv1", b.input(), dev.fovea.graph.ConvSpec.of(8, 3).stride(2)
                .padding(1))));
        Value res = b.add(b.relu(b.conv2d("conv2", stem, dev.fovea.graph.ConvSpec.of(8, 3).padding(1))), stem);
        return b.build(b.linear("fc", b.flatten(b.maxPool(res, 2)), 10));
    }

    static float[] digit(int i) {
        return Arrays.copyOfRange(images, i * 784, (i + 1) * 784);
    }

    static final List<String> NAMES = List.of("zero", "one", "two", "three", "four", "five", "six", "seven", "eight",
            "nine");

    static Dataset tinyDigits() {
        return Dataset.of(images, labels, 1, 28, 28, NAMES);
    }

    @Test
    void aZooNameLoadsWithFreshWeightsAndPredictsADistribution() throws Exception {
        try (Model m = Model.load("lenet5").to(Device.cpu())) {
            assertEquals("lenet5", m.name());
            assertArrayEquals(new int[] {1, 28, 28}, m.inputShape());
            Prediction p = m.predict(digit(0));
            double sum = 0;
            for (float v : p.probabilities()) {
                sum += v;
            }
            assertEquals(1.0, sum, 1e-5, "softmax sums to 1");
            assertEquals(p.probabilities()[p.classIndex()], p.probability());
            assertEquals(Integer.toString(p.classIndex()), p.label(), "no recorded names: classes are numbered");
            List<Prediction.Entry> top = p.topK(3);
            assertEquals(3, top.size());
            assertTrue(top.get(0).probability() >= top.get(1).probability() && top.get(1).probability() >= top.get(2).probability());
        }
    }

    @Test
    void aModelFileLoadsAndABatchEqualsOneByOne(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("tiny.json");
        Files.writeString(file, MODEL_FILE);
        try (Model m = Model.load(file.toString()).to(Device.cpu())) {
            assertEquals("tiny", m.name());
            List<Prediction> batch = m.predict(new float[][] {digit(0), digit(1), digit(2)});
            for (int i = 0; i < 3; i++) {
                assertArrayEquals(m.predict(digit(i)).probabilities(), batch.get(i).probabilities(), 1e-6f,
                        "image " + i + ": batched like one by one (up to summation order)");
            }
        }
    }

    @Test
    void aGraphBuilderNetworkTrainsSavesAndLoadsBack(@TempDir Path dir) throws Exception {
        List<Epoch> seen = new ArrayList<>();
        try (Model m = Model.of(built()).to(Device.cpu())) {
            List<Epoch> history = m.fit(tinyDigits(), FitOptions.builder().epochs(3).batchSize(32).optimizer("adam", 0.01)
                    .progress(seen::add).checkpointDir(dir.resolve("run")).build());
            assertEquals(3, history.size());
            assertEquals(history, seen, "the listener saw every epoch as it ended");
            assertTrue(history.get(2).trainLoss() < 0.7 * history.get(0).trainLoss(),
                    "the training loss falls: " + history);
            assertTrue(history.get(2).testAccuracy() > 0.5, "it learns the digits: " + history);
            assertEquals(NAMES, m.classes(), "class names taken from the data");
            assertTrue(NAMES.contains(m.predict(digit(0)).label()));

            float[][] probe = {digit(3), digit(4)};
            List<Prediction> before = m.predict(probe);
            Path saved = m.save(dir.resolve("saved/model.json"));
            assertTrue(Files.isRegularFile(saved) && Files.isRegularFile(dir.resolve("saved/model.safetensors")));
            try (Model back = Model.load(saved).to(Device.cpu())) {
                List<Prediction> after = back.predict(probe);
                for (int i = 0; i < probe.length; i++) {
                    assertArrayEquals(before.get(i).probabilities(), after.get(i).probabilities(), "saved and loaded: identical");
                }
                assertEquals(m.classes(), back.classes());
            }
            try (Model epoch3 = Model.load(dir.resolve("run/epoch-003.json")).to(Device.cpu())) {
                assertArrayEquals(before.get(0).probabilities(), epoch3.predict(probe[0]).probabilities(),
                        "the last checkpoint fit wrote holds the weights the model kept");
            }
        }
    }

    @Test
    void aDirectoryOfIdxFilesTrains() throws Exception {
        Path idx = Path.of("src", "main", "resources", "dev", "fovea", "data", "mnist-digits");
        try (Model m = Model.load("lenet5").to(Device.cpu())) {
            List<Epoch> history = m.fit(Dataset.directory(idx).limit(64, 1), FitOptions.builder().epochs(1).batchSize(32)
                    .build());
            assertEquals(1, history.size());
            assertTrue(Double.isFinite(history.get(0).testLoss()), history.toString());
        }
    }

    @Test
    void aNewHeadKeepsTheOtherWeights() throws Exception {
        try (Model m = Model.load("lenet5").to(Device.cpu()); Model three = m.withNumClasses(3)) {
            assertEquals(3, three.classes().size());
            assertEquals(3, three.predict(digit(0)).probabilities().length);
            assertEquals(m.device(), three.device());
        }
    }

    @Test
    void badInputsAreRefusedInOneLine(@TempDir Path dir) throws Exception {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Model.load("no-such-model"));
        assertTrue(e.getMessage().startsWith("no-such-model: no such file or directory; Model.load takes a zoo name (")
                && e.getMessage().contains("lenet5"), e.getMessage());

        try (Model m = Model.load("lenet5").to(Device.cpu())) {
            e = assertThrows(IllegalArgumentException.class, () -> m.predict(new float[10]));
            assertEquals("image 0 has 10 values; model 'lenet5' takes 1x28x28 = 784 (channels, height, width)", e.getMessage());

            Dataset three = Dataset.of(new float[784 * 3], new int[] {0, 1, 2}, 1, 28, 28, List.of("a", "b", "c"));
            e = assertThrows(IllegalArgumentException.class, () -> m.fit(three, FitOptions.builder().epochs(1).build()));
            assertEquals("model 'lenet5' has 10 outputs but the data has 3 classes (a, b, c): give it a new classifier "
                    + "head with model.withNumClasses(3)", e.getMessage());

            Dataset rgb = Dataset.of(new float[3 * 28 * 28 * 10], new int[10], 3, 28, 28, EmbeddedDatasets.mnistDigits()
                    .train().classNames());
            e = assertThrows(IllegalArgumentException.class, () -> m.fit(rgb, FitOptions.builder().epochs(1).build()));
            assertTrue(e.getMessage().contains("expects input [1, 1, 28, 28]"), e.getMessage());
        }

        e = assertThrows(IllegalArgumentException.class, () -> FitOptions.builder().epochs(0));
        assertEquals("epochs 0: must be at least 1", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> FitOptions.builder().optimizer("adamx", 0.1));
        assertEquals("optimizer 'adamx': expected one of sgd, adagrad, adadelta, rmsprop, adam, adamw", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> FitOptions.builder().optimizer("sgd", -1));
        assertEquals("learning rate -1.0: must be a finite number > 0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Device.parse("gpu"));
        assertEquals("device 'gpu': expected auto, cpu, cuda or cuda:N", e.getMessage());
        assertEquals(Device.cuda(1), Device.parse("CUDA:1"));
        e = assertThrows(IllegalArgumentException.class, () -> Dataset.directory(dir.resolve("missing")));
        assertTrue(e.getMessage().endsWith("missing: not a directory; Dataset.directory takes a directory of IDX files, "
                + "CIFAR-10 batches, or train/ and test/ image folders"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Model.of(vector()));
        assertTrue(e.getMessage().startsWith("model 'vec': input [1, 16] is not one image"), e.getMessage());
    }

    @Test
    void cudaThatCannotRunFailsWithTheReason() throws Exception {
        try (Model m = Model.load("lenet5").to(Device.cuda(7))) {
            RuntimeException e = assertThrows(RuntimeException.class, () -> m.predict(digit(0)));
            // Without CUDA the probe's reason; with it (the software GPU's two devices) the GPUs there are.
            String expected = dev.fovea.backend.factory.Backends.availableNames().contains("cuda")
                    ? "cuda:7 is not a usable GPU; usable: [cuda:0 " : "device cuda:7: CUDA ";
            assertTrue(e.getMessage().startsWith(expected) && !e.getMessage().contains("\n"), e.getMessage());
        }
    }

    @Test
    void loadNotesGoToTheModelsLoggerNotToStderr() throws Exception {
        Path onnx = Path.of(ModelTest.class.getResource("/dev/fovea/onnx/all-ops.onnx").toURI());
        Logger logger = Logger.getLogger(Model.class.getName());
        List<LogRecord> records = new ArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord r) {
                records.add(r);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        boolean parents = logger.getUseParentHandlers();
        logger.addHandler(capture);
        logger.setUseParentHandlers(false);
        try (Model m = Model.load(onnx)) {
            assertEquals(1, records.size(), "one note for an ONNX file: " + records);
            assertEquals(Level.INFO, records.get(0).getLevel());
            assertTrue(records.get(0).getMessage().contains("is an ONNX model: no normalisation is applied"),
                    records.get(0).getMessage());
        } finally {
            logger.removeHandler(capture);
            logger.setUseParentHandlers(parents);
        }
    }

    private static Graph vector() {
        GraphBuilder b = new GraphBuilder("vec", 16);
        return b.build(b.linear("fc", b.input(), 4));
    }
}
