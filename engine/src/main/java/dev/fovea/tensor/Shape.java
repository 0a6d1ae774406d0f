package dev.fovea.tensor;

import java.util.Arrays;

/** An immutable tensor shape (row-major, NCHW for images). Rank 0 is a scalar of one element. */
public final class Shape {
    private final int[] dims;

    private Shape(int[] dims) {
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] < 0) {
                throw new IllegalArgumentException("shape " + Arrays.toString(dims) + ": dimension " + i + " is negative");
            }
        }
        this.dims = dims;
    }

    public static Shape of(int... dims) {
        return new Shape(dims.clone());
    }

    public static Shape scalar() {
        return new Shape(new int[0]);
    }

    public int rank() {
        return dims.length;
    }

    /** Size of dimension {@code i}; negative {@code i} counts from the end as in PyTorch. */
    public int dim(int i) {
        return dims[axis(i)];
    }

    /** Normalises a possibly negative axis and checks it is in range. */
    public int axis(int i) {
        int a = i < 0 ? i + dims.length : i;
        if (a < 0 || a >= dims.length) {
            throw new IllegalArgumentException("axis " + i + " is out of range for shape " + this);
        }
        return a;
    }

    public int[] toArray() {
        return dims.clone();
    }

    /** Number of elements; throws when it does not fit a Java array index. */
    public int size() {
        long n = 1;
        for (int d : dims) {
            n *= d;
            if (n > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("shape " + this + " has more than 2^31-1 elements");
            }
        }
        return (int) n;
    }

    /** Product of the dimensions in [from, to). */
    public int product(int from, int to) {
        long n = 1;
        for (int i = from; i < to; i++) {
            n *= dims[i];
        }
        return Math.toIntExact(n);
    }

    public Shape withDim(int axis, int size) {
        int[] d = dims.clone();
        d[axis(axis)] = size;
        return new Shape(d);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Shape s && Arrays.equals(dims, s.dims);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(dims);
    }

    @Override
    public String toString() {
        return Arrays.toString(dims);
    }
}
