package dev.fovea.backend.cpu;

import dev.fovea.tensor.Shape;

/** Dimension arguments of the reference ops: PyTorch's negative dims, and errors that name the op. */
final class Axes {
    private Axes() {
    }

    /** The non-negative axis for {@code dim}, or an error naming the op, the dim and the shape. */
    static int axis(String op, Shape s, int dim) {
        if (dim < -s.rank() || dim >= s.rank()) {
            throw new IllegalArgumentException(op + ": dim " + dim + " is out of range for input " + s
                    + (s.rank() == 0 ? " (a scalar has no dims)" : " (valid: " + -s.rank() + " to " + (s.rank() - 1) + ")"));
        }
        return dim < 0 ? dim + s.rank() : dim;
    }
}
