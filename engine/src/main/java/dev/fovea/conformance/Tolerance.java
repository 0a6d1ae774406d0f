package dev.fovea.conformance;

/**
 * How close a backend's value must be to the expected one: |actual - expected| <= abs + rel * |expected|.
 * Exact worked examples use {@link #EXACT}; generated cases state theirs per op.
 */
public record Tolerance(double abs, double rel) {
    /** For results that are exact in float32 whatever the order of summation (small integers). */
    public static final Tolerance EXACT = new Tolerance(0, 0);
    /** Used when a case file gives no tolerance. */
    public static final Tolerance DEFAULT = new Tolerance(1e-4, 1e-4);

    public Tolerance {
        if (!(abs >= 0) || !(rel >= 0) || Double.isInfinite(abs) || Double.isInfinite(rel)) {
            throw new IllegalArgumentException("tolerance abs and rel must be finite and >= 0, got abs " + abs
                    + ", rel " + rel);
        }
    }

    public boolean accepts(double expected, double actual) {
        if (Double.compare(expected, actual) == 0) {
            return true;
        }
        return Math.abs(actual - expected) <= abs + rel * Math.abs(expected);
    }
}
