package dev.fovea.backend.cuda;

import dev.fovea.backend.Backend;
import dev.fovea.backend.BatchNormOutput;
import dev.fovea.backend.DropoutOutput;
import dev.fovea.backend.Grads;
import dev.fovea.backend.PoolOutput;
import dev.fovea.backend.cpu.ReferenceBackend;
import dev.fovea.primitives.Activation;
import dev.fovea.primitives.AdaptivePool2dParams;
import dev.fovea.primitives.BatchNormParams;
import dev.fovea.primitives.BinaryOp;
import dev.fovea.primitives.Conv2dParams;
import dev.fovea.primitives.ConvMode;
import dev.fovea.primitives.DropoutParams;
import dev.fovea.primitives.LossKind;
import dev.fovea.primitives.Pool2dParams;
import dev.fovea.primitives.PoolKind;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.testing.Arrays2;
import dev.fovea.testing.GpuTests;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every op of {@link CudaBackend} against the CPU reference, forward and backward, on the GPU the
 * probe finds: in `mvn verify` the software GPU, once with cuDNN and once without (the cuBLAS +
 * own-kernel route); see {@link GpuTests}.
 * Tolerances: FP32 without tensor cores; sums of up to a few hundred products differ from the
 * reference's double accumulation by rounding only (1e-4 absolute and relative).
 */
@Tag("gpu")
class CudaBackendGpuTest {
    private static final double ABS = 1e-4;
    private static final double REL = 1e-4;
    private static CudaBackend cuda;
    private static final Backend REF = new ReferenceBackend();

    @BeforeAll
    static void open() {
        if (CudaProbe.status().available()) {
            cuda = new CudaBackend();
        }
    }

    /** Per test rather than per class, so that every skipped test is reported with the reason. */
    @BeforeEach
    void requireGpu() {
        GpuTests.requireGpu();
    }

    @AfterAll
    static void close() {
        if (cuda != null) {
            cuda.close();
        }
    }

    private static Tensor ref(Shape s, long seed) {
        return REF.upload(s, Arrays2.random(s.size(), seed));
    }

    private static Tensor dev(Tensor host) {
        return cuda.upload(host.shape(), REF.download(host));
    }

    private static void same(String what, Tensor expected, Tensor actual) {
        assertEquals(expected.shape(), actual.shape(), what + " shape");
        Arrays2.assertClose(what, REF.download(expected), cuda.download(actual), ABS, REL);
    }

