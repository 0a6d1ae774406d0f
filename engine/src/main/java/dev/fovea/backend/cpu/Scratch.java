package dev.fovea.backend.cpu;

/**
 * Grow-only per-thread float buffers for the fast kernels (packed GEMM panels, im2col columns), so a
 * call allocates nothing but its outputs once the buffers have grown to the largest shape seen.
 * Each use has its own slot because one kernel holds several buffers at once.
 */
final class Scratch {
    enum Slot {
        PACK_A, PACK_B, TILE, COLUMNS, COLUMN_GRADS, WEIGHT_PARTIALS,
        // a convolution's GEMM output and gathered dy when one GEMM covers several images
        GEMM_OUT, GRAD_GATHER,
        // the depthwise plane kernels
        PADDED_PLANE, PADDED_GRADS, GRAD_ROWS, PLANE_WEIGHTS, PLANE_TMP,
        // Winograd: transformed kernels (the caller's), input tiles and products (a batch's), a padded plane
        WINOGRAD_WEIGHTS, WINOGRAD_INPUT, WINOGRAD_PRODUCTS, WINOGRAD_PLANE, WINOGRAD_ROWS
    }

    private static final ThreadLocal<float[][]> BUFFERS =
            ThreadLocal.withInitial(() -> new float[Slot.values().length][]);

    private static final ThreadLocal<double[][]> SUMS = ThreadLocal.withInitial(() -> new double[1][]);

    private Scratch() {
    }

    /**
     * A per-thread buffer of at least {@code size} doubles with unspecified contents: a single slot, for the
     * partial sums a parallel call collects from its tasks (which must not use it themselves).
     */
    static double[] doubles(int size) {
        double[][] holder = SUMS.get();
        double[] buf = holder[0];
        if (buf == null || buf.length < size) {
            buf = new double[size];
            holder[0] = buf;
        }
        return buf;
    }

    /** A buffer of at least {@code size} floats with unspecified contents. */
    static float[] get(Slot slot, int size) {
        float[][] buffers = BUFFERS.get();
        float[] buf = buffers[slot.ordinal()];
        if (buf == null || buf.length < size) {
            buf = new float[size];
            buffers[slot.ordinal()] = buf;
        }
        return buf;
    }
}
