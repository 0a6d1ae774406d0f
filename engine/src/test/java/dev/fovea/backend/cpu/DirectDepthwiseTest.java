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

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The direct depthwise kernels against the reference backend, through {@link CpuBackend} and directly with
 * both plane kernels (the Vector API one, when the module is present, and the plain-Java fallback), on
 * shapes that reach every branch: widths below, at and above multiples of 8 and 16 (the vector lengths of
 * AVX2 and AVX-512), odd and even heights (the two-row loops and their last row), paddings 0 to 2 (a 3x3
 * padded by 2 crops dy in the input gradient), dilation, non-square and non-3x3 kernels, a channel
 * multiplier, CONVOLUTION mode, no bias, batch 1, no input gradient, and stride 2 (the general loops).
 * Tolerances as in {@link FastConvTest}.
 */
class DirectDepthwiseTest {
    private static final ReferenceBackend REF = new ReferenceBackend();
    private static final CpuBackend FAST = new CpuBackend(2);

    @AfterAll
    static void close() {
        FAST.close();
    }

    record Case(String name, Shape x, int mult, int kh, int kw, Conv2dParams p, boolean bias, boolean needInputGrad) {
        Shape w() {
            return Shape.of(x.dim(1) * mult, 1, kh, kw);
        }

        @Override
        public String toString() {
            return name + " x" + x + " w" + w() + " " + p + (bias ? " bias" : "") + (needInputGrad ? "" : " no-dx");
        }
    }

    private static Conv2dParams params(int c, int stride, int pad, int dilH, int dilW, ConvMode mode) {
        return new Conv2dParams(stride, stride, pad, pad, dilH, dilW, c, mode);
    }

    static Stream<Arguments> cases() {
        List<Case> cases = new ArrayList<>();
        ConvMode cc = ConvMode.CROSS_CORRELATION;
        // Widths around the vector lengths, 3x3 pad 1 (output width = input width).
        for (int w : new int[] {1, 2, 5, 7, 8, 9, 15, 16, 17, 23, 24, 31, 32, 33, 56}) {
            cases.add(new Case("width " + w, Shape.of(2, 3, 7 + w % 2, w), 1, 3, 3, params(3, 1, 1, 1, 1, cc),
                    true, true));
        }
        for (int pad = 0; pad <= 2; pad++) {
            cases.add(new Case("pad " + pad, Shape.of(2, 4, 10, 13), 1, 3, 3, params(4, 1, pad, 1, 1, cc), true, true));
            cases.add(new Case("pad " + pad + " width 16", Shape.of(1, 2, 9, 16), 1, 3, 3, params(2, 1, pad, 1, 1, cc),
                    true, true));
        }
        // Padding beyond dilation * (k - 1): the weight sums run over dy pixels (output width 16, then 15).
        cases.add(new Case("pad 2 output width 16", Shape.of(2, 2, 8, 14), 1, 3, 3, params(2, 1, 2, 1, 1, cc), true,
                true));
        cases.add(new Case("5x3 pad 5x3 dilation 1x2", Shape.of(1, 2, 8, 9), 1, 5, 3,
                new Conv2dParams(1, 1, 5, 3, 1, 2, 2, cc), true, true));
        cases.add(new Case("dilation 2", Shape.of(2, 3, 12, 19), 1, 3, 3, params(3, 1, 2, 2, 2, cc), true, true));
        cases.add(new Case("dilation 2 height only", Shape.of(2, 3, 12, 17), 1, 3, 3, params(3, 1, 1, 2, 1, cc), true,
                true));
        cases.add(new Case("dilation 2 width only", Shape.of(2, 3, 11, 17), 1, 3, 3, params(3, 1, 1, 1, 2, cc), true,
                true));
        cases.add(new Case("dilation 2 pad 0", Shape.of(1, 2, 9, 24), 1, 3, 3, params(2, 1, 0, 2, 2, cc), true, true));
        cases.add(new Case("5x5 pad 2", Shape.of(2, 3, 11, 18), 1, 5, 5, params(3, 1, 2, 1, 1, cc), true, true));
        cases.add(new Case("5x5 pad 0", Shape.of(1, 2, 9, 21), 1, 5, 5, params(2, 1, 0, 1, 1, cc), true, true));
        cases.add(new Case("1x3 pad 1", Shape.of(2, 3, 6, 17), 1, 1, 3, new Conv2dParams(1, 1, 0, 1, 1, 1, 3, cc), true,
                true));
        cases.add(new Case("3x1 pad 1", Shape.of(2, 3, 9, 10), 1, 3, 1, new Conv2dParams(1, 1, 1, 0, 1, 1, 3, cc), true,
                true));
        cases.add(new Case("multiplier 2", Shape.of(2, 3, 9, 11), 2, 3, 3, params(3, 1, 1, 1, 1, cc), true, true));
        cases.add(new Case("multiplier 2 width 16", Shape.of(2, 2, 8, 16), 2, 3, 3, params(2, 1, 1, 1, 1, cc), true,
                true));
        cases.add(new Case("multiplier 2 5x5", Shape.of(1, 2, 8, 9), 2, 5, 5, params(2, 1, 2, 1, 1, cc), false, true));
        cases.add(new Case("convolution mode", Shape.of(2, 3, 9, 12), 1, 3, 3,
                params(3, 1, 1, 1, 1, ConvMode.CONVOLUTION), true, true));
        cases.add(new Case("convolution mode 1x3 multiplier 2", Shape.of(2, 2, 7, 9), 2, 1, 3,
                new Conv2dParams(1, 1, 0, 1, 1, 1, 2, ConvMode.CONVOLUTION), true, true));
        cases.add(new Case("no bias", Shape.of(2, 3, 8, 10), 1, 3, 3, params(3, 1, 1, 1, 1, cc), false, true));
        cases.add(new Case("batch 1", Shape.of(1, 5, 14, 14), 1, 3, 3, params(5, 1, 1, 1, 1, cc), true, true));
        cases.add(new Case("no input grad", Shape.of(2, 3, 9, 13), 1, 3, 3, params(3, 1, 1, 1, 1, cc), true, false));
        cases.add(new Case("no input grad width 16", Shape.of(2, 3, 9, 16), 1, 3, 3, params(3, 1, 1, 1, 1, cc), true,
                false));
        cases.add(new Case("tall plane (several flushes)", Shape.of(1, 2, 300, 9), 1, 3, 3, params(2, 1, 1, 1, 1, cc),
                true, true));
        cases.add(new Case("stride 2", Shape.of(2, 3, 11, 12), 1, 3, 3, params(3, 2, 1, 1, 1, cc), true, true));
        SplittableRandom r = new SplittableRandom(77);
        for (int i = 0; i < 20; i++) {
            int c = 1 + r.nextInt(3);
            int mult = 1 + r.nextInt(2);
            int kh = 1 + r.nextInt(5);
            int kw = 1 + r.nextInt(5);
            Conv2dParams p = new Conv2dParams(1, 1, r.nextInt(3), r.nextInt(3), 1 + r.nextInt(2), 1 + r.nextInt(2),
                    c, r.nextBoolean() ? ConvMode.CONVOLUTION : cc);
            int h = Conv2dParams.effectiveKernel(kh, p.dilationH()) + r.nextInt(10);
            int w = Conv2dParams.effectiveKernel(kw, p.dilationW()) + r.nextInt(36);
            cases.add(new Case("random " + i, Shape.of(1 + r.nextInt(3), c, h, w), mult, kh, kw, p, r.nextBoolean(),
                    r.nextInt(4) != 0));
        }
        return cases.stream().map(Arguments::of);
    }

