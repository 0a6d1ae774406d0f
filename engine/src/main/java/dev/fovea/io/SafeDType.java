package dev.fovea.io;

import java.nio.ByteBuffer;

/**
 * The safetensors element types Fovea reads, with their sizes and a conversion to float32. PyTorch
 * checkpoints hold floats plus integer counters such as batch norm's I64 {@code num_batches_tracked};
 * integers are converted to the nearest float.
 */
public enum SafeDType {
    BOOL(1), U8(1), I8(1), I16(2), I32(4), I64(8), F16(2), BF16(2), F32(4), F64(8);

    private final int bytes;

    SafeDType(int bytes) {
        this.bytes = bytes;
    }

    /** Bytes per element. */
    public int bytes() {
        return bytes;
    }

    /** The type named {@code name} in a header, or null when Fovea does not read it. */
    static SafeDType parse(String name) {
        for (SafeDType t : values()) {
            if (t.name().equals(name)) {
                return t;
            }
        }
        return null;
    }

    /** Reads the next element of {@code buf} (little-endian) as a float. */
    float read(ByteBuffer buf) {
        return switch (this) {
            case BOOL, U8 -> buf.get() & 0xff;
            case I8 -> buf.get();
            case I16 -> buf.getShort();
            case I32 -> buf.getInt();
            case I64 -> buf.getLong();
            case F16 -> halfToFloat(buf.getShort());
            case BF16 -> Float.intBitsToFloat((buf.getShort() & 0xffff) << 16);
            case F32 -> buf.getFloat();
            case F64 -> (float) buf.getDouble();
        };
    }

    /** IEEE 754 binary16 to binary32, exact for every value including subnormals, infinities and NaN. */
    static float halfToFloat(short h) {
        int sign = (h & 0x8000) << 16;
        int exp = (h >>> 10) & 0x1f;
        int mant = h & 0x3ff;
        if (exp == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        if (exp == 0) {
            float v = mant * 0x1p-24f;
            return sign == 0 ? v : -v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }
}
