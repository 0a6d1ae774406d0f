package dev.fovea.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Reads the full Fashion-MNIST when Debian's package is installed; the build never requires it. */
class FashionMnistTest {
    private static final Path DIR = Path.of("/usr/share/datasets/fashion-mnist");

    @Test
    void readsTheDebianPackageWhenInstalled() throws IOException {
        assumeTrue(Files.isRegularFile(DIR.resolve("t10k-images-idx3-ubyte.gz")),
                "Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist puts it at " + DIR + ")");
        Dataset test = Idx.readSplit(DIR, "t10k", 10);
        assertEquals(dev.fovea.tensor.Shape.of(10_000, 1, 28, 28), test.shape());
        // Fashion-MNIST is balanced: 1,000 test images of each class.
        assertEquals(java.util.Arrays.toString(new int[] {1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000}),
                java.util.Arrays.toString(test.classCounts()));
        Dataset train = Idx.readSplit(DIR, "train", 10);
        assertEquals(60_000, train.size());
        for (int count : train.classCounts()) {
            assertEquals(6000, count);
        }
    }
}
