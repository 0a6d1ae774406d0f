package dev.fovea.tensor;

/** Element types. Activations and parameters are float32; int32 holds indices (pooling argmax/argmin). */
public enum DType {
    FLOAT32(4),
    INT32(4);

    private final int bytes;

    DType(int bytes) {
        this.bytes = bytes;
    }

    public int bytes() {
        return bytes;
    }
}
