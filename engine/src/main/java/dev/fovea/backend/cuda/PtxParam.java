package dev.fovea.backend.cuda;

/**
 * The kind of one kernel parameter as a PTX {@code .param} declares it, and the Java value a launch
 * passes for it. Fovea's kernels take device pointers ({@code .u64}), 32-bit ints and floats only
 * (KERNELS.md); any other parameter type is rejected when the module's entries are read.
 */
enum PtxParam {
    POINTER,
    INT,
    FLOAT;

    /** The kind a PTX parameter type ({@code u64}, {@code s32}, ...) declares, or null for none of Fovea's. */
    static PtxParam ofPtxType(String type) {
        return switch (type) {
            case "u64", "b64" -> POINTER;
            case "u32", "s32", "b32" -> INT;
            case "f32" -> FLOAT;
            default -> null;
        };
    }

    boolean accepts(Object arg) {
        return switch (this) {
            case POINTER -> arg == null || arg instanceof jcuda.Pointer;
            case INT -> arg instanceof Integer;
            case FLOAT -> arg instanceof Float;
        };
    }

    String description() {
        return switch (this) {
            case POINTER -> "a device pointer";
            case INT -> "an int";
            case FLOAT -> "a float";
        };
    }

    /** One letter per kind (p, i, f), for compact signatures in error messages. */
    char letter() {
        return switch (this) {
            case POINTER -> 'p';
            case INT -> 'i';
            case FLOAT -> 'f';
        };
    }
}
