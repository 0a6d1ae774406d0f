package dev.fovea.graph;

import dev.fovea.backend.Backend;
import dev.fovea.backend.cpu.ReferenceBackend;
import dev.fovea.primitives.LossKind;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.testing.Arrays2;
import dev.fovea.testing.GradCheck;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The executor's backward pass against finite differences of the whole graph's loss, on a DAG with
 * a residual add (a value read by two nodes, so gradients must be summed), batch norm, pooling,
 * flatten and a linear head.
 */
class ExecutorGradientTest {
    private final Backend cpu = new ReferenceBackend();

    /** tanh rather than ReLU: a finite-difference step that crosses ReLU's kink measures a different slope. */
    private static Graph residualNet() {
        GraphBuilder b = new GraphBuilder("residual", 2, 6, 6);
        Value x = b.tanh(b.conv2d("conv1", b.input(), ConvSpec.of(4, 3).padding(1)));
        Value y = b.batchNorm("bn1", b.conv2d("conv2", x, ConvSpec.of(4, 3).padding(1).noBias()));
        Value z = b.tanh(b.add(y, x));
        z = b.flatten(b.pool("avg_pool2d", z, 2, 2, 0));
        return b.build(b.linear("fc", z, 3));
    }

    private float loss(Executor exec, Tensor input, Tensor target) {
        Tensor out = exec.forward(input);
        float l = cpu.download(cpu.loss(LossKind.CROSS_ENTROPY, out, target))[0];
        exec.releaseTape();
        return l;
    }

    @Test
    void parameterGradientsMatchFiniteDifferencesThroughAResidualDag() {
        Graph g = residualNet();
        Parameters params = Parameters.initialize(g, cpu, 7);
        Executor exec = new Executor(g, params);
        Tensor input = cpu.upload(Shape.of(3, 2, 6, 6), Arrays2.random(3 * 2 * 36, 11));
        Tensor target = cpu.upload(Shape.of(3), new float[] {0, 2, 1});

        Tensor out = exec.forward(input);
        Tensor dOut = cpu.lossBackward(LossKind.CROSS_ENTROPY, out, target, 1f);
        Map<String, Tensor> grads = exec.backward(dOut);
        assertEquals(java.util.Set.of("conv1.weight", "conv1.bias", "conv2.weight", "bn1.weight", "bn1.bias",
                "fc.weight", "fc.bias"), grads.keySet(), "every trainable parameter, and no buffer, gets a gradient");

        for (String name : grads.keySet()) {
            float[] values = ((dev.fovea.tensor.HostStorage) params.get(name).storage()).floats();
            // sum(f(x) * 1) with f = the scalar loss: GradCheck's form with a one-element output.
            GradCheck.check("d loss / d " + name, values, v -> new float[] {loss(exec, input, target)},
                    new float[] {1f}, cpu.download(grads.get(name)), 60);
        }
    }

    /**
     * A squeeze-excitation block and the other algebra ops in one graph: x is read by two means and a
     * mul, so its gradient sums three terms, two of them summed over broadcast dims.
     */
    @Test
    void gradientsFlowThroughBroadcastsReductionsAndPermutes() {
        GraphBuilder b = new GraphBuilder("squeeze-excitation", 2, 4, 5);
        Value x = b.tanh(b.conv2d("conv1", b.input(), ConvSpec.of(3, 3).padding(1)));
        Value gate = b.sigmoid(b.mean(x, true, 2, 3));
        Value y = b.div(b.sub(b.mul(x, gate), b.mean(x, true, 1)), b.add(gate, gate));
        Value z = b.reshape(b.permute(b.transpose(y, 2, 3), 0, 2, 3, 1), 3, -1);
        Graph g = b.build(b.linear("fc", b.tanh(b.sum(z, true, -1)), 3));
        Parameters params = Parameters.initialize(g, cpu, 5);
        Executor exec = new Executor(g, params);
        Tensor input = cpu.upload(Shape.of(3, 2, 4, 5), Arrays2.random(3 * 2 * 20, 13));
        Tensor target = cpu.upload(Shape.of(3), new float[] {1, 0, 2});
        Tensor dOut = cpu.lossBackward(LossKind.CROSS_ENTROPY, exec.forward(input), target, 1f);
        Map<String, Tensor> grads = exec.backward(dOut);
        assertEquals(java.util.Set.of("conv1.weight", "conv1.bias", "fc.weight", "fc.bias"), grads.keySet());
        for (String name : grads.keySet()) {
            float[] values = ((dev.fovea.tensor.HostStorage) params.get(name).storage()).floats();
            GradCheck.check("d loss / d " + name, values, v -> new float[] {loss(exec, input, target)},
                    new float[] {1f}, cpu.download(grads.get(name)), 60);
        }
    }

    @Test
    void aShapeMismatchNamesTheNodeAndBothSizes() {
        GraphBuilder b = new GraphBuilder("bad", 1, 28, 28);
        Value x = b.flatten(b.conv2d("conv1", b.input(), 16, 3));
        var e = assertThrows(IllegalArgumentException.class, () -> b.op("fc1", "linear", Map.of(),
                Map.of("input", x, "weight", new Value("input", Shape.of(1, 1, 28, 28)))));
        assertTrue(e.getMessage().startsWith("fc1: linear:"), e.getMessage());
        Value ok = b.linear("fc1", x, 10);
        assertEquals(Shape.of(1, 10), ok.shape());
        // The example: a Linear sized for 9216 features read by a 10816-feature input.
        GraphBuilder c = new GraphBuilder("bad2", 1, 28, 28);
        Value small = c.flatten(c.maxPool(c.conv2d("conv2", c.conv2d("conv1", c.input(), 32, 3), 64, 3), 2));
        c.linear("fc0", small, 128);  // declares fc0.weight [128, 9216]
        Value big = c.flatten(c.conv2d("conv3", c.input(), 16, 3));  // 16 * 26 * 26 = 10816 features
        var e2 = assertThrows(IllegalArgumentException.class, () -> c.op("fc1", "linear", Map.of(),
                Map.of("input", big, "weight", new Value("fc0.weight", Shape.of(128, 9216)))));
        assertTrue(e2.getMessage().startsWith("fc1: linear: weight expects 9216 input features, input has 10816"),
                e2.getMessage());
    }

    @Test
    void inferenceReleasesIntermediatesAndMatchesTrainingModeWithoutBatchNorm() {
        GraphBuilder b = new GraphBuilder("plain", 1, 5, 5);
        Value x = b.relu(b.conv2d("c", b.input(), ConvSpec.of(2, 3).padding(1)));
        Graph g = b.build(b.linear("fc", b.flatten(x), 2));
        Executor exec = new Executor(g, Parameters.initialize(g, cpu, 1));
        Tensor in = cpu.upload(Shape.of(2, 1, 5, 5), Arrays2.random(50, 3));
        float[] inferred = cpu.download(exec.infer(in));
        float[] trained = cpu.download(exec.forward(in));
        Arrays2.assertExact("infer vs training forward", trained, inferred);
    }
}
