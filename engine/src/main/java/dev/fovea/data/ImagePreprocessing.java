package dev.fovea.data;

import java.util.Arrays;

/**
 * How an image file becomes a model's input, in this order: colours inverted (when {@code invert}:
 * a dark drawing on a light background becomes a light one on dark, as MNIST's digits are);
 * transparency composited over {@code background} (the training images' border colour, per channel
 * in [0,1]: one value for grey, three for RGB); then resized to the input size, stretched, or, with
 * {@code keepAspect}, scaled to fit and centred on the background colour. Scaling is bilinear and
 * grey is ITU-R 601 luma, as PIL's "L" mode.
 */
public record ImagePreprocessing(boolean keepAspect, boolean invert, float[] background) {
    /** What training on image folders does: stretch, no inversion, transparency over black. */
    public static final ImagePreprocessing TRAINING = new ImagePreprocessing(false, false, new float[] {0});

    public ImagePreprocessing {
        if (background.length != 1 && background.length != 3) {
            throw new IllegalArgumentException("image background: 1 (grey) or 3 (RGB) values, got " + background.length);
        }
        for (float v : background) {
            if (!(v >= 0 && v <= 1)) {
                throw new IllegalArgumentException("image background: values in [0,1], got " + Arrays.toString(background));
            }
        }
        background = background.clone();
    }

    /**
     * How an image is read for a model with {@code channels} input channels whose training images
     * had {@code background} (null when unknown): over that background when it has one value or one
     * per channel, otherwise over black, as training on image folders composites.
     */
    public static ImagePreprocessing forModel(boolean keepAspect, boolean invert, float[] background, int channels) {
        boolean fits = background != null && (background.length == 1 || background.length == channels);
        return new ImagePreprocessing(keepAspect, invert, fits ? background : new float[] {0});
    }

    /** The background as an opaque RGB colour. */
    int backgroundRgb() {
        int r = Math.round(background[0] * 255);
        int g = Math.round(background[background.length == 3 ? 1 : 0] * 255);
        int b = Math.round(background[background.length == 3 ? 2 : 0] * 255);
        return 0xff000000 | r << 16 | g << 8 | b;
    }

    @Override
    public float[] background() {
        return background.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ImagePreprocessing p && keepAspect == p.keepAspect && invert == p.invert
                && Arrays.equals(background, p.background);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(background) * 4 + (keepAspect ? 2 : 0) + (invert ? 1 : 0);
    }

    @Override
    public String toString() {
        return "ImagePreprocessing[keepAspect=" + keepAspect + ", invert=" + invert + ", background="
                + Arrays.toString(background) + "]";
    }
}
