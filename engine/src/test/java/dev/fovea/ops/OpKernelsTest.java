package dev.fovea.ops;

import dev.fovea.backend.Backend;
import dev.fovea.backend.cpu.ReferenceBackend;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.fovea.testing.Arrays2.assertClose;
import static dev.fovea.testing.Arrays2.assertExact;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every op through the registry on the reference backend, with values small enough to compute by
 * hand: this checks that each op's attributes and inputs reach the right Backend call. Gradients of
 * every op are checked by finite differences in GeneratedCasesTest.
 */
class OpKernelsTest {
    private static final double TOL = 1e-6;
    private final Backend b = new ReferenceBackend();

    @Test
    void conv2dInBothModes() {
        // x = 1..9 (3x3), w = [[1,0],[0,-1]]: cross-correlation x[i,j] - x[i+1,j+1] = -4; flipped: +4; bias 10.
        Object[] in = {"input", t(Shape.of(1, 1, 3, 3), 1, 2, 3, 4, 5, 6, 7, 8, 9),
            "weight", t(Shape.of(1, 1, 2, 2), 1, 0, 0, -1), "bias", t(Shape.of(1), 10)};
        assertExact("cross_correlation", new float[] {6, 6, 6, 6}, forward("conv2d", Map.of(), in));
        assertExact("convolution", new float[] {14, 14, 14, 14}, forward("conv2d", Map.of("mode", "convolution"), in));
        // Zero-padded to 5x5, windows at (0,0), (0,2), (2,0), (2,2): 0-1, 0-3, 0-7, 5-9, plus 10.
        assertExact("stride 2, padding 1", new float[] {9, 7, 3, 6},
                forward("conv2d", Map.of("stride", 2, "padding", 1), in));
    }

    @Test
    void poolingKinds() {
        Object[] in = {"input", t(Shape.of(1, 1, 2, 4), 1, 5, 2, 0, 3, 4, 8, -1)};
        assertExact("max", new float[] {5, 8}, forward("max_pool2d", Map.of("kernel_size", 2), in));
        assertExact("avg", new float[] {3.25f, 2.25f}, forward("avg_pool2d", Map.of("kernel_size", 2), in));
        assertExact("min", new float[] {1, -1}, forward("min_pool2d", Map.of("kernel_size", 2), in));
        // The gradient goes to each window's winner only.
        Map<String, Tensor> g = backward("max_pool2d", Map.of("kernel_size", 2), t(Shape.of(1, 1, 1, 2), 1, 2), in);
        assertExact("max backward", new float[] {0, 1, 0, 0, 0, 0, 2, 0}, b.download(g.get("input")));
        assertExact("global avg", new float[] {1.5f, 4}, forward("global_avg_pool2d", Map.of(),
                "input", t(Shape.of(1, 2, 1, 2), 1, 2, 3, 5)));
    }

    @Test
    void globalAveragePoolingChecksItsShapesUnderItsOwnName() {
        // The backends run it as adaptive average pooling to 1x1; a user's error still names global_avg_pool2d.
        var rank = assertThrows(IllegalArgumentException.class,
                () -> forward("global_avg_pool2d", Map.of(), "input", t(Shape.of(2, 3), new float[6])));
        assertEquals("global_avg_pool2d: input must be 4-D NCHW, got [2, 3]", rank.getMessage());
        var empty = assertThrows(IllegalArgumentException.class,
                () -> forward("global_avg_pool2d", Map.of(), "input", t(Shape.of(1, 2, 0, 3))));
        assertEquals("global_avg_pool2d: input [1, 2, 0, 3] has an empty H x W plane to average", empty.getMessage());
        var grad = assertThrows(IllegalArgumentException.class, () -> backward("global_avg_pool2d", Map.of(),
                t(Shape.of(1, 3, 1, 1), 1, 2, 3), "input", t(Shape.of(1, 2, 2, 2), new float[8])));
        assertTrue(grad.getMessage().endsWith("backward: grad_output must be [1, 2, 1, 1], got [1, 3, 1, 1]"),
                grad.getMessage());
        Map<String, Tensor> g = backward("global_avg_pool2d", Map.of(), t(Shape.of(1, 2, 1, 1), 4, 8),
                "input", t(Shape.of(1, 2, 2, 2), new float[8]));
        assertExact("global avg backward", new float[] {1, 1, 1, 1, 2, 2, 2, 2}, b.download(g.get("input")));
    }

