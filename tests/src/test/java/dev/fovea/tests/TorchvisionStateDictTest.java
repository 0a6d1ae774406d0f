package dev.fovea.tests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fovea.backend.Backend;
import dev.fovea.backend.factory.Backends;
import dev.fovea.graph.Executor;
import dev.fovea.graph.Graph;
import dev.fovea.graph.Parameters;
import dev.fovea.nn.Zoo;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.train.Checkpoint;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * torchvision's state_dicts (random weights and batch-norm statistics, saved as safetensors by
 * tests/src/test/resources/onnx/make_torchvision_fixtures.py; resnet18's is 45 MB, so they are
 * generated under target/) load into the zoo models of the same architecture by name,
 * num_batches_tracked ignored, and give PyTorch's eval-mode logits on every backend this machine has
 * (cuda: the software GPU in the tests): {@code resnet18} is torchvision's resnet18, and
 * {@code mobilenetv3-small-cifar} its mobilenet_v3_small(num_classes=10) with a stride-1 stem.
 * Skipped until that script has run.
 */
class TorchvisionStateDictTest {
    private static final Path DIR = Path.of("target", "onnx-torchvision");
    private static final Map<String, Fixture> LOADED = new java.util.HashMap<>();

    static List<Arguments> cases() {
        List<Arguments> cases = new java.util.ArrayList<>();
        for (String model : List.of("resnet18", "mobilenetv3-small-cifar")) {
            Backends.availableNames().forEach(b -> cases.add(Arguments.of(model, b)));
        }
        return cases;
    }

    /** A fixture's weights, input and logits, read once for all backends. */
    private record Fixture(Map<String, float[]> weights, Shape shape, float[] input, JsonNode logits) {
        static Fixture load(String model, Graph g) throws Exception {
            synchronized (LOADED) {
                Fixture f = LOADED.get(model);
                if (f == null) {
                    Map<String, float[]> arrays = Checkpoint.importWeights(
                            DIR.resolve(model + "-state-dict.safetensors"), g);
                    JsonNode json = new ObjectMapper().readTree(DIR.resolve(model + "-state-dict.json").toFile());
                    float[] x = new float[json.get("input").size()];
                    for (int i = 0; i < x.length; i++) {
                        x[i] = (float) json.get("input").get(i).doubleValue();
                    }
                    int[] dims = new int[json.get("shape").size()];
                    for (int i = 0; i < dims.length; i++) {
                        dims[i] = json.get("shape").get(i).intValue();
                    }
                    f = new Fixture(arrays, Shape.of(dims), x, json.get("output"));
                    LOADED.put(model, f);
                }
                return f;
            }
        }
    }

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("cases")
    void torchvisionWeightsGiveTorchvisionsLogits(String model, String backend) throws Exception {
        assumeTrue(Files.isRegularFile(DIR.resolve(model + "-state-dict.safetensors")),
                "run make_torchvision_fixtures.py first");
        Graph g = Zoo.get(model);
        Fixture f = Fixture.load(model, g);
        assertEquals(g.params().keySet(), f.weights().keySet(), "every zoo parameter, by torchvision's name");
        float[] y;
        try (Backend b = Backends.open(backend, Backends.conformanceCuda());
             Parameters p = Parameters.fromHost(g, b, f.weights());
             Tensor input = b.upload(f.shape(), f.input())) {
            y = b.download(new Executor(g, p).infer(input));
        }
        JsonNode want = f.logits();
        assertEquals(f.shape().dim(0) * g.outputShape().dim(1), want.size());
        assertEquals(want.size(), y.length);
        double worst = 0;
        for (int i = 0; i < y.length; i++) {
            double w = want.get(i).doubleValue();
            worst = Math.max(worst, Math.abs(w - y[i]) / (1e-3 + Math.abs(w)));
            // Twenty float32 layers, convolutions of up to 4,608 terms, summed in another order than PyTorch's.
            assertEquals(w, y[i], 1e-3 + 1e-3 * Math.abs(w), model + " on " + backend + ": logit " + i);
        }
        System.out.println(model + " on " + backend + ": worst relative difference " + worst);
    }
}
