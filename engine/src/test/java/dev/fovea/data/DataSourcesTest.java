package dev.fovea.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataSourcesTest {
    private static final DataSources.FolderImageSize SIZE = new DataSources.FolderImageSize(1, 8, 8);

    @TempDir
    Path dir;

    @Test
    void embeddedNameGivesTheDigits() throws IOException {
        Splits s = DataSources.open("mnist-digits", SIZE);
        assertEquals(8000, s.train().size());
        assertEquals(2000, s.test().size());
    }

    @Test
    void idxDirectory() throws IOException {
        Files.write(dir.resolve("train-images-idx3-ubyte.gz"), IdxBytes.gzip(IdxBytes.patternImages(2, 28, 28)));
        Files.write(dir.resolve("train-labels-idx1-ubyte.gz"), IdxBytes.gzip(IdxBytes.labels((byte) 1, (byte) 2)));
        Files.write(dir.resolve("t10k-images-idx3-ubyte"), IdxBytes.patternImages(1, 28, 28));
        Files.write(dir.resolve("t10k-labels-idx1-ubyte"), IdxBytes.labels((byte) 3));
        Splits s = DataSources.open(dir.toString(), SIZE);
        assertEquals(2, s.train().size());
        assertEquals(1, s.test().size());
    }

    @Test
    void cifarDirectoryOrItsBatchesFolder() throws IOException {
        Path batches = Files.createDirectories(dir.resolve("cifar-10-batches-bin"));
        for (int k = 1; k <= 5; k++) {
            Files.write(batches.resolve("data_batch_" + k + ".bin"), Cifar10Test.batch(k));
        }
        Files.write(batches.resolve("test_batch.bin"), Cifar10Test.batch(0, 9));
        Splits s = DataSources.open(dir.toString(), SIZE);
        assertEquals(5, s.train().size());
        assertEquals(2, s.test().size());
        assertEquals(3, s.test().channels());
    }

    @Test
    void imageFoldersNeedTheSameClassesInTrainAndTest() throws IOException {
        byte[] png = ImageFolderTest.encode(ImageFolderTest.solid(4, 4, Color.GRAY), "png");
        for (String split : List.of("train", "test")) {
            for (String c : List.of("cat", "dog")) {
                Files.createDirectories(dir.resolve(split).resolve(c));
                Files.write(dir.resolve(split).resolve(c).resolve("1.png"), png);
            }
        }
        Splits s = DataSources.open(dir.toString(), SIZE);
        assertEquals(List.of("cat", "dog"), s.train().classNames());
        assertEquals(dev.fovea.tensor.Shape.of(2, 1, 8, 8), s.test().shape());
        Files.createDirectories(dir.resolve("test").resolve("emu"));
        Files.write(dir.resolve("test").resolve("emu").resolve("1.png"), png);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DataSources.open(dir.toString(), SIZE));
        assertTrue(e.getMessage().contains("[cat, dog]") && e.getMessage().contains("[cat, dog, emu]"), e.getMessage());
    }

    @Test
    void unknownDirectoryOrPathSaysWhatIsExpected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DataSources.open(dir.toString(), SIZE));
        assertTrue(e.getMessage().contains("train-images-idx3-ubyte") && e.getMessage().contains("data_batch_1.bin"), e.getMessage());
        assertThrows(java.nio.file.NoSuchFileException.class, () -> DataSources.open(dir.resolve("nope").toString(), SIZE));
    }
}
