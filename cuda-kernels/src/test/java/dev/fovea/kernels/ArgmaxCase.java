package dev.fovea.kernels;

import dev.fovea.primitives.Argmax;

import java.util.SplittableRandom;

/**
 * Rows of logits for fovea_argmax_hits with their labels and expected hits: small integers, so rows
 * hold ties, and NaN one time in {@code nanOneIn}, so NaN must never win; the expected hits are the
 * engine's own rule ({@link Argmax}). Shared by the CPU emulation and the PTX interpreter's cases.
 */
public record ArgmaxCase(int rows, int classes, float[] logits, float[] labels, float[] hits) {

    public static ArgmaxCase random(int rows, int classes, long seed, int nanOneIn) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] logits = new float[rows * classes];
        for (int i = 0; i < logits.length; i++) {
            logits[i] = r.nextInt(nanOneIn) == 0 ? Float.NaN : r.nextInt(3);
        }
        float[] labels = new float[rows];
        float[] hits = new float[rows];
        int total = 0;
        for (int i = 0; i < rows; i++) {
            labels[i] = r.nextInt(classes);
            hits[i] = Argmax.of(logits, i * classes, classes) == labels[i] ? 1 : 0;
            total += (int) hits[i];
        }
        if (total == 0 || total == rows) {
            throw new AssertionError("seed " + seed + " gives no " + (total == 0 ? "hit" : "miss") + "; pick another");
        }
        return new ArgmaxCase(rows, classes, logits, labels, hits);
    }
}
