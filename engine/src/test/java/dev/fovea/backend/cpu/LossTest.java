package dev.fovea.backend.cpu;

import dev.fovea.backend.Backend;
import dev.fovea.primitives.LossKind;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.testing.Arrays2;
import dev.fovea.testing.GradCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static dev.fovea.backend.cpu.RefAsserts.assertAllFinite;
import static dev.fovea.backend.cpu.RefAsserts.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The losses: seed-examples §8 in natural log, probabilities of exactly 0 and 1, gradients, bad input. */
class LossTest {
    private static final Backend BE = new ReferenceBackend();
    /** The three 5-class predictions of §8; the true class is 3 in each. */
    private static final float[][] Y_HAT = {
            {0.20f, 0.0f, 0.05f, 0.72f, 0.03f},
            {0.30f, 0.0f, 0.05f, 0.52f, 0.13f},
            {0.60f, 0.0f, 0.07f, 0.30f, 0.03f}};
    private static final double[] CE_EXPECTED = {0.32850, 0.65393, 1.20397};

    @Test
    void crossEntropySeedExamplesFromLogitsWithMinusInfinity() {
        for (int r = 0; r < Y_HAT.length; r++) {
            // Logits ln(y_hat): their softmax is y_hat itself (each row sums to 1); ln 0 = -inf.
            float[] logits = logs(Y_HAT[r]);
            Tensor x = BE.upload(Shape.of(1, 5), logits);
            Tensor label = BE.upload(Shape.of(1), new float[] {3});
            assertEquals(CE_EXPECTED[r], scalar(BE.loss(LossKind.CROSS_ENTROPY, x, label)), 5e-6, "row " + r);
            // d/dlogits = softmax - one-hot = y_hat - e_3, finite at the -inf logit.
            float[] expected = Y_HAT[r].clone();
            expected[3] -= 1;
            float[] dx = BE.download(BE.lossBackward(LossKind.CROSS_ENTROPY, x, label, 1));
            Arrays2.assertClose("cross_entropy gradient row " + r, expected, dx, 1e-6, 0);
        }
    }

    @Test
    void crossEntropyIsTheMeanOverTheBatchAndBackwardScalesByGradOutput() {
        float[] logits = Arrays2.flat(logs(Y_HAT[0]), logs(Y_HAT[1]), logs(Y_HAT[2]));
        Tensor x = BE.upload(Shape.of(3, 5), logits);
        Tensor labels = BE.upload(Shape.of(3), new float[] {3, 3, 3});
        double mean = (CE_EXPECTED[0] + CE_EXPECTED[1] + CE_EXPECTED[2]) / 3;
        assertEquals(mean, scalar(BE.loss(LossKind.CROSS_ENTROPY, x, labels)), 5e-6);
        float[] dx = BE.download(BE.lossBackward(LossKind.CROSS_ENTROPY, x, labels, 1.5f));
        // (y_hat - e_3) * 1.5 / 3 at row 1, class 3: (0.52 - 1) * 0.5 = -0.24.
        assertEquals(-0.24f, dx[5 + 3], 1e-6);
        assertEquals(0, dx[5 + 1], "the -inf logit gets no gradient");
    }

    @Test
    void binaryCrossEntropySeedExamples() {
        float[] p = {0.20f, 0.92f, 0.65f};
        float[] y = {0, 1, 0};
        double[] expected = {0.22314, 0.08338, 1.04982};
        for (int i = 0; i < p.length; i++) {
            Tensor x = BE.upload(Shape.of(1), new float[] {p[i]});
            Tensor t = BE.upload(Shape.of(1), new float[] {y[i]});
            assertEquals(expected[i], scalar(BE.loss(LossKind.BINARY_CROSS_ENTROPY, x, t)), 5e-6, "example " + i);
            // d/dp = (p - y) / (p (1 - p)): 1/0.8 = 1.25, -1/0.92, 1/0.35.
            double grad = (p[i] - y[i]) / ((double) p[i] * (1 - p[i]));
            assertEquals(grad, BE.download(BE.lossBackward(LossKind.BINARY_CROSS_ENTROPY, x, t, 1))[0],
                    1e-6 * Math.abs(grad), "gradient " + i);
        }
        Tensor all = BE.upload(Shape.of(3), p);
        assertEquals((expected[0] + expected[1] + expected[2]) / 3,
                scalar(BE.loss(LossKind.BINARY_CROSS_ENTROPY, all, BE.upload(Shape.of(3), y))), 5e-6, "mean");
    }

