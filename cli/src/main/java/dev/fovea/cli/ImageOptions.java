package dev.fovea.cli;

import dev.fovea.data.ImageFiles;
import dev.fovea.data.ImagePreprocessing;
import dev.fovea.tensor.Shape;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;

/**
 * How predict and visualize turn an image file into the model's input (a Picocli mixin): invert
 * (optional), composite transparency over the training images' background, resize (stretched, or
 * fitted keeping the aspect ratio), then the model's normalisation. Warns when the result cannot be
 * what the user meant: a nearly uniform image, or a background unlike the training images'.
 */
public final class ImageOptions {
    /** Below this spread of values (in [0,1]) an image shows the model nothing. */
    static final float UNIFORM = 0.05f;
    /** A border this much lighter or darker than the training images' suggests inverted colours. */
    static final float BACKGROUND_GAP = 0.5f;

    @Option(names = "--keep-aspect", description = "Scale images to fit the model's input keeping their aspect ratio, "
            + "centred on the training images' background (default off: stretched to the input size, as training on "
            + "image folders does).")
    boolean keepAspect;

    @Option(names = "--invert", description = "Invert the colours first: a dark drawing on a light or transparent "
            + "background becomes light on dark, as MNIST's digits are (default off).")
    boolean invert;

    /** Loads {@code file} for a model with input {@code in}; warnings about the result go to {@code err}. */
    float[] load(Path file, Shape in, float[] background, PrintWriter err) throws IOException {
        float[] x = ImageFiles.load(file, in.dim(1), in.dim(2), in.dim(3),
                ImagePreprocessing.forModel(keepAspect, invert, background, in.dim(1)));
        warn(file, x, in, background, err);
        return x;
    }

    private void warn(Path file, float[] x, Shape in, float[] background, PrintWriter err) {
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        for (float v : x) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        if (max - min < UNIFORM) {
            err.printf(Locale.ROOT, "fovea: warning: %s is nearly uniform after preprocessing (all values %.2f..%.2f): "
                    + "the model sees a blank image%s%n", file, min, max,
                    invert ? "" : " (a dark drawing on a transparent or light background needs --invert)");
        } else if (background != null) {
            float border = borderMean(x, in.dim(1), in.dim(2), in.dim(3));
            float trained = 0;
            for (float b : background) {
                trained += b / background.length;
            }
            if (Math.abs(border - trained) > BACKGROUND_GAP) {
                err.printf(Locale.ROOT, "fovea: warning: %s has a %s border (%.2f) but the training images' background is "
                                + "%s (%.2f): if it shows a %s shape on a %s background, %s%n", file, shade(border), border,
                        shade(trained), trained, shade(trained), shade(border),
                        invert ? "leave out --invert" : "try --invert");
            }
        }
        err.flush();
    }

    private static String shade(float v) {
        return v >= 0.5f ? "light" : "dark";
    }

    private static float borderMean(float[] x, int c, int h, int w) {
        double sum = 0;
        int n = 0;
        for (int ch = 0; ch < c; ch++) {
            int base = ch * h * w;
            for (int y = 0; y < h; y++) {
                for (int xx = 0; xx < w; xx++) {
                    if (y == 0 || y == h - 1 || xx == 0 || xx == w - 1) {
                        sum += x[base + y * w + xx];
                        n++;
                    }
                }
            }
        }
        return (float) (sum / n);
    }
}
