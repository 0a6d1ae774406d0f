package dev.fovea.backend.cpu;

import dev.fovea.backend.Backend;
import dev.fovea.primitives.Conv2dParams;
import dev.fovea.primitives.ConvMode;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static dev.fovea.testing.Arrays2.assertClose;
import static dev.fovea.testing.Arrays2.assertExact;
import static dev.fovea.testing.Arrays2.flat;
import static dev.fovea.testing.Arrays2.random;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The convolution worked examples of seed-examples.md §1–§5 and §9 through the public
 * {@link ReferenceBackend}. Inputs and kernels are small integers, so every float32 result is exact.
 */
class RefConvTest {
    private final Backend be = new ReferenceBackend();

    // §1: 1 x 3 x 5 x 5 input, two 3 x 3 x 3 filters, biases 1 and 0, zero padding 1, stride 1.
    private static final float[] X1 = flat(
            new float[] {6, 3, 4, 6, 2, 7, 4, 4, 6, 1, 2, 6, 2, 2, 7, 4, 3, 7, 7, 2, 5, 4, 1, 7, 3},
            new float[] {5, 5, 1, 7, 3, 4, 0, 3, 1, 5, 4, 3, 0, 0, 2, 2, 6, 1, 7, 3, 3, 7, 6, 5, 5},
            new float[] {6, 5, 2, 3, 6, 3, 7, 0, 2, 4, 2, 6, 4, 0, 6, 1, 3, 0, 3, 5, 1, 1, 0, 1, 4});
    private static final float[] W0C0 = {-1, 1, 1, 1, 1, 2, 0, -2, 1};
    private static final float[] W1 = flat(
            W0C0, new float[] {-1, 1, -1, -1, 1, 2, -1, -1, 1}, new float[] {-1, -1, 1, 1, -2, 2, 2, -1, 2},
            new float[] {-1, -2, 1, 1, 1, 2, -2, 2, 2}, new float[] {-2, -2, -2, -2, 1, 0, 0, -2, 0},
            new float[] {0, -2, 0, 2, -1, -1, -2, 1, -2});
    private static final float[] B1 = {1, 0};

    @Test
    void section1TrueConvolutionFlipsTheKernel() {
        // The slide prints 48 at v[0] row 2, column 3; its own partial sums give 28 (seed-examples §1).
        float[] expected = {
            0, 34, 39, 23, 35, -12, 27, 48, 7, 28, -2, 20, 28, 28, 5, -1, 27, 41, 39, 17, -6, 15, 34, 18, 35,
            -24, -18, -16, -7, -8, -10, -43, -12, -12, -6, -26, -3, -60, -10, -16, -60, -20, -27, -45, 4,
            -8, -3, 5, 17, 28};
        float[] v = conv(Shape.of(1, 3, 5, 5), X1, Shape.of(2, 3, 3, 3), W1, B1,
                Conv2dParams.of(1, 1).withMode(ConvMode.CONVOLUTION));
        assertExact("§1 convolution", expected, v);
    }

    @Test
    void section1CrossCorrelationUsesTheKernelAsWritten() {
        float[] expected = {
            23, 14, 51, 31, -12, 47, -9, 32, 58, -33, 56, -13, 16, 27, -20, 41, 14, 29, 32, -18, 36, 32, 31, 37, -13,
            9, 20, 3, 12, -23, -34, -30, -12, -47, -20, -9, -37, 8, -34, -40, 3, -31, -14, 13, -49,
            -9, -14, -26, -45, -38};
        assertExact("§1 cross-correlation (default mode)", expected,
                conv(Shape.of(1, 3, 5, 5), X1, Shape.of(2, 3, 3, 3), W1, B1, Conv2dParams.of(1, 1)));
    }

    @Test
    void section1PartialSumsOfFilter0Channel0AddUpToTheOutput() {
        // The slide prints 16 at row 4, column 1 of the channel-0 partial sums; 13 is right.
        float[] expected = {12, 26, 18, 25, 21, -5, 28, 19, 4, 24, -5, 11, 15, 17, 24, 4, 16, 20, 26, 14, 1, 13, 5, 5, 20};
        Conv2dParams p = Conv2dParams.of(1, 1).withMode(ConvMode.CONVOLUTION);
        float[] total = new float[25];
        for (int c = 0; c < 3; c++) {
            float[] xc = java.util.Arrays.copyOfRange(X1, 25 * c, 25 * (c + 1));
            float[] wc = java.util.Arrays.copyOfRange(W1, 9 * c, 9 * (c + 1));
            float[] partial = conv(Shape.of(1, 1, 5, 5), xc, Shape.of(1, 1, 3, 3), wc, null, p);
            if (c == 0) {
                assertExact("§1 partial sums, filter 0, channel 0", expected, partial);
            }
            for (int i = 0; i < 25; i++) {
                total[i] += partial[i];
            }
        }
        for (int i = 0; i < 25; i++) {
            total[i] += B1[0];
        }
        float[] v0 = java.util.Arrays.copyOf(conv(Shape.of(1, 3, 5, 5), X1, Shape.of(2, 3, 3, 3), W1, B1, p), 25);
        assertExact("§1 partial sums of the three channels plus bias = v[0]", v0, total);
        assertEquals(28f, total[2 * 5 + 3], "the corrected value at v[0] row 2, column 3");
    }

