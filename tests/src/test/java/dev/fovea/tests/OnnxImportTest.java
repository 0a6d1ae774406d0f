package dev.fovea.tests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fovea.backend.Backend;
import dev.fovea.backend.factory.Backends;
import dev.fovea.graph.Executor;
import dev.fovea.graph.Parameters;
import dev.fovea.onnx.OnnxImport;
import dev.fovea.tensor.Shape;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Models exported by PyTorch 1.13's torch.onnx.export (tests/src/test/resources/onnx/make_onnx_fixtures.py and
 * make_activation_fixture.py, seeded random weights) import into Fovea and give PyTorch's outputs on cpu, cpu-ref and cuda (the software GPU when the tests run without a GPU).
 */
class OnnxImportTest {
    private static final Path DIR = Path.of("src", "test", "resources", "onnx");

    @ParameterizedTest
    @CsvSource({"lenet5, cpu", "resnet-cifar-w4, cpu", "all-ops, cpu", "activations, cpu", "lenet5, cpu-ref",
            "resnet-cifar-w4, cpu-ref", "all-ops, cpu-ref", "activations, cpu-ref", "lenet5, cuda", "resnet-cifar-w4, cuda",
            "all-ops, cuda", "activations, cuda", "new-ops, cpu", "new-ops, cpu-ref", "new-ops, cuda"})
    void importedModelGivesPyTorchsOutputs(String name, String backend) throws Exception {
        check(name + ".onnx", name, backend);
    }

    /** The every-operator model exported at each other opset (Unsqueeze's axes attribute, Softmax's 2-D rule, ...). */
    @ParameterizedTest
    @ValueSource(ints = {11, 12, 13, 14, 15, 16})
    void everyOpsetGivesTheSameOutputs(int opset) throws Exception {
        check("all-ops-opset" + opset + ".onnx", "all-ops", "cpu");
    }

    /** The elementwise, shape and spatial operators at opsets 11 and 13 (Squeeze/Unsqueeze and ReduceSum axes as attributes, then inputs). */
    @ParameterizedTest
    @ValueSource(ints = {11, 13})
    void newOpsAtEarlierOpsetsGiveTheSameOutputs(int opset) throws Exception {
        check("new-ops-opset" + opset + ".onnx", "new-ops", "cpu");
    }

    private static void check(String file, String name, String backend) throws Exception {
        OnnxImport.Result r = OnnxImport.read(DIR.resolve(file));
        JsonNode fixture = new ObjectMapper().readTree(DIR.resolve(name + ".json").toFile());
        int[] shape = new int[4];
        for (int i = 0; i < 4; i++) {
            shape[i] = fixture.get("shape").get(i).intValue();
        }
        float[] x = new float[fixture.get("input").size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) fixture.get("input").get(i).doubleValue();
        }
        float[] y;
        try (Backend b = Backends.open(backend)) {
            Executor exec = new Executor(r.graph(), Parameters.fromHost(r.graph(), b, r.arrays()));
            y = b.download(exec.infer(b.upload(Shape.of(shape), x)));
        }
        JsonNode want = fixture.get("output");
        assertEquals(want.size(), y.length, "output size");
        for (int i = 0; i < y.length; i++) {
            double w = want.get(i).doubleValue();
            // float32 with another summation order, and the fixture's values rounded to 8 decimals.
            assertEquals(w, y[i], 1e-4 + 1e-4 * Math.abs(w), file + " on " + backend + ": output " + i);
        }
    }
}
