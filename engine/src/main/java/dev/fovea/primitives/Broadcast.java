package dev.fovea.primitives;

import dev.fovea.tensor.Shape;

/**
 * NumPy's (and PyTorch's) broadcasting rule, for the binary maps and the reductions that are their
 * gradients: shapes are aligned at their last dimension, and each pair of sizes must be equal or
 * contain a 1, which stretches to the other. A missing leading dimension counts as 1.
 */
public final class Broadcast {
    private Broadcast() {
    }

    /** The broadcast shape of {@code a} and {@code b}, or an error naming the op, both shapes and the first clash. */
    public static Shape shape(String op, Shape a, Shape b) {
        if (a.equals(b)) {
            return a;
        }
        int rank = Math.max(a.rank(), b.rank());
        int[] out = new int[rank];
        for (int i = 1; i <= rank; i++) {
            int x = i <= a.rank() ? a.dim(-i) : 1;
            int y = i <= b.rank() ? b.dim(-i) : 1;
            if (x != y && x != 1 && y != 1) {
                throw new IllegalArgumentException(op + ": shapes " + a + " and " + b + " do not broadcast: dim "
                        + -i + " has size " + x + " in the first and " + y + " in the second (each pair of sizes,"
                        + " aligned from the last dim, must be equal or contain a 1)");
            }
            out[rank - i] = x == 1 ? y : x;
        }
        return Shape.of(out);
    }

    /**
     * Checks that {@code target} broadcasts to {@code from} unchanged, so that summing {@code from} over
     * its broadcast dimensions gives {@code target} (the gradient of a broadcast operand).
     */
    public static void requireReducible(String op, Shape from, Shape target) {
        if (!broadcastsTo(target, from)) {
            throw new IllegalArgumentException(op + ": cannot sum " + from + " to " + target + ": the target must"
                    + " broadcast to the input (sizes aligned from the last dim equal or 1, rank at most "
                    + from.rank() + ")");
        }
    }

    /** Checks that {@code from} broadcasts to {@code to} unchanged (sum's backward repeats a gradient so). */
    public static void requireExpandable(String op, Shape from, Shape to) {
        if (!broadcastsTo(from, to)) {
            throw new IllegalArgumentException(op + ": cannot broadcast " + from + " to " + to + ": sizes aligned"
                    + " from the last dim must be equal or 1 in " + from + ", whose rank must be at most " + to.rank());
        }
    }

    /** Whether {@code s} broadcast against {@code to} gives {@code to}. */
    public static boolean broadcastsTo(Shape s, Shape to) {
        boolean ok = s.rank() <= to.rank();
        for (int i = 1; ok && i <= s.rank(); i++) {
            ok = s.dim(-i) == 1 || s.dim(-i) == to.dim(-i);
        }
        return ok;
    }

    /**
     * The row-major element strides of a tensor of shape {@code s} for each dimension of {@code out}
     * (which {@code s} broadcasts to): 0 where {@code s} is stretched (size 1 or a missing leading dim).
     */
    public static int[] strides(Shape s, Shape out) {
        int[] strides = new int[out.rank()];
        int stride = 1;
        for (int i = 1; i <= out.rank(); i++) {
            int size = i <= s.rank() ? s.dim(-i) : 1;
            strides[out.rank() - i] = size == 1 && out.dim(-i) != 1 ? 0 : stride;
            stride *= size;
        }
        return strides;
    }
}