    private static double tolerance(int terms) {
        return 4e-6 * terms + 1e-6;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void cpuBackendMatchesReference(Case c) {
        long seed = c.toString().hashCode();
        Shape ws = c.w();
        Tensor x = REF.upload(c.x, Arrays2.random(c.x.size(), seed));
        Tensor w = REF.upload(ws, Arrays2.random(ws.size(), seed + 1));
        Tensor b = c.bias ? REF.upload(Shape.of(ws.dim(0)), Arrays2.random(ws.dim(0), seed + 2)) : null;
        Tensor yRef = REF.conv2d(x, w, b, c.p);
        Tensor yFast = FAST.conv2d(x, w, b, c.p);
        assertEquals(yRef.shape(), yFast.shape());
        Arrays2.assertClose("forward", REF.download(yRef), FAST.download(yFast), tolerance(c.kh * c.kw + 1), 1e-5);

        Tensor dy = REF.upload(yRef.shape(), Arrays2.random(yRef.size(), seed + 3));
        Grads ref = REF.conv2dBackward(dy, x, w, c.bias, c.needInputGrad, c.p);
        Grads fast = FAST.conv2dBackward(dy, x, w, c.bias, c.needInputGrad, c.p);
        int pixels = c.x.dim(0) * yRef.shape().dim(2) * yRef.shape().dim(3);
        if (c.needInputGrad) {
            Arrays2.assertClose("input grad", REF.download(ref.input()), FAST.download(fast.input()),
                    tolerance(c.mult * c.kh * c.kw), 1e-5);
        } else {
            assertNull(fast.input(), "no input gradient when it is not needed");
        }
        Arrays2.assertClose("weight grad", REF.download(ref.weight()), FAST.download(fast.weight()),
                tolerance(pixels), 1e-5);
        if (c.bias) {
            Arrays2.assertClose("bias grad", REF.download(ref.bias()), FAST.download(fast.bias()), tolerance(pixels),
                    1e-5);
        } else {
            assertNull(fast.bias());
        }
    }

    /** The stride-1 kernels called directly, with each plane kernel (cross-correlation weights). */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void planeKernelsMatchReference(Case c) {
        if (c.p.strideH() != 1 || c.p.strideW() != 1) {
            return;
        }
        Conv2dParams p = c.p.withMode(ConvMode.CROSS_CORRELATION);
        long seed = c.toString().hashCode() * 31L;
        Shape ws = c.w();
        float[] xv = Arrays2.random(c.x.size(), seed);
        float[] wv = Arrays2.random(ws.size(), seed + 1);
        float[] bv = c.bias ? Arrays2.random(ws.dim(0), seed + 2) : null;
        Tensor x = REF.upload(c.x, xv);
        Tensor w = REF.upload(ws, wv);
        Tensor yRef = REF.conv2d(x, w, bv == null ? null : REF.upload(Shape.of(ws.dim(0)), bv), p);
        float[] dyv = Arrays2.random(yRef.size(), seed + 3);
        Grads ref = REF.conv2dBackward(REF.upload(yRef.shape(), dyv), x, w, c.bias, true, p);
        ConvGeometry g = ConvGeometry.of(c.x, ws, yRef.shape(), p);
        int pixels = g.n() * g.outPlane();
        for (DepthwiseKernel k : List.of(DepthwiseKernel.best(), DepthwiseKernel.plain())) {
            for (int threads : new int[] {1, 2}) {
                try (CpuThreads t = new CpuThreads(threads)) {
                    String what = (k == DepthwiseKernel.plain() ? "plain" : "best") + " kernel, " + threads
                            + " threads: ";
                    float[] y = DirectDepthwise.forward(k, t, xv, wv, bv, g);
                    Arrays2.assertClose(what + "forward", REF.download(yRef), y, tolerance(c.kh * c.kw + 1), 1e-5);
                    float[] dw = new float[ws.size()];
                    float[] db = c.bias ? new float[ws.dim(0)] : null;
                    float[] dx = DirectDepthwise.backward(k, t, dyv, xv, wv, g, c.needInputGrad, dw, db);
                    if (c.needInputGrad) {
                        assertNotNull(dx);
                        Arrays2.assertClose(what + "input grad", REF.download(ref.input()), dx,
                                tolerance(c.mult * c.kh * c.kw), 1e-5);
                    } else {
                        assertNull(dx);
                    }
                    Arrays2.assertClose(what + "weight grad", REF.download(ref.weight()), dw, tolerance(pixels), 1e-5);
                    if (c.bias) {
                        Arrays2.assertClose(what + "bias grad", REF.download(ref.bias()), db, tolerance(pixels), 1e-5);
                    }
                }
            }
        }
    }

    /** Padding (and cropping, for negative offsets) by both kernels, against a direct definition. */
    @Test
    void padMatchesDefinition() {
        SplittableRandom r = new SplittableRandom(5);
        for (int i = 0; i < 200; i++) {
            int sh = 1 + r.nextInt(9);
            int sw = 1 + r.nextInt(40);
            int top = r.nextInt(7) - 3;
            int left = r.nextInt(23) - 3;
            int ph = 1 + r.nextInt(12);
            int pw = 1 + r.nextInt(50);
            int po = r.nextInt(5);
            float[] src = Arrays2.random(3 + sh * sw, i);
            int off = r.nextInt(3);
            float[] expected = new float[po + ph * pw + 7];
            java.util.Arrays.fill(expected, 42f);
            for (int row = 0; row < ph; row++) {
                for (int col = 0; col < pw; col++) {
                    int sr = row - top;
                    int sc = col - left;
                    boolean inside = sr >= 0 && sr < sh && sc >= 0 && sc < sw;
                    expected[po + row * pw + col] = inside ? src[off + sr * sw + sc] : 0f;
                }
            }
            for (DepthwiseKernel k : List.of(DepthwiseKernel.best(), DepthwiseKernel.plain())) {
                float[] p = new float[expected.length];
                java.util.Arrays.fill(p, 42f);
                k.pad(src, off, sh, sw, top, left, p, po, ph, pw);
                assertArrayEquals(expected, p, "pad " + sh + "x" + sw + " top " + top + " left " + left + " into "
                        + ph + "x" + pw + " at " + po + (k == DepthwiseKernel.plain() ? " (plain)" : ""));
            }
        }
    }

    @Test
    void bitwiseIdenticalForAnyThreadCount() {
        Conv2dParams[] params = {params(6, 1, 1, 1, 1, ConvMode.CROSS_CORRELATION),
            params(6, 1, 2, 2, 1, ConvMode.CONVOLUTION), params(6, 1, 0, 1, 1, ConvMode.CROSS_CORRELATION)};
        Shape[] weights = {Shape.of(6, 1, 3, 3), Shape.of(12, 1, 3, 3), Shape.of(6, 1, 1, 5)};
        for (int batch : new int[] {1, 7}) {
            for (int i = 0; i < params.length; i++) {
                FastConvTest.assertSameForEveryThreadCount(Shape.of(batch, 6, 13, 21), weights[i], params[i], true);
            }
        }
    }
}