    @Test
    void batchNormTrainingUpdatesAndReturnsTheRunningStatistics() {
        // Channel values 1 and 3: mean 2, biased var 1, unbiased var 2.
        Map<String, Tensor> in = inputs("input", t(Shape.of(2, 1), 1, 3), "weight", t(Shape.of(1), 2),
                "bias", t(Shape.of(1), 1), "running_mean", t(Shape.of(1), 0), "running_var", t(Shape.of(1), 1));
        Map<String, Tensor> out = Ops.get("batch_norm").bind(Map.of("training", true)).forward(b, in);
        float s = (float) (1 / Math.sqrt(1 + 1e-5));
        assertClose("output", new float[] {1 - 2 * s, 1 + 2 * s}, b.download(out.get("output")), TOL, TOL);
        assertClose("running_mean", new float[] {0.2f}, b.download(out.get("running_mean")), TOL, TOL);
        assertClose("running_var", new float[] {0.9f + 0.2f}, b.download(out.get("running_var")), TOL, TOL);
        assertClose("updated in place", new float[] {0.2f}, b.download(in.get("running_mean")), TOL, TOL);
    }

    @Test
    void batchNormInferenceUsesTheRunningStatistics() {
        float[] y = forward("batch_norm", Map.of("eps", 1e-5), "input", t(Shape.of(1, 1), 3), "weight", t(Shape.of(1), 2),
                "bias", t(Shape.of(1), 1), "running_mean", t(Shape.of(1), 1), "running_var", t(Shape.of(1), 4));
        assertClose("inference", new float[] {(float) (2 * 2 / Math.sqrt(4 + 1e-5) + 1)}, y, TOL, TOL);
    }

    @Test
    void activations() {
        Object[] in = {"input", t(Shape.of(1, 3), -1, 0.5f, 2)};
        assertExact("relu", new float[] {0, 0.5f, 2}, forward("relu", Map.of(), in));
        assertClose("leaky_relu default", new float[] {-0.01f, 0.5f, 2}, forward("leaky_relu", Map.of(), in), TOL, TOL);
        assertClose("leaky_relu 0.2", new float[] {-0.2f, 0.5f, 2},
                forward("leaky_relu", Map.of("negative_slope", 0.2), in), TOL, TOL);
        assertClose("sigmoid", new float[] {sigmoid(-1), sigmoid(0.5), sigmoid(2)}, forward("sigmoid", Map.of(), in),
                TOL, TOL);
        assertClose("tanh", new float[] {(float) Math.tanh(-1), (float) Math.tanh(0.5), (float) Math.tanh(2)},
                forward("tanh", Map.of(), in), TOL, TOL);
        assertClose("prelu per channel", new float[] {-0.5f, -0.5f}, forward("prelu", Map.of(),
                "input", t(Shape.of(1, 2, 1, 1), -1, -2), "weight", t(Shape.of(2), 0.5f, 0.25f)), TOL, TOL);
    }

    @Test
    void softmaxAndLogSoftmaxAlongTheGivenDim() {
        Object[] in = {"input", t(Shape.of(1, 2), 0, (float) Math.log(3))};
        assertClose("softmax", new float[] {0.25f, 0.75f}, forward("softmax", Map.of("dim", 1), in), TOL, TOL);
        assertClose("log_softmax", new float[] {(float) Math.log(0.25), (float) Math.log(0.75)},
                forward("log_softmax", Map.of("dim", -1), in), TOL, TOL);
        // The same two values as a column: the distribution runs along dim 0.
        assertClose("softmax dim 0", new float[] {0.25f, 0.75f}, forward("softmax", Map.of("dim", 0),
                "input", t(Shape.of(2, 1), 0, (float) Math.log(3))), TOL, TOL);
    }

