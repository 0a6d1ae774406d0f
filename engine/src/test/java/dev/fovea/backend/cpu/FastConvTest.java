package dev.fovea.backend.cpu;

import dev.fovea.backend.Grads;
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
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The fast conv2d (im2col + SGEMM, direct depthwise) against the reference backend, forward and every
 * gradient, over hand-picked and seeded random shapes. Tolerance: values lie in [-1, 1); an output or
 * gradient element sums at most {@code terms} products of size <= 1 in float32, in another order than the
 * reference, so |err| <= 4e-6 * terms + 1e-5 relative (a few units in the last place of the sum).
 */
class FastConvTest {
    private static final ReferenceBackend REF = new ReferenceBackend();
    private static final CpuBackend FAST = new CpuBackend(2);

    @AfterAll
    static void close() {
        FAST.close();
    }

    record Case(String name, Shape x, Shape w, Conv2dParams p, boolean bias, boolean needInputGrad) {
        @Override
        public String toString() {
            return name + " x" + x + " w" + w + " " + p + (bias ? " bias" : "") + (needInputGrad ? "" : " no-dx");
        }
    }

    static Stream<Arguments> cases() {
        List<Case> cases = new ArrayList<>();
        Conv2dParams d = Conv2dParams.defaults();
        cases.add(new Case("conv2-like", Shape.of(3, 8, 12, 12), Shape.of(16, 8, 3, 3), d, true, true));
        cases.add(new Case("convolution mode", Shape.of(2, 3, 9, 7), Shape.of(4, 3, 3, 2),
                Conv2dParams.of(1, 1).withMode(ConvMode.CONVOLUTION), true, true));
        cases.add(new Case("stride 2 pad 1", Shape.of(2, 3, 11, 10), Shape.of(5, 3, 3, 3), Conv2dParams.of(2, 1),
                true, true));
        cases.add(new Case("dilation 2", Shape.of(2, 4, 13, 11), Shape.of(6, 4, 3, 3),
                Conv2dParams.of(1, 2).withDilation(2), false, true));
        cases.add(new Case("groups 2", Shape.of(3, 6, 8, 9), Shape.of(4, 3, 3, 3), Conv2dParams.of(1, 1).withGroups(2),
                true, true));
        cases.add(new Case("depthwise", Shape.of(2, 5, 10, 9), Shape.of(5, 1, 3, 3), Conv2dParams.of(1, 1).withGroups(5),
                true, true));
        cases.add(new Case("depthwise x2 stride 2 dilated flipped", Shape.of(3, 4, 11, 12), Shape.of(8, 1, 3, 2),
                new Conv2dParams(2, 2, 2, 1, 2, 1, 4, ConvMode.CONVOLUTION), true, true));
        // One input channel, no groups: the first layer on grey images goes to the direct kernel too.
        cases.add(new Case("one input channel", Shape.of(3, 1, 12, 11), Shape.of(6, 1, 3, 3), Conv2dParams.defaults(),
                true, false));
        cases.add(new Case("one input channel, padded, flipped, input grad", Shape.of(2, 1, 9, 20), Shape.of(4, 1, 3, 5),
                new Conv2dParams(1, 1, 1, 2, 1, 1, 1, ConvMode.CONVOLUTION), true, true));
        cases.add(new Case("pointwise 1x1", Shape.of(2, 7, 5, 6), Shape.of(3, 7, 1, 1), d, true, true));
        cases.add(new Case("pointwise grouped", Shape.of(2, 6, 5, 4), Shape.of(9, 2, 1, 1), d.withGroups(3), false, true));
        cases.add(new Case("batch 1, no input grad", Shape.of(1, 3, 8, 8), Shape.of(4, 3, 3, 3), Conv2dParams.of(1, 0),
                true, false));
        cases.add(new Case("depthwise, no input grad", Shape.of(2, 3, 6, 6), Shape.of(3, 1, 3, 3),
                Conv2dParams.of(1, 1).withGroups(3), false, false));
        cases.add(new Case("batch 37 (one GEMM, one weight chunk)", Shape.of(37, 2, 6, 5), Shape.of(3, 2, 2, 2), d,
                true, true));
        // 10x10 outputs: 11 images per GEMM, so 4 weight chunks, the last of 4 images.
        cases.add(new Case("batch 37 (4 weight chunks of multi-image GEMMs)", Shape.of(37, 3, 10, 10),
                Shape.of(4, 3, 3, 3), Conv2dParams.of(1, 1), true, true));
        // Planes of at least FastConv.TARGET_COLUMNS pixels: one image per GEMM, 3 images per weight chunk.
        cases.add(new Case("large plane, batch 40", Shape.of(40, 2, 33, 32), Shape.of(3, 2, 2, 2), Conv2dParams.of(1, 1),
                true, true));
        cases.add(new Case("large plane pointwise (operands in place)", Shape.of(3, 3, 32, 33), Shape.of(2, 3, 1, 1), d,
                true, true));
        cases.add(new Case("kernel = padded input", Shape.of(2, 2, 3, 4), Shape.of(3, 2, 5, 6), Conv2dParams.of(1, 1),
                true, true));
        SplittableRandom r = new SplittableRandom(2024);
        for (int i = 0; i < 30; i++) {
            int groups = 1 + r.nextInt(3);
            boolean depthwise = r.nextInt(4) == 0;
            int cinG = depthwise ? 1 : 1 + r.nextInt(3);
            int cin = cinG * (depthwise ? 2 + r.nextInt(4) : groups);
            if (depthwise) {
                groups = cin;
            }
            int cout = groups * (1 + r.nextInt(3));
            int kh = 1 + r.nextInt(4);
            int kw = 1 + r.nextInt(4);
            Conv2dParams p = new Conv2dParams(1 + r.nextInt(3), 1 + r.nextInt(3), r.nextInt(3), r.nextInt(3),
                    1 + r.nextInt(3), 1 + r.nextInt(2), groups, r.nextBoolean() ? ConvMode.CONVOLUTION
                    : ConvMode.CROSS_CORRELATION);
            int h = Conv2dParams.effectiveKernel(kh, p.dilationH()) + r.nextInt(8);
            int w = Conv2dParams.effectiveKernel(kw, p.dilationW()) + r.nextInt(8);
            cases.add(new Case("random " + i, Shape.of(1 + r.nextInt(4), cin, h, w), Shape.of(cout, cinG, kh, kw), p,
                    r.nextBoolean(), r.nextInt(4) != 0));
        }
        return cases.stream().map(Arguments::of);
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
        int taps = c.w.dim(1) * c.w.dim(2) * c.w.dim(3);
        Arrays2.assertClose("forward", REF.download(yRef), FAST.download(yFast), tolerance(taps + 1), 1e-5);

        Tensor dy = REF.upload(yRef.shape(), Arrays2.random(yRef.size(), seed + 3));
        Grads ref = REF.conv2dBackward(dy, x, w, c.bias, c.needInputGrad, c.p);
        Grads fast = FAST.conv2dBackward(dy, x, w, c.bias, c.needInputGrad, c.p);
        int outPlane = yRef.shape().dim(2) * yRef.shape().dim(3);
        int coutG = c.w.dim(0) / c.p.groups();
        if (c.needInputGrad) {
            Arrays2.assertClose("input grad", REF.download(ref.input()), FAST.download(fast.input()),
                    tolerance(coutG * c.w.dim(2) * c.w.dim(3)), 1e-5);
        } else {
            assertNull(fast.input(), "no input gradient when it is not needed");
        }
        Arrays2.assertClose("weight grad", REF.download(ref.weight()), FAST.download(fast.weight()),
                tolerance(c.x.dim(0) * outPlane), 1e-5);
        if (c.bias) {
            Arrays2.assertClose("bias grad", REF.download(ref.bias()), FAST.download(fast.bias()),
                    tolerance(c.x.dim(0) * outPlane), 1e-5);
        } else {
            assertNull(fast.bias());
        }
    }

