package dev.fovea.api;

import dev.fovea.data.DataSources;
import dev.fovea.data.EmbeddedDatasets;
import dev.fovea.data.Splits;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Labelled images for {@link Model#fit}: a training split and a test split evaluated after each
 * epoch. Files are read when training starts, since images from folders are resized to the model's
 * input.
 */
public final class Dataset {

    /** Reads the splits for a model whose input is {@code size} (used by image folders only). */
    private interface Reader {
        Splits read(DataSources.FolderImageSize size) throws IOException;
    }

    private final Reader reader;

    private Dataset(Reader reader) {
        this.reader = reader;
    }

    /**
     * A directory as {@code fovea train --data} reads it: MNIST-style IDX files ({@code train-*} and
     * {@code t10k-*}, raw or gzip), CIFAR-10 binary batches ({@code data_batch_1.bin} ...
     * {@code test_batch.bin}), or image folders {@code train/} and {@code test/} with one subfolder of
     * PNG/JPEG files per class (resized to the model's input, grey or RGB as it takes).
     *
     * @param dir the directory
     * @return the data set, read when training starts
     */
    public static Dataset directory(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException(dir + ": not a directory; Dataset.directory takes a directory of IDX "
                    + "files, CIFAR-10 batches, or train/ and test/ image folders");
        }
        return new Dataset(size -> DataSources.open(dir.toString(), size));
    }

    /** {@return the 10,000 real MNIST digits embedded in Fovea (8,000 to train, 2,000 to test)} */
    public static Dataset mnistDigits() {
        return new Dataset(size -> EmbeddedDatasets.mnistDigits());
    }

    /**
     * Images in memory: {@code images} holds {@code labels.length} images of {@code channels x height
     * x width} values scaled to [0, 1], one after another, row by row; {@code labels} their class
     * indices into {@code classes}. The arrays are used as given, not copied. The test split is the
     * training split itself, until {@link #withTest} gives another.
     *
     * @param images   the images' values
     * @param labels   each image's class index
     * @param channels 1 (grey) or 3 (RGB)
     * @param height   rows of each image
     * @param width    columns of each image
     * @param classes  the class names
     * @return the data set
     */
    public static Dataset of(float[] images, int[] labels, int channels, int height, int width, List<String> classes) {
        dev.fovea.data.Dataset d = new dev.fovea.data.Dataset("in-memory", channels, height, width, images, labels, classes);
        return new Dataset(size -> new Splits(d, d));
    }

    /**
     * {@return this training split with {@code test}'s test split}
     *
     * @param test the data set whose test split to evaluate on
     */
    public Dataset withTest(Dataset test) {
        return new Dataset(size -> new Splits(reader.read(size).train(), test.reader.read(size).test()));
    }

    /**
     * A class-balanced subset, seeded: {@code n} training images and max(n/4, classes) test images,
     * as {@code fovea train --limit} takes them.
     *
     * @param n    training images to keep
     * @param seed chooses the subset
     * @return the smaller data set
     */
    public Dataset limit(int n, long seed) {
        if (n < 1) {
            throw new IllegalArgumentException("limit " + n + ": must be at least 1");
        }
        return new Dataset(size -> reader.read(size).limit(n, seed));
    }

    /** The splits, images from folders resized to {@code size}. */
    Splits read(DataSources.FolderImageSize size) throws IOException {
        return reader.read(size);
    }
}
