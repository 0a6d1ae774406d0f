package dev.fovea.data;

import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;

/** One mini-batch: images {@code [B, C, H, W]} (row-major float32) and their class labels. */
public record Batch(Shape shape, float[] images, int[] labels) {
    public Batch {
        if (shape.rank() != 4 || shape.dim(0) != labels.length || shape.size() != images.length) {
            throw new IllegalArgumentException("batch: shape " + shape + " does not match " + images.length
                    + " values and " + labels.length + " labels");
        }
    }

    public int size() {
        return labels.length;
    }

    /** The images as a host tensor sharing this batch's array. */
    public Tensor imagesTensor() {
        return Tensor.of(shape, images);
    }
}
