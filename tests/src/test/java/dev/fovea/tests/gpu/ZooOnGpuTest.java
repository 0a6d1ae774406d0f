package dev.fovea.tests.gpu;

import dev.fovea.backend.Backend;
import dev.fovea.backend.factory.Backends;
import dev.fovea.graph.Executor;
import dev.fovea.graph.Graph;
import dev.fovea.graph.Parameters;
import dev.fovea.nn.Zoo;
import dev.fovea.primitives.LossKind;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.testing.Arrays2;
import dev.fovea.testing.GpuTests;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every zoo model through a training step on the GPU against the fast CPU backend (itself held to
 * the reference by its own tests, and much faster than it on ResNet-sized layers): logits, loss and
 * every parameter's gradient, from the same weights and batch. The op-level conformance suite
 * checks each op; this checks their combinations (residual sums, concatenations, depthwise and
 * dilated convolutions, batch norm, dropout) as the executor chains them on the device.
 */
@Tag("gpu")
class ZooOnGpuTest {

    @BeforeEach
    void gpu() {
        GpuTests.requireGpu();
    }

    /** resnet18 (224x224) is too heavy for a training step here; TorchvisionStateDictTest runs its forward on the GPU. */
    static List<String> models() {
        return Zoo.names().stream().filter(n -> !n.equals("resnet18")).toList();
    }

    /** Logits, loss and gradients of one step; tensors are read back and closed. */
    private record Step(float[] logits, float loss, Map<String, float[]> grads) {
        static Step run(Graph g, Backend b, Map<String, float[]> weights, float[] images, float[] labels) {
            Shape in = g.input().shape().withDim(0, 2);
            try (Parameters p = Parameters.fromHost(g, b, weights);
                 Tensor x = b.upload(in, images);
                 Tensor y = b.upload(Shape.of(2), labels)) {
                Executor exec = new Executor(g, p);
                Tensor logits = exec.forward(x);
                float[] host = b.download(logits);
                float loss;
                Map<String, Tensor> grads;
                try (Tensor l = b.loss(LossKind.CROSS_ENTROPY, logits, y);
                     Tensor d = b.lossBackward(LossKind.CROSS_ENTROPY, logits, y, 1f)) {
                    loss = b.download(l)[0];
                    grads = exec.backward(d);
                }
                Map<String, float[]> out = new java.util.TreeMap<>();
                grads.forEach((name, t) -> {
                    out.put(name, b.download(t));
                    t.close();
                });
                return new Step(host, loss, out);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void aTrainingStepOnTheGpuMatchesTheReference(String model) {
        Graph g = Zoo.get(model);
        Map<String, float[]> weights;
        try (Backend ref = Backends.reference(); Parameters p = Parameters.initialize(g, ref, 7)) {
            weights = p.toHost();
        }
        int size = g.input().shape().withDim(0, 2).size();
        float[] images = Arrays2.random(size, 11);
        float[] labels = {1, 0};
        Step expected;
        try (Backend cpu = Backends.open("cpu")) {
            expected = Step.run(g, cpu, weights, images, labels);
        }
        Step actual;
        try (Backend cuda = Backends.open("cuda")) {
            actual = Step.run(g, cuda, weights, images, labels);
        }
        // FP32 through a whole network; sums reordered by cuDNN's algorithms (Winograd among them).
        Arrays2.assertClose(model + " logits", expected.logits(), actual.logits(), 2e-3, 2e-3);
        assertEquals(expected.loss(), actual.loss(), 2e-3, model + " loss");
        assertEquals(expected.grads().keySet(), actual.grads().keySet(), model + " gradients");
        expected.grads().forEach((name, e) ->
                Arrays2.assertClose(model + " gradient of " + name, e, actual.grads().get(name), 2e-3, 5e-3));
    }
}
