package dev.fovea.tests.gpu;

import dev.fovea.api.Dataset;
import dev.fovea.api.Device;
import dev.fovea.api.Epoch;
import dev.fovea.api.FitOptions;
import dev.fovea.api.Model;
import dev.fovea.data.EmbeddedDatasets;
import dev.fovea.data.Splits;
import dev.fovea.graph.ConvSpec;
import dev.fovea.graph.GraphBuilder;
import dev.fovea.graph.Value;
import dev.fovea.testing.GpuTests;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Java API on the GPU (the software GPU in CI) against the cpu backend: the same predictions,
 * the same training losses, and a model trained on the second GPU saved and loaded on the CPU.
 */
@Tag("gpu")
class ApiOnGpuTest {
    /** Float sums in another order (cuDNN, cuBLAS): probabilities agree to this much. */
    private static final float PROBABILITY_TOLERANCE = 1e-4f;

    @BeforeEach
    void gpu() {
        GpuTests.requireGpu();
    }

    private static float[][] digits(int n) {
        Splits all = EmbeddedDatasets.mnistDigits();
        float[][] out = new float[n][];
        for (int i = 0; i < n; i++) {
            out[i] = Arrays.copyOfRange(all.test().images(), i * 784, (i + 1) * 784);
        }
        return out;
    }

    private static Model built() {
        GraphBuilder b = new GraphBuilder("built", 1, 28, 28);
        Value x = b.relu(b.batchNorm("bn1", b.conv2d("conv1", b.input(), ConvSpec.of(8, 3).stride(2).padding(1))));
        return Model.of(b.build(b.linear("fc", b.flatten(b.maxPool(x, 2)), 10)));
    }

    @Test
    void predictionsOnTheGpuAreTheCpus() throws Exception {
        for (String name : List.of("lenet5", "vgg-small")) {
            try (Model m = Model.load(name).to(Device.cpu())) {
                int[] in = m.inputShape();
                java.util.Random r = new java.util.Random(5);
                float[][] probe = new float[3][in[0] * in[1] * in[2]];
                for (float[] image : probe) {
                    for (int i = 0; i < image.length; i++) {
                        image[i] = r.nextFloat();
                    }
                }
                float[][] want = m.predict(probe).stream().map(p -> p.probabilities()).toArray(float[][]::new);
                m.to(Device.cuda());
                for (int i = 0; i < probe.length; i++) {
                    assertArrayEquals(want[i], m.predict(probe).get(i).probabilities(), PROBABILITY_TOLERANCE,
                            name + ", image " + i);
                }
            }
        }
    }

    @Test
    void trainingOnTheSecondGpuGivesTheCpusLossesAndLoadsOnTheCpu(@TempDir Path dir) throws Exception {
        Splits all = EmbeddedDatasets.mnistDigits();
        Dataset data = Dataset.of(Arrays.copyOf(all.train().images(), 256 * 784), Arrays.copyOf(all.train().labels(), 256),
                1, 28, 28, all.train().classNames());
        FitOptions.Builder options = FitOptions.builder().epochs(2).batchSize(32).optimizer("adam", 0.01);
        List<Epoch> onCpu;
        try (Model m = built().to(Device.cpu())) {
            onCpu = m.fit(data, options.build());
        }
        float[][] probe = digits(3);
        try (Model m = built()) {
            List<Epoch> onGpu = m.fit(data, options.device(Device.cuda(1)).build());
            assertEquals(Device.cuda(1), m.device());
            for (int e = 0; e < 2; e++) {
                assertEquals(onCpu.get(e).trainLoss(), onGpu.get(e).trainLoss(), 1e-3 * onCpu.get(e).trainLoss(),
                        "epoch " + (e + 1) + " on cuda:1 trains as on the cpu");
            }
            assertTrue(onGpu.get(1).trainLoss() < onGpu.get(0).trainLoss(), onGpu.toString());
            float[] gpu = m.predict(probe[0]).probabilities();
            Path saved = m.save(dir.resolve("gpu-trained.json"));
            try (Model back = Model.load(saved).to(Device.cpu())) {
                assertArrayEquals(gpu, back.predict(probe[0]).probabilities(), PROBABILITY_TOLERANCE);
            }
        }
    }
}
