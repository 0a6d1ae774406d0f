package dev.fovea.tensor;

/** Storage in a Java array on the host: float[] for FLOAT32, int[] for INT32. */
public final class HostStorage extends Storage {
    private final float[] floats;
    private final int[] ints;

    private HostStorage(float[] floats, int[] ints) {
        this.floats = floats;
        this.ints = ints;
    }

    public static HostStorage ofFloats(float[] data) {
        return new HostStorage(data, null);
    }

    public static HostStorage ofInts(int[] data) {
        return new HostStorage(null, data);
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
        // The garbage collector owns host arrays.
    }
}
