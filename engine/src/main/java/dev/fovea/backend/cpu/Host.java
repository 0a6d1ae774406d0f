package dev.fovea.backend.cpu;

import dev.fovea.tensor.DType;
import dev.fovea.tensor.Device;
import dev.fovea.tensor.HostArrays;
import dev.fovea.tensor.HostStorage;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;

/** Access to host tensors' arrays for the CPU backends, with a clear error for a tensor from elsewhere. */
final class Host {
    private Host() {
    }

    static float[] floats(Tensor t) {
        return storage(t, DType.FLOAT32).floats();
    }

    static int[] ints(Tensor t) {
        return storage(t, DType.INT32).ints();
    }

    static Tensor tensor(Shape shape, float[] data) {
        return Tensor.of(shape, data);
    }

    static Tensor intTensor(Shape shape, int[] data) {
        return new Tensor(shape, HostStorage.ofInts(data));
    }

    /**
     * A tensor that owns {@code data}, a fresh array (from {@link HostArrays} or {@code new}) that nothing
     * else holds: closing the tensor recycles the array for the next output of that size.
     */
    static Tensor owned(Shape shape, float[] data) {
        return new Tensor(shape, HostStorage.ofPooledFloats(data));
    }

    /** The int32 form of {@link #owned(Shape, float[])}. */
    static Tensor ownedInts(Shape shape, int[] data) {
        return new Tensor(shape, HostStorage.ofPooledInts(data));
    }

    private static HostStorage storage(Tensor t, DType expected) {
        if (t.device().kind() != Device.Kind.CPU || !(t.storage() instanceof HostStorage hs)) {
            throw new IllegalArgumentException("tensor " + t + " is on " + t.device()
                    + "; the CPU backend needs host tensors (move it with the backend that owns it)");
        }
        if (hs.dtype() != expected) {
            throw new IllegalArgumentException("tensor " + t + " is " + hs.dtype() + ", expected " + expected);
        }
        return hs;
    }
}
