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

    /**
     * A seeded, class-balanced subset of {@code n} samples (for --limit): classes take turns, each
     * giving a sample drawn at random without replacement until it has none left, so every class is
     * represented as evenly as the data allow; the samples keep their order in the data set. The
     * same seed gives the same subset.
     */
    public Dataset balancedSubset(int n, long seed) {
        if (n < 1) {
            throw new IllegalArgumentException("subset of " + name + ": size must be >= 1, got " + n);
        }
        if (n >= size()) {
            return this;
        }
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(seed);
        int[][] byClass = new int[numClasses()][];
        int[] counts = classCounts();
        int[] filled = new int[numClasses()];
        for (int c = 0; c < byClass.length; c++) {
            byClass[c] = new int[counts[c]];
        }
        for (int i = 0; i < labels.length; i++) {
            byClass[labels[i]][filled[labels[i]]++] = i;
        }
        for (int[] members : byClass) {
            for (int i = members.length - 1; i > 0; i--) {
                int j = rnd.nextInt(i + 1);
                int t = members[i];
                members[i] = members[j];
                members[j] = t;
            }
        }
        // Rounds over the classes in a seeded order, which decides the classes that get the last, partial round.
        int[] order = java.util.stream.IntStream.range(0, numClasses()).toArray();
        for (int i = order.length - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        boolean[] chosen = new boolean[size()];
        int taken = 0;
        for (int round = 0; taken < n; round++) {
            for (int c : order) {
                if (taken < n && round < byClass[c].length) {
                    chosen[byClass[c][round]] = true;
                    taken++;
                }
            }
        }
        int per = imageSize();
        float[] img = new float[n * per];
        int[] lab = new int[n];
        for (int i = 0, k = 0; i < size(); i++) {
            if (chosen[i]) {
                System.arraycopy(images, i * per, img, k * per, per);
                lab[k++] = labels[i];
            }
        }
        return new Dataset(name, channels, height, width, img, lab, classNames);
    }

    /** Per channel, the mean of the pixels on the images' borders: the background the model was trained on. */
    public float[] borderMean() {
        double[] sum = new double[channels];
        long perChannel = 0;
        int plane = height * width;
        for (int i = 0; i < size(); i++) {
            for (int c = 0; c < channels; c++) {
                int base = (i * channels + c) * plane;
                for (int x = 0; x < width; x++) {
                    sum[c] += images[base + x] + images[base + (height - 1) * width + x];
                }
                for (int y = 1; y < height - 1; y++) {
                    sum[c] += images[base + y * width] + images[base + y * width + width - 1];
                }
            }
            perChannel += 2L * width + 2L * Math.max(0, height - 2);
        }
        float[] mean = new float[channels];
        for (int c = 0; c < channels; c++) {
            mean[c] = perChannel == 0 ? 0 : (float) (sum[c] / perChannel);
        }
        return mean;
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
