package dev.fovea.tensor;

/**
 * Storage in a Java array on the host: float[] for FLOAT32, int[] for INT32. A pooled storage owns an
 * array from {@link HostArrays} and gives it back when freed; any other array belongs to its caller.
 */
public final class HostStorage extends Storage {
    private final float[] floats;
    private final int[] ints;
    private final boolean pooled;

    private HostStorage(float[] floats, int[] ints, boolean pooled) {
        this.floats = floats;
        this.ints = ints;
        this.pooled = pooled;
    }

    public static HostStorage ofFloats(float[] data) {
        return new HostStorage(data, null, false);
    }

    public static HostStorage ofInts(int[] data) {
        return new HostStorage(null, data, false);
    }

    /** Storage that owns {@code data} (from {@link HostArrays}): no one may use the array after the storage is freed. */
    public static HostStorage ofPooledFloats(float[] data) {
        return new HostStorage(data, null, true);
    }

    /** The int32 form of {@link #ofPooledFloats}. */
    public static HostStorage ofPooledInts(int[] data) {
        return new HostStorage(null, data, true);
    }

    @Override
    public Device device() {
        return Device.CPU;
    }

    @Override
    public DType dtype() {
        return floats != null ? DType.FLOAT32 : DType.INT32;
    }

    @Override
    public int length() {
        return floats != null ? floats.length : ints.length;
    }

    public float[] floats() {
        if (floats == null) {
            throw new IllegalStateException("host storage holds int32, not float32");
        }
        return floats;
    }

    public int[] ints() {
        if (ints == null) {
            throw new IllegalStateException("host storage holds float32, not int32");
        }
        return ints;
    }

    @Override
    protected void free() {
        // Arrays the caller supplied belong to the garbage collector; pooled ones are recycled.
        if (pooled) {
            if (floats != null) {
                HostArrays.give(floats);
            } else {
                HostArrays.give(ints);
            }
        }
    }
}
