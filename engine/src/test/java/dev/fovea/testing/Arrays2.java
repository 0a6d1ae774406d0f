package dev.fovea.testing;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.fail;

/** Random test data and tolerance comparisons shared by the op tests of every module. */
public final class Arrays2 {
    private Arrays2() {
    }

    /** Uniform values in [-1, 1) from a fixed seed. */
    public static float[] random(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return a;
    }

    /** Exact equality (worked examples whose values are exact in float32). */
    public static void assertExact(String what, float[] expected, float[] actual) {
        assertClose(what, expected, actual, 0, 0);
    }

    /** |e - a| <= abs + rel * |e| for every element; the message names the first failing index. */
    public static void assertClose(String what, float[] expected, float[] actual, double abs, double rel) {
        if (expected.length != actual.length) {
            fail(what + ": expected " + expected.length + " values, got " + actual.length);
        }
        for (int i = 0; i < expected.length; i++) {
            double err = Math.abs((double) expected[i] - actual[i]);
            if (!(err <= abs + rel * Math.abs(expected[i])) && !(expected[i] == actual[i])) {
                fail(String.format("%s: index %d: expected %.7g, got %.7g (|err| %.3g > abs %.1g + rel %.1g)",
                        what, i, expected[i], actual[i], err, abs, rel));
            }
        }
    }

    /** Flattens nested rows (worked examples are written as rows). */
    public static float[] flat(float[]... rows) {
        int n = 0;
        for (float[] r : rows) {
            n += r.length;
        }
        float[] out = new float[n];
        int k = 0;
        for (float[] r : rows) {
            System.arraycopy(r, 0, out, k, r.length);
            k += r.length;
        }
        return out;
    }
}
