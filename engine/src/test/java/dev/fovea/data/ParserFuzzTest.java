package dev.fovea.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.io.FormatException;
import dev.fovea.io.Mutations;
import dev.fovea.io.Mutations.Field;
import dev.fovea.io.SpecialFiles;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded mutation fuzzing of the data-set parsers (bit flips, truncations, length-field edits,
 * trailing garbage): each mutant either parses into a consistent data set or fails with a
 * FormatException; any other exception, an OutOfMemoryError included, fails the test.
 */
class ParserFuzzTest {
    private static final long SEED = 20261122L;

    @TempDir
    Path dir;

    private static final Field COUNT = new Field(4, 4, false);
    private static final Field ROWS = new Field(8, 4, false);
    private static final Field COLS = new Field(12, 4, false);

    private static void checkImages(Idx.Images im) {
        assertEquals((long) im.count() * im.rows() * im.cols(), im.pixels().length);
    }

    @Test
    void idxImagesRaw() {
        byte[] valid = IdxBytes.patternImages(12, 28, 28);
        int parsed = new Mutations(valid, COUNT, ROWS, COLS).run(SEED, 3000, b -> checkImages(Idx.parseImages("raw", b)));
        assertTrue(parsed > 0 && parsed < 3000, "parsed " + parsed);
    }

    @Test
    void idxImagesGzip() {
        byte[] raw = IdxBytes.patternImages(12, 28, 28);
        byte[] gz = IdxBytes.gzip(raw);
        Field isize = new Field(gz.length - 4, 4, true);
        Field crc = new Field(gz.length - 8, 4, true);
        int parsed = new Mutations(gz, isize, crc).run(SEED, 2000, b -> checkImages(Idx.parseImages("gz", b)));
        assertTrue(parsed < 2000, "parsed " + parsed);
        // Mutate the content before compressing, so that header edits reach the IDX parser behind a valid gzip layer.
        int inner = new Mutations(raw, COUNT, ROWS, COLS).run(SEED + 1, 1000, b -> checkImages(Idx.parseImages("gz", IdxBytes.gzip(b))));
        assertTrue(inner > 0 && inner < 1000, "parsed " + inner);
    }

    @Test
    void idxLabelsRawAndGzip() {
        byte[] raw = IdxBytes.labels((byte) 0, (byte) 1, (byte) 2, (byte) 3, (byte) 4, (byte) 5, (byte) 6, (byte) 7, (byte) 8, (byte) 9);
        int parsed = new Mutations(raw, COUNT).run(SEED, 2000, b -> Idx.parseLabels("labels", b, 10));
        assertTrue(parsed > 0 && parsed < 2000, "parsed " + parsed);
        byte[] gz = IdxBytes.gzip(raw);
        new Mutations(gz, new Field(gz.length - 4, 4, true)).run(SEED, 1000, b -> Idx.parseLabels("labels.gz", b, 10));
    }

    @Test
    void cifarBatches() throws IOException {
        byte[] valid = Cifar10Test.batch(0, 5, 9);
        Path p = dir.resolve("data_batch_1.bin");
        int parsed = new Mutations(valid).run(SEED, 1500, b -> {
            Files.write(p, b);
            Dataset d = Cifar10.read("fuzz", List.of(p));
            assertEquals(b.length / Cifar10.RECORD, d.size());
        });
        assertTrue(parsed > 0 && parsed < 1500, "parsed " + parsed);
    }

    /** Every reader is given a FIFO, /dev/zero, a link to it and a directory in place of its file: each refused at once. */
    @Test
    void specialFilesAreRefusedByEveryReader() throws Exception {
        SpecialFiles.assertRefused(dir.resolve("idx"), "train-images-idx3-ubyte", FormatException.class, Idx::readImages);
        SpecialFiles.assertRefused(dir.resolve("labels"), "train-labels-idx1-ubyte", FormatException.class,
                f -> Idx.readLabels(f, 10));
        SpecialFiles.assertRefused(dir.resolve("cifar"), "data_batch_1.bin", FormatException.class,
                f -> Cifar10.read("fuzz", List.of(f)));
        SpecialFiles.assertRefused(dir.resolve("image"), "digit.png", FormatException.class, f -> ImageFiles.load(f, 1, 28, 28));
        // Inside an image folder a FIFO is refused by name rather than skipped.
        Path cls = Files.createDirectories(dir.resolve("folder").resolve("cats"));
        Files.write(cls.resolve("a.png"), ImageFolderTest.encode(ImageFolderTest.solid(4, 4, Color.RED), "png"));
        for (Path special : SpecialFiles.create(dir.resolve("specials"), "b.png")) {
            if (!Files.isDirectory(special)) {
                Files.deleteIfExists(cls.resolve("b.png"));
                Files.createSymbolicLink(cls.resolve("b.png"), special.toAbsolutePath());
                FormatException e = org.junit.jupiter.api.Assertions.assertThrows(FormatException.class,
                        () -> ImageFolder.read(dir.resolve("folder"), 1, 4, 4));
                assertEquals(cls.resolve("b.png").toString(), e.file());
            }
        }
    }

    /**
     * Truncated images are always refused (javax.imageio decodes a cut JPEG with the rest grey), and
     * mutants of a CMYK JPEG, which takes its own decoding path, parse or fail as any other.
     */
    @Test
    void truncatedImagesAreRefusedAndCmykMutantsParseOrFail() throws Exception {
        Path p = dir.resolve("image");
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(SEED);
        for (String format : new String[] {"png", "jpg"}) {
            byte[] valid = ImageFolderTest.encode(ImageFilesTest.detailed(20, 16), format);
            for (int i = 0; i < 200; i++) {
                Files.write(p, java.util.Arrays.copyOf(valid, 1 + rnd.nextInt(valid.length - 1)));
                org.junit.jupiter.api.Assertions.assertThrows(FormatException.class, () -> ImageFiles.load(p, 3, 8, 8));
            }
        }
        byte[] cmyk = Files.readAllBytes(ImageFilesTest.fixture("cmyk-adobe.jpg"));
        int parsed = new Mutations(cmyk).run(SEED, 600, b -> {
            Files.write(p, b);
            assertEquals(3 * 8 * 8, ImageFiles.load(p, 3, 8, 8).length);
        });
        assertTrue(parsed > 0 && parsed < 600, "parsed " + parsed);
    }

    @Test
    void pngAndJpegImages() throws IOException {
        java.awt.image.BufferedImage img = ImageFolderTest.solid(12, 9, new Color(40, 120, 200));
        img.setRGB(3, 4, Color.WHITE.getRGB());
        Path p = dir.resolve("image");
        for (String format : new String[] {"png", "jpg"}) {
            byte[] valid = ImageFolderTest.encode(img, format);
            // PNG: IHDR width and height; JPEG: SOF0 height and width follow the 20-byte JFIF segment.
            Field[] fields = format.equals("png")
                    ? new Field[] {new Field(16, 4, false), new Field(20, 4, false)}
                    : new Field[] {};
            int parsed = new Mutations(valid, fields).run(SEED, 1000, b -> {
                Files.write(p, b);
                assertEquals(3 * 8 * 8, ImageFiles.load(p, 3, 8, 8).length);
            });
            assertTrue(parsed < 1000, format + ": parsed " + parsed);
        }
    }
}
