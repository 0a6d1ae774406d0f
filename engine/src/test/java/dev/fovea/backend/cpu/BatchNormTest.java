package dev.fovea.backend.cpu;

import dev.fovea.backend.Backend;
import dev.fovea.backend.BatchNormOutput;
import dev.fovea.backend.Grads;
import dev.fovea.primitives.BatchNormParams;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.testing.Arrays2;
import dev.fovea.testing.GradCheck;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

import static dev.fovea.backend.cpu.RefAsserts.assertAllFinite;
import static dev.fovea.backend.cpu.RefAsserts.assertMessage;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Batch normalisation of the reference backend: seed-examples §10 by hand, corner cases, gradients. */
class BatchNormTest {
    private static final Backend BE = new ReferenceBackend();
    /** eps chosen so that var + eps is a perfect square in the hand example: 1.25 + 2.75 = 4. */
    private static final BatchNormParams HAND = new BatchNormParams(0.1, 2.75);

    /**
     * x [N=2, C=2, H=1, W=2]: channel 0 holds 1, 2 (sample 0) and 3, 4 (sample 1): mean 2.5,
     * biased variance 1.25, unbiased 5/3, invStd 1/sqrt(4) = 0.5, x_hat = -0.75, -0.25, 0.25, 0.75.
     * Channel 1 is constant -2: zero variance, x_hat = 0, so y = beta exactly.
     */
    private static final float[] X = {1, 2, -2, -2, 3, 4, -2, -2};
    private static final Shape XS = Shape.of(2, 2, 1, 2);
    private static final float[] GAMMA = {2, 3};
    private static final float[] BETA = {1, -1};

    @Test
    void trainingNormalisesWithBatchStatisticsAndUpdatesRunningStatsWithUnbiasedVariance() {
        Tensor rm = t(new float[] {0, 0}, 2);
        Tensor rv = t(new float[] {1, 1}, 2);
        BatchNormOutput out = BE.batchNormTraining(BE.upload(XS, X), t(GAMMA, 2), t(BETA, 2), rm, rv, HAND);
        // y = gamma * x_hat + beta: channel 0 2*(-0.75, -0.25, 0.25, 0.75) + 1, channel 1 -1.
        Arrays2.assertExact("y", new float[] {-0.5f, 0.5f, -1, -1, 1.5f, 2.5f, -1, -1}, v(out.output()));
        Arrays2.assertExact("saved mean", new float[] {2.5f, -2}, v(out.savedMean()));
        Arrays2.assertClose("saved invStd", new float[] {0.5f, (float) (1 / Math.sqrt(2.75))},
                v(out.savedInvStd()), 0, 1e-7);
        // running = 0.9 * running + 0.1 * batch; variance unbiased: 0.9 + 0.1 * 5/3 = 1.0666667, and 0.9 + 0.
        Arrays2.assertExact("running_mean", new float[] {0.25f, -0.2f}, v(rm));
        Arrays2.assertClose("running_var", new float[] {1.0666667f, 0.9f}, v(rv), 0, 1e-7);
    }

    @Test
    void backwardMatchesTheHandComputedFormula() {
        BatchNormOutput fwd = BE.batchNormTraining(BE.upload(XS, X), t(GAMMA, 2), t(BETA, 2), t(new float[2], 2),
                t(new float[] {1, 1}, 2), HAND);
        // Channel 0: dy = 1, 0, 0, 0 -> dbeta = 1, dgamma = sum(dy x_hat) = -0.75,
        // dx = gamma invStd / 4 * (4 dy - 1 + 0.75 x_hat) = 0.609375, -0.296875, -0.203125, -0.109375.
        // Channel 1: dy = 1 everywhere -> dbeta = 4, dgamma = 0, dx = 0 (a constant shift of y is invisible).
        float[] dy = {1, 0, 1, 1, 0, 0, 1, 1};
        Grads g = BE.batchNormBackward(BE.upload(XS, dy), BE.upload(XS, X), t(GAMMA, 2), fwd);
        Arrays2.assertExact("dx", new float[] {0.609375f, -0.296875f, 0, 0, -0.203125f, -0.109375f, 0, 0},
                v(g.input()));
        Arrays2.assertExact("dgamma", new float[] {-0.75f, 0}, v(g.weight()));
        Arrays2.assertExact("dbeta", new float[] {1, 4}, v(g.bias()));
    }

