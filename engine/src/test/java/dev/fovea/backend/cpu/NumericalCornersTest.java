package dev.fovea.backend.cpu;

import dev.fovea.backend.Backend;
import dev.fovea.backend.BatchNormOutput;
import dev.fovea.backend.Grads;
import dev.fovea.primitives.BatchNormParams;
import dev.fovea.primitives.LossKind;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.testing.Arrays2;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static dev.fovea.backend.cpu.RefAsserts.assertAllFinite;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Division-by-zero and overflow corners on both CPU backends (the reference and the fast one that
 * training uses), beyond the per-op tests: batch norm of a 4-D batch with one element per channel,
 * cross-entropy and log-softmax of logits at the float range's edge and of -inf, binary
 * cross-entropy at exactly 0 and 1 (PyTorch's clamp of log at -100).
 */
class NumericalCornersTest {
    private static final float NEG_INF = Float.NEGATIVE_INFINITY;

    static Stream<Backend> backends() {
        return Stream.of(new ReferenceBackend(), new CpuBackend(2));
    }

    @ParameterizedTest
    @MethodSource("backends")
    void batchNormOfOneElementPerChannelIn4dGivesBetaAndZeroInputGradient(Backend be) {
        Shape s = Shape.of(1, 3, 1, 1);
        Tensor x = be.upload(s, new float[] {7, -1e30f, 0});
        Tensor gamma = be.upload(Shape.of(3), new float[] {1, 2, 3});
        Tensor beta = be.upload(Shape.of(3), new float[] {0.25f, -1, 4});
        BatchNormOutput out = be.batchNormTraining(x, gamma, beta, be.upload(Shape.of(3), new float[3]),
                be.upload(Shape.of(3), new float[] {1, 1, 1}), BatchNormParams.defaults());
        Arrays2.assertExact("y = beta", new float[] {0.25f, -1, 4}, be.download(out.output()));
        Grads g = be.batchNormBackward(be.upload(s, new float[] {1, 2, 3}), x, gamma, out);
        Arrays2.assertExact("dx", new float[3], be.download(g.input()));
        assertAllFinite("dgamma", be.download(g.weight()));
        Arrays2.assertExact("dbeta", new float[] {1, 2, 3}, be.download(g.bias()));
    }

    @ParameterizedTest
    @MethodSource("backends")
    void crossEntropyOfLogitsAtTheEdgeOfTheFloatRangeIsFinite(Backend be) {
        Shape s = Shape.of(2, 3);
        Tensor x = be.upload(s, new float[] {Float.MAX_VALUE, -Float.MAX_VALUE, 0, 1e30f, 0, -1e30f});
        Tensor y = be.upload(Shape.of(2), new float[] {0, 1});
        float loss = be.download(be.loss(LossKind.CROSS_ENTROPY, x, y))[0];
        assertEquals(0.5e30f, loss, 1e24f, "mean of 0 (the certain class) and 1e30 (a logit 1e30 below the top)");
        Arrays2.assertExact("softmax - one-hot, over the batch", new float[] {0, 0, 0, 0.5f, -0.5f, 0},
                be.download(be.lossBackward(LossKind.CROSS_ENTROPY, x, y, 1)));
    }

    @ParameterizedTest
    @MethodSource("backends")
    void logSoftmaxOfMinusInfinityAndOfHugeLogitsHasFiniteGradients(Backend be) {
        Shape s = Shape.of(2, 3);
        Tensor x = be.upload(s, new float[] {NEG_INF, 5, NEG_INF, 3e38f, -3e38f, 3e38f});
        Tensor logY = be.softmax(x, 1, true);
        float[] v = be.download(logY);
        Arrays2.assertExact("the only finite entry is certain", new float[] {NEG_INF, 0, NEG_INF}, new float[] {v[0], v[1], v[2]});
        assertEquals((float) -Math.log(2), v[3], 1e-6f);
        assertEquals(NEG_INF, v[4], "6e38 below the top is beyond the float range: log-probability -inf, probability 0");
        float[] dx = be.download(be.softmaxBackward(be.upload(s, new float[] {1, 1, 1, 1, 1, 1}), logY, 1, true));
        assertAllFinite("log_softmax backward", dx);
        Tensor p = be.softmax(x, 1, false);
        Arrays2.assertExact("softmax", new float[] {0, 1, 0, 0.5f, 0, 0.5f}, be.download(p));
        assertAllFinite("softmax backward", be.download(be.softmaxBackward(be.upload(s, new float[] {1, 2, 3, 4, 5, 6}),
                p, 1, false)));
    }

    @ParameterizedTest
    @MethodSource("backends")
    void binaryCrossEntropyAtExactlyZeroAndOneIsClampedLikePyTorch(Backend be) {
        Shape s = Shape.of(4);
        Tensor p = be.upload(s, new float[] {0, 1, 0, 1});
        Tensor t = be.upload(s, new float[] {1, 0, 0, 1});
        float loss = be.download(be.loss(LossKind.BINARY_CROSS_ENTROPY, p, t))[0];
        assertEquals(50f, loss, 0, "(100 + 100 + 0 + 0) / 4: log 0 clamped at -100");
        assertAllFinite("gradient", be.download(be.lossBackward(LossKind.BINARY_CROSS_ENTROPY, p, t, 1)));
    }
}
