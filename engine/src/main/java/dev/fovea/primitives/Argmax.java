package dev.fovea.primitives;

import dev.fovea.tensor.Shape;

/**
 * The predicted class of a row of logits, as every backend and evaluation counts it: the first
 * largest value (a later equal value does not win, and NaN never compares greater, so a row of NaN
 * predicts class 0). The CUDA kernel fovea_argmax_hits applies the same comparison.
 */
public final class Argmax {
    private Argmax() {
    }

    /** Refuses shapes other than logits {@code [N, C]} (C >= 1) and labels {@code [N]}. */
    public static void requireShapes(Shape logits, Shape labels) {
        if (logits.rank() != 2 || logits.dim(1) < 1 || labels.rank() != 1 || labels.dim(0) != logits.dim(0)) {
            throw new IllegalArgumentException("count_correct: logits " + logits + " and labels " + labels
                    + " must be [N, C] with C >= 1 and [N]");
        }
    }

    /** The index in {@code [0, n)} of the first largest of {@code v[from .. from + n)}. */
    public static int of(float[] v, int from, int n) {
        int best = 0;
        for (int j = 1; j < n; j++) {
            if (v[from + j] > v[from + best]) {
                best = j;
            }
        }
        return best;
    }

    /**
     * How many rows of {@code logits} ({@code [labels.length, classes]}, row-major) predict the class
     * {@code labels} holds (class indices, as floats where they come from a tensor).
     */
    public static int hits(float[] logits, float[] labels, int classes) {
        int n = 0;
        for (int i = 0; i < labels.length; i++) {
            if (of(logits, i * classes, classes) == labels[i]) {
                n++;
            }
        }
        return n;
    }
}
