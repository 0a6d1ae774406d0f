package dev.fovea.backend.cpu;

import dev.fovea.backend.Backend;
import dev.fovea.backend.Grads;
import dev.fovea.primitives.Conv2dParams;
import dev.fovea.primitives.ConvMode;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.testing.GradCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static dev.fovea.testing.Arrays2.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Finite-difference checks of conv2d's input, weight and bias gradients on the reference backend,
 * over hand-picked corner cases and seeded random shapes that mix stride, padding, dilation,
 * groups (depthwise included), both modes, non-square kernels, odd sizes and batches above one.
 */
class RefConvGradientTest {
    private final Backend be = new ReferenceBackend();

    record Case(Shape input, Shape weight, Conv2dParams params) {
        @Override
        public String toString() {
            return "x" + input + " w" + weight + " stride " + params.strideH() + "x" + params.strideW()
                    + " pad " + params.padH() + "x" + params.padW() + " dil " + params.dilationH() + "x"
                    + params.dilationW() + " groups " + params.groups() + " " + params.mode();
        }
    }

    static Stream<Arguments> cases() {
        List<Case> cases = new ArrayList<>(List.of(
                // 1x1 kernel, pointwise
                new Case(Shape.of(2, 3, 4, 5), Shape.of(2, 3, 1, 1), Conv2dParams.defaults()),
                // depthwise, padding, convolution mode
                new Case(Shape.of(2, 4, 5, 5), Shape.of(4, 1, 3, 3),
                        new Conv2dParams(1, 1, 1, 1, 1, 1, 4, ConvMode.CONVOLUTION)),
                // depthwise with channel multiplier 2, stride 2, dilation 2
                new Case(Shape.of(1, 3, 9, 8), Shape.of(6, 1, 3, 3), new Conv2dParams(2, 2, 2, 2, 2, 2, 3, null)),
                // kernel as large as the padded input: a single output cell
                new Case(Shape.of(3, 2, 3, 3), Shape.of(2, 2, 5, 5), Conv2dParams.of(1, 1)),
                // stride larger than the kernel: some inputs get no gradient at all
                new Case(Shape.of(2, 2, 7, 7), Shape.of(3, 2, 2, 2), Conv2dParams.of(3, 0)),
                // padding larger than the kernel: border outputs see only zeros
                new Case(Shape.of(1, 1, 3, 4), Shape.of(2, 1, 2, 2), Conv2dParams.of(1, 3))));
        SplittableRandom r = new SplittableRandom(20261122);
        while (cases.size() < 32) {
            int groups = 1 + r.nextInt(3);
            int cinG = 1 + r.nextInt(2);
            int coutG = 1 + r.nextInt(2);
            int kh = 1 + r.nextInt(3);
            int kw = 1 + r.nextInt(3);
            var p = new Conv2dParams(1 + r.nextInt(3), 1 + r.nextInt(3), r.nextInt(3), r.nextInt(3),
                    1 + r.nextInt(2), 1 + r.nextInt(2), groups,
                    r.nextBoolean() ? ConvMode.CROSS_CORRELATION : ConvMode.CONVOLUTION);
            int minH = Math.max(1, Conv2dParams.effectiveKernel(kh, p.dilationH()) - 2 * p.padH());
            int minW = Math.max(1, Conv2dParams.effectiveKernel(kw, p.dilationW()) - 2 * p.padW());
            cases.add(new Case(Shape.of(1 + r.nextInt(3), groups * cinG, minH + r.nextInt(5), minW + r.nextInt(5)),
                    Shape.of(groups * coutG, cinG, kh, kw), p));
        }
        return cases.stream().map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void gradientsMatchFiniteDifferences(Case c) {
        long seed = c.toString().hashCode();
        float[] x = random(c.input().size(), seed);
        float[] w = random(c.weight().size(), seed + 1);
        float[] b = random(c.weight().dim(0), seed + 2);
        Shape ys = c.params().outputShape(c.input(), c.weight(), null);
        float[] dy = random(ys.size(), seed + 3);

        Grads g = be.conv2dBackward(be.upload(ys, dy), be.upload(c.input(), x), be.upload(c.weight(), w), true, true,
                c.params());
        assertEquals(c.input(), g.input().shape());
        assertEquals(c.weight(), g.weight().shape());
        GradCheck.check("d input", x, xv -> conv(c, xv, w, b), dy, be.download(g.input()));
        GradCheck.check("d weight", w, wv -> conv(c, x, wv, b), dy, be.download(g.weight()));
        GradCheck.check("d bias", b, bv -> conv(c, x, w, bv), dy, be.download(g.bias()));
    }

    @Test
    void skippedGradientsAreNotComputed() {
        Shape xs = Shape.of(1, 2, 4, 4);
        Shape ws = Shape.of(3, 2, 3, 3);
        Grads g = be.conv2dBackward(be.zeros(Shape.of(1, 3, 2, 2)), be.zeros(xs), be.zeros(ws), false, false,
                Conv2dParams.defaults());
        assertNull(g.input(), "needInputGrad = false");
        assertNull(g.bias(), "hasBias = false");
        assertEquals(ws, g.weight().shape());
    }

    private float[] conv(Case c, float[] x, float[] w, float[] b) {
        Tensor y = be.conv2d(be.upload(c.input(), x), be.upload(c.weight(), w),
                be.upload(Shape.of(b.length), b), c.params());
        return be.download(y);
    }
}
