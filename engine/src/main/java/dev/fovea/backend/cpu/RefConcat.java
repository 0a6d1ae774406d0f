package dev.fovea.backend.cpu;

import dev.fovea.tensor.Shape;

import java.util.Arrays;

/**
 * Reference concatenation along one dimension and its inverse, split (concat's backward). A tensor
 * is viewed as [outer, size along dim, inner]; each part contributes a contiguous block per outer
 * index.
 */
final class RefConcat {
    private RefConcat() {
    }

    /** Checks that all inputs agree except along {@code dim}; returns the concatenated shape. */
    static Shape concatShape(Shape[] shapes, int dim) {
        if (shapes.length == 0) {
            throw new IllegalArgumentException("concat: needs at least one input, got none");
        }
        Shape first = shapes[0];
        int d = Axes.axis("concat", first, dim);
        int total = 0;
        for (int i = 0; i < shapes.length; i++) {
            Shape s = shapes[i];
            boolean same = s.rank() == first.rank();
            for (int a = 0; same && a < s.rank(); a++) {
                same = a == d || s.dim(a) == first.dim(a);
            }
            if (!same) {
                throw new IllegalArgumentException("concat: input " + i + " has shape " + s + " but input 0 has "
                        + first + "; all dimensions except dim " + dim + " must match (shapes "
                        + Arrays.toString(shapes) + ")");
            }
            total += s.dim(d);
        }
        return first.withDim(d, total);
    }

    static float[] concat(float[][] data, Shape[] shapes, Shape out, int dim) {
        int d = Axes.axis("concat", out, dim);
        int outer = out.product(0, d);
        int inner = out.product(d + 1, out.rank());
        int outRow = out.dim(d) * inner;
        float[] y = new float[out.size()];
        int offset = 0;
        for (int i = 0; i < data.length; i++) {
            int block = shapes[i].dim(d) * inner;
            for (int o = 0; o < outer; o++) {
                System.arraycopy(data[i], o * block, y, o * outRow + offset, block);
            }
            offset += block;
        }
        return y;
    }

    /** Checks that the sizes are non-negative and add up to the size of {@code dim}; returns the parts' shapes. */
    static Shape[] splitShapes(Shape s, int dim, int[] sizes) {
        int d = Axes.axis("split", s, dim);
        long sum = 0;
        for (int size : sizes) {
            if (size < 0) {
                throw new IllegalArgumentException("split: sizes " + Arrays.toString(sizes)
                        + " contain a negative size (input " + s + ", dim " + dim + ")");
            }
            sum += size;
        }
        if (sum != s.dim(d)) {
            throw new IllegalArgumentException("split: sizes " + Arrays.toString(sizes) + " add up to " + sum
                    + " but dim " + dim + " of input " + s + " has size " + s.dim(d));
        }
        Shape[] parts = new Shape[sizes.length];
        for (int i = 0; i < sizes.length; i++) {
            parts[i] = s.withDim(d, sizes[i]);
        }
        return parts;
    }

    static float[][] split(float[] x, Shape s, int dim, Shape[] shapes) {
        int d = Axes.axis("split", s, dim);
        int outer = s.product(0, d);
        int inner = s.product(d + 1, s.rank());
        int row = s.dim(d) * inner;
        float[][] parts = new float[shapes.length][];
        int offset = 0;
        for (int i = 0; i < shapes.length; i++) {
            int block = shapes[i].dim(d) * inner;
            parts[i] = new float[shapes[i].size()];
            for (int o = 0; o < outer; o++) {
                System.arraycopy(x, o * row + offset, parts[i], o * block, block);
            }
            offset += block;
        }
        return parts;
    }
}
