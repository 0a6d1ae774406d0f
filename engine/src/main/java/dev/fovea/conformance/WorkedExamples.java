package dev.fovea.conformance;

import dev.fovea.tensor.Shape;

import java.util.ArrayList;
import java.util.List;

/**
 * The worked examples of the course material (seed-examples.md §1-§8) as conformance cases with
 * their exact expected values. Integer results are exact in float32 whatever the summation order,
 * so they are compared exactly; values the material prints rounded carry a tolerance of half the
 * last printed digit.
 */
public final class WorkedExamples {
    private WorkedExamples() {
    }

    public static List<ConformanceCase> all() {
        List<ConformanceCase> cases = new ArrayList<>();
        cases.addAll(convolution());
        cases.addAll(pooling());
        cases.addAll(softmaxAndCrossEntropy());
        return cases;
    }

    // §1: 1x3x5x5 input, two 3x3x3 filters with bias, padding 1, in both convolution modes.
    private static final float[] X1 = {
        6, 3, 4, 6, 2, 7, 4, 4, 6, 1, 2, 6, 2, 2, 7, 4, 3, 7, 7, 2, 5, 4, 1, 7, 3,
        5, 5, 1, 7, 3, 4, 0, 3, 1, 5, 4, 3, 0, 0, 2, 2, 6, 1, 7, 3, 3, 7, 6, 5, 5,
        6, 5, 2, 3, 6, 3, 7, 0, 2, 4, 2, 6, 4, 0, 6, 1, 3, 0, 3, 5, 1, 1, 0, 1, 4};
    private static final float[] W1 = {
        -1, 1, 1, 1, 1, 2, 0, -2, 1, -1, 1, -1, -1, 1, 2, -1, -1, 1, -1, -1, 1, 1, -2, 2, 2, -1, 2,
        -1, -2, 1, 1, 1, 2, -2, 2, 2, -2, -2, -2, -2, 1, 0, 0, -2, 0, 0, -2, 0, 2, -1, -1, -2, 1, -2};

