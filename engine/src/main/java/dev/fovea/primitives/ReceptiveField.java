package dev.fovea.primitives;

/**
 * The receptive field of one output cell after a stack of convolution or pooling layers, along one
 * axis: {@code size} input pixels seen, and {@code jump}, the distance in input pixels between two
 * adjacent cells of this layer's output. A layer with kernel k (dilated extent K_eff), stride s
 * maps (RF, j) to (RF + (K_eff - 1) * j, j * s); the input itself is (1, 1). Used by model
 * summaries to show how far each layer sees.
 */
public record ReceptiveField(long size, long jump) {

    public ReceptiveField {
        if (size < 1 || jump < 1) {
            throw new IllegalArgumentException("receptive_field: size and jump must be >= 1, got size " + size
                    + ", jump " + jump);
        }
    }

    /** A single input pixel: what the input layer sees. */
    public static ReceptiveField input() {
        return new ReceptiveField(1, 1);
    }

    /** After one more layer with the given kernel and stride (no dilation). */
    public ReceptiveField then(int kernel, int stride) {
        return then(kernel, stride, 1);
    }

    /** After one more layer with the given kernel, stride and dilation. */
    public ReceptiveField then(int kernel, int stride, int dilation) {
        if (kernel < 1 || stride < 1 || dilation < 1) {
            throw new IllegalArgumentException("receptive_field: kernel, stride and dilation must be >= 1, got kernel "
                    + kernel + ", stride " + stride + ", dilation " + dilation);
        }
        long effective = kernel + (long) (kernel - 1) * (dilation - 1);
        return new ReceptiveField(Math.addExact(size, Math.multiplyExact(effective - 1, jump)),
                Math.multiplyExact(jump, stride));
    }
}