    @Test
    void inferenceUsesRunningStatisticsAndLeavesThemAlone() {
        // rv + eps = 4 and 9: y = 2 (x - 1) / 2 + 1 = x on channel 0, 3 (x + 1) / 3 - 1 = x on channel 1
        // (gamma 2, 3 and beta 1, -1).
        float[] rmv = {1, -1};
        float[] rvv = {1.25f, 6.25f};
        Tensor rm = t(rmv.clone(), 2);
        Tensor rv = t(rvv.clone(), 2);
        float[] x = {1, 2, -2, 5, 3, 4, 0, 7};
        Tensor y = BE.batchNormInference(BE.upload(XS, x), t(GAMMA, 2), t(BETA, 2), rm, rv, HAND);
        Arrays2.assertExact("y", x, v(y));
        Arrays2.assertExact("running_mean untouched", rmv, v(rm));
        Arrays2.assertExact("running_var untouched", rvv, v(rv));
    }

    @Test
    void backwardWithRunningStatisticsByHand() {
        // Running mean 1, -1 and var + eps = 4, 9: invStd 0.5, 1/3; gamma 3, 1.5 so dx = 1.5 dy, 0.5 dy.
        // Channel 0: x 1, 2, 3, 4 -> x_hat 0, 0.5, 1, 1.5; dy 1, 0, 0, 2 -> dgamma 3, dbeta 3.
        // Channel 1: x -2 -> x_hat -1/3; dy 1, 2, 1, -1 -> dgamma -1, dbeta 3.
        float[] dy = {1, 0, 1, 2, 0, 2, 1, -1};
        Grads g = BE.batchNormInferenceBackward(BE.upload(XS, dy), BE.upload(XS, X), t(new float[] {3, 1.5f}, 2),
                t(new float[] {1, -1}, 2), t(new float[] {1.25f, 6.25f}, 2), HAND);
        Arrays2.assertExact("dx", new float[] {1.5f, 0, 0.5f, 1, 0, 3, 0.5f, -0.5f}, v(g.input()));
        Arrays2.assertClose("dgamma", new float[] {3, -1}, v(g.weight()), 0, 1e-7);
        Arrays2.assertExact("dbeta", new float[] {3, 3}, v(g.bias()));
    }

    @Test
    void backwardWithRunningStatisticsMatchesFiniteDifferences() {
        for (Shape xs : List.of(Shape.of(3, 2, 3, 4), Shape.of(5, 3))) {
            int c = xs.dim(1);
            float[] x = Arrays2.random(xs.size(), 21);
            float[] gamma = Arrays2.random(c, 22);
            float[] beta = Arrays2.random(c, 23);
            float[] mean = Arrays2.random(c, 24);
            float[] var = {0.3f, 1.7f, 0.05f};
            float[] dy = Arrays2.random(xs.size(), 25);
            BatchNormParams p = BatchNormParams.defaults();
            Grads g = BE.batchNormInferenceBackward(BE.upload(xs, dy), BE.upload(xs, x), t(gamma, c), t(mean, c),
                    t(Arrays.copyOf(var, c), c), p);
            Function<float[][], float[]> f = a -> v(BE.batchNormInference(BE.upload(xs, a[0]),
                    t(a[1], c), t(a[2], c), t(mean, c), t(Arrays.copyOf(var, c), c), p));
            GradCheck.check("batch_norm (running statistics) d input " + xs, x, xv -> f.apply(new float[][] {xv, gamma,
                beta}), dy, v(g.input()));
            GradCheck.check("batch_norm (running statistics) d weight " + xs, gamma, gv -> f.apply(new float[][] {x, gv,
                beta}), dy, v(g.weight()));
            GradCheck.check("batch_norm (running statistics) d bias " + xs, beta, bv -> f.apply(new float[][] {x, gamma,
                bv}), dy, v(g.bias()));
        }
    }

    @Test
    void twoDimensionalInputNormalisesEachColumn() {
        // [N=4, C=2]: column 0 is 1..4 (x_hat -0.75 .. 0.75 with eps 2.75), column 1 is constant.
        float[] x = {1, 7, 2, 7, 3, 7, 4, 7};
        BatchNormOutput out = BE.batchNormTraining(t(x, 4, 2), t(new float[] {1, 1}, 2), t(new float[2], 2),
                t(new float[2], 2), t(new float[] {1, 1}, 2), HAND);
        Arrays2.assertExact("y", new float[] {-0.75f, 0, -0.25f, 0, 0.25f, 0, 0.75f, 0}, v(out.output()));
    }

