package dev.fovea.nn;

import dev.fovea.backend.Backend;
import dev.fovea.backend.cpu.CpuBackend;
import dev.fovea.graph.Executor;
import dev.fovea.graph.Graph;
import dev.fovea.graph.Parameters;
import dev.fovea.primitives.LossKind;
import dev.fovea.optim.Sgd;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.testing.Arrays2;
import dev.fovea.train.Optimizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every zoo model: shapes, parameter counts and names, and one SGD step lowering the loss on a fixed batch. */
class ZooTest {

    /**
     * The models small enough for a training step here: resnet18 (224x224, 1.8 GFLOP per image) is
     * checked by its structure below and against torchvision's logits (TorchvisionStateDictTest).
     */
    static List<String> models() {
        return Zoo.names().stream().filter(n -> !n.equals("resnet18")).toList();
    }

    @Test
    void mnistCnnIsTheReferenceNetwork() {
        Graph g = Zoo.mnistCnn();
        assertEquals(1_199_882L, g.parameterCount());
        assertEquals(List.of("conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias", "fc1.weight", "fc1.bias",
                "fc2.weight", "fc2.bias"), List.copyOf(g.params().keySet()));
        assertEquals(Shape.of(64, 32, 3, 3), g.params().get("conv2.weight").shape());
        assertEquals(Shape.of(128, 9216), g.params().get("fc1.weight").shape(), "64*12*12 = 9216 features");
        assertEquals(Shape.of(1, 10), g.outputShape());
    }

    @Test
    void classicParameterCounts() {
        assertEquals(61_706L, Zoo.lenet5().parameterCount());
        // torchvision's BasicBlock ResNet-18 with a 3x3 stem and a 10-way head.
        assertEquals(11_173_962L, Zoo.resnet18Cifar().parameterCount());
        assertTrue(Zoo.resnet18Cifar().params().containsKey("layer2.0.downsample.0.weight"));
        assertTrue(Zoo.resnet18Cifar().params().containsKey("layer4.1.bn2.running_var"));
    }

    @Test
    void resnet18IsTorchvisionsImageNetResNet18() {
        Graph g = Zoo.resnet18();
        assertEquals(11_689_512L, g.parameterCount(), "torchvision.models.resnet18()'s parameter count");
        assertEquals(Shape.of(1, 3, 224, 224), g.input().shape());
        assertEquals(Shape.of(1, 1000), g.outputShape());
        assertEquals(Shape.of(64, 3, 7, 7), g.params().get("conv1.weight").shape());
        assertEquals(Shape.of(128, 64, 1, 1), g.params().get("layer2.0.downsample.0.weight").shape());
        assertEquals(Shape.of(512), g.params().get("layer4.1.bn2.running_mean").shape());
        assertEquals(Shape.of(1000, 512), g.params().get("fc.weight").shape());
        // 224 -> conv1 112 -> maxpool 56 -> layer2 28 -> layer3 14 -> layer4 7.
        assertEquals(Shape.of(1, 512, 7, 7), g.nodes().stream().filter(n -> n.name().startsWith("layer4"))
                .reduce((a, b) -> b).orElseThrow().shape());
        // torchvision's state_dict keys, num_batches_tracked aside (102 tensors).
        assertEquals(102, g.params().size());
    }

    @Test
    void mobileNetUsesDepthwiseConvolutions() {
        Graph g = Zoo.mobileNetSmall();
        assertEquals(Shape.of(64, 1, 3, 3), g.params().get("blocks.1.dw.weight").shape(), "groups = channels");
    }

    @Test
    void mobileNetV3SmallHasTorchvisionsParametersByNameAndShape() throws Exception {
        Graph g = Zoo.mobileNetV3SmallCifar();
        // torchvision.models.mobilenet_v3_small(num_classes=10): sum(p.numel() for p in m.parameters()).
        assertEquals(1_528_106L, g.parameterCount());
        // Its state_dict without num_batches_tracked: 210 names; SHA-256 of the sorted names joined by ",".
        List<String> names = g.params().keySet().stream().sorted().toList();
        assertEquals(210, names.size());
        byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
                .digest(String.join(",", names).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertEquals("466d0bb1ffd88581f97448879388a850a77ac8402d327146e842e9946e14157a",
                java.util.HexFormat.of().formatHex(digest));
        assertEquals(Shape.of(24, 96, 1, 1), g.params().get("features.4.block.2.fc1.weight").shape(),
                "squeeze to _make_divisible(96 / 4, 8) = 24 channels");
        assertEquals(Shape.of(1, 10), g.outputShape());
    }

    @Test
    void unknownModelListsTheZoo() {
        var e = assertThrows(IllegalArgumentException.class, () -> Zoo.get("resnet19"));
        assertTrue(e.getMessage().contains("mnist-cnn"), e.getMessage());
    }

    @ParameterizedTest
    @MethodSource("models")
    void oneTrainingStepLowersTheLossOnAFixedBatch(String name) {
        Graph g = Zoo.get(name);
        Backend cpu = new CpuBackend();
        Parameters params = Parameters.initialize(g, cpu, 42);
        Executor exec = new Executor(g, params);
        int n = 4;
        Shape in = g.input().shape().withDim(0, n);
        Tensor x = cpu.upload(in, Arrays2.random(in.size(), 5));
        Tensor y = cpu.upload(Shape.of(n), new float[] {0, 1, 2, 3});
        assertEquals(Shape.of(1, 10), g.outputShape(), name + " has a 10-way head");

        Optimizer opt = new Optimizer(Sgd.plain(0.02), cpu);
        exec.seed(1, 0);
        float before = step(cpu, exec, x, y, opt);
        exec.seed(1, 0);  // the same dropout masks, so only the weights differ
        float after = step(cpu, exec, x, y, null);
        assertTrue(after < before, name + ": loss " + before + " -> " + after + " after one step");
    }

    private static float step(Backend cpu, Executor exec, Tensor x, Tensor y, Optimizer opt) {
        Tensor out = exec.forward(x);
        float loss = cpu.download(cpu.loss(LossKind.CROSS_ENTROPY, out, y))[0];
        if (opt == null) {
            exec.releaseTape();
            return loss;
        }
        Map<String, Tensor> grads = exec.backward(cpu.lossBackward(LossKind.CROSS_ENTROPY, out, y, 1f));
        grads.forEach((k, gr) -> opt.step(k, exec.params().get(k), gr));
        return loss;
    }
}
