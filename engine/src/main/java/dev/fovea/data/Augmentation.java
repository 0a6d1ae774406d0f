package dev.fovea.data;

import java.util.SplittableRandom;

/**
 * Training-time augmentation as torchvision's {@code RandomCrop(size, padding)} and
 * {@code RandomHorizontalFlip(0.5)}: each image is zero-padded by {@code cropPadding} on every side
 * and a window of its original size is cut at a random offset, then mirrored left-right with
 * probability 1/2. Applied before normalisation, so padding is black as in torchvision.
 */
public record Augmentation(int cropPadding, boolean horizontalFlip) {
    public static final Augmentation NONE = new Augmentation(0, false);

    public Augmentation {
        if (cropPadding < 0) {
            throw new IllegalArgumentException("augmentation: crop padding must be >= 0, got " + cropPadding);
        }
    }

    public boolean isNone() {
        return cropPadding == 0 && !horizontalFlip;
    }

    /**
     * Writes the augmented copy of the image {@code src[srcOff ..]} ({@code c x h x w}) to {@code dst[dstOff ..]}.
     * Random draws come from {@code rng} in a fixed order, so a seeded generator gives the same result.
     */
    void apply(float[] src, int srcOff, float[] dst, int dstOff, int c, int h, int w, SplittableRandom rng) {
        int dy = cropPadding == 0 ? 0 : rng.nextInt(2 * cropPadding + 1) - cropPadding;
        int dx = cropPadding == 0 ? 0 : rng.nextInt(2 * cropPadding + 1) - cropPadding;
        boolean flip = horizontalFlip && rng.nextBoolean();
        for (int ch = 0; ch < c; ch++) {
            int plane = ch * h * w;
            for (int y = 0; y < h; y++) {
                int sy = y + dy;
                for (int x = 0; x < w; x++) {
                    int sx = (flip ? w - 1 - x : x) + dx;
                    boolean inside = sy >= 0 && sy < h && sx >= 0 && sx < w;
                    dst[dstOff + plane + y * w + x] = inside ? src[srcOff + plane + sy * w + sx] : 0f;
                }
            }
        }
    }
}
