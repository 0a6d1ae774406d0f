package dev.fovea.conformance;

import dev.fovea.tensor.Shape;

import java.util.Arrays;

/** A tensor's values on the host, as a case file holds them: a shape and row-major float32 data. */
public record TensorData(Shape shape, float[] data) {
    public TensorData {
        if (data.length != shape.size()) {
            throw new IllegalArgumentException("shape " + shape + " needs " + shape.size() + " values, got " + data.length);
        }
    }

    public static TensorData of(Shape shape, float... data) {
        return new TensorData(shape, data);
    }

    public static TensorData scalar(float value) {
        return new TensorData(Shape.scalar(), new float[] {value});
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorData t && shape.equals(t.shape) && Arrays.equals(data, t.data);
    }

    @Override
    public int hashCode() {
        return 31 * shape.hashCode() + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "TensorData" + shape;
    }
}
