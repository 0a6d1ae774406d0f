package dev.fovea.primitives;

import dev.fovea.tensor.Shape;

import java.util.Arrays;

/** The rule of reshape: the requested sizes, at most one of them -1 (inferred), must hold exactly the input's elements. */
public final class Reshape {
    private Reshape() {
    }

    /** The shape {@code requested} names for {@code input}, or an error naming both. */
    public static Shape shape(Shape input, int[] requested) {
        int inferred = -1;
        long known = 1;
        for (int i = 0; i < requested.length; i++) {
            int d = requested[i];
            if (d == -1) {
                if (inferred >= 0) {
                    throw new IllegalArgumentException("reshape: shape " + Arrays.toString(requested)
                            + " has more than one -1; at most one size can be inferred (input " + input + ")");
                }
                inferred = i;
            } else if (d < 0) {
                throw new IllegalArgumentException("reshape: shape " + Arrays.toString(requested) + " has size " + d
                        + "; sizes must be >= 0, or -1 for the one to infer (input " + input + ")");
            } else {
                known *= d;
            }
        }
        int[] out = requested.clone();
        if (inferred >= 0) {
            if (known == 0 || input.size() % known != 0) {
                throw new IllegalArgumentException("reshape: shape " + Arrays.toString(requested) + " is invalid for input "
                        + input + " of " + input.size() + " elements: the other sizes' product " + known
                        + " does not divide it");
            }
            out[inferred] = (int) (input.size() / known);
        } else if (known != input.size()) {
            throw new IllegalArgumentException("reshape: shape " + Arrays.toString(requested) + " holds " + known
                    + " elements but the input " + input + " has " + input.size());
        }
        return Shape.of(out);
    }
}
