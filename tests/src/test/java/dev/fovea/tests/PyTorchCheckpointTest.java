package dev.fovea.tests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fovea.backend.Backend;
import dev.fovea.backend.cpu.CpuBackend;
import dev.fovea.data.Dataset;
import dev.fovea.data.EmbeddedDatasets;
import dev.fovea.graph.Executor;
import dev.fovea.graph.Graph;
import dev.fovea.graph.Parameters;
import dev.fovea.nn.Zoo;
import dev.fovea.tensor.Shape;
import dev.fovea.train.Checkpoint;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Weights trained and saved by PyTorch 1.13 (tests/src/test/resources/pytorch/make_lenet5_fixture.py)
 * load into Fovea's lenet5 and give PyTorch's logits.
 */
class PyTorchCheckpointTest {
    private static final Path DIR = Path.of("src", "test", "resources", "pytorch");

    @Test
    void pytorchLenet5GivesTheSameLogits() throws Exception {
        Graph g = Zoo.lenet5();
        Map<String, float[]> weights = Checkpoint.importWeights(DIR.resolve("lenet5.safetensors"), g);
        Backend cpu = new CpuBackend();
        Executor exec = new Executor(g, Parameters.fromHost(g, cpu, weights));
        Dataset test = EmbeddedDatasets.mnistDigits().test();
        float[] x = Arrays.copyOf(test.images(), 8 * test.imageSize());
        float[] logits = cpu.download(exec.infer(cpu.upload(Shape.of(8, 1, 28, 28), x)));
        JsonNode expected = new ObjectMapper().readTree(DIR.resolve("lenet5-predictions.json").toFile()).get("logits");
        assertEquals(8, expected.size());
        for (int i = 0; i < 8; i++) {
            int best = 0;
            for (int c = 0; c < 10; c++) {
                double want = expected.get(i).get(c).asDouble();
                // float32 summation order differs between the two engines: 1e-4 on logits of order 1-10.
                assertEquals(want, logits[i * 10 + c], 1e-4 + 1e-5 * Math.abs(want), "image " + i + " class " + c);
                if (want > expected.get(i).get(best).asDouble()) {
                    best = c;
                }
            }
            int predicted = 0;
            for (int c = 1; c < 10; c++) {
                if (logits[i * 10 + c] > logits[i * 10 + predicted]) {
                    predicted = c;
                }
            }
            assertEquals(best, predicted, "image " + i + ": same predicted class");
        }
    }

    @Test
    void predictTakesABareSafetensorsWithItsModel() {
        Path idx = Path.of("..", "engine", "src", "main", "resources", "dev", "fovea", "data", "mnist-digits",
                "t10k-images-idx3-ubyte.gz");
        Cli p = Cli.run("predict", DIR.resolve("lenet5.safetensors").toString(), idx.toString(), "--model", "lenet5",
                "--limit", "2", "--device", "cpu");
        assertEquals(0, p.status(), p.toString());
        assertTrue(p.out().lines().count() == 2, p.out());
        Cli wrong = Cli.run("predict", DIR.resolve("lenet5.safetensors").toString(), idx.toString(), "--model",
                "mnist-cnn", "--device", "cpu");
        assertEquals(2, wrong.status(), wrong.toString());
        assertTrue(wrong.err().contains("checkpoint does not fit model 'mnist-cnn'"), wrong.err());
    }
}
