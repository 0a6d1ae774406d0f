package dev.fovea.backend.cpu;

import dev.fovea.backend.Backend;
import dev.fovea.backend.DropoutOutput;
import dev.fovea.primitives.DropoutParams;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.testing.Arrays2;
import dev.fovea.testing.GradCheck;
import org.junit.jupiter.api.Test;

import static dev.fovea.backend.cpu.RefAsserts.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Inverted dropout: seeded masks, scaling of the survivors, evaluation mode, gradient through the mask. */
class DropoutTest {
    private static final Backend BE = new ReferenceBackend();
    private static final Shape S = Shape.of(4, 50);

    @Test
    void sameSeedGivesTheSameMaskAndAnotherSeedAnotherMask() {
        float[] x = Arrays2.random(S.size(), 71);
        float[] a = mask(new DropoutParams(0.5, true, 42), x);
        float[] b = mask(new DropoutParams(0.5, true, 42), x);
        float[] c = mask(new DropoutParams(0.5, true, 43), x);
        Arrays2.assertExact("same seed", a, b);
        // 200 fair coin flips agreeing everywhere by chance: probability 2^-200.
        assertFalse(java.util.Arrays.equals(a, c), "seeds 42 and 43 gave the same mask");
    }

    @Test
    void survivorsAreScaledByOneOverKeepProbabilityAndTheRestAreZero() {
        float[] x = Arrays2.random(S.size(), 72);
        DropoutParams p = new DropoutParams(0.2, true, 7);
        DropoutOutput out = BE.dropout(BE.upload(S, x), p);
        float[] y = BE.download(out.output());
        float[] m = BE.download(out.mask());
        float scale = (float) (1 / 0.8);
        int dropped = 0;
        for (int i = 0; i < x.length; i++) {
            assertTrue(m[i] == 0 || m[i] == scale, "mask[" + i + "] = " + m[i]);
            assertEquals(x[i] * m[i], y[i], "y[" + i + "]");
            dropped += m[i] == 0 ? 1 : 0;
        }
        assertTrue(dropped > 0 && dropped < x.length, "dropped " + dropped + " of " + x.length);
    }

    @Test
    void keptFractionIsCloseToOneMinusP() {
        // n = 200,000 Bernoulli(0.7) draws: standard deviation of the kept count is
        // sqrt(n 0.7 0.3) = 205; six of them (1 in 500 million by chance) is 1230, i.e. 0.00615.
        int n = 200_000;
        double p = 0.3;
        float[] m = BE.download(BE.dropout(BE.upload(Shape.of(n), new float[n]), new DropoutParams(p, true, 99)).mask());
        int kept = 0;
        for (float v : m) {
            kept += v != 0 ? 1 : 0;
        }
        assertEquals(1 - p, kept / (double) n, 0.00615, "kept fraction");
    }

    @Test
    void evaluationModeAndZeroProbabilityAreTheIdentity() {
        float[] x = Arrays2.random(S.size(), 73);
        for (DropoutParams p : new DropoutParams[] {new DropoutParams(0.5, false, 1), new DropoutParams(0, true, 1)}) {
            DropoutOutput out = BE.dropout(BE.upload(S, x), p);
            Arrays2.assertExact("output " + p, x, BE.download(out.output()));
            assertNull(out.mask());
            float[] dy = Arrays2.random(S.size(), 74);
            Arrays2.assertExact("backward " + p, dy, BE.download(BE.dropoutBackward(BE.upload(S, dy), out)));
        }
    }

    @Test
    void gradientMatchesFiniteDifferencesThroughTheFixedMask() {
        float[] x = Arrays2.random(S.size(), 75);
        float[] dy = Arrays2.random(S.size(), 76);
        DropoutParams p = new DropoutParams(0.4, true, 5);
        DropoutOutput out = BE.dropout(BE.upload(S, x), p);
        float[] dx = BE.download(BE.dropoutBackward(BE.upload(S, dy), out));
        // The seed fixes the mask, so each call of the forward below applies the same one.
        GradCheck.check("dropout", x, xv -> BE.download(BE.dropout(BE.upload(S, xv), p).output()), dy, dx);
    }

    @Test
    void rejectsABadProbabilityAndAMismatchedGradient() {
        var e = assertThrows(IllegalArgumentException.class, () -> new DropoutParams(1, true, 0));
        assertMessage(e, "dropout: p must be in [0, 1), got 1.0");
        DropoutOutput out = BE.dropout(BE.upload(S, new float[S.size()]), new DropoutParams(0.5, true, 0));
        Tensor wrong = BE.upload(Shape.of(50, 4), new float[S.size()]);
        e = assertThrows(IllegalArgumentException.class, () -> BE.dropoutBackward(wrong, out));
        assertMessage(e, "dropout backward", "[50, 4]", "[4, 50]");
    }

    private static float[] mask(DropoutParams p, float[] x) {
        return BE.download(BE.dropout(BE.upload(S, x), p).mask());
    }
}
