package dev.fovea.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * Data sets shipped inside the engine jar so that training works offline on a fresh machine.
 * {@code mnist-digits}: 8,000 training and 2,000 test real MNIST digits (gzip IDX); provenance in
 * {@code dev/fovea/data/mnist-digits/README.md}.
 */
public final class EmbeddedDatasets {
    /** The name the command line uses for the embedded digits. */
    public static final String MNIST_DIGITS = "mnist-digits";
    private static final String DIR = "/dev/fovea/data/mnist-digits/";

    private EmbeddedDatasets() {
    }

    /** The embedded digits, pixels scaled to [0,1], 10 classes. */
    public static Splits mnistDigits() {
        return new Splits(split("train"), split("t10k"));
    }

    private static Dataset split(String prefix) {
        String images = prefix + "-images-idx3-ubyte.gz";
        String labels = prefix + "-labels-idx1-ubyte.gz";
        Dataset d = Idx.combine(MNIST_DIGITS + ":" + images, Idx.parseImages(MNIST_DIGITS + ":" + images, resource(images)),
                MNIST_DIGITS + ":" + labels, Idx.parseLabels(MNIST_DIGITS + ":" + labels, resource(labels), 10), 10);
        return new Dataset(MNIST_DIGITS + "/" + (prefix.equals("train") ? "train" : "test"), d.channels(), d.height(), d.width(),
                d.images(), d.labels(), d.classNames());
    }

    private static byte[] resource(String file) {
        try (InputStream in = EmbeddedDatasets.class.getResourceAsStream(DIR + file)) {
            if (in == null) {
                throw new IllegalStateException("embedded data set resource " + DIR + file + " is missing from the classpath (broken build)");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("reading embedded resource " + DIR + file, e);
        }
    }
}