    @Test
    void section2NoPaddingShrinksTheOutput() {
        float[] x = {7, 2, 3, 3, 8, 4, 5, 3, 8, 4, 3, 3, 2, 8, 4, 2, 8, 7, 2, 7, 5, 4, 4, 5, 4};
        float[] k = {1, 0, -1, 1, 0, -1, 1, 0, -1};
        Tensor y = be.conv2d(be.upload(Shape.of(1, 1, 5, 5), x), be.upload(Shape.of(1, 1, 3, 3), k), null,
                Conv2dParams.defaults());
        assertEquals(Shape.of(1, 1, 3, 3), y.shape(), "W_out = W_in - K + 1");
        assertExact("§2", new float[] {6, -9, -8, -3, -2, -3, -3, 0, -2}, be.download(y));
    }

    @Test
    void section3SamePaddingKeepsTheSize() {
        float[] x = {60, 113, 56, 139, 85, 73, 121, 54, 84, 128, 131, 99, 70, 129, 127, 80, 57, 115, 69, 134,
            104, 126, 123, 95, 130};
        float[] expected = {114, 328, -26, 470, 158, 53, 266, -61, -30, 344, 403, 116, -47, 295, 244,
            108, -135, 256, -128, 344, 314, 346, 279, 153, 421};
        assertExact("§3 sharpen, padding 1", expected,
                conv(Shape.of(1, 1, 5, 5), x, Shape.of(1, 1, 3, 3), SHARPEN, null, Conv2dParams.of(1, 1)));
    }

    @Test
    void section4VerticalEdgeFilterOnAGreyPatch() {
        float[] patch = {189.59f, 194.95f, 190.90f, 172.70f, 185.25f, 193.31f, 175.50f, 168.63f, 186.22f};
        float[] f = {-1, 0, 1, -1, 0, 1, -1, 0, 1};
        float[] y = conv(Shape.of(1, 1, 3, 3), patch, Shape.of(1, 1, 3, 3), f, null, Conv2dParams.defaults());
        // The pixels are not exact in float32: each is off by at most half an ulp of 256 (7.7e-6), six
        // enter the sum, and the result rounds once more (half an ulp of 32 is 1.9e-6): 5e-5 bounds it.
        assertClose("§4 sum(X * F)", new float[] {32.64f}, y, 5e-5, 0);
    }

    @Test
    void section5StrideTwoSkipsEveryOtherPosition() {
        float[] x = {1, 9, 8, 4, 4, 5, 7, 4, 8, 6, 7, 9, 1, 7, 4, 0, 5, 9, 3, 8, 4, 7, 3, 5, 9, 0, 5, 4,
            7, 4, 1, 1, 8, 1, 2, 7, 6, 6, 9, 8, 7, 6, 3, 6, 3, 5, 4, 2, 7};
        assertExact("§5 stride 2", new float[] {21, 7, -24, -1, 30, 12, 7, 25, 18},
                conv(Shape.of(1, 1, 7, 7), x, Shape.of(1, 1, 3, 3), SHARPEN, null, Conv2dParams.of(2, 0)));
        assertExact("§5 stride 1", new float[] {21, 2, 7, 30, -24, -20, 5, 21, -11, 27, -1, 7, 30, -25, 12,
            3, -11, -22, 30, -17, 7, 11, 25, 12, 18},
                conv(Shape.of(1, 1, 7, 7), x, Shape.of(1, 1, 3, 3), SHARPEN, null, Conv2dParams.of(1, 0)));
    }

    @Test
    void section9SixFiveByFiveFiltersOnA32x32RgbImage() {
        Tensor y = be.conv2d(be.zeros(Shape.of(1, 3, 32, 32)), be.zeros(Shape.of(6, 3, 5, 5)),
                be.zeros(Shape.of(6)), Conv2dParams.defaults());
        assertEquals(Shape.of(1, 6, 28, 28), y.shape());
    }

