package dev.fovea.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fovea.backend.Backend;
import dev.fovea.backend.cpu.CpuBackend;
import dev.fovea.data.Augmentation;
import dev.fovea.data.EmbeddedDatasets;
import dev.fovea.data.Splits;
import dev.fovea.graph.Graph;
import dev.fovea.graph.ParamSpec;
import dev.fovea.io.StoredTensor;
import dev.fovea.optim.LrSchedule;
import dev.fovea.optim.Sgd;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Non-finite losses and gradients: training stops naming the epoch, the batch and the first layer
 * whose output or gradient went non-finite, keeps the last good checkpoint, or skips and counts.
 * The weights that make a given layer fail are set by hand through a checkpoint to resume from.
 */
class NonFiniteTest {
    /** fc's output overflows to infinity in the forward pass (its weights are 3e38). */
    static final String WIDE = TrainerTest.MODEL;

    /**
     * Finite forward (logits about ±1e27) but an overflowing backward: the gradient fc2 passes to its
     * input is about 1e30 * 1e30.
     */
    static final String DEEP = """
            {"format": "fovea-model/1", "name": "deep", "input": [1, 28, 28], "layers": [
              {"type": "flatten"},
              {"name": "fc1", "type": "linear", "out_features": 1},
              {"name": "fc2", "type": "linear", "out_features": 1},
              {"name": "fc3", "type": "linear", "out_features": 10}]}""";

    static Splits data;
    final Backend cpu = new CpuBackend();
    final StringWriter log = new StringWriter();

    @BeforeAll
    static void load() throws Exception {
        Splits all = EmbeddedDatasets.mnistDigits();
        data = new Splits(all.train().first(128), all.test().first(64));
    }

    private Trainer trainer(String model, Path out, int epochs, double lr, Trainer.NonFinite onNan) {
        Trainer.Config cfg = new Trainer.Config(epochs, 32, 7, new Sgd(lr, 0.9, 0, false, 0), new LrSchedule.Constant(),
                null, Augmentation.NONE, out, onNan, false, new PrintWriter(log, true), null);
        return new Trainer(new ModelSpec(null, model), cpu, data, cfg);
    }

    /** A checkpoint at epoch 0 with every parameter set by {@code value} (name, index) -> value. */
    private static Checkpoint handSet(String model, java.util.function.BiFunction<String, Integer, Float> value) {
        ModelSpec spec = new ModelSpec(null, model);
        Graph g = spec.graph();
        Map<String, StoredTensor> w = new LinkedHashMap<>();
        for (ParamSpec p : g.params().values()) {
            float[] v = new float[p.shape().size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = value.apply(p.name(), i);
            }
            w.put(p.name(), StoredTensor.f32(p.shape(), v));
        }
        return new Checkpoint(spec, w, Map.of(), Map.of(), new ObjectMapper().createObjectNode(), 0, 7, 0, null,
                List.of(), List.of(), null, EpochPosition.START);
    }

    @Test
    void aForwardOverflowNamesTheFirstLayerWhoseOutputWentNonFinite(@TempDir Path dir) {
        Checkpoint c = handSet(WIDE, (name, i) -> name.equals("fc.weight") ? 3e38f : name.endsWith("bias") ? 0 : 0.1f);
        Path from = dir.resolve("hand.json");
        TrainingStopped e = assertThrows(TrainingStopped.class,
                () -> trainer(WIDE, dir, 1, 0.01, Trainer.NonFinite.STOP).run(c, from));
        assertEquals("training stopped: loss became NaN at epoch 1, batch 1; first non-finite value: output of layer 'fc'"
                + " (linear) is Infinity in the forward pass; the last good checkpoint is " + from + " (resume with "
                + "--resume, perhaps with a lower --lr, or use --on-nan skip)", e.getMessage());
    }

    @Test
    void aBackwardOverflowWithAFiniteLossNamesTheLayerAndStopsBeforeAnyUpdate(@TempDir Path dir) {
        Checkpoint c = handSet(DEEP, (name, i) -> switch (name) {
            case "fc1.weight" -> 1e-35f;
            case "fc2.weight" -> 1e30f;
            case "fc3.weight" -> i == 0 ? 1e30f : i == 1 ? -1e30f : 0f;
            default -> 0f;
        });
        TrainingStopped e = assertThrows(TrainingStopped.class,
                () -> trainer(DEEP, dir, 1, 0.01, Trainer.NonFinite.STOP).run(c, dir.resolve("hand.json")));
        assertTrue(e.getMessage().matches("training stopped: gradients became non-finite \\(loss [0-9.E+]+\\) at epoch 1, "
                + "batch 1; first non-finite value: gradient of layer 'fc2' \\(linear\\) for its input \\('fc1'\\) is "
                + "-?Infinity in the backward pass; .*"), e.getMessage());
    }

    @Test
    void skippingCountsEveryBadBatchAndLeavesTheWeightsUntouched(@TempDir Path dir) throws Exception {
        Checkpoint c = handSet(DEEP, (name, i) -> switch (name) {
            case "fc1.weight" -> 1e-35f;
            case "fc2.weight" -> 1e30f;
            case "fc3.weight" -> i == 0 ? 1e30f : i == 1 ? -1e30f : 0f;
            default -> 0f;
        });
        Trainer.Result r = trainer(DEEP, dir, 1, 0.01, Trainer.NonFinite.SKIP).run(c, null);
        assertEquals(4, r.skippedBatches(), "128 images in batches of 32, every one overflowing");
        assertTrue(log.toString().contains("skipped epoch 1, batch 4: gradients became non-finite"), log.toString());
        assertTrue(log.toString().contains("4 non-finite batches skipped"), log.toString());
        Map<String, StoredTensor> after = Checkpoint.read(r.lastCheckpoint()).weights();
        for (String k : c.weights().keySet()) {
            org.junit.jupiter.api.Assertions.assertArrayEquals(c.weights().get(k).values(), after.get(k).values(),
                    k + ": a skipped batch updates nothing");
        }
    }

