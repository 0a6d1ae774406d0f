package dev.fovea.ops;

import dev.fovea.backend.Backend;
import dev.fovea.backend.cpu.ReferenceBackend;
import dev.fovea.primitives.Activation;
import dev.fovea.primitives.ConvMode;
import dev.fovea.primitives.Conv2dParams;
import dev.fovea.primitives.DropoutParams;
import dev.fovea.primitives.LossKind;
import dev.fovea.primitives.Pool2dParams;
import dev.fovea.primitives.PoolKind;
import dev.fovea.primitives.ReceptiveField;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The catalogue and the parsing of attributes into parameter records; running ops is in OpKernelsTest. */
class OpsTest {

    @Test
    void catalogueHoldsEveryOpOfTheDesignWithPyTorchNames() {
        List<String> expected = new ArrayList<>(List.of("conv2d", "max_pool2d", "avg_pool2d", "min_pool2d",
                "global_avg_pool2d", "adaptive_avg_pool2d", "adaptive_max_pool2d", "upsample", "pad", "batch_norm",
                "dropout", "linear"));
        // One op per activation name, in declaration order (gelu's two forms are one op).
        Arrays.stream(Activation.values()).map(Activation::opName).distinct().forEach(expected::add);
        expected.addAll(List.of("prelu", "softmax", "log_softmax",
                "cross_entropy", "binary_cross_entropy", "binary_cross_entropy_with_logits", "mse_loss", "add",
                "sub", "mul", "div", "sum", "mean", "reshape", "transpose", "permute", "concat", "flatten"));
        assertEquals(expected, List.copyOf(Ops.names()));
        for (OpDef def : Ops.all()) {
            assertEquals(Op.OUTPUT, def.outputs().get(0), def.name());
            assertTrue(def.inputs().contains("input"), def.name() + " names its main operand 'input'");
        }
    }

    @Test
    void unknownOpSuggestsAndListsTheValidOps() {
        var e = assertThrows(IllegalArgumentException.class, () -> Ops.get("conv2"));
        assertTrue(e.getMessage().startsWith("unknown op 'conv2' (did you mean 'conv2d'?); valid ops: conv2d, "),
                e.getMessage());
        assertTrue(e.getMessage().contains("mse_loss"), e.getMessage());
    }

    @Test
    void conv2dAttributesBecomeConv2dParams() {
        Op op = Ops.get("conv2d").bind(Map.of("stride", List.of(2, 1), "padding", 1, "dilation", List.of(1, 2),
                "groups", 3, "mode", "convolution"));
        assertEquals(new Conv2dParams(2, 1, 1, 1, 1, 2, 3, ConvMode.CONVOLUTION), op.params());
        assertEquals(Conv2dParams.defaults(), Ops.get("conv2d").bind(Map.of()).params());
    }

    @Test
    void poolingStrideDefaultsToTheKernelSize() {
        assertEquals(new Pool2dParams(PoolKind.MAX, 3, 2, 3, 2, 0, 0, true),
                Ops.get("max_pool2d").bind(Map.of("kernel_size", List.of(3, 2))).params());
        assertEquals(new Pool2dParams(PoolKind.AVG, 3, 3, 1, 1, 1, 1, false),
                Ops.get("avg_pool2d").bind(Map.of("kernel_size", 3, "stride", 1, "padding", 1,
                        "count_include_pad", false)).params());
        assertEquals(Pool2dParams.of(PoolKind.MIN, 2), Ops.get("min_pool2d").bind(Map.of("kernel_size", 2)).params());
    }

