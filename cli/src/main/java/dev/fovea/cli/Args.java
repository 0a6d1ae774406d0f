package dev.fovea.cli;

/**
 * Range checks of command-line numbers, made before any file or data set is read, so that a typo
 * costs a second, not a data load: each failure names the option, the value and what it needs.
 */
final class Args {
    private Args() {
    }

    /** {@code value} (when given) must be at least {@code min}. */
    static void atLeast(String option, Number value, long min) {
        if (value != null && value.longValue() < min) {
            throw new IllegalArgumentException(option + " " + value + ": must be at least " + min);
        }
    }

    /** {@code value} (when given) must be finite and greater than 0. */
    static void positive(String option, Double value) {
        if (value != null && !(value > 0 && Double.isFinite(value))) {
            throw new IllegalArgumentException(option + " " + value + ": must be a number greater than 0");
        }
    }

    /** {@code value} (when given) must be finite and at least 0. */
    static void nonNegative(String option, Double value) {
        if (value != null && !(value >= 0 && Double.isFinite(value))) {
            throw new IllegalArgumentException(option + " " + value + ": must be a number of at least 0");
        }
    }

    /** {@code value} (when given) must lie in [0, 1). */
    static void unit(String option, Double value) {
        if (value != null && !(value >= 0 && value < 1)) {
            throw new IllegalArgumentException(option + " " + value + ": must be at least 0 and less than 1");
        }
    }
}