    @Test
    void aDivergingRunKeepsItsLastGoodCheckpoint(@TempDir Path dir) throws Exception {
        Trainer.Result good = trainer(WIDE, dir, 1, 0.05, Trainer.NonFinite.STOP).run(null);
        Path ckpt = good.lastCheckpoint();
        byte[] weights = Files.readAllBytes(dir.resolve("epoch-001.safetensors"));
        TrainingStopped e = assertThrows(TrainingStopped.class, () -> trainer(WIDE, dir, 2, 1e30, Trainer.NonFinite.STOP)
                .run(Checkpoint.read(ckpt), ckpt));
        assertTrue(e.getMessage().matches("training stopped: (loss became (NaN|Infinity)|gradients became non-finite .*) "
                + "at epoch 2, batch \\d+; first non-finite value: .* of layer '.*' .*; the last good checkpoint is "
                + java.util.regex.Pattern.quote(ckpt.toString()) + " .*"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("epoch-002.json")));
        assertEquals(-1, java.util.Arrays.mismatch(weights, Files.readAllBytes(dir.resolve("epoch-001.safetensors"))));
    }

    @Test
    void aLastBatchOfOneImageThroughBatchNormTrainsWithFiniteLosses(@TempDir Path dir) throws Exception {
        String model = """
                {"format": "fovea-model/1", "name": "bn", "input": [1, 28, 28], "layers": [
                  {"name": "conv", "type": "conv2d", "out_channels": 4, "kernel_size": 3, "stride": 2},
                  {"type": "relu"}, {"type": "global_avg_pool2d"}, {"type": "flatten"},
                  {"name": "bn", "type": "batch_norm"},
                  {"name": "fc", "type": "linear", "out_features": 10}]}""";
        Splits all = EmbeddedDatasets.mnistDigits();
        Trainer.Config cfg = new Trainer.Config(2, 32, 7, new Sgd(0.05, 0.9, 0, false, 0), new LrSchedule.Constant(),
                null, Augmentation.NONE, dir, Trainer.NonFinite.STOP, false, new PrintWriter(log, true), null);
        // 33 images in batches of 32: each epoch ends with one image, one value per batch-norm channel.
        Trainer.Result r = new Trainer(new ModelSpec(null, model), cpu,
                new Splits(all.train().first(33), all.test().first(8)), cfg).run(null);
        assertEquals(0, r.skippedBatches());
        r.history().rows().forEach(e -> assertTrue(Double.isFinite(e.trainLoss()) && Double.isFinite(e.testLoss()),
                e.toString()));
    }

    @Test
    void finitenessOnTheHostIsExactAndTheDeviceSumIsConfirmedElementByElement() {
        Tensor ok = cpu.upload(Shape.of(2, 2), new float[] {1, -2, 3e-45f, Float.MAX_VALUE});
        for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
            Tensor t = cpu.upload(Shape.of(3), new float[] {0, bad, 1});
            assertFalse(Finiteness.allFinite(cpu, List.of(ok, t), 0f), "host " + bad);
            assertFalse(finiteSumOfSquares(List.of(ok, t)), "device reduction " + bad);
            assertEquals(1, Finiteness.firstNonFinite(cpu, t));
        }
        Tensor huge = cpu.upload(Shape.of(2), new float[] {1e30f, -1e30f});
        assertFalse(finiteSumOfSquares(List.of(huge)), "the sum of squares overflows...");
        assertTrue(Finiteness.exact(cpu, List.of(huge)), "...so the device path confirms element by element");
        assertTrue(finiteSumOfSquares(List.of(cpu.upload(Shape.of(3), new float[] {1, 2, -3}))));
        assertFalse(Finiteness.allFinite(cpu, List.of(ok, cpu.upload(Shape.of(1), new float[] {Float.NaN})), 0f),
                "host tensors are scanned, whatever the sum passed");
    }

    /** The reduction a device step reads, computed here on the CPU backend. */
    private boolean finiteSumOfSquares(List<Tensor> tensors) {
        try (Tensor s = Finiteness.sumOfSquares(cpu, tensors)) {
            assertEquals(Shape.scalar(), s.shape());
            return Float.isFinite(cpu.download(s)[0]);
        }
    }

    @Test
    void theHostScanFindsANonFiniteValueAtEveryPositionAndIgnoresWhatIsBeyondTheTensor() {
        for (int n = 1; n <= 11; n++) {
            for (int at = 0; at < n; at++) {
                for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
                    float[] v = new float[n + 1];
                    java.util.Arrays.fill(v, Float.MAX_VALUE);
                    v[at] = bad;
                    assertFalse(Finiteness.allFinite(v, n), n + " values, " + bad + " at " + at);
                    v[at] = -Float.MIN_VALUE;
                    v[n] = Float.NaN;
                    assertTrue(Finiteness.allFinite(v, n), "only the first " + n + " values count");
                }
            }
        }
    }
}