    private static List<ConformanceCase> convolution() {
        List<ConformanceCase> cases = new ArrayList<>();
        TensorData x = t(Shape.of(1, 3, 5, 5), X1);
        TensorData w = t(Shape.of(2, 3, 3, 3), W1);
        TensorData b = t(Shape.of(2), 1, 0);
        cases.add(conv("ex1_conv_true_convolution_pad1", "convolution", 1, 1, x, w, b, t(Shape.of(1, 2, 5, 5),
                0, 34, 39, 23, 35, -12, 27, 48, 7, 28, -2, 20, 28, 28, 5, -1, 27, 41, 39, 17, -6, 15, 34, 18, 35,
                -24, -18, -16, -7, -8, -10, -43, -12, -12, -6, -26, -3, -60, -10, -16, -60, -20, -27, -45, 4,
                -8, -3, 5, 17, 28)));
        cases.add(conv("ex1_conv_cross_correlation_pad1", "cross_correlation", 1, 1, x, w, b, t(Shape.of(1, 2, 5, 5),
                23, 14, 51, 31, -12, 47, -9, 32, 58, -33, 56, -13, 16, 27, -20, 41, 14, 29, 32, -18, 36, 32, 31, 37, -13,
                9, 20, 3, 12, -23, -34, -30, -12, -47, -20, -9, -37, 8, -34, -40, 3, -31, -14, 13, -49,
                -9, -14, -26, -45, -38)));
        // §1's per-channel partial sums: filter 0 on channel 0 alone, flipped, no bias.
        cases.add(conv("ex1_conv_partial_sums_filter0_channel0", "convolution", 1, 1,
                t(Shape.of(1, 1, 5, 5), java.util.Arrays.copyOfRange(X1, 0, 25)),
                t(Shape.of(1, 1, 3, 3), java.util.Arrays.copyOfRange(W1, 0, 9)), null, t(Shape.of(1, 1, 5, 5),
                        12, 26, 18, 25, 21, -5, 28, 19, 4, 24, -5, 11, 15, 17, 24, 4, 16, 20, 26, 14, 1, 13, 5, 5, 20)));
        cases.add(conv("ex2_conv_no_padding", "cross_correlation", 1, 0,
                t(Shape.of(1, 1, 5, 5), 7, 2, 3, 3, 8, 4, 5, 3, 8, 4, 3, 3, 2, 8, 4, 2, 8, 7, 2, 7, 5, 4, 4, 5, 4),
                t(Shape.of(1, 1, 3, 3), 1, 0, -1, 1, 0, -1, 1, 0, -1), null,
                t(Shape.of(1, 1, 3, 3), 6, -9, -8, -3, -2, -3, -3, 0, -2)));
        TensorData sharpen = t(Shape.of(1, 1, 3, 3), 0, -1, 0, -1, 5, -1, 0, -1, 0);
        cases.add(conv("ex3_conv_same_padding_sharpen", "cross_correlation", 1, 1,
                t(Shape.of(1, 1, 5, 5), 60, 113, 56, 139, 85, 73, 121, 54, 84, 128, 131, 99, 70, 129, 127,
                        80, 57, 115, 69, 134, 104, 126, 123, 95, 130),
                sharpen, null, t(Shape.of(1, 1, 5, 5), 114, 328, -26, 470, 158, 53, 266, -61, -30, 344,
                        403, 116, -47, 295, 244, 108, -135, 256, -128, 344, 314, 346, 279, 153, 421)));
        // §4: the material's decimals are not exact in float32; 1e-4 covers their rounding in a 6-term sum.
        cases.add(ConformanceCase.builder("ex4_conv_vertical_edge_patch_32_64", "conv2d")
                .input("input", t(Shape.of(1, 1, 3, 3), 189.59f, 194.95f, 190.90f, 172.70f, 185.25f, 193.31f,
                        175.50f, 168.63f, 186.22f))
                .input("weight", t(Shape.of(1, 1, 3, 3), -1, 0, 1, -1, 0, 1, -1, 0, 1))
                .output("output", t(Shape.of(1, 1, 1, 1), 32.64f))
                .tolerance(new Tolerance(1e-4, 0)).build());
        TensorData x5 = t(Shape.of(1, 1, 7, 7), 1, 9, 8, 4, 4, 5, 7, 4, 8, 6, 7, 9, 1, 7, 4, 0, 5, 9, 3, 8, 4,
                7, 3, 5, 9, 0, 5, 4, 7, 4, 1, 1, 8, 1, 2, 7, 6, 6, 9, 8, 7, 6, 3, 6, 3, 5, 4, 2, 7);
        cases.add(conv("ex5_conv_stride2_sharpen", "cross_correlation", 2, 0, x5, sharpen, null,
                t(Shape.of(1, 1, 3, 3), 21, 7, -24, -1, 30, 12, 7, 25, 18)));
        cases.add(conv("ex5_conv_stride1_sharpen", "cross_correlation", 1, 0, x5, sharpen, null,
                t(Shape.of(1, 1, 5, 5), 21, 2, 7, 30, -24, -20, 5, 21, -11, 27, -1, 7, 30, -25, 12,
                        3, -11, -22, 30, -17, 7, 11, 25, 12, 18)));
        return cases;
    }

    private static ConformanceCase conv(String name, String mode, int stride, int padding, TensorData x, TensorData w,
                                        TensorData b, TensorData y) {
        ConformanceCase.Builder c = ConformanceCase.builder(name, "conv2d")
                .attr("stride", stride).attr("padding", padding).attr("mode", mode)
                .input("input", x).input("weight", w);
        if (b != null) {
            c.input("bias", b);
        }
        return c.output("output", y).tolerance(Tolerance.EXACT).build();
    }

    // §6: 2x2 windows, stride 2.
    private static List<ConformanceCase> pooling() {
        TensorData x = t(Shape.of(1, 1, 6, 6), 3, 0, 1, 5, 1, 3, 5, 7, 3, 4, 4, 6, 7, 7, 1, 8, 3, 5,
                6, 1, 7, 0, 0, 5, 0, 4, 5, 5, 7, 2, 3, 2, 0, 2, 0, 2);
        Shape out = Shape.of(1, 1, 3, 3);
        return List.of(
                pool("ex6_max_pool2d_2x2", "max_pool2d", x, t(out, 7, 5, 6, 7, 8, 5, 4, 5, 7)),
                pool("ex6_avg_pool2d_2x2", "avg_pool2d", x, t(out, 3.75f, 3.25f, 3.5f, 5.25f, 4, 3.25f, 2.25f, 3, 2.75f)),
                pool("ex6_min_pool2d_2x2", "min_pool2d", x, t(out, 0, 1, 1, 1, 0, 0, 0, 0, 0)),
                pool("ex6_min_pool2d_2x2_second", "min_pool2d",
                        t(Shape.of(1, 1, 4, 4), 15, 24, 13, 19, 14, 63, 85, 33, 81, 74, 77, 12, 55, 93, 15, 69),
                        t(Shape.of(1, 1, 2, 2), 14, 13, 55, 12)));
    }

