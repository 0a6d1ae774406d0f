package dev.fovea.tensor;

/**
 * A dense, contiguous, row-major tensor: a shape over a storage that lives on one device.
 * Tensors are created by a {@link dev.fovea.backend.Backend}; closing one returns device memory to
 * the backend's allocator once no reshaped view still uses it.
 */
public final class Tensor implements AutoCloseable {
    private final Shape shape;
    private final Storage storage;
    private boolean closed;

    public Tensor(Shape shape, Storage storage) {
        if (shape.size() > storage.length()) {
            throw new IllegalArgumentException(
                    "shape " + shape + " needs " + shape.size() + " elements, storage holds " + storage.length());
        }
        this.shape = shape;
        this.storage = storage;
    }

    /** A host float32 tensor over {@code data} (not copied). */
    public static Tensor of(Shape shape, float... data) {
        if (data.length != shape.size()) {
            throw new IllegalArgumentException(
                    "shape " + shape + " needs " + shape.size() + " values, got " + data.length);
        }
        return new Tensor(shape, HostStorage.ofFloats(data));
    }

    public Shape shape() {
        return shape;
    }

    public DType dtype() {
        return storage.dtype();
    }

    public Device device() {
        return storage.device();
    }

    public Storage storage() {
        if (closed) {
            throw new IllegalStateException("tensor " + shape + " on " + device() + " used after close()");
        }
        return storage;
    }

    public int size() {
        return shape.size();
    }

    /** A view with another shape of the same size, sharing this tensor's storage. */
    public Tensor reshape(Shape newShape) {
        if (newShape.size() != shape.size()) {
            throw new IllegalArgumentException("reshape: cannot view " + shape + " (" + shape.size()
                    + " elements) as " + newShape + " (" + newShape.size() + " elements)");
        }
        storage().retain();
        return new Tensor(newShape, storage);
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            storage.release();
        }
    }

    @Override
    public String toString() {
        return "Tensor" + shape + "(" + dtype().name().toLowerCase(java.util.Locale.ROOT) + ", " + device() + ")";
    }
}
