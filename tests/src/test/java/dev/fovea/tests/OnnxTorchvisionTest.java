package dev.fovea.tests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fovea.backend.Backend;
import dev.fovea.backend.factory.Backends;
import dev.fovea.graph.Executor;
import dev.fovea.graph.Parameters;
import dev.fovea.nn.Zoo;
import dev.fovea.onnx.OnnxImport;
import dev.fovea.tensor.Shape;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * torchvision's models and Fovea's zoo mnist-cnn and resnet18-cifar with random weights, exported by PyTorch (tests/src/test/resources/onnx/make_torchvision_fixtures.py,
 * which writes them under target/ because they are tens of MB): skipped until that script has run.
 */
class OnnxTorchvisionTest {
    private static final Path DIR = Path.of("target", "onnx-torchvision");
    /** The zoo models the script writes as PyTorch modules (torchvision's own resnet18 is exported with batch norm folded). */
    private static final Set<String> WRITTEN_WITH_ZOO_NAMES = Set.of("mnist-cnn", "resnet18-cifar");

    @ParameterizedTest
    @ValueSource(strings = {"resnet18", "squeezenet1_1", "mobilenet_v3_small", "mnist-cnn", "resnet18-cifar"})
    void torchvisionModelsGivePyTorchsOutputs(String name) throws Exception {
        Path onnx = DIR.resolve(name + ".onnx");
        assumeTrue(Files.isRegularFile(onnx), "run make_torchvision_fixtures.py first");
        OnnxImport.Result r = OnnxImport.read(onnx);
        if (WRITTEN_WITH_ZOO_NAMES.contains(name)) {
            // Fovea's zoo models, written in PyTorch with the zoo's names, import as the zoo model: same weights.
            Map<String, String> want = new TreeMap<>();
            Zoo.get(name).params().forEach((k, v) -> want.put(k, v.shape().toString()));
            Map<String, String> got = new TreeMap<>();
            r.graph().params().forEach((k, v) -> got.put(k, v.shape().toString()));
            assertEquals(want, got);
        }
        JsonNode fixture = new ObjectMapper().readTree(DIR.resolve(name + ".json").toFile());
        float[] x = new float[fixture.get("input").size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) fixture.get("input").get(i).doubleValue();
        }
        float[] y;
        try (Backend b = Backends.open("cpu")) {
            Executor exec = new Executor(r.graph(), Parameters.fromHost(r.graph(), b, r.arrays()));
            int[] shape = new int[4];
            for (int i = 0; i < 4; i++) {
                shape[i] = fixture.get("shape").get(i).intValue();
            }
            y = b.download(exec.infer(b.upload(Shape.of(shape), x)));
        }
        JsonNode want = fixture.get("output");
        assertEquals(want.size(), y.length);
        double worst = 0;
        for (int i = 0; i < y.length; i++) {
            double w = want.get(i).doubleValue();
            worst = Math.max(worst, Math.abs(w - y[i]) / (1e-3 + Math.abs(w)));
            // Twenty float32 layers summed in another order.
            assertEquals(w, y[i], 1e-3 + 1e-3 * Math.abs(w), name + " output " + i);
        }
        System.out.println(name + ": worst relative difference " + worst);
    }
}
