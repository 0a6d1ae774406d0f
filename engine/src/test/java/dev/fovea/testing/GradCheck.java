package dev.fovea.testing;

import java.util.SplittableRandom;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Central finite-difference checks of analytic gradients. The scalar checked is
 * L(x) = sum(f(x) * gradOutput), whose gradient with respect to x is exactly what a backward pass
 * given {@code gradOutput} must return. Sums are taken in double so that float32 rounding of the
 * op itself is the only noise, which is why the default step is 1e-2 (kinks of ReLU-like functions
 * are avoided by the callers' random data).
 */
public final class GradCheck {
    /** Step of the central difference. */
    public static final double STEP = 1e-2;
    /** |numeric - analytic| <= ABS + REL * max(|numeric|, |analytic|): float32 noise on O(1) values. */
    public static final double ABS = 2e-3;
    public static final double REL = 2e-2;

    private GradCheck() {
    }

    /**
     * Checks {@code analytic} against the numeric gradient of sum(f(x) * gradOutput) at {@code x},
     * at up to {@code maxPoints} positions (all when x is small), chosen with a fixed seed.
     */
    public static void check(String what, float[] x, Function<float[], float[]> f, float[] gradOutput,
                             float[] analytic, int maxPoints) {
        if (analytic.length != x.length) {
            fail(what + ": analytic gradient has " + analytic.length + " values, input has " + x.length);
        }
        SplittableRandom rnd = new SplittableRandom(1234);
        int points = Math.min(maxPoints, x.length);
        for (int t = 0; t < points; t++) {
            int i = points == x.length ? t : rnd.nextInt(x.length);
            float saved = x[i];
            x[i] = (float) (saved + STEP);
            double plus = dot(f.apply(x), gradOutput);
            x[i] = (float) (saved - STEP);
            double minus = dot(f.apply(x), gradOutput);
            x[i] = saved;
            double numeric = (plus - minus) / (2 * STEP);
            double err = Math.abs(numeric - analytic[i]);
            double bound = ABS + REL * Math.max(Math.abs(numeric), Math.abs(analytic[i]));
            if (!(err <= bound)) {
                fail(String.format("%s: gradient at flat index %d: analytic %.6g, numeric %.6g (error %.3g > %.3g)",
                        what, i, analytic[i], numeric, err, bound));
            }
        }
    }

    public static void check(String what, float[] x, Function<float[], float[]> f, float[] gradOutput,
                             float[] analytic) {
        check(what, x, f, gradOutput, analytic, 400);
    }

    static double dot(float[] a, float[] b) {
        if (a.length != b.length) {
            fail("output has " + a.length + " values, gradOutput " + b.length);
        }
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (double) a[i] * b[i];
        }
        return s;
    }
}
