package dev.fovea.primitives;

import dev.fovea.tensor.Shape;

/**
 * Where a loss is defined, and the one message for a value outside it that every backend gives:
 * cross-entropy labels are class indices, binary cross-entropy inputs are probabilities (as in
 * PyTorch, which refuses both).
 */
public final class LossDomain {
    private LossDomain() {
    }

    public static boolean isClassIndex(float t, int classes) {
        return t >= 0 && t < classes && t == Math.rint(t);
    }

    public static boolean isProbability(float p) {
        return p >= 0 && p <= 1;
    }

    public static String notAClassIndex(int row, float t, Shape input) {
        return "cross_entropy: target[" + row + "] = " + t + " is not a class index in [0, " + input.dim(1)
                + ") (input " + input + ", target [" + input.dim(0) + "])";
    }

    public static String notAProbability(int i, float p, Shape input) {
        return "binary_cross_entropy: input[" + i + "] = " + p + " is not a probability in [0, 1] (input " + input + ")";
    }
}
