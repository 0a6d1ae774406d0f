package dev.fovea.primitives;

/**
 * Inverted dropout: in training each element is zeroed with probability p and the survivors are
 * scaled by 1/(1-p); in evaluation it is the identity. The mask is drawn from {@code seed}, so a
 * seeded run reproduces it exactly.
 */
public record DropoutParams(double p, boolean training, long seed) {
    public DropoutParams {
        if (!(p >= 0 && p < 1)) {
            throw new IllegalArgumentException("dropout: p must be in [0, 1), got " + p);
        }
    }
}
