package dev.fovea.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Resolves what the command line's {@code --data} names into training and test splits: the
 * embedded {@code mnist-digits}, or a directory holding MNIST-style IDX files
 * ({@code train-*} and {@code t10k-*}, raw or gzip, e.g. /usr/share/datasets/fashion-mnist),
 * CIFAR-10 binary batches ({@code data_batch_1..5.bin}, {@code test_batch.bin}, also inside
 * {@code cifar-10-batches-bin/}), or image folders {@code train/} and {@code test/} with one
 * subfolder per class.
 */
public final class DataSources {
    private DataSources() {
    }

    /** Size images from folders are resized to; the other formats have a fixed size. */
    public record FolderImageSize(int channels, int height, int width) {
        public FolderImageSize {
            if ((channels != 1 && channels != 3) || height <= 0 || width <= 0) {
                throw new IllegalArgumentException("image size: expected 1 or 3 channels and a positive height and width, got "
                        + channels + "x" + height + "x" + width);
            }
        }
    }

    public static Splits open(String spec, FolderImageSize folderSize) throws IOException {
        if (spec.equals(EmbeddedDatasets.MNIST_DIGITS)) {
            return EmbeddedDatasets.mnistDigits();
        }
        Path dir = Path.of(spec);
        if (!Files.isDirectory(dir)) {
            throw new NoSuchFileException(spec, null, "--data expects \"" + EmbeddedDatasets.MNIST_DIGITS
                    + "\" or a directory of IDX files, CIFAR-10 batches or image folders");
        }
        if (exists(dir, "train-images-idx3-ubyte")) {
            return new Splits(Idx.readSplit(dir, "train", 10), Idx.readSplit(dir, "t10k", 10));
        }
        Path cifar = Files.isDirectory(dir.resolve("cifar-10-batches-bin")) ? dir.resolve("cifar-10-batches-bin") : dir;
        if (Files.isRegularFile(cifar.resolve("data_batch_1.bin"))) {
            return new Splits(Cifar10.readSplit(cifar, true), Cifar10.readSplit(cifar, false));
        }
        if (Files.isDirectory(dir.resolve("train")) && Files.isDirectory(dir.resolve("test"))) {
            Dataset train = ImageFolder.read(dir.resolve("train"), folderSize.channels(), folderSize.height(), folderSize.width());
            Dataset test = ImageFolder.read(dir.resolve("test"), folderSize.channels(), folderSize.height(), folderSize.width());
            if (!train.classNames().equals(test.classNames())) {
                throw new IllegalArgumentException("image folders in " + dir + ": train/ has classes " + train.classNames()
                        + " but test/ has " + test.classNames() + "; both need the same class subfolders");
            }
            return new Splits(train, test);
        }
        throw new IllegalArgumentException("--data " + spec + ": found no data set there; expected train-images-idx3-ubyte[.gz] "
                + "and t10k-* (IDX), data_batch_1.bin (CIFAR-10), or train/ and test/ folders with one subfolder per class");
    }

    private static boolean exists(Path dir, String base) {
        return Files.isRegularFile(dir.resolve(base)) || Files.isRegularFile(dir.resolve(base + ".gz"));
    }
}
