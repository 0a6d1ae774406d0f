package dev.fovea.graph;

import dev.fovea.backend.Backend;
import dev.fovea.backend.cpu.ReferenceBackend;
import dev.fovea.primitives.LossKind;
import dev.fovea.primitives.PadMode;
import dev.fovea.primitives.UpsampleMode;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.testing.Arrays2;
import dev.fovea.testing.GradCheck;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The spatial ops inside a trained graph: built with GraphBuilder's methods, shape-inferred, and
 * differentiated by the executor, whose parameter gradients must match finite differences of the
 * loss through reflect padding, bilinear upsampling by a non-integer scale and adaptive average
 * pooling (all linear, so no step crosses a kink).
 */
class SpatialGraphTest {
    private final Backend cpu = new ReferenceBackend();

    private static Graph spatialNet() {
        GraphBuilder b = new GraphBuilder("spatial", 2, 5, 6);
        Value x = b.tanh(b.conv2d("conv1", b.input(), ConvSpec.of(3, 3)));
        x = b.pad(x, PadMode.REFLECT, 0, 2, 1, 1, 2);
        x = b.upsample(x, UpsampleMode.BILINEAR, 1.5, 1.5, false);
        x = b.tanh(b.conv2d("conv2", x, ConvSpec.of(2, 3).padding(1)));
        x = b.adaptivePool("adaptive_avg_pool2d", x, 3, 2);
        return b.build(b.linear("fc", b.flatten(x), 3));
    }

    @Test
    void shapesFollowTheSpatialOps() {
        Graph g = spatialNet();
        // conv 5x6 -> 3x4; pad (2, 1, 1, 2) -> 6x7; x1.5 -> 9x10; conv pad 1 -> 9x10; adaptive -> 3x2.
        assertEquals(Shape.of(1, 3, 6, 7), g.node("pad_1").shape());
        assertEquals(Shape.of(1, 3, 9, 10), g.node("upsample_1").shape());
        assertEquals(Shape.of(1, 2, 3, 2), g.node("adaptive_avg_pool2d_1").shape());
        assertEquals(Shape.of(1, 3), g.outputShape());
    }

    @Test
    void parameterGradientsMatchFiniteDifferences() {
        Graph g = spatialNet();
        Parameters params = Parameters.initialize(g, cpu, 5);
        Executor exec = new Executor(g, params);
        Tensor input = cpu.upload(Shape.of(2, 2, 5, 6), Arrays2.random(2 * 2 * 30, 3));
        Tensor target = cpu.upload(Shape.of(2), new float[] {2, 0});
        Tensor out = exec.forward(input);
        Map<String, Tensor> grads = exec.backward(cpu.lossBackward(LossKind.CROSS_ENTROPY, out, target, 1f));
        assertEquals(Set.of("conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias", "fc.weight", "fc.bias"),
                grads.keySet());
        for (String name : grads.keySet()) {
            float[] values = ((dev.fovea.tensor.HostStorage) params.get(name).storage()).floats();
            GradCheck.check("d loss / d " + name, values, v -> new float[] {loss(exec, input, target)},
                    new float[] {1f}, cpu.download(grads.get(name)), 40);
        }
    }

    private float loss(Executor exec, Tensor input, Tensor target) {
        Tensor out = exec.forward(input);
        float l = cpu.download(cpu.loss(LossKind.CROSS_ENTROPY, out, target))[0];
        exec.releaseTape();
        return l;
    }
}
