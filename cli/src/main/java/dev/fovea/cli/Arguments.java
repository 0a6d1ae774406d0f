package dev.fovea.cli;

/** Checks of option values that Picocli's types cannot express, made before any file is read. */
final class Arguments {
    private Arguments() {
    }

    /** {@code value} of {@code option}, which must be at least 1: a negative --top or --limit is a mistake, not "none". */
    static int positive(String option, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(option + " must be at least 1, got " + value);
        }
        return value;
    }
}
