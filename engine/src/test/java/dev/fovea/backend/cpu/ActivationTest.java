package dev.fovea.backend.cpu;

import dev.fovea.backend.Backend;
import dev.fovea.backend.Grads;
import dev.fovea.primitives.Activation;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.testing.Arrays2;
import dev.fovea.testing.GradCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.Arrays;
import java.util.List;

import static dev.fovea.backend.cpu.RefAsserts.assertAllFinite;
import static dev.fovea.backend.cpu.RefAsserts.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The activations of seed-examples §12 (logistic, tanh, ReLU, leaky ReLU with a = 0.01, PReLU). */
class ActivationTest {
    private static final Backend BE = new ReferenceBackend();
    private static final float[] X = {-2, -0.5f, 0, 0.5f, 2};

    /**
     * Each constant's worked examples ({@link Activation#examples()}, exact or worked out in high
     * precision) on the reference and the fast CPU backend, 19 copies so the fast one's vector loop
     * and its tail both see them: within 1e-7 + 2.4e-7 |y| (2 float ulp: formulas in double rounded
     * once, sigmoid's and tanh's gradients through the float output). Every constant has examples,
     * and one with a number attribute has one away from its default.
     */
    @ParameterizedTest
    @EnumSource(Activation.class)
    void workedExamplesHoldOnBothCpuBackends(Activation kind) {
        List<Activation.Example> examples = kind.examples();
        assertFalse(examples.isEmpty(), kind + " declares no worked example");
        if (kind.parameter() != null) {
            assertTrue(examples.stream().anyMatch(e -> (float) e.p() != (float) kind.defaultParameter()),
                    kind + " has no worked example away from its default " + kind.parameter());
        }
        for (Backend b : List.of(BE, new CpuBackend())) {
            for (Activation.Example e : examples) {
                float p = (float) e.p();
                float[] xs = new float[19];
                float[] ones = new float[19];
                Arrays.fill(xs, (float) e.x());
                Arrays.fill(ones, 1);
                Tensor x = b.upload(Shape.of(19), xs);
                Tensor y = b.activation(x, kind, p);
                float[] dx = b.download(b.activationBackward(b.upload(Shape.of(19), ones), x, y, kind, p));
                String what = kind + " on " + b.name() + " at x = " + e.x() + ", p = " + e.p();
                float[] want = new float[19];
                Arrays.fill(want, (float) e.y());
                Arrays2.assertClose(what, want, b.download(y), 1e-7, 2.4e-7);
                Arrays.fill(want, (float) e.dydx());
                Arrays2.assertClose(what + ": dy/dx", want, dx, 1e-7, 2.4e-7);
            }
        }
    }

