package dev.fovea.primitives;

import dev.fovea.tensor.Shape;

import java.util.Arrays;

/**
 * The rule of permute (and transpose, a permutation that swaps two dims): output dim {@code i} is
 * input dim {@code dims[i]}; {@code dims} names every input dim once, negative ones counting from the end.
 */
public final class Permutation {
    private Permutation() {
    }

    /** {@code dims} normalised to non-negative axes, or an error naming the op, the dims and the input shape. */
    public static int[] axes(String op, Shape s, int[] dims) {
        if (dims.length != s.rank()) {
            throw new IllegalArgumentException(op + ": dims " + Arrays.toString(dims) + " name " + dims.length
                    + " dims but the input " + s + " has " + s.rank());
        }
        int[] axes = new int[dims.length];
        boolean[] seen = new boolean[dims.length];
        for (int i = 0; i < dims.length; i++) {
            int a = ShapeRules.axis(op, s, dims[i]);
            if (seen[a]) {
                throw new IllegalArgumentException(op + ": dims " + Arrays.toString(dims) + " name dim " + a
                        + " twice; they must be a permutation of 0.." + (s.rank() - 1) + " (input " + s + ")");
            }
            seen[a] = true;
            axes[i] = a;
        }
        return axes;
    }

    /** The output shape: dim {@code i} of size {@code s.dim(axes[i])}. */
    public static Shape apply(Shape s, int[] axes) {
        int[] out = new int[axes.length];
        for (int i = 0; i < axes.length; i++) {
            out[i] = s.dim(axes[i]);
        }
        return Shape.of(out);
    }

    /** The element stride in a contiguous input of shape {@code s} along each output dim of the permute. */
    public static int[] inputStrides(Shape s, int[] axes) {
        int[] in = StridedLayout.contiguous(s);
        int[] strides = new int[axes.length];
        for (int i = 0; i < axes.length; i++) {
            strides[i] = in[axes[i]];
        }
        return strides;
    }

    /** The permutation that undoes {@code axes} (permute's backward). */
    public static int[] inverse(int[] axes) {
        int[] inv = new int[axes.length];
        for (int i = 0; i < axes.length; i++) {
            inv[axes[i]] = i;
        }
        return inv;
    }
}