    @Test
    void dilationTwoSpreadsAThreeTapKernelOverFivePixels() {
        // K_eff = 3 + 2 * 1 = 5 (§9): a 5x5 input gives one output, reading the corners and midpoints only.
        float[] x = new float[25];
        for (int i = 0; i < 25; i++) {
            x[i] = i;
        }
        float[] ones = {1, 1, 1, 1, 1, 1, 1, 1, 1};
        float[] y = conv(Shape.of(1, 1, 5, 5), x, Shape.of(1, 1, 3, 3), ones, null,
                Conv2dParams.defaults().withDilation(2));
        assertExact("dilated taps 0+2+4+10+12+14+20+22+24", new float[] {108}, y);
    }

    @Test
    void groupedConvolutionIsOneConvolutionPerGroup() {
        // 4 -> 6 channels in 2 groups equals two independent 2 -> 3 convolutions stacked on channels.
        Shape xs = Shape.of(2, 4, 6, 5);
        float[] x = random(xs.size(), 1);
        float[] w = random(6 * 2 * 3 * 3, 2);
        float[] b = random(6, 3);
        Conv2dParams p = new Conv2dParams(2, 1, 1, 0, 1, 2, 2, null);
        float[] y = conv(xs, x, Shape.of(6, 2, 3, 3), w, b, p);
        int oh = 3;
        int ow = 1;
        for (int g = 0; g < 2; g++) {
            float[] xg = new float[2 * 2 * 30];
            for (int n = 0; n < 2; n++) {
                System.arraycopy(x, (n * 4 + 2 * g) * 30, xg, n * 2 * 30, 2 * 30);
            }
            float[] yg = conv(Shape.of(2, 2, 6, 5), xg, Shape.of(3, 2, 3, 3),
                    java.util.Arrays.copyOfRange(w, g * 54, (g + 1) * 54),
                    java.util.Arrays.copyOfRange(b, g * 3, (g + 1) * 3), p.withGroups(1));
            for (int n = 0; n < 2; n++) {
                float[] expected = java.util.Arrays.copyOfRange(yg, n * 3 * oh * ow, (n + 1) * 3 * oh * ow);
                float[] actual = java.util.Arrays.copyOfRange(y, (n * 6 + 3 * g) * oh * ow, (n * 6 + 3 * g + 3) * oh * ow);
                assertExact("group " + g + ", image " + n, expected, actual);
            }
        }
    }

    @Test
    void depthwiseConvolutionFiltersEachChannelAlone() {
        // groups == Cin == Cout: channel c of the output sees only channel c of the input.
        float[] x = {1, 2, 3, 4, 10, 20, 30, 40};
        float[] w = {1, 1, 1, 1, 1, -1, 0, 0};
        float[] y = conv(Shape.of(1, 2, 2, 2), x, Shape.of(2, 1, 2, 2), w, new float[] {0.5f, 0}, Conv2dParams.defaults().withGroups(2));
        assertExact("depthwise", new float[] {10.5f, -10}, y);
    }

    @Test
    void convolutionModeEqualsCrossCorrelationWithTheKernelFlipped() {
        Shape xs = Shape.of(3, 2, 7, 6);
        Shape ws = Shape.of(4, 1, 3, 2);
        float[] x = random(xs.size(), 11);
        float[] w = random(ws.size(), 12);
        float[] flipped = new float[w.length];
        for (int o = 0; o < 4; o++) {
            for (int i = 0; i < 3; i++) {
                for (int j = 0; j < 2; j++) {
                    flipped[(o * 3 + i) * 2 + j] = w[(o * 3 + 2 - i) * 2 + 1 - j];
                }
            }
        }
        Conv2dParams p = new Conv2dParams(2, 1, 1, 2, 2, 1, 2, ConvMode.CONVOLUTION);
        assertExact("convolution vs flipped cross-correlation",
                conv(xs, x, ws, flipped, null, p.withMode(ConvMode.CROSS_CORRELATION)), conv(xs, x, ws, w, null, p));
    }

    static final float[] SHARPEN = {0, -1, 0, -1, 5, -1, 0, -1, 0};

    private float[] conv(Shape xs, float[] x, Shape ws, float[] w, float[] b, Conv2dParams p) {
        Tensor bias = b == null ? null : be.upload(Shape.of(b.length), b);
        return be.download(be.conv2d(be.upload(xs, x), be.upload(ws, w), bias, p));
    }
}
