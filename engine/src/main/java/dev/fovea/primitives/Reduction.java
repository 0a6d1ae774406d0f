package dev.fovea.primitives;

import dev.fovea.tensor.Shape;

import java.util.Arrays;

/**
 * A sum or mean over some dims of an input shape: the dims as PyTorch takes them (an int or a list,
 * negative counting from the end, null for all), resolved against the shape.
 *
 * @param input   the input shape
 * @param reduced which axes are summed over
 * @param keepdim whether the output keeps them as size-1 dims
 */
public record Reduction(Shape input, boolean[] reduced, boolean keepdim) {

    /** Resolves {@code dims} (null: every dim) for {@code op} on {@code input}; duplicates and out-of-range dims are errors. */
    public static Reduction of(String op, Shape input, int[] dims, boolean keepdim) {
        boolean[] reduced = new boolean[input.rank()];
        if (dims == null) {
            Arrays.fill(reduced, true);
            return new Reduction(input, reduced, keepdim);
        }
        if (dims.length == 0) {
            throw new IllegalArgumentException(op + ": dim is an empty list; name at least one dim, or leave dim out"
                    + " to reduce over all of them (input " + input + ")");
        }
        for (int d : dims) {
            int a = ShapeRules.axis(op, input, d);
            if (reduced[a]) {
                throw new IllegalArgumentException(op + ": dim " + a + " appears more than once in dim "
                        + Arrays.toString(dims) + " (input " + input + ")");
            }
            reduced[a] = true;
        }
        return new Reduction(input, reduced, keepdim);
    }

    /** The input shape with every reduced dim of size 1: the shape the sum is computed in. */
    public Shape keptShape() {
        int[] d = input.toArray();
        for (int i = 0; i < d.length; i++) {
            if (reduced[i]) {
                d[i] = 1;
            }
        }
        return Shape.of(d);
    }

    /** The output shape: {@link #keptShape()} with keepdim, else without the reduced dims. */
    public Shape outputShape() {
        if (keepdim) {
            return keptShape();
        }
        return Shape.of(java.util.stream.IntStream.range(0, input.rank()).filter(i -> !reduced[i])
                .map(input::dim).toArray());
    }

    /** How many input values each output value sums (the divisor of a mean). */
    public long count() {
        long n = 1;
        for (int i = 0; i < reduced.length; i++) {
            if (reduced[i]) {
                n *= input.dim(i);
            }
        }
        return n;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Reduction r && input.equals(r.input) && Arrays.equals(reduced, r.reduced)
                && keepdim == r.keepdim;
    }

    @Override
    public int hashCode() {
        return 31 * (31 * input.hashCode() + Arrays.hashCode(reduced)) + Boolean.hashCode(keepdim);
    }

    @Override
    public String toString() {
        return "Reduction" + input + " reduced " + Arrays.toString(reduced) + (keepdim ? " keepdim" : "");
    }
}
