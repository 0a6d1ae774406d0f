package dev.fovea.backend.cpu;

import dev.fovea.backend.Grads;
import dev.fovea.primitives.ConvGeometry;
import dev.fovea.primitives.ConvMode;
import dev.fovea.primitives.Conv2dParams;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.testing.Arrays2;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Winograd F(2x2, 3x3) route against the reference backend, forward, input gradient and weight
 * gradient, through {@link CpuBackend} so that the routing is checked too.
 *
 * <p>Tolerance, from the transforms' conditioning: with inputs and weights in [-1, 1), a transformed
 * input value sums at most 4 inputs (|V| <= 4, B^T has entries 0 and +-1) and a transformed kernel value
 * is at most (3/2)^2 = 2.25 (G's rows sum to at most 3/2 in absolute value), so each of the 16 channel
 * sums adds products up to 9 in size, and an output adds up to 9 of those sums (A^T has entries 0 and
 * +-1): the terms whose rounding reaches an output are up to 9 times larger than the direct sum's
 * products, while the number of rounded adds per output is about the same (cin per point plus 8).
 * The direct route's bound, 4e-6 per term (FastConvTest), becomes 9 x 4e-6 = 3.6e-5 per term. The
 * root-mean-square error is checked as well, against a tenth of that bound, so that a transform that
 * lost precision systematically would fail even where the worst case still passes.
 *
 * <p>The weight gradient sums, for each transform point, products of A dY A^T (each value sums at most 4
 * of dy's values: A's rows hold at most two entries +-1) and of V (at most 4 inputs), so up to 16 in
 * size, over a quarter as many tiles as the direct sum has pixels; dw = G^T dU G then adds them with
 * weights whose absolute sums are at most 2 x 2 = 4 (G's columns sum to 2, 1 and 2 in absolute value).
 * The terms whose rounding reaches a weight therefore add up to at most 4 x 16 / 4 = 16 times the direct
 * sum's, and the bound is 16 x 4e-6 per pixel term, with the same root-mean-square check.
 */
class WinogradTest {
    private static final ReferenceBackend REF = new ReferenceBackend();
    private static final CpuBackend FAST = new CpuBackend(2);

    @AfterAll
    static void close() {
        FAST.close();
    }

    record Case(String name, Shape x, Shape w, Conv2dParams p, boolean bias) {
        @Override
        public String toString() {
            return name + " x" + x + " w" + w + " " + p + (bias ? " bias" : "");
        }
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                new Case("resnet-like pad 1", Shape.of(3, 16, 8, 8), Shape.of(16, 16, 3, 3), Conv2dParams.of(1, 1), false),
                new Case("bias, cout != cin", Shape.of(2, 16, 6, 10), Shape.of(24, 16, 3, 3), Conv2dParams.of(1, 1), true),
                // Odd output sizes: the last row and column of tiles are cropped.
                new Case("pad 0, odd output", Shape.of(2, 17, 9, 8), Shape.of(16, 17, 3, 3), Conv2dParams.of(1, 0), true),
                new Case("pad 2, odd input", Shape.of(1, 16, 5, 7), Shape.of(18, 16, 3, 3), Conv2dParams.of(1, 2), false),
                new Case("per-axis padding 0 x 2", Shape.of(2, 16, 7, 6), Shape.of(16, 16, 3, 3),
                        new Conv2dParams(1, 1, 0, 2, 1, 1, 1, ConvMode.CROSS_CORRELATION), true),
                new Case("convolution mode", Shape.of(2, 16, 6, 6), Shape.of(16, 16, 3, 3),
                        Conv2dParams.of(1, 1).withMode(ConvMode.CONVOLUTION), true),
                // 256 tiles per image: batches of 2 images, the last of 1.
                new Case("large plane, 3 batches", Shape.of(5, 16, 32, 32), Shape.of(16, 16, 3, 3), Conv2dParams.of(1, 1),
                        true),
                // More than Sgemm.FEW_ROWS output channels: the GEMMs' row-block path.
                new Case("300 output channels", Shape.of(2, 16, 4, 4), Shape.of(300, 16, 3, 3), Conv2dParams.of(1, 1),
                        false),
                new Case("2x2 output", Shape.of(3, 20, 4, 4), Shape.of(16, 20, 3, 3), Conv2dParams.of(1, 0), true))
                .map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesReference(Case c) {
        long seed = c.toString().hashCode();
        Tensor x = REF.upload(c.x, Arrays2.random(c.x.size(), seed));
        Tensor w = REF.upload(c.w, Arrays2.random(c.w.size(), seed + 1));
        Tensor b = c.bias ? REF.upload(Shape.of(c.w.dim(0)), Arrays2.random(c.w.dim(0), seed + 2)) : null;
        Tensor yRef = REF.conv2d(x, w, b, c.p);
        Tensor yFast = FAST.conv2d(x, w, b, c.p);
        String decision = decisionFor(c.x, c.w);
        assertTrue(decision.contains("Winograd F(2x2,3x3) forward, input gradient and weight gradient"), decision);
        assertCloseToReference("forward", REF.download(yRef), FAST.download(yFast), 9 * 4e-6 * c.x.dim(1) * 9 + 1e-6);

        Tensor dy = REF.upload(yRef.shape(), Arrays2.random(yRef.size(), seed + 3));
        Grads ref = REF.conv2dBackward(dy, x, w, c.bias, true, c.p);
        Grads fast = FAST.conv2dBackward(dy, x, w, c.bias, true, c.p);
        assertCloseToReference("input grad", REF.download(ref.input()), FAST.download(fast.input()),
                9 * 4e-6 * c.w.dim(0) * 9 + 1e-6);
        assertCloseToReference("weight grad", REF.download(ref.weight()), FAST.download(fast.weight()),
                16 * 4e-6 * c.x.dim(0) * yRef.shape().dim(2) * yRef.shape().dim(3) + 1e-6);
        if (c.bias) {
            Arrays2.assertClose("bias grad", REF.download(ref.bias()), FAST.download(fast.bias()), 1e-4, 1e-5);
        } else {
            assertNull(fast.bias());
        }
    }

    /** Every element within {@code bound} of the reference, and the root-mean-square error within a tenth of it. */
    private static void assertCloseToReference(String what, float[] expected, float[] actual, double bound) {
        Arrays2.assertClose(what, expected, actual, bound, 0);
        double squares = 0;
        for (int i = 0; i < expected.length; i++) {
            double d = (double) actual[i] - expected[i];
            squares += d * d;
        }
        double rms = Math.sqrt(squares / expected.length);
        assertTrue(rms <= bound / 10, what + ": root-mean-square error " + rms + " above " + bound / 10);
    }

    /** The decision the backend recorded for input x and weight w. */
    private static String decisionFor(Shape x, Shape w) {
        String key = "conv2d " + x.dim(1) + "x" + x.dim(2) + "x" + x.dim(3) + " -> " + w.dim(0) + "x";
        return FAST.decisions().stream().filter(d -> d.startsWith(key)).reduce((a, b) -> b)
                .orElseThrow(() -> new AssertionError("no decision for " + key + " in " + FAST.decisions()));
    }

    @Test
    void declinesWhatItCannotDoWithReasons() {
        assertEquals("fewer than 16 input or output channels (GEMMs too small to gain)",
                Winograd.declines(geometry(Shape.of(1, 3, 8, 8), Shape.of(64, 3, 3, 3), Conv2dParams.of(1, 1))));
        assertEquals("stride 2x2, not 1",
                Winograd.declines(geometry(Shape.of(1, 16, 8, 8), Shape.of(16, 16, 3, 3), Conv2dParams.of(2, 1))));
        assertEquals("kernel 1x1, not 3x3",
                Winograd.declines(geometry(Shape.of(1, 16, 8, 8), Shape.of(16, 16, 1, 1), Conv2dParams.of(1, 0))));
        assertEquals("dilated", Winograd.declines(geometry(Shape.of(1, 16, 8, 8), Shape.of(16, 16, 3, 3),
                Conv2dParams.of(1, 2).withDilation(2))));
        assertEquals("grouped", Winograd.declines(geometry(Shape.of(1, 32, 8, 8), Shape.of(32, 16, 3, 3),
                Conv2dParams.of(1, 1).withGroups(2))));
        assertEquals("padding above 2 (the input gradient would need a negative padding)",
                Winograd.declines(geometry(Shape.of(1, 16, 8, 8), Shape.of(16, 16, 3, 3), Conv2dParams.of(1, 3))));
        assertEquals("output narrower than one 2x2 tile",
                Winograd.declines(geometry(Shape.of(1, 16, 3, 8), Shape.of(16, 16, 3, 3), Conv2dParams.of(1, 0))));
        assertNull(Winograd.declines(geometry(Shape.of(1, 16, 8, 8), Shape.of(16, 16, 3, 3), Conv2dParams.of(1, 1))));
    }

    @Test
    void switchOffSelectsIm2colAndNamesTheReason() {
        ConvRouter off = new ConvRouter(false, true);
        ConvGeometry g = geometry(Shape.of(1, 16, 8, 8), Shape.of(16, 16, 3, 3), Conv2dParams.of(1, 1));
        assertEquals(ConvRouter.Route.IM2COL, off.route(g));
        assertEquals(List.of("conv2d 16x8x8 -> 16x8x8 kernel 3x3 stride 1x1 pad 1x1 dilation 1x1 groups 1: im2col + GEMM"
                + " (Winograd: off by -Dfovea.winograd=off)"), off.decisions());
        assertEquals(ConvRouter.Route.WINOGRAD, new ConvRouter(true, true).route(g));
        ConvRouter noWeightGrad = new ConvRouter(true, false);
        assertEquals(ConvRouter.Route.WINOGRAD_DATA, noWeightGrad.route(g));
        assertEquals(List.of("conv2d 16x8x8 -> 16x8x8 kernel 3x3 stride 1x1 pad 1x1 dilation 1x1 groups 1: Winograd"
                + " F(2x2,3x3) forward and input gradient, im2col + GEMM weight gradient (off by"
                + " -Dfovea.winograd.wgrad=off)"), noWeightGrad.decisions());
    }

    /** Weight gradient switched off: the same forward and input gradient bits, and im2col's weight gradient. */
    @Test
    void weightGradSwitchKeepsTheOtherGradientsAndTakesTheWeightsToIm2col() {
        Shape xs = Shape.of(3, 16, 9, 10);
        Shape ws = Shape.of(20, 16, 3, 3);
        Conv2dParams p = Conv2dParams.of(1, 1);
        Tensor x = REF.upload(xs, Arrays2.random(xs.size(), 21));
        Tensor w = REF.upload(ws, Arrays2.random(ws.size(), 22));
        Tensor dy = REF.upload(Shape.of(3, 20, 9, 10), Arrays2.random(3 * 20 * 90, 23));
        try (CpuBackend off = switchedOff(ConvRouter.WEIGHT_GRAD_PROPERTY);
             CpuBackend im2col = switchedOff(ConvRouter.PROPERTY)) {
            Grads split = off.conv2dBackward(dy, x, w, false, true, p);
            Grads all = FAST.conv2dBackward(dy, x, w, false, true, p);
            assertArrayEquals(FAST.download(all.input()), off.download(split.input()));
            assertArrayEquals(FAST.download(FAST.conv2d(x, w, null, p)), off.download(off.conv2d(x, w, null, p)));
            assertArrayEquals(im2col.download(im2col.conv2dBackward(dy, x, w, false, false, p).weight()),
                    off.download(split.weight()), "weight gradient on im2col");
            assertTrue(off.decisions().get(0).contains("im2col + GEMM weight gradient"), off.decisions().toString());
        }
    }

    /** A two-thread backend built while {@code property} is "off". */
    private static CpuBackend switchedOff(String property) {
        String old = System.getProperty(property);
        System.setProperty(property, "off");
        try {
            return new CpuBackend(2);
        } finally {
            restore(property, old);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {ConvRouter.PROPERTY, ConvRouter.WEIGHT_GRAD_PROPERTY})
    void badSwitchValueIsAnError(String property) {
        String old = System.getProperty(property);
        System.setProperty(property, "yes");
        try {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, ConvRouter::fromProperties);
            assertEquals("-D" + property + "=yes: expected auto or off", e.getMessage());
        } finally {
            restore(property, old);
        }
    }

    private static void restore(String property, String old) {
        if (old == null) {
            System.clearProperty(property);
        } else {
            System.setProperty(property, old);
        }
    }

    @Test
    void bitwiseIdenticalForAnyThreadCount() {
        Shape xs = Shape.of(13, 16, 20, 19); // 100 tiles per image: 3 batches of up to 6 images
        Shape ws = Shape.of(20, 16, 3, 3);
        Conv2dParams p = Conv2dParams.of(1, 1);
        Tensor x = REF.upload(xs, Arrays2.random(xs.size(), 11));
        Tensor w = REF.upload(ws, Arrays2.random(ws.size(), 12));
        Tensor b = REF.upload(Shape.of(20), Arrays2.random(20, 13));
        Tensor dy = REF.upload(Shape.of(13, 20, 20, 19), Arrays2.random(13 * 20 * 380, 14));
        float[] y1;
        float[] dx1;
        float[] dw1;
        try (CpuBackend one = new CpuBackend(1)) {
            y1 = one.download(one.conv2d(x, w, b, p));
            Grads grads = one.conv2dBackward(dy, x, w, true, true, p);
            dx1 = one.download(grads.input());
            dw1 = one.download(grads.weight());
            assertTrue(one.decisions().get(0).contains("Winograd F(2x2,3x3) forward, input gradient and weight gradient"),
                    one.decisions().toString());
        }
        for (int threads : new int[] {2, 3, 5}) {
            try (CpuBackend many = new CpuBackend(threads)) {
                assertArrayEquals(y1, many.download(many.conv2d(x, w, b, p)), threads + " threads, forward");
                Grads grads = many.conv2dBackward(dy, x, w, true, true, p);
                assertArrayEquals(dx1, many.download(grads.input()), threads + " threads, input grad");
                assertArrayEquals(dw1, many.download(grads.weight()), threads + " threads, weight grad");
            }
        }
    }

    private static ConvGeometry geometry(Shape x, Shape w, Conv2dParams p) {
        return ConvGeometry.of(x, w, p.outputShape(x, w, null), p);
    }
}