    @Test
    void binaryCrossEntropyAtExactlyZeroAndOneIsFiniteWithFiniteGradients() {
        // Right answers cost 0; confident wrong answers cost the clamp, -log clamped at 100 (PyTorch).
        float[] p = {0, 1, 0, 1};
        float[] y = {0, 1, 1, 0};
        float[] expectedLoss = {0, 0, 100, 100};
        for (int i = 0; i < p.length; i++) {
            Tensor x = BE.upload(Shape.of(1), new float[] {p[i]});
            Tensor t = BE.upload(Shape.of(1), new float[] {y[i]});
            assertEquals(expectedLoss[i], scalar(BE.loss(LossKind.BINARY_CROSS_ENTROPY, x, t)), 1e-4, "loss " + i);
            float g = BE.download(BE.lossBackward(LossKind.BINARY_CROSS_ENTROPY, x, t, 1))[0];
            assertTrue(Float.isFinite(g), "gradient " + i + " = " + g);
            // The gradient still points the right way: down for p = 0 with y = 1, up for p = 1 with y = 0.
            assertEquals(Math.signum(p[i] - y[i]), Math.signum(g), "gradient sign " + i);
        }
    }

    @Test
    void binaryCrossEntropyWithLogitsIsStable() {
        // Moderate logits agree with BCE on sigmoid(x); x = 0 costs ln 2.
        float[] x = {0, 1.5f, -2, 0.3f};
        float[] y = {1, 0, 1, 0.25f};
        float[] p = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            p[i] = (float) (1 / (1 + Math.exp(-x[i])));
        }
        assertEquals(scalar(BE.loss(LossKind.BINARY_CROSS_ENTROPY, v(p), v(y))),
                scalar(BE.loss(LossKind.BINARY_CROSS_ENTROPY_WITH_LOGITS, v(x), v(y))), 1e-6);
        assertEquals(Math.log(2), scalar(BE.loss(LossKind.BINARY_CROSS_ENTROPY_WITH_LOGITS, v(new float[] {0}),
                v(new float[] {1}))), 1e-7);
        // Large logits: the loss grows linearly instead of overflowing, gradient sigmoid(x) - y saturates.
        float[] big = {1000, -1000, 1e30f};
        float[] yb = {0, 0, 1};
        assertEquals((1000 + 0 + 0) / 3.0, scalar(BE.loss(LossKind.BINARY_CROSS_ENTROPY_WITH_LOGITS, v(big), v(yb))),
                1e-3);
        Arrays2.assertClose("gradient", new float[] {1 / 3f, 0, 0},
                BE.download(BE.lossBackward(LossKind.BINARY_CROSS_ENTROPY_WITH_LOGITS, v(big), v(yb), 1)), 1e-7, 0);
    }

    @Test
    void mseExactValues() {
        // ((1-0)^2 + 0 + (3-5)^2) / 3 = 5/3; gradient 2 (x - t) / 3 * g.
        Tensor x = v(new float[] {1, 2, 3});
        Tensor t = v(new float[] {0, 2, 5});
        assertEquals(5 / 3.0, scalar(BE.loss(LossKind.MSE, x, t)), 1e-6);
        Arrays2.assertClose("mse gradient", new float[] {2, 0, -4},
                BE.download(BE.lossBackward(LossKind.MSE, x, t, 3)), 1e-6, 0);
    }

    @ParameterizedTest
    @EnumSource(LossKind.class)
    void gradientMatchesFiniteDifferences(LossKind kind) {
        Shape xs = Shape.of(4, 5);
        float[] x = Arrays2.random(xs.size(), 61);
        Shape ts = kind == LossKind.CROSS_ENTROPY ? Shape.of(4) : xs;
        float[] target = Arrays2.random(ts.size(), 62);
        for (int i = 0; i < target.length; i++) {
            target[i] = kind == LossKind.CROSS_ENTROPY ? (i * 3) % 5 : (target[i] + 1) / 2;
        }
        if (kind == LossKind.BINARY_CROSS_ENTROPY) {
            // Probabilities in [0.1, 0.9]: the finite-difference step must not leave [0, 1].
            for (int i = 0; i < x.length; i++) {
                x[i] = 0.5f + 0.4f * x[i];
            }
        }
        float gradOutput = 1.7f;
        Tensor tt = BE.upload(ts, target);
        float[] analytic = BE.download(BE.lossBackward(kind, BE.upload(xs, x), tt, gradOutput));
        GradCheck.check(kind.opName(), x, xv -> new float[] {scalar(BE.loss(kind, BE.upload(xs, xv), tt))},
                new float[] {gradOutput}, analytic);
    }

    @Test
    void crossEntropyRejectsLabelsThatAreNotClassIndices() {
        Tensor x = BE.upload(Shape.of(2, 5), new float[10]);
        for (float bad : new float[] {5, -1, 1.5f, Float.NaN}) {
            Tensor labels = v(new float[] {0, bad});
            var e = assertThrows(IllegalArgumentException.class, () -> BE.loss(LossKind.CROSS_ENTROPY, x, labels));
            assertMessage(e, "cross_entropy: target[1] = " + bad + " is not a class index in [0, 5)", "input [2, 5]");
            e = assertThrows(IllegalArgumentException.class, () -> BE.lossBackward(LossKind.CROSS_ENTROPY, x, labels, 1));
            assertMessage(e, "cross_entropy: target[1] = " + bad);
        }
    }

    @Test
    void badShapesNameTheLossAndShapes() {
        var e = assertThrows(IllegalArgumentException.class, () ->
                BE.loss(LossKind.CROSS_ENTROPY, BE.upload(Shape.of(3, 5), new float[15]), v(new float[2])));
        assertMessage(e, "cross_entropy: target must be [3]", "input [3, 5]", "target [2]");
        e = assertThrows(IllegalArgumentException.class, () ->
                BE.loss(LossKind.CROSS_ENTROPY, v(new float[5]), v(new float[5])));
        assertMessage(e, "cross_entropy: input must be 2-D", "input [5]");
        e = assertThrows(IllegalArgumentException.class, () ->
                BE.lossBackward(LossKind.MSE, v(new float[3]), v(new float[4]), 1));
        assertMessage(e, "mse_loss: input and target shapes differ", "input [3]", "target [4]");
        e = assertThrows(IllegalArgumentException.class, () ->
                BE.loss(LossKind.BINARY_CROSS_ENTROPY, v(new float[] {0.5f, 1.5f}), v(new float[2])));
        assertMessage(e, "binary_cross_entropy: input[1] = 1.5 is not a probability in [0, 1]", "input [2]");
        e = assertThrows(IllegalArgumentException.class, () ->
                BE.loss(LossKind.MSE, v(new float[0]), v(new float[0])));
        assertMessage(e, "mse_loss: input is empty");
    }

    @Test
    void everyLossIsFiniteOnExtremeButValidInput() {
        float[] x = {0, 1, 1e-30f, 1 - 1e-7f};
        float[] t = {1, 0, 1, 0};
        for (LossKind kind : new LossKind[] {LossKind.BINARY_CROSS_ENTROPY, LossKind.BINARY_CROSS_ENTROPY_WITH_LOGITS,
                LossKind.MSE}) {
            assertAllFinite(kind.opName(), new float[] {scalar(BE.loss(kind, v(x), v(t)))});
            assertAllFinite(kind.opName() + " gradient", BE.download(BE.lossBackward(kind, v(x), v(t), 1)));
        }
    }

    private static float[] logs(float[] p) {
        float[] out = new float[p.length];
        for (int i = 0; i < p.length; i++) {
            out[i] = (float) Math.log(p[i]);
        }
        return out;
    }

    private static float scalar(Tensor t) {
        assertEquals(Shape.scalar(), t.shape());
        return BE.download(t)[0];
    }

    private static Tensor v(float[] data) {
        return BE.upload(Shape.of(data.length), data);
    }
}