    private static double tolerance(int terms) {
        return 4e-6 * terms + 1e-6;
    }

    @Test
    void bitwiseIdenticalForAnyThreadCount() {
        Conv2dParams[] params = {Conv2dParams.of(1, 1), Conv2dParams.of(1, 1).withGroups(8),
            Conv2dParams.of(2, 1).withGroups(2).withMode(ConvMode.CONVOLUTION)};
        Shape[] weights = {Shape.of(16, 8, 3, 3), Shape.of(8, 1, 3, 3), Shape.of(6, 4, 3, 3)};
        for (int batch : new int[] {1, 5, 20}) {
            for (int i = 0; i < params.length; i++) {
                assertSameForEveryThreadCount(Shape.of(batch, 8, 14, 13), weights[i], params[i], false);
            }
        }
    }

    /**
     * The output and every gradient (input, weight, bias) of one convolution with 1, 2 and 3 threads,
     * bit for bit; the forward takes a bias when {@code withBias}.
     */
    static void assertSameForEveryThreadCount(Shape xs, Shape ws, Conv2dParams p, boolean withBias) {
        float[] x = Arrays2.random(xs.size(), 1);
        float[] w = Arrays2.random(ws.size(), 2);
        float[] b = Arrays2.random(ws.dim(0), 4);
        float[][] first = null;
        for (int t : new int[] {1, 2, 3}) {
            try (CpuBackend cpu = new CpuBackend(t)) {
                Tensor xt = cpu.upload(xs, x);
                Tensor wt = cpu.upload(ws, w);
                Tensor y = cpu.conv2d(xt, wt, withBias ? cpu.upload(Shape.of(ws.dim(0)), b) : null, p);
                Tensor dy = cpu.upload(y.shape(), Arrays2.random(y.size(), 3));
                Grads g = cpu.conv2dBackward(dy, xt, wt, true, true, p);
                assertNotNull(g.input());
                float[][] all = {cpu.download(y), cpu.download(g.input()), cpu.download(g.weight()),
                    cpu.download(g.bias())};
                if (first == null) {
                    first = all;
                } else {
                    for (int j = 0; j < all.length; j++) {
                        assertArrayEquals(first[j], all[j], xs + " " + p + " output " + j + ": threads=" + t
                                + " differs from threads=1");
                    }
                }
            }
        }
    }
}
