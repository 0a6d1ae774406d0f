package dev.fovea.optim;

import dev.fovea.backend.cpu.ReferenceBackend;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.train.Optimizer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Each optimiser against updates computed by hand from PyTorch's documented algorithms (worked in
 * double precision, so the tolerance is float32 rounding of the state between steps: 1e-6).
 */
class OptimizerUpdateTest {
    private static final double TOL = 1e-6;
    private static final float[] GRADS = {0.5f, -0.5f, 0.25f};
    private static final ReferenceBackend CPU = new ReferenceBackend();

    private static Tensor scalar(float v) {
        return CPU.upload(Shape.of(1), new float[] {v});
    }

    /** Runs three steps on a single parameter starting at 1.0 and returns the parameter after each. */
    private static double[] trajectory(OptimizerConfig config, float[] grads) {
        Optimizer opt = new Optimizer(config, CPU);
        Tensor p = scalar(1f);
        double[] out = new double[grads.length];
        for (int t = 0; t < grads.length; t++) {
            opt.step("w", p, scalar(grads[t]));
            out[t] = CPU.download(p)[0];
        }
        return out;
    }

    private static void assertTrajectory(double[] expected, double[] actual) {
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], TOL, "after step " + (i + 1));
        }
    }

    @Test
    void plainSgdAndWeightDecay() {
        assertTrajectory(new double[] {0.95, 1.0, 0.975}, trajectory(Sgd.plain(0.1), GRADS));
        // g' = g + 0.1 p = 0.5 + 0.1 -> p = 1 - 0.1 * 0.6
        assertTrajectory(new double[] {0.94}, trajectory(new Sgd(0.1, 0, 0, false, 0.1), new float[] {0.5f}));
    }

    @Test
    void sgdMomentumStartsTheBufferAtTheGradient() {
        // buf 0.5 -> p 0.95; buf 0.9*0.5 + 0.5 = 0.95 -> p 0.855; buf 0.855 - 1 = -0.145 -> p 0.8695
        assertTrajectory(new double[] {0.95, 0.855, 0.8695},
                trajectory(new Sgd(0.1, 0.9, 0, false, 0), new float[] {0.5f, 0.5f, -1f}));
    }

    @Test
    void sgdNesterov() {
        // step 1: buf 0.5, g + 0.9 buf = 0.95 -> 0.905; step 2: buf 0.95, 0.5 + 0.855 = 1.355 -> 0.7695
        assertTrajectory(new double[] {0.905, 0.7695},
                trajectory(new Sgd(0.1, 0.9, 0, true, 0), new float[] {0.5f, 0.5f}));
    }

    @Test
    void dampedMomentumMatchesTheCourseForm() {
        // seed-examples §11: W(t+1) = W(t) + a (W(t) - W(t-1)) + (1 - a)(-eta grad), a = momentum = dampening.
        double a = 0.5;
        double eta = 0.1;
        float[] grads = {1f, 2f, -1f, 0.5f, 3f};
        double[] w = trajectory(new Sgd(eta, a, a, false, 0), grads);
        assertEquals(0.9, w[0], TOL);
        assertEquals(0.75, w[1], TOL);
        assertEquals(0.725, w[2], TOL);
        double prev = 1.0;
        for (int t = 1; t < grads.length; t++) {
            double expected = w[t - 1] + a * (w[t - 1] - prev) + (1 - a) * (-eta * grads[t]);
            assertEquals(expected, w[t], TOL, "damped recurrence at step " + (t + 1));
            prev = w[t - 1];
        }
    }

    @Test
    void adamAndAdamW() {
        assertTrajectory(new double[] {0.9000000019999999, 0.9052631597894735, 0.8877906067738799},
                trajectory(Adam.adam(0.1), GRADS));
        assertTrajectory(new double[] {0.8900000019999998, 0.8863631597694734, 0.8600269751561851},
                trajectory(new Adam(0.1, 0.9, 0.999, 1e-8, 0.1, true), GRADS));
    }

    @Test
    void adaGradAdaDeltaRmsProp() {
        assertTrajectory(new double[] {0.90000000002, 0.9707106781286547, 0.9373773447997659},
                trajectory(AdaGrad.defaults(0.1), GRADS));
        assertTrajectory(new double[] {0.9968377855834876, 1.0000821474119568, 0.9981415460054974},
                trajectory(AdaDelta.defaults(1.0), GRADS));
        assertTrajectory(new double[] {0.900000019999996, 0.9708881304505798, 0.937331087975015},
                trajectory(RmsProp.defaults(0.01), GRADS));
        assertTrajectory(new double[] {0.899496238676095, 0.8799309817462514, 0.8287470402032179},
                trajectory(new RmsProp(0.01, 0.99, 1e-8, 0, 0.9, true), GRADS));
    }

    @Test
    void stateIsKeptPerParameterUnderPyTorchNames() {
        Optimizer opt = new Optimizer(Adam.adam(0.1), CPU);
        Tensor a = scalar(1f);
        Tensor b = scalar(1f);
        opt.step("a", a, scalar(0.5f));
        opt.step("a", a, scalar(-0.5f));
        opt.step("b", b, scalar(0.5f));
        assertEquals(2, opt.steps("a"));
        assertEquals(1, opt.steps("b"));
        assertEquals(0.9f * 0.05f + 0.1f * -0.5f, opt.state("a").get("exp_avg")[0], 1e-7);
        assertEquals(0.9000000019999999, CPU.download(b)[0], TOL, "b's first step is a first step, whatever a did");
    }

    @Test
    void restoredStateContinuesExactly() {
        Optimizer full = new Optimizer(Adam.adam(0.1), CPU);
        Tensor p = scalar(1f);
        full.step("w", p, scalar(0.5f));
        Optimizer resumed = new Optimizer(Adam.adam(0.1), CPU);
        resumed.restore("w", Shape.of(1), full.steps("w"), full.state("w"));
        Tensor q = CPU.upload(Shape.of(1), CPU.download(p));
        full.step("w", p, scalar(-0.5f));
        resumed.step("w", q, scalar(-0.5f));
        assertEquals(CPU.download(p)[0], CPU.download(q)[0], 0f);
        var e = assertThrows(IllegalArgumentException.class,
                () -> resumed.restore("w", Shape.of(2), 1, full.state("w")));
        assertEquals("adam: checkpoint state of 'w' has 1 values in 'exp_avg', the parameter has 2", e.getMessage());
    }

    @Test
    void theHostRoundTripDefaultMatchesTheInPlaceUpdate() {
        // Backends without an in-place update use Backend's default; both must agree exactly.
        dev.fovea.backend.Backend viaHost = new ReferenceBackend() {
            @Override
            public void optimizerUpdate(OptimizerConfig config, Tensor param, Tensor grad,
                                        java.util.List<Tensor> state, long step, double lr) {
                dev.fovea.backend.Backend.updateThroughHost(this, config, param, grad, state, step, lr);
            }
        };
        Optimizer a = new Optimizer(new Sgd(0.1, 0.9, 0, true, 0.01), CPU);
        Optimizer b = new Optimizer(new Sgd(0.1, 0.9, 0, true, 0.01), viaHost);
        Tensor pa = scalar(1f);
        Tensor pb = scalar(1f);
        for (float g : GRADS) {
            a.step("w", pa, scalar(g));
            b.step("w", pb, scalar(g));
        }
        assertEquals(CPU.download(pa)[0], CPU.download(pb)[0], 0f);
        assertEquals(a.state("w").get("momentum_buffer")[0], b.state("w").get("momentum_buffer")[0], 0f);
    }

    @Test
    void schedules() {
        LrSchedule step = new LrSchedule.Step(2, 0.1);
        assertEquals(1.0, step.lr(1.0, 1), 1e-12);
        assertEquals(0.1, step.lr(1.0, 2), 1e-12);
        assertEquals(0.01, step.lr(1.0, 5), 1e-12);
        LrSchedule cos = new LrSchedule.Cosine(10, 0.0);
        assertEquals(1.0, cos.lr(1.0, 0), 1e-12);
        assertEquals(0.5, cos.lr(1.0, 5), 1e-12);
        assertEquals(0.0, cos.lr(1.0, 10), 1e-12);
        assertEquals(0.0, cos.lr(1.0, 12), 1e-12);
    }

    @Test
    void badHyperParametersAreNamed() {
        var e = assertThrows(IllegalArgumentException.class, () -> new Adam(0.1, 1.0, 0.999, 1e-8, 0, false));
        assertEquals("adam: beta1 must be in [0, 1), got 1.0", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Sgd(0.1, 0, 0, true, 0));
        var size = assertThrows(IllegalArgumentException.class,
                () -> new Optimizer(Sgd.plain(0.1), CPU).step("w", CPU.zeros(Shape.of(2)), CPU.zeros(Shape.of(3))));
        assertEquals("sgd: parameter 'w' is [2] but its gradient is [3]", size.getMessage());
    }
}
