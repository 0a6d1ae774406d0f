package dev.fovea.io;

import dev.fovea.tensor.Shape;

/**
 * One tensor of a safetensors file: its stored element type, its shape and its values converted to
 * float32 in row-major order. The array is not copied: treat it as read-only.
 */
public record StoredTensor(SafeDType dtype, Shape shape, float[] values) {
    public StoredTensor {
        if (shape.size() != values.length) {
            throw new IllegalArgumentException("stored tensor: shape " + shape + " needs " + shape.size()
                    + " values, got " + values.length);
        }
    }

    /** A float32 tensor, the type Fovea writes. */
    public static StoredTensor f32(Shape shape, float[] values) {
        return new StoredTensor(SafeDType.F32, shape, values);
    }
}
