package dev.fovea.graph;

import dev.fovea.backend.Backend;
import dev.fovea.backend.cpu.ReferenceBackend;
import dev.fovea.primitives.LossKind;
import dev.fovea.tensor.HostStorage;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.testing.Arrays2;
import dev.fovea.testing.GradCheck;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Executor.freeze: frozen parameters get no gradient, a batch norm whose weight and bias (or only its
 * running statistics) are frozen normalises with its running statistics and keeps them, and
 * gradients still flow through it to its own weight and bias and the trained layers below, exactly
 * (checked against finite differences).
 */
class FreezeTest {
    private final Backend cpu = new ReferenceBackend();

    private static Graph net() {
        GraphBuilder b = new GraphBuilder("net", 2, 6, 6);
        Value x = b.tanh(b.conv2d("conv1", b.input(), ConvSpec.of(4, 3).padding(1)));
        x = b.tanh(b.batchNorm("bn1", b.conv2d("conv2", x, ConvSpec.of(4, 3).padding(1).noBias())));
        return b.build(b.linear("fc", b.flatten(b.pool("avg_pool2d", x, 2, 2, 0)), 3));
    }

    private static float[] host(Tensor t) {
        return ((HostStorage) t.storage()).floats().clone();
    }

    private float loss(Executor exec, Tensor input, Tensor target) {
        Tensor out = exec.forward(input);
        float l = cpu.download(cpu.loss(LossKind.CROSS_ENTROPY, out, target))[0];
        exec.releaseTape();
        return l;
    }

    @Test
    void frozenLayersGetNoGradientAndFrozenBatchNormKeepsItsStatistics() {
        Graph g = net();
        Parameters params = Parameters.initialize(g, cpu, 3);
        // Running statistics unlike the batch's, so that using the batch's would show.
        ((HostStorage) params.get("bn1.running_mean").storage()).floats()[0] = 0.5f;
        ((HostStorage) params.get("bn1.running_var").storage()).floats()[1] = 3f;
        Executor exec = new Executor(g, params);
        exec.freeze(Set.of("conv2.weight", "bn1.weight", "bn1.bias", "bn1.running_mean", "bn1.running_var"));
        float[] mean = host(params.get("bn1.running_mean"));
        float[] var = host(params.get("bn1.running_var"));
        Tensor input = cpu.upload(Shape.of(3, 2, 6, 6), Arrays2.random(3 * 2 * 36, 5));
        Tensor target = cpu.upload(Shape.of(3), new float[] {0, 2, 1});

        Tensor out = exec.forward(input);
        Map<String, Tensor> grads = exec.backward(cpu.lossBackward(LossKind.CROSS_ENTROPY, out, target, 1f));
        assertEquals(Set.of("conv1.weight", "conv1.bias", "fc.weight", "fc.bias"), grads.keySet());
        assertArrayEquals(mean, host(params.get("bn1.running_mean")), "a frozen batch norm's running mean stays");
        assertArrayEquals(var, host(params.get("bn1.running_var")), "and its running variance");

        // Through the frozen conv2 and bn1 (running statistics), the gradient of conv1 is still exact.
        float[] values = ((HostStorage) params.get("conv1.weight").storage()).floats();
        GradCheck.check("d loss / d conv1.weight through a frozen batch norm", values,
                v -> new float[] {loss(exec, input, target)}, new float[] {1f}, cpu.download(grads.get("conv1.weight")));
    }

    @Test
    void frozenRunningStatisticsAloneKeepThemWhileWeightAndBiasTrain() {
        Graph g = net();
        Parameters params = Parameters.initialize(g, cpu, 4);
        ((HostStorage) params.get("bn1.running_mean").storage()).floats()[2] = -0.5f;
        ((HostStorage) params.get("bn1.running_var").storage()).floats()[3] = 2f;
        Executor exec = new Executor(g, params);
        exec.freeze(Set.of("bn1.running_mean", "bn1.running_var"));
        float[] mean = host(params.get("bn1.running_mean"));
        float[] var = host(params.get("bn1.running_var"));
        Tensor input = cpu.upload(Shape.of(3, 2, 6, 6), Arrays2.random(3 * 2 * 36, 7));
        Tensor target = cpu.upload(Shape.of(3), new float[] {2, 0, 1});

        Tensor out = exec.forward(input);
        Map<String, Tensor> grads = exec.backward(cpu.lossBackward(LossKind.CROSS_ENTROPY, out, target, 1f));
        assertEquals(Set.of("conv1.weight", "conv1.bias", "conv2.weight", "bn1.weight", "bn1.bias", "fc.weight",
                "fc.bias"), grads.keySet());
        assertArrayEquals(mean, host(params.get("bn1.running_mean")), "frozen running statistics stay");
        assertArrayEquals(var, host(params.get("bn1.running_var")), "and the variance");
        // The loss is that of the eval-mode batch norm: its weight, bias and the layers below get its exact gradients.
        for (String p : new String[] {"bn1.weight", "bn1.bias", "conv2.weight"}) {
            GradCheck.check("d loss / d " + p + " with frozen statistics", ((HostStorage) params.get(p).storage()).floats(),
                    v -> new float[] {loss(exec, input, target)}, new float[] {1f}, cpu.download(grads.get(p)));
        }
    }

    @Test
    void freezingTheLowerLayersSkipsTheirBackward() {
        Graph g = net();
        Executor exec = new Executor(g, Parameters.initialize(g, cpu, 3));
        exec.freeze(Set.of("conv1.weight", "conv1.bias", "conv2.weight", "bn1.weight", "bn1.bias"));
        Tensor out = exec.forward(cpu.upload(Shape.of(2, 2, 6, 6), Arrays2.random(2 * 2 * 36, 6)));
        Tensor target = cpu.upload(Shape.of(2), new float[] {1, 0});
        var seen = new java.util.ArrayList<String>();
        Map<String, Tensor> grads = exec.backward(cpu.lossBackward(LossKind.CROSS_ENTROPY, out, target, 1f),
                new Executor.Inspector() {
                    @Override
                    public void output(Node node, Map<String, Tensor> outputs) {
                    }

                    @Override
                    public void gradient(Node node, Map<String, Tensor> gradients) {
                        seen.add(node.name());
                    }
                });
        assertEquals(Set.of("fc.weight", "fc.bias"), grads.keySet());
        assertEquals(java.util.List.of("fc"), seen, "nothing below the head needs a gradient");
    }

    @Test
    void anUnknownNameIsRefused() {
        Graph g = net();
        Executor exec = new Executor(g, Parameters.initialize(g, cpu, 3));
        assertThrows(IllegalArgumentException.class, () -> exec.freeze(Set.of("conv9.weight")));
    }
}