    @Test
    void relu6ClampsToZeroAndSixAndPassesTheGradientOnlyStrictlyBetween() {
        float[] x = {-1, -0f, 3, 6, 7, Float.NaN};
        float[] y = forward(Activation.RELU6, x);
        Arrays2.assertExact("relu6", new float[] {0, 0, 3, 6, 6}, Arrays.copyOf(y, 5));
        assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(y[1]), "-0 passes, as in PyTorch");
        assertTrue(Float.isNaN(y[5]), "NaN passes");
        Arrays2.assertExact("relu6 backward (PyTorch: 0 at both kinks and at NaN)", new float[] {0, 0, 2, 0, 0, 0},
                backward(Activation.RELU6, x, new float[] {2, 2, 2, 2, 2, 2}));
    }

    @Test
    void sigmoidAndTanhSaturateWithoutOverflow() {
        float[] big = {-1e30f, -1000, -100, 100, 1000, 1e30f};
        float[] s = forward(Activation.SIGMOID, big);
        // e^-100 = 3.72e-44 is a float32 subnormal; the naive e^x/(1+e^x) would give NaN at +1000.
        Arrays2.assertClose("sigmoid", new float[] {0, 0, 3.7200760e-44f, 1, 1, 1}, s, 1e-45, 0);
        Arrays2.assertExact("tanh", new float[] {-1, -1, -1, 1, 1, 1}, forward(Activation.TANH, big));
        float[] ds = BE.download(BE.activationBackward(t(new float[] {1, 1, 1, 1, 1, 1}), t(big), t(s),
                Activation.SIGMOID, 0));
        assertAllFinite("sigmoid backward", ds);
    }

    /** Activation.tanh replaces the JDK's native Math.tanh for speed; as a float it must be the same value. */
    @Test
    void tanhRoundsToMathTanhsFloatAcrossTheFloatRange() {
        int checked = 0;
        for (long bits = 0; bits <= 0x7f800000L; bits += 4099) {
            float x = Float.intBitsToFloat((int) bits);
            for (float v : new float[] {x, -x}) {
                assertEquals(Float.floatToIntBits((float) Math.tanh(v)), Float.floatToIntBits((float) Activation.tanh(v)),
                        "tanh(" + v + ")");
                checked++;
            }
        }
        assertTrue(checked > 1_000_000, "checked " + checked);
        assertEquals(Double.doubleToLongBits(-0.0), Double.doubleToLongBits(Activation.tanh(-0.0)));
        assertTrue(Double.isNaN(Activation.tanh(Double.NaN)));
        assertEquals(1.0, Activation.tanh(Double.POSITIVE_INFINITY));
        assertEquals(-1.0, Activation.tanh(-1000));
    }

    @Test
    void erfMatchesKnownValuesToAFewUlp() {
        double[][] known = {{0, 0}, {0.5, 0.5204998778130465}, {1, 0.8427007929497149}, {2, 0.9953222650189527},
            {-3, -0.9999779095030014}, {5, 0.9999999999984626}, {7, 1}};
        for (double[] k : known) {
            org.junit.jupiter.api.Assertions.assertEquals(k[1], Activation.erf(k[0]), 2e-15, "erf(" + k[0] + ")");
        }
        org.junit.jupiter.api.Assertions.assertTrue(Double.isNaN(Activation.erf(Double.NaN)));
    }

    @ParameterizedTest
    @EnumSource(Activation.class)
    void gradientMatchesFiniteDifferences(Activation kind) {
        float[] x = awayFromZero(Arrays2.random(60, 21), 3);
        float[] dy = Arrays2.random(60, 22);
        // At the default attribute value, and at 0.5 where there is one.
        for (float p : kind.parameter() == null ? new float[] {0} : new float[] {(float) kind.defaultParameter(), 0.5f}) {
            GradCheck.check(kind.opName() + " p " + p, x, xv -> forward(kind, xv, p), dy, backward(kind, x, dy, p));
        }
    }

    @Test
    void preluPerChannelAndSharedExactValues() {
        // x [2, 2, 2] with slopes 0.25 (channel 0) and 0.5 (channel 1).
        float[] x = {-4, 2, -4, 2, 1, -8, 1, -8};
        Shape xs = Shape.of(2, 2, 2);
        Tensor perChannel = BE.prelu(BE.upload(xs, x), t(new float[] {0.25f, 0.5f}));
        Arrays2.assertExact("prelu [C]", new float[] {-1, 2, -2, 2, 1, -2, 1, -4}, BE.download(perChannel));
        Tensor shared = BE.prelu(BE.upload(xs, x), t(new float[] {0.5f}));
        Arrays2.assertExact("prelu [1]", new float[] {-2, 2, -2, 2, 1, -4, 1, -4}, BE.download(shared));
    }

    @Test
    void preluBackwardExactValues() {
        float[] x = {-4, 2, -4, 2, 1, -8, 1, -8};
        Shape xs = Shape.of(2, 2, 2);
        float[] dy = {1, 1, 1, 1, 1, 1, 1, 0.5f};
        Grads g = BE.preluBackward(BE.upload(xs, dy), BE.upload(xs, x), t(new float[] {0.25f, 0.5f}));
        Arrays2.assertExact("dx", new float[] {0.25f, 1, 0.5f, 1, 1, 0.25f, 1, 0.25f}, BE.download(g.input()));
        // dw_c = sum over negative x of x * dy: channel 0: -4 - 8 = -12; channel 1: -4 - 8 * 0.5 = -8.
        Arrays2.assertExact("dweight", new float[] {-12, -8}, BE.download(g.weight()));
        assertNull(g.bias());
    }

    @Test
    void preluGradientsMatchFiniteDifferencesPerChannel() {
        checkPrelu(Shape.of(3, 4, 2, 3), 4);
    }

    @Test
    void preluGradientsMatchFiniteDifferencesShared() {
        checkPrelu(Shape.of(3, 4, 5), 1);
    }

    private static void checkPrelu(Shape xs, int slopes) {
        float[] x = awayFromZero(Arrays2.random(xs.size(), 31), 3);
        float[] w = Arrays2.random(slopes, 32);
        float[] dy = Arrays2.random(xs.size(), 33);
        Grads g = BE.preluBackward(BE.upload(xs, dy), BE.upload(xs, x), t(w));
        GradCheck.check("prelu d input " + xs, x, xv -> BE.download(BE.prelu(BE.upload(xs, xv), t(w))), dy,
                BE.download(g.input()));
        GradCheck.check("prelu d weight " + xs, w, wv -> BE.download(BE.prelu(BE.upload(xs, x), t(wv))), dy,
                BE.download(g.weight()));
    }

    @Test
    void preluRejectsAWeightThatFitsNoChannelCount() {
        Tensor x = BE.upload(Shape.of(2, 3, 4), new float[24]);
        var e = assertThrows(IllegalArgumentException.class, () -> BE.prelu(x, t(new float[2])));
        assertMessage(e, "prelu: weight has 2 slopes but the input has 3 channels", "input [2, 3, 4]", "weight [2]");
        e = assertThrows(IllegalArgumentException.class, () ->
                BE.prelu(x, BE.upload(Shape.of(3, 1), new float[3])));
        assertMessage(e, "prelu: weight must be 1-D", "weight [3, 1]");
        e = assertThrows(IllegalArgumentException.class, () -> BE.prelu(t(new float[3]), t(new float[3])));
        assertMessage(e, "prelu: a per-channel weight needs an input of rank >= 2", "input [3]");
    }

    @Test
    void backwardRejectsMismatchedGradient() {
        var e = assertThrows(IllegalArgumentException.class, () ->
                BE.activationBackward(t(new float[4]), t(X), t(X), Activation.TANH, 0));
        assertMessage(e, "tanh backward", "[4]", "[5]");
    }

    /** Moves values off ReLU's kink by at least the finite-difference step. */
    private static float[] awayFromZero(float[] x, float scale) {
        for (int i = 0; i < x.length; i++) {
            x[i] = scale * x[i] + Math.copySign(0.05f, x[i]);
        }
        return x;
    }

    private static float[] forward(Activation kind, float[] x) {
        return forward(kind, x, (float) kind.defaultParameter());
    }

    private static float[] forward(Activation kind, float[] x, float p) {
        return BE.download(BE.activation(t(x), kind, p));
    }

    private static float[] backward(Activation kind, float[] x, float[] dy) {
        return backward(kind, x, dy, (float) kind.defaultParameter());
    }

    private static float[] backward(Activation kind, float[] x, float[] dy, float p) {
        Tensor in = t(x);
        Tensor out = BE.activation(in, kind, p);
        return BE.download(BE.activationBackward(t(dy), in, out, kind, p));
    }

    private static Tensor t(float[] data) {
        return BE.upload(Shape.of(data.length), data);
    }
}