    @Test
    void countIncludePadBelongsToAveragePoolingOnly() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> Ops.get("max_pool2d").bind(Map.of("kernel_size", 2, "count_include_pad", false)));
        assertEquals("max_pool2d: unknown attribute 'count_include_pad'; valid attributes: kernel_size, stride, padding",
                e.getMessage());
    }

    @Test
    void defaultsFollowPyTorch() {
        assertEquals(0.01f, Ops.get("leaky_relu").bind(Map.of()).params());
        assertEquals(1f, Ops.get("elu").bind(Map.of()).params());
        assertEquals("none", Ops.get("gelu").bind(Map.of()).params());
        assertEquals("tanh", Ops.get("gelu").bind(Map.of("approximate", "tanh")).params());
        assertEquals(new DropoutParams(0.5, true, 0), Ops.get("dropout").bind(Map.of()).params());
        assertEquals(new dev.fovea.primitives.BatchNormParams(0.1, 1e-5), Ops.get("batch_norm").bind(Map.of()).params());
        assertEquals(LossKind.BINARY_CROSS_ENTROPY_WITH_LOGITS,
                Ops.get("binary_cross_entropy_with_logits").bind(Map.of("reduction", "mean")).params());
        assertEquals(0, Ops.get("concat").bind(Map.of()).params());
    }

    @Test
    void invalidValuesAreReportedByTheParameterRecords() {
        var mode = assertThrows(IllegalArgumentException.class, () -> Ops.get("conv2d").bind(Map.of("mode", "fft")));
        assertTrue(mode.getMessage().startsWith("conv2d: mode 'fft'"), mode.getMessage());
        var stride = assertThrows(IllegalArgumentException.class, () -> Ops.get("conv2d").bind(Map.of("stride", 0)));
        assertTrue(stride.getMessage().startsWith("conv2d: stride must be >= 1"), stride.getMessage());
        var p = assertThrows(IllegalArgumentException.class, () -> Ops.get("dropout").bind(Map.of("p", 1.0)));
        assertTrue(p.getMessage().startsWith("dropout: p must be in [0, 1)"), p.getMessage());
        var reduction = assertThrows(IllegalArgumentException.class,
                () -> Ops.get("mse_loss").bind(Map.of("reduction", "sum")));
        assertEquals("mse_loss: attribute 'reduction' must be \"mean\", got \"sum\"", reduction.getMessage());
        var dim = assertThrows(IllegalArgumentException.class, () -> Ops.get("softmax").bind(Map.of()));
        assertEquals("softmax: attribute 'dim' is required", dim.getMessage());
    }

    @Test
    void inputsAreCheckedByName() {
        Backend b = new ReferenceBackend();
        Op linear = Ops.get("linear").bind(Map.of());
        Tensor x = b.upload(Shape.of(1, 2), new float[] {1, 2});
        var missing = assertThrows(IllegalArgumentException.class, () -> linear.forward(b, Map.of("input", x)));
        assertEquals("linear: missing input 'weight'; inputs: input, weight, bias", missing.getMessage());
        var typo = assertThrows(IllegalArgumentException.class,
                () -> linear.forward(b, Map.of("input", x, "weight", x, "weigth", x)));
        assertEquals("linear: unknown input 'weigth' (did you mean 'weight'?); inputs: input, weight, bias",
                typo.getMessage());
    }

    @Test
    void backwardNeedsTheOutputGradientAndOnlyDifferentiableInputs() {
        Backend b = new ReferenceBackend();
        Op mse = Ops.get("mse_loss").bind(Map.of());
        Tensor x = b.upload(Shape.of(2), new float[] {1, 2});
        Map<String, Tensor> in = Map.of("input", x, "target", x);
        var none = assertThrows(IllegalArgumentException.class, () -> mse.backward(b, in, Map.of(), Map.of()));
        assertEquals("mse_loss: backward needs the gradient of 'output'", none.getMessage());
        var target = assertThrows(IllegalArgumentException.class, () -> mse.backward(b, in, Map.of(),
                Map.of("output", b.upload(Shape.scalar(), new float[] {1})), Set.of("target")));
        assertEquals("mse_loss: input 'target' has no gradient; inputs with gradients: input", target.getMessage());
    }

    @Test
    void linearForwardAndBackwardThroughTheReferenceBackend() {
        // y = x w^T + b with x [1,2] = [1,2], w [[1,2],[3,4],[5,6]], b [1,0,-1] -> [6, 11, 16].
        Backend b = new ReferenceBackend();
        Map<String, Tensor> in = Map.of("input", b.upload(Shape.of(1, 2), new float[] {1, 2}),
                "weight", b.upload(Shape.of(3, 2), new float[] {1, 2, 3, 4, 5, 6}),
                "bias", b.upload(Shape.of(3), new float[] {1, 0, -1}));
        Op linear = Ops.get("linear").bind(Map.of());
        Map<String, Tensor> out = linear.forward(b, in);
        assertArrayEquals(new float[] {6, 11, 16}, b.download(out.get("output")));
        Tensor dy = b.upload(Shape.of(1, 3), new float[] {1, -1, 2});
        Map<String, Tensor> g = linear.backward(b, in, out, Map.of("output", dy));
        assertArrayEquals(new float[] {1 - 3 + 10, 2 - 4 + 12}, b.download(g.get("input")));
        assertArrayEquals(new float[] {1, 2, -1, -2, 2, 4}, b.download(g.get("weight")));
        assertArrayEquals(new float[] {1, -1, 2}, b.download(g.get("bias")));
        // Asking for the weight gradient alone returns only that.
        assertEquals(Set.of("weight"), linear.backward(b, in, out, Map.of("output", dy), Set.of("weight")).keySet());
    }

    @Test
    void addGivesEachOperandItsOwnGradientCopy() {
        Backend b = new ReferenceBackend();
        Tensor x = b.upload(Shape.of(2), new float[] {1, 2});
        Tensor y = b.upload(Shape.of(2), new float[] {10, 20});
        Op add = Ops.get("add").bind(Map.of());
        Map<String, Tensor> in = Map.of("input", x, "other", y);
        Map<String, Tensor> out = add.forward(b, in);
        assertArrayEquals(new float[] {11, 22}, b.download(out.get("output")));
        Tensor dy = b.upload(Shape.of(2), new float[] {3, 4});
        Map<String, Tensor> g = add.backward(b, in, out, Map.of("output", dy));
        assertArrayEquals(new float[] {3, 4}, b.download(g.get("input")));
        assertArrayEquals(new float[] {3, 4}, b.download(g.get("other")));
        assertNotSame(g.get("input"), g.get("other"));
    }

    @Test
    void flattenKeepsTheBatchDimensionByDefault() {
        Backend b = new ReferenceBackend();
        Tensor x = b.upload(Shape.of(2, 3, 4, 5), new float[120]);
        assertEquals(Shape.of(2, 60), Ops.get("flatten").bind(Map.of()).forward(b, Map.of("input", x))
                .get("output").shape());
        assertEquals(Shape.of(2, 3, 20), Ops.get("flatten").bind(Map.of("start_dim", 2)).forward(b, Map.of("input", x))
                .get("output").shape());
        assertEquals(Shape.of(120), Ops.get("flatten").bind(Map.of("start_dim", 0)).forward(b, Map.of("input", x))
                .get("output").shape());
        var e = assertThrows(IllegalArgumentException.class,
                () -> Ops.get("flatten").bind(Map.of("start_dim", 4)).forward(b, Map.of("input", x)));
        assertEquals("flatten: start_dim 4 is out of range for input [2, 3, 4, 5]", e.getMessage());
    }

    @Test
    void opsDeclareTheirCostsReceptiveFieldsSavedStateAndViews() {
        // conv2d 3 -> 8 channels, 3x3 kernel, stride 2, dilation 2, output 8x5x5: each output sums 3*3*3 products.
        Attrs conv = Attrs.of("conv2d", Map.of("stride", 2, "dilation", 2));
        OpShapes convShapes = new OpShapes(Map.of("input", Shape.of(1, 3, 12, 12), "weight", Shape.of(8, 3, 3, 3)),
                Shape.of(1, 8, 4, 4));
        assertEquals(8L * 4 * 4 * 27, Ops.get("conv2d").macs(conv, convShapes));
        // Dilation 2 makes the 3-tap kernel span 5 pixels; the jump doubles.
        assertEquals(new ReceptiveField(5, 2), Ops.get("conv2d").receptiveField(conv, convShapes,
                ReceptiveField.input(), null));
        assertEquals(10L * 20, Ops.get("linear").macs(Attrs.of("linear", Map.of()),
                new OpShapes(Map.of("input", Shape.of(1, 20), "weight", Shape.of(10, 20)), Shape.of(1, 10))));
        assertEquals(new ReceptiveField(3, 2), Ops.get("max_pool2d").receptiveField(
                Attrs.of("max_pool2d", Map.of("kernel_size", 3, "stride", 2)), null, ReceptiveField.input(), null));
        OpShapes plane = new OpShapes(Map.of("input", Shape.of(1, 4, 7, 7)), Shape.of(1, 4, 1, 1));
        assertEquals(new ReceptiveField(7, 7), Ops.get("global_avg_pool2d").receptiveField(
                Attrs.of("global_avg_pool2d", Map.of()), plane, ReceptiveField.input(), null));
        // Ops without a window pass the wider of their inputs' fields through, spaced as the operand
        // shaped like the output: a residual add of equal shapes, and a squeeze-and-excitation gate.
        OpShapes residual = new OpShapes(Map.of("input", Shape.of(1, 8, 7, 7), "other", Shape.of(1, 8, 7, 7)),
                Shape.of(1, 8, 7, 7));
        assertEquals(new ReceptiveField(9, 4), Ops.get("add").receptiveField(Attrs.of("add", Map.of()), residual,
                new ReceptiveField(9, 4), new ReceptiveField(5, 4)));
        OpShapes gate = new OpShapes(Map.of("input", Shape.of(1, 8, 7, 7), "other", Shape.of(1, 8, 1, 1)),
                Shape.of(1, 8, 7, 7));
        assertEquals(new ReceptiveField(31, 4), Ops.get("mul").receptiveField(Attrs.of("mul", Map.of()), gate,
                new ReceptiveField(7, 4), new ReceptiveField(31, 28)));
        OpShapes gateFirst = new OpShapes(Map.of("input", Shape.of(1, 8, 1, 1), "other", Shape.of(1, 8, 7, 7)),
                Shape.of(1, 8, 7, 7));
        assertEquals(new ReceptiveField(31, 4), Ops.get("mul").receptiveField(Attrs.of("mul", Map.of()), gateFirst,
                new ReceptiveField(31, 28), new ReceptiveField(7, 4)));
        assertEquals(0, Ops.get("relu").macs(Attrs.of("relu", Map.of()), plane));

        assertEquals(4, Ops.get("max_pool2d").savedBytesPerOutputElement());
        assertEquals(4, Ops.get("min_pool2d").savedBytesPerOutputElement());
        assertEquals(4, Ops.get("dropout").savedBytesPerOutputElement());
        assertEquals(0, Ops.get("avg_pool2d").savedBytesPerOutputElement());
        assertTrue(Ops.get("flatten").isView());
        assertEquals(Set.of("flatten", "reshape"), Ops.all().stream().filter(OpDef::isView).map(OpDef::name)
                .collect(java.util.stream.Collectors.toSet()));
        // mean over H and W with keepdim: one cell sees the whole 7-row plane, like global pooling.
        assertEquals(new ReceptiveField(7, 7), Ops.get("mean").receptiveField(
                Attrs.of("mean", Map.of("dim", List.of(2, 3), "keepdim", true)), plane, ReceptiveField.input(), null));
        assertEquals(ReceptiveField.input(), Ops.get("sum").receptiveField(Attrs.of("sum", Map.of("dim", 1, "keepdim", true)),
                new OpShapes(Map.of("input", Shape.of(1, 4, 7, 7)), Shape.of(1, 1, 7, 7)), ReceptiveField.input(), null));
        assertEquals(4, Ops.get("adaptive_max_pool2d").savedBytesPerOutputElement());
        assertEquals(0, Ops.get("adaptive_avg_pool2d").savedBytesPerOutputElement());
        // 7 cells pooled to 3: windows [0,3), [2,5), [4,7), each 3 wide; stride floor(7/3) = 2.
        assertEquals(new ReceptiveField(3, 2), Ops.get("adaptive_avg_pool2d").receptiveField(
                Attrs.of("adaptive_avg_pool2d", Map.of("output_size", 3)),
                new OpShapes(Map.of("input", Shape.of(1, 4, 7, 7)), Shape.of(1, 4, 3, 3)), ReceptiveField.input(), null));
        assertEquals(2, SpatialOps.widestWindow(4, 3), "4 -> 3: windows [0,2), [1,3), [2,4)");
        assertEquals(3, SpatialOps.widestWindow(5, 3), "5 -> 3: windows [0,2), [1,4), [3,5)");
    }
}
