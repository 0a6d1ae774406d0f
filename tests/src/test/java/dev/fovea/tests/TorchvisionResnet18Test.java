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
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * torchvision's resnet18 state_dict (random weights and batch-norm statistics, saved as safetensors
 * by tests/src/test/resources/onnx/make_torchvision_fixtures.py, 45 MB, so generated under target/)
 * loads into the zoo's resnet18 by name, num_batches_tracked ignored, and gives PyTorch's eval-mode
 * logits on every backend this machine has (cuda: the software GPU in the tests). Skipped until
 * that script has run.
 */
class TorchvisionResnet18Test {
    private static final Path DIR = Path.of("target", "onnx-torchvision");

    static List<String> backends() {
        return Backends.availableNames();
    }

    /** The fixture's weights, input and logits, read once for all backends. */
    private record Fixture(Map<String, float[]> weights, float[] input, JsonNode logits) {
        private static Fixture loaded;

        static synchronized Fixture load(Graph g) throws Exception {
            if (loaded == null) {
                Map<String, float[]> arrays = Checkpoint.importWeights(DIR.resolve("resnet18-state-dict.safetensors"), g);
                JsonNode json = new ObjectMapper().readTree(DIR.resolve("resnet18-state-dict.json").toFile());
                float[] x = new float[json.get("input").size()];
                for (int i = 0; i < x.length; i++) {
                    x[i] = (float) json.get("input").get(i).doubleValue();
                }
                loaded = new Fixture(arrays, x, json.get("output"));
            }
            return loaded;
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void torchvisionWeightsGiveTorchvisionsLogits(String backend) throws Exception {
        assumeTrue(Files.isRegularFile(DIR.resolve("resnet18-state-dict.safetensors")),
                "run make_torchvision_fixtures.py first");
        Graph g = Zoo.resnet18();
        Fixture f = Fixture.load(g);
        assertEquals(g.params().keySet(), f.weights().keySet(), "every zoo parameter, by torchvision's name");
        float[] y;
        try (Backend b = Backends.open(backend, Backends.conformanceCuda());
             Parameters p = Parameters.fromHost(g, b, f.weights());
             Tensor input = b.upload(Shape.of(1, 3, 224, 224), f.input())) {
            y = b.download(new Executor(g, p).infer(input));
        }
        JsonNode want = f.logits();
        assertEquals(1000, want.size());
        assertEquals(want.size(), y.length);
        double worst = 0;
        for (int i = 0; i < y.length; i++) {
            double w = want.get(i).doubleValue();
            worst = Math.max(worst, Math.abs(w - y[i]) / (1e-3 + Math.abs(w)));
            // Twenty float32 layers, convolutions of up to 4,608 terms, summed in another order than PyTorch's.
            assertEquals(w, y[i], 1e-3 + 1e-3 * Math.abs(w), backend + " logit " + i);
        }
        System.out.println("resnet18 on " + backend + ": worst relative difference " + worst);
    }
}