    static Stream<Arguments> convolutions() {
        return Stream.of(
                Arguments.of("plain 3x3 pad 1", Shape.of(2, 3, 9, 9), Shape.of(4, 3, 3, 3), Conv2dParams.of(1, 1)),
                Arguments.of("stride 2 rect", Shape.of(2, 4, 11, 8), Shape.of(6, 4, 3, 2),
                        new Conv2dParams(2, 1, 1, 0, 1, 1, 1, ConvMode.CROSS_CORRELATION)),
                Arguments.of("convolution mode", Shape.of(1, 2, 7, 7), Shape.of(3, 2, 3, 3),
                        Conv2dParams.of(1, 1).withMode(ConvMode.CONVOLUTION)),
                Arguments.of("grouped", Shape.of(2, 8, 7, 7), Shape.of(8, 2, 3, 3), Conv2dParams.of(1, 1).withGroups(4)),
                Arguments.of("depthwise", Shape.of(2, 6, 8, 8), Shape.of(12, 1, 3, 3), Conv2dParams.of(1, 1).withGroups(6)),
                Arguments.of("dilated", Shape.of(2, 3, 12, 12), Shape.of(4, 3, 3, 3), Conv2dParams.of(1, 2).withDilation(2)),
                Arguments.of("dilated grouped convolution", Shape.of(1, 4, 10, 10), Shape.of(4, 2, 3, 3),
                        Conv2dParams.of(2, 2).withDilation(2).withGroups(2).withMode(ConvMode.CONVOLUTION)),
                // 16 * 3 * 3 = 144 multiply-adds per output: cuDNN, or im2col + cuBLAS without it.
                Arguments.of("dilated long reduction", Shape.of(3, 16, 11, 11), Shape.of(5, 16, 3, 3),
                        new Conv2dParams(1, 2, 2, 1, 2, 3, 1, ConvMode.CROSS_CORRELATION)),
                Arguments.of("dilated long reduction grouped", Shape.of(2, 16, 9, 9), Shape.of(6, 8, 3, 3),
                        Conv2dParams.of(1, 2).withDilation(2).withGroups(2).withMode(ConvMode.CONVOLUTION)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("convolutions")
    void conv2dForwardAndBackward(String name, Shape xs, Shape ws, Conv2dParams p) {
        Tensor x = ref(xs, 1);
        Tensor w = ref(ws, 2);
        Tensor b = ref(Shape.of(ws.dim(0)), 3);
        Tensor y = REF.conv2d(x, w, b, p);
        same(name + " forward", y, cuda.conv2d(dev(x), dev(w), dev(b), p));
        Tensor dy = ref(y.shape(), 4);
        Grads expected = REF.conv2dBackward(dy, x, w, true, true, p);
        Grads actual = cuda.conv2dBackward(dev(dy), dev(x), dev(w), true, true, p);
        same(name + " grad input", expected.input(), actual.input());
        same(name + " grad weight", expected.weight(), actual.weight());
        same(name + " grad bias", expected.bias(), actual.bias());
    }

    @Test
    void deterministicConvolutionGradientsRepeatBitForBit() {
        try (CudaBackend det = new CudaBackend(CudaOptions.defaults().withDeterministic(true), s -> { })) {
            Conv2dParams p = Conv2dParams.of(1, 1);
            Tensor x = det.upload(Shape.of(8, 16, 16, 16), Arrays2.random(8 * 16 * 16 * 16, 5));
            Tensor w = det.upload(Shape.of(16, 16, 3, 3), Arrays2.random(16 * 16 * 9, 6));
            Tensor dy = det.upload(Shape.of(8, 16, 16, 16), Arrays2.random(8 * 16 * 16 * 16, 7));
            Grads g1 = det.conv2dBackward(dy, x, w, false, true, p);
            Grads g2 = det.conv2dBackward(dy, x, w, false, true, p);
            assertArrayEquals(det.download(g1.weight()), det.download(g2.weight()));
            assertArrayEquals(det.download(g1.input()), det.download(g2.input()));
            // With cuDNN the algorithms are restricted to deterministic ones; without it the im2col
            // route, deterministic by construction, runs.
            String expected = GpuTests.cudnn() ? "deterministic only" : "im2col_cublas";
            assertTrue(det.decisions().stream().anyMatch(d -> d.contains(expected)), det.decisions().toString());
        }
    }

    @Test
    void directAlgorithmsKeepFftAndWinogradOutOfExactComparisons() {
        org.junit.jupiter.api.Assumptions.assumeTrue(GpuTests.cudnn(), "the choice exists only with cuDNN");
        Shape xs = Shape.of(2, 8, 10, 10);
        Shape ws = Shape.of(8, 8, 3, 3);
        for (boolean direct : new boolean[]{false, true}) {
            try (CudaBackend b = new CudaBackend(CudaOptions.defaults().withDirectAlgorithms(direct), s -> { });
                 Tensor x = b.upload(xs, Arrays2.random(xs.size(), 40));
                 Tensor w = b.upload(ws, Arrays2.random(ws.size(), 41));
                 Tensor y = b.conv2d(x, w, null, Conv2dParams.of(1, 1))) {
                String forward = b.decisions().stream().filter(d -> d.startsWith("conv2d forward")).findFirst()
                        .orElseThrow();
                assertEquals(direct, forward.contains("direct summation only"), forward);
                if (direct) {
                    assertTrue(!forward.contains("WINOGRAD") && !forward.contains("FFT"), forward);
                }
            }
        }
    }

    static Stream<Pool2dParams> pools() {
        return Stream.of(Pool2dParams.of(PoolKind.MAX, 2), Pool2dParams.of(PoolKind.MAX, 3, 2, 1),
                Pool2dParams.of(PoolKind.AVG, 2), Pool2dParams.of(PoolKind.AVG, 3, 2, 1),
                Pool2dParams.of(PoolKind.AVG, 3, 2, 1).withCountIncludePad(false),
                Pool2dParams.of(PoolKind.MIN, 2), Pool2dParams.of(PoolKind.MIN, 3, 2, 1));
    }

    @ParameterizedTest
    @MethodSource("pools")
    void pooling(Pool2dParams p) {
        Tensor x = ref(Shape.of(2, 3, 9, 9), 8);
        PoolOutput expected = REF.pool2d(x, p);
        Tensor dx = dev(x);
        PoolOutput actual = cuda.pool2d(dx, p);
        same(p + " forward", expected.output(), actual.output());
        if (actual.indices() != null) {
            assertArrayEquals(REF.downloadInts(expected.indices()), cuda.downloadInts(actual.indices()), p + " indices");
        }
        Tensor dy = ref(expected.output().shape(), 9);
        same(p + " backward", REF.pool2dBackward(dy, x, expected, p), cuda.pool2dBackward(dev(dy), dx, actual, p));
    }

    @Test
    void globalAveragePooling() {
        // Adaptive average pooling to 1x1: CUDA routes it to the global kernels.
        AdaptivePool2dParams p = new AdaptivePool2dParams(PoolKind.AVG, 1, 1);
        Tensor x = ref(Shape.of(2, 5, 6, 7), 10);
        same("global_avg_pool2d", REF.resample2d(x, p).output(), cuda.resample2d(dev(x), p).output());
        Tensor dy = ref(Shape.of(2, 5, 1, 1), 11);
        same("global_avg_pool2d backward", REF.resample2dBackward(dy, x.shape(), null, p),
                cuda.resample2dBackward(dev(dy), x.shape(), null, p));
    }

    @ParameterizedTest
    @MethodSource("batchNormShapes")
    void batchNorm(Shape xs, double eps) {
        BatchNormParams p = new BatchNormParams(0.1, eps);
        int c = xs.dim(1);
        Tensor x = ref(xs, 12);
        Tensor gamma = ref(Shape.of(c), 13);
        Tensor beta = ref(Shape.of(c), 14);
        Tensor rm = ref(Shape.of(c), 15);
        Tensor rv = REF.upload(Shape.of(c), new float[c]);
        Tensor drm = dev(rm);
        Tensor drv = dev(rv);
        BatchNormOutput expected = REF.batchNormTraining(x, gamma, beta, rm, rv, p);
        Tensor dgamma = dev(gamma);
        Tensor dx = dev(x);
        BatchNormOutput actual = cuda.batchNormTraining(dx, dgamma, dev(beta), drm, drv, p);
        same("batch_norm output", expected.output(), actual.output());
        same("batch_norm saved mean", expected.savedMean(), actual.savedMean());
        same("batch_norm saved 1/std", expected.savedInvStd(), actual.savedInvStd());
        same("batch_norm running mean", rm, drm);
        same("batch_norm running var", rv, drv);
        Tensor dy = ref(xs, 16);
        Grads ge = REF.batchNormBackward(dy, x, gamma, expected);
        Grads ga = cuda.batchNormBackward(dev(dy), dx, dgamma, actual);
        same("batch_norm grad input", ge.input(), ga.input());
        same("batch_norm grad gamma", ge.weight(), ga.weight());
        same("batch_norm grad beta", ge.bias(), ga.bias());
        same("batch_norm inference", REF.batchNormInference(x, gamma, beta, rm, rv, p),
                cuda.batchNormInference(dx, dgamma, dev(beta), drm, drv, p));
    }

    static Stream<Arguments> batchNormShapes() {
        return Stream.of(Arguments.of(Shape.of(4, 3, 5, 5), 1e-5), Arguments.of(Shape.of(8, 6), 1e-3),
                Arguments.of(Shape.of(4, 3, 5, 5), 1e-7), Arguments.of(Shape.of(1, 4), 1e-5),
                Arguments.of(Shape.of(1, 3, 5, 5), 1e-5), Arguments.of(Shape.of(16, 2, 3, 7), 1e-5));
    }

    @Test
    void gemmAndLinear() {
        for (boolean ta : new boolean[]{false, true}) {
            for (boolean tb : new boolean[]{false, true}) {
                Tensor a = ref(Shape.of(5 * 7), 17);
                Tensor b = ref(Shape.of(7 * 3), 18);
                Tensor c = ref(Shape.of(5 * 3), 19);
                Tensor dc = dev(c);
                REF.gemm(ta, tb, 5, 3, 7, 1.5f, a, b, 0.5f, c);
                cuda.gemm(ta, tb, 5, 3, 7, 1.5f, dev(a), dev(b), 0.5f, dc);
                same("gemm transA=" + ta + " transB=" + tb, c, dc);
            }
        }
        Tensor x = ref(Shape.of(6, 10), 20);
        Tensor w = ref(Shape.of(4, 10), 21);
        Tensor bias = ref(Shape.of(4), 22);
        same("linear", REF.linear(x, w, bias), cuda.linear(dev(x), dev(w), dev(bias)));
        Tensor dy = ref(Shape.of(6, 4), 23);
        Grads ge = REF.linearBackward(dy, x, w, true, true);
        Grads ga = cuda.linearBackward(dev(dy), dev(x), dev(w), true, true);
        same("linear grad input", ge.input(), ga.input());
        same("linear grad weight", ge.weight(), ga.weight());
        same("linear grad bias", ge.bias(), ga.bias());
    }

    @ParameterizedTest
    @EnumSource(Activation.class)
    void activations(Activation kind) {
        Tensor x = ref(Shape.of(3, 4, 5), 24);
        Tensor y = REF.activation(x, kind, 0.1f);
        Tensor dxIn = dev(x);
        Tensor dyOut = cuda.activation(dxIn, kind, 0.1f);
        same(kind.opName(), y, dyOut);
        Tensor dy = ref(x.shape(), 25);
        same(kind.opName() + " backward", REF.activationBackward(dy, x, y, kind, 0.1f),
                cuda.activationBackward(dev(dy), dxIn, dyOut, kind, 0.1f));
    }

    @Test
    void softmaxAndLogSoftmaxAlongEveryDim() {
        Tensor x = ref(Shape.of(3, 4, 5), 26);
        for (int dim = -3; dim < 3; dim++) {
            for (boolean log : new boolean[]{false, true}) {
                Tensor y = REF.softmax(x, dim, log);
                Tensor yd = cuda.softmax(dev(x), dim, log);
                same("softmax dim " + dim + " log " + log, y, yd);
                Tensor dy = ref(x.shape(), 27);
                same("softmax backward dim " + dim + " log " + log, REF.softmaxBackward(dy, y, dim, log),
                        cuda.softmaxBackward(dev(dy), yd, dim, log));
            }
        }
    }

    @Test
    void preluDropoutAddConcatSplit() {
        Tensor x = ref(Shape.of(2, 3, 4, 4), 28);
        for (Tensor w : List.of(ref(Shape.of(3), 29), ref(Shape.of(1), 30))) {
            same("prelu", REF.prelu(x, w), cuda.prelu(dev(x), dev(w)));
            Tensor dy = ref(x.shape(), 31);
            Grads ge = REF.preluBackward(dy, x, w);
            Grads ga = cuda.preluBackward(dev(dy), dev(x), dev(w));
            same("prelu grad input", ge.input(), ga.input());
            same("prelu grad weight", ge.weight(), ga.weight());
        }
        // The weight gradient's other reduction shapes: one image (one plane per slope), a shared
        // slope over several 1024-element segments, a [N, C] input.
        for (Shape xs : List.of(Shape.of(1, 3, 4, 4), Shape.of(3, 2, 20, 20), Shape.of(6, 5))) {
            Tensor xi = ref(xs, 32);
            Tensor dy = ref(xs, 33);
            for (Tensor w : List.of(ref(Shape.of(xs.dim(1)), 34), ref(Shape.of(1), 35))) {
                same("prelu grad weight " + xs + " slopes " + w.size(), REF.preluBackward(dy, xi, w).weight(),
                        cuda.preluBackward(dev(dy), dev(xi), dev(w)).weight());
            }
        }
        DropoutParams dp = new DropoutParams(0.3, true, 42);
        DropoutOutput de = REF.dropout(x, dp);
        DropoutOutput da = cuda.dropout(dev(x), dp);
        same("dropout", de.output(), da.output());
        Tensor g = ref(x.shape(), 32);
        same("dropout backward", REF.dropoutBackward(g, de), cuda.dropoutBackward(dev(g), da));
        Tensor other = ref(x.shape(), 33);
        same("add (same shapes: fovea_add)", REF.binary(BinaryOp.ADD, x, other),
                cuda.binary(BinaryOp.ADD, dev(x), dev(other)));
        Tensor z = ref(Shape.of(2, 2, 4, 4), 34);
        Tensor cat = REF.concat(List.of(x, z), 1);
        Tensor catDev = cuda.concat(List.of(dev(x), dev(z)), 1);
        same("concat", cat, catDev);
        List<Tensor> parts = cuda.split(catDev, 1, new int[]{3, 2});
        same("split part 0", x, parts.get(0));
        same("split part 1", z, parts.get(1));
    }

    @ParameterizedTest
    @EnumSource(LossKind.class)
    void losses(LossKind kind) {
        Tensor input;
        Tensor target;
        if (kind == LossKind.CROSS_ENTROPY) {
            input = ref(Shape.of(6, 5), 35);
            target = REF.upload(Shape.of(6), new float[]{0, 4, 2, 1, 3, 0});
        } else if (kind == LossKind.BINARY_CROSS_ENTROPY) {
            float[] p = Arrays2.random(12, 36);
            for (int i = 0; i < p.length; i++) {
                p[i] = 0.05f + 0.45f * (p[i] + 1);
            }
            input = REF.upload(Shape.of(3, 4), p);
            target = REF.upload(Shape.of(3, 4), new float[]{0, 1, 1, 0, 1, 0, 0, 1, 1, 1, 0, 0});
        } else {
            input = ref(Shape.of(3, 4), 37);
            target = ref(Shape.of(3, 4), 38);
        }
        same(kind.opName(), REF.loss(kind, input, target), cuda.loss(kind, dev(input), dev(target)));
        same(kind.opName() + " backward", REF.lossBackward(kind, input, target, 2f),
                cuda.lossBackward(kind, dev(input), dev(target), 2f));
    }
}
