package dev.fovea.kernels;

import static org.junit.jupiter.api.Assertions.fail;

/** Tolerance comparisons for kernel outputs, where a NaN is expected exactly where the reference has one. */
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
            boolean ok = Float.isNaN(e) ? Float.isNaN(a)
                    : e == a || Math.abs((double) e - a) <= abs + rel * Math.abs(e);
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
                fail(what + ": index " + i + " of " + expected.length + ": expected " + expected[i] + ", got "
                        + actual[i]);
            }
        }
    }
}