    @Test
    void oneElementPerChannelWithZeroVarianceStaysFinite() {
        // One sample of [1, 3]: each channel has one value, variance 0, unbiased variance undefined.
        Tensor rm = t(new float[] {0, 0, 0}, 3);
        Tensor rv = t(new float[] {1, 1, 1}, 3);
        Tensor x = t(new float[] {5, -3, 1e30f}, 1, 3);
        Tensor gamma = t(new float[] {2, 2, 2}, 3);
        BatchNormOutput out = BE.batchNormTraining(x, gamma, t(new float[] {0.5f, 0.5f, 0.5f}, 3), rm, rv,
                BatchNormParams.defaults());
        Arrays2.assertExact("y = beta", new float[] {0.5f, 0.5f, 0.5f}, v(out.output()));
        Arrays2.assertExact("running_var decays towards the zero variance", new float[] {0.9f, 0.9f, 0.9f}, v(rv));
        assertAllFinite("running_mean", v(rm));
        assertAllFinite("saved invStd", v(out.savedInvStd()));
        Grads g = BE.batchNormBackward(t(new float[] {1, -2, 3}, 1, 3), x, gamma, out);
        Arrays2.assertExact("dx (a single value normalises to 0 whatever it is)", new float[3], v(g.input()));
        Arrays2.assertExact("dgamma", new float[3], v(g.weight()));
        Arrays2.assertExact("dbeta", new float[] {1, -2, 3}, v(g.bias()));
    }

    @Test
    void gradientsMatchFiniteDifferences4d() {
        checkGradients(Shape.of(3, 2, 3, 4), 11);
    }

    @Test
    void gradientsMatchFiniteDifferences2dOddSizes() {
        checkGradients(Shape.of(5, 3), 12);
    }

    private static void checkGradients(Shape xs, long seed) {
        int c = xs.dim(1);
        float[] x = Arrays2.random(xs.size(), seed);
        float[] gamma = Arrays2.random(c, seed + 1);
        float[] beta = Arrays2.random(c, seed + 2);
        float[] dy = Arrays2.random(xs.size(), seed + 3);
        BatchNormParams p = BatchNormParams.defaults();
        BatchNormOutput fwd = BE.batchNormTraining(BE.upload(xs, x), t(gamma, c), t(beta, c), t(new float[c], c),
                t(new float[c], c), p);
        Grads g = BE.batchNormBackward(BE.upload(xs, dy), BE.upload(xs, x), t(gamma, c), fwd);
        GradCheck.check("batch_norm d input " + xs, x, xv -> forward(xs, xv, gamma, beta, p), dy, v(g.input()));
        GradCheck.check("batch_norm d weight " + xs, gamma, gv -> forward(xs, x, gv, beta, p), dy, v(g.weight()));
        GradCheck.check("batch_norm d bias " + xs, beta, bv -> forward(xs, x, gamma, bv, p), dy, v(g.bias()));
    }

    private static float[] forward(Shape xs, float[] x, float[] gamma, float[] beta, BatchNormParams p) {
        int c = xs.dim(1);
        return v(BE.batchNormTraining(BE.upload(xs, x), t(gamma, c), t(beta, c), t(new float[c], c),
                t(new float[c], c), p).output());
    }

    @Test
    void badShapesNameTheOpParameterAndShapes() {
        Tensor two = t(new float[2], 2);
        Tensor three = t(new float[3], 3);
        var e = assertThrows(IllegalArgumentException.class, () ->
                BE.batchNormTraining(BE.upload(XS, X), three, two, two, two, HAND));
        assertMessage(e, "batch_norm: weight must be [2]", "input [2, 2, 1, 2]", "weight [3]");
        e = assertThrows(IllegalArgumentException.class, () ->
                BE.batchNormInference(BE.upload(XS, X), two, two, two, three, HAND));
        assertMessage(e, "batch_norm: running_var must be [2]", "running_var [3]");
        e = assertThrows(IllegalArgumentException.class, () ->
                BE.batchNormTraining(t(new float[8], 2, 2, 2), two, two, two, two, HAND));
        assertMessage(e, "batch_norm: input must be [N, C] or [N, C, H, W]", "input [2, 2, 2]");
        e = assertThrows(IllegalArgumentException.class, () ->
                BE.batchNormTraining(t(new float[0], 0, 2), two, two, two, two, HAND));
        assertMessage(e, "batch_norm: input is empty", "input [0, 2]");
    }

    private static Tensor t(float[] data, int... dims) {
        return BE.upload(Shape.of(dims), data);
    }

    private static float[] v(Tensor t) {
        return BE.download(t);
    }
}