    @Test
    void losses() {
        float ln2 = (float) Math.log(2);
        assertClose("cross_entropy", new float[] {(float) -Math.log(0.75)}, forward("cross_entropy", Map.of(),
                "input", t(Shape.of(1, 2), 0, (float) Math.log(3)), "target", t(Shape.of(1), 1)), TOL, TOL);
        assertClose("binary_cross_entropy", new float[] {ln2}, forward("binary_cross_entropy", Map.of(),
                "input", t(Shape.of(1), 0.5f), "target", t(Shape.of(1), 1)), TOL, TOL);
        assertClose("binary_cross_entropy_with_logits", new float[] {ln2}, forward("binary_cross_entropy_with_logits",
                Map.of(), "input", t(Shape.of(1), 0), "target", t(Shape.of(1), 1)), TOL, TOL);
        assertClose("mse_loss", new float[] {5}, forward("mse_loss", Map.of(),
                "input", t(Shape.of(2), 1, 3), "target", t(Shape.of(2), 0, 0)), TOL, TOL);
        // d(mean (x - t)^2)/dx = (x - t) for two elements, scaled by the upstream gradient 3.
        Map<String, Tensor> g = backward("mse_loss", Map.of(), t(Shape.scalar(), 3),
                "input", t(Shape.of(2), 1, 3), "target", t(Shape.of(2), 0, 0));
        assertClose("mse_loss backward", new float[] {3, 9}, b.download(g.get("input")), TOL, TOL);
        assertEquals(List.of("input"), List.copyOf(g.keySet()));
    }

    @Test
    void concatAndItsSplitBackward() {
        Object[] in = {"input", t(Shape.of(1, 1), 2), "other", t(Shape.of(1, 2), 3, 4)};
        assertExact("concat", new float[] {2, 3, 4}, forward("concat", Map.of("dim", 1), in));
        Map<String, Tensor> g = backward("concat", Map.of("dim", -1), t(Shape.of(1, 3), 7, 8, 9), in);
        assertExact("grad input", new float[] {7}, b.download(g.get("input")));
        assertExact("grad other", new float[] {8, 9}, b.download(g.get("other")));
    }

    @Test
    void dropoutZeroesOrScalesAndBackwardUsesTheSameMask() {
        float[] x = new float[200];
        java.util.Arrays.fill(x, 1);
        Object[] in = {"input", t(Shape.of(200), x)};
        Map<String, Object> attrs = Map.of("p", 0.5, "training", true, "seed", 42);
        float[] y = forward("dropout", attrs, in);
        int zeros = 0;
        for (float v : y) {
            assertTrue(v == 0 || v == 2, "inverted dropout keeps x / (1 - p) = 2 or drops to 0, got " + v);
            zeros += v == 0 ? 1 : 0;
        }
        assertTrue(zeros > 60 && zeros < 140, "about half dropped, got " + zeros);
        assertExact("same seed, same mask", y, forward("dropout", attrs, in));
        Map<String, Tensor> g = backward("dropout", attrs, t(Shape.of(200), x), in);
        assertExact("backward = mask", y, b.download(g.get("input")));
        assertExact("eval is the identity", x, forward("dropout", Map.of("training", false), in));
    }

    private float[] forward(String op, Map<String, ?> attrs, Object... namesAndTensors) {
        return b.download(Ops.get(op).bind(attrs).forward(b, inputs(namesAndTensors)).get(Op.OUTPUT));
    }

    private Map<String, Tensor> backward(String op, Map<String, ?> attrs, Tensor dy, Object... namesAndTensors) {
        Op bound = Ops.get(op).bind(attrs);
        Map<String, Tensor> in = inputs(namesAndTensors);
        return bound.backward(b, in, bound.forward(b, in), Map.of(Op.OUTPUT, dy));
    }

    private static Map<String, Tensor> inputs(Object... namesAndTensors) {
        Map<String, Tensor> m = new LinkedHashMap<>();
        for (int i = 0; i < namesAndTensors.length; i += 2) {
            // Fresh copies: batch norm updates its running statistics in place.
            Tensor t = (Tensor) namesAndTensors[i + 1];
            m.put((String) namesAndTensors[i], Tensor.of(t.shape(), new ReferenceBackend().download(t)));
        }
        return m;
    }

    private static Tensor t(Shape shape, float... data) {
        return Tensor.of(shape, data);
    }

    private static float sigmoid(double x) {
        return (float) (1 / (1 + Math.exp(-x)));
    }
}
