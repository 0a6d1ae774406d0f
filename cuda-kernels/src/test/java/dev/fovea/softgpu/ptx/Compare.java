package dev.fovea.softgpu.ptx;

import static org.junit.jupiter.api.Assertions.fail;

/** Tolerance comparisons for kernel outputs; a NaN is expected exactly where the reference has one. */
final class Compare {
    private Compare() {
    }

    /** |e - a| <= abs + rel * |e| element by element; NaN must meet NaN, infinities must be equal. */
    static void close(String what, float[] expected, float[] actual, double abs, double rel) {
        if (expected.length != actual.length) {
            fail(what + ": expected " + expected.length + " values, got " + actual.length);
        }
        for (int i = 0; i < expected.length; i++) {
            float e = expected[i];
            float a = actual[i];
            boolean ok = Float.isNaN(e) ? Float.isNaN(a) : e == a || Math.abs((double) e - a) <= abs + rel * Math.abs(e);
            if (!ok) {
                fail(String.format("%s: index %d of %d: expected %.9g, got %.9g (abs %.1g + rel %.1g)", what, i,
                        expected.length, e, a, abs, rel));
            }
        }
    }

    static void exact(String what, float[] expected, float[] actual) {
        close(what, expected, actual, 0, 0);
    }

    static void exact(String what, int[] expected, int[] actual) {
        if (expected.length != actual.length) {
            fail(what + ": expected " + expected.length + " values, got " + actual.length);
        }
        for (int i = 0; i < expected.length; i++) {
            if (expected[i] != actual[i]) {
                fail(what + ": index " + i + " of " + expected.length + ": expected " + expected[i] + ", got " + actual[i]);
            }
        }
    }

    /**
     * |e - a| <= (terms + 1) * 2^-24 * absSum[i] + FLT_MIN: the classical error bound of a float sum of
     * `terms` products (the kernels sum in float in their own order, the reference in double),
     * absSum from running the reference on the operands' absolute values.
     */
    static void withinBound(String what, float[] expected, float[] actual, float[] absSum, int terms) {
        if (expected.length != actual.length) {
            fail(what + ": expected " + expected.length + " values, got " + actual.length);
        }
        double u = Math.ulp(1.0f) / 2;
        for (int i = 0; i < expected.length; i++) {
            double bound = (terms + 1) * u * absSum[i] + Float.MIN_NORMAL;
            double err = Math.abs((double) expected[i] - actual[i]);
            if (!(err <= bound)) {
                fail(String.format("%s: index %d of %d: expected %.9g, got %.9g (|err| %.3g > bound %.3g for %d terms)",
                        what, i, expected.length, expected[i], actual[i], err, bound, terms));
            }
        }
    }

    static float[] abs(float[] a) {
        float[] out = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = Math.abs(a[i]);
        }
        return out;
    }
}
