package dev.fovea.data;

import dev.fovea.tensor.Shape;
import java.util.List;

/**
 * An in-memory labelled image data set: {@code images} holds {@code [N, C, H, W]} float32 values in
 * row-major order (scaled to [0,1] by the readers, then optionally normalised), {@code labels} the
 * class index of each image. Arrays are shared, not copied: treat them as read-only (and, as for
 * any record holding arrays, {@code equals} compares the arrays by identity).
 */
public record Dataset(String name, int channels, int height, int width, float[] images, int[] labels,
                      List<String> classNames) {
    public Dataset {
        if (channels <= 0 || height <= 0 || width <= 0) {
            throw new IllegalArgumentException("dataset " + name + ": image size " + channels + "x" + height + "x" + width + " must be positive");
        }
        long per = (long) channels * height * width;
        if (per * labels.length != images.length) {
            throw new IllegalArgumentException("dataset " + name + ": " + labels.length + " labels need " + per * labels.length
                    + " pixel values for images [" + channels + ", " + height + ", " + width + "], got " + images.length);
        }
        classNames = List.copyOf(classNames);
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= classNames.size()) {
                throw new IllegalArgumentException("dataset " + name + ": label " + labels[i] + " of sample " + i
                        + " is outside 0.." + (classNames.size() - 1));
            }
        }
    }

    /** Class names "0".."n-1", for data sets whose classes are just indices. */
    public static List<String> numberedClasses(int n) {
        return java.util.stream.IntStream.range(0, n).mapToObj(Integer::toString).toList();
    }

    /** The first {@code n} samples (for quick runs: --limit, tests). */
    public Dataset first(int n) {
        if (n < 0 || n >= size()) {
            return this;
        }
        return new Dataset(name, channels, height, width, java.util.Arrays.copyOf(images, n * imageSize()),
                java.util.Arrays.copyOf(labels, n), classNames);
    }

    public int size() {
        return labels.length;
    }

    public int numClasses() {
        return classNames.size();
    }

    /** Values per image, C·H·W. */
    public int imageSize() {
        return channels * height * width;
    }

    /** Shape of all images, {@code [N, C, H, W]}. */
    public Shape shape() {
        return Shape.of(size(), channels, height, width);
    }

    /** Number of samples of each class. */
    public int[] classCounts() {
        int[] counts = new int[numClasses()];
        for (int label : labels) {
            counts[label]++;
        }
        return counts;
    }

    /** A copy with each channel normalised: {@code (x - mean[c]) / std[c]}. */
    public Dataset normalized(Normalization norm) {
        float[] out = images.clone();
        norm.applyInPlace(out, channels, height * width);
        return new Dataset(name, channels, height, width, out, labels, classNames);
    }

    @Override
    public String toString() {
        return "Dataset[" + name + ", " + size() + " images " + channels + "x" + height + "x" + width + ", "
                + numClasses() + " classes]";
    }
}