    private static ConformanceCase pool(String name, String op, TensorData x, TensorData y) {
        return ConformanceCase.builder(name, op).attr("kernel_size", 2).attr("stride", 2)
                .input("input", x).output("output", y).tolerance(Tolerance.EXACT).build();
    }

    private static List<ConformanceCase> softmaxAndCrossEntropy() {
        List<ConformanceCase> cases = new ArrayList<>();
        // §7: printed to 4 decimals.
        cases.add(ConformanceCase.builder("ex7_softmax", "softmax").attr("dim", 1)
                .input("input", t(Shape.of(1, 5), -0.8f, 2.0f, 6.0f, -2.7f, 0.8f))
                .output("output", t(Shape.of(1, 5), 0.0011f, 0.0179f, 0.9755f, 0.0002f, 0.0054f))
                .tolerance(new Tolerance(5e-5, 0)).build());
        // §8, natural log. cross_entropy takes logits: log(y_hat) has softmax y_hat (the rows sum to 1),
        // and the 0.0 entry becomes a logit of -100, whose probability (4e-44) is zero to float precision.
        // The gradient of the mean loss over one row is y_hat - one_hot.
        cases.add(crossEntropy("ex8_cross_entropy_a", new double[] {0.20, 0.0, 0.05, 0.72, 0.03}, 0.32850f));
        cases.add(crossEntropy("ex8_cross_entropy_b", new double[] {0.30, 0.0, 0.05, 0.52, 0.13}, 0.65393f));
        cases.add(crossEntropy("ex8_cross_entropy_c", new double[] {0.60, 0.0, 0.07, 0.30, 0.03}, 1.20397f));
        // Binary: the gradient of BCE on a probability p with label y is (p - y) / (p (1 - p)).
        cases.add(binaryCrossEntropy("ex8_binary_cross_entropy_y0_p020", 0.20f, 0, 0.22314f, 1.25f));
        cases.add(binaryCrossEntropy("ex8_binary_cross_entropy_y1_p092", 0.92f, 1, 0.08338f, -0.08f / (0.92f * 0.08f)));
        cases.add(binaryCrossEntropy("ex8_binary_cross_entropy_y0_p065", 0.65f, 0, 1.04982f, 0.65f / (0.65f * 0.35f)));
        // §8's note: probabilities of exactly 0 and 1 give a finite loss and gradient (here both zero).
        cases.add(ConformanceCase.builder("ex8_binary_cross_entropy_exact_0_and_1", "binary_cross_entropy")
                .input("input", t(Shape.of(2), 0, 1)).input("target", t(Shape.of(2), 0, 1))
                .output("output", TensorData.scalar(0))
                .gradOutput("output", TensorData.scalar(1)).gradInput("input", t(Shape.of(2), 0, 0))
                .tolerance(new Tolerance(1e-6, 0)).build());
        return cases;
    }

    private static ConformanceCase crossEntropy(String name, double[] probabilities, float loss) {
        float[] logits = new float[probabilities.length];
        float[] grad = new float[probabilities.length];
        for (int i = 0; i < logits.length; i++) {
            logits[i] = probabilities[i] == 0 ? -100f : (float) Math.log(probabilities[i]);
            grad[i] = (float) probabilities[i] - (i == 3 ? 1 : 0);
        }
        return ConformanceCase.builder(name, "cross_entropy")
                .input("input", t(Shape.of(1, 5), logits)).input("target", t(Shape.of(1), 3))
                .output("output", TensorData.scalar(loss))
                .gradOutput("output", TensorData.scalar(1)).gradInput("input", t(Shape.of(1, 5), grad))
                // The material prints 5 decimals.
                .tolerance(new Tolerance(1e-5, 0)).build();
    }

    private static ConformanceCase binaryCrossEntropy(String name, float p, float y, float loss, float grad) {
        return ConformanceCase.builder(name, "binary_cross_entropy")
                .input("input", t(Shape.of(1), p)).input("target", t(Shape.of(1), y))
                .output("output", TensorData.scalar(loss))
                .gradOutput("output", TensorData.scalar(1)).gradInput("input", t(Shape.of(1), grad))
                .tolerance(new Tolerance(1e-5, 1e-5)).build();
    }

    private static TensorData t(Shape shape, float... data) {
        return TensorData.of(shape, data);
    }
}
