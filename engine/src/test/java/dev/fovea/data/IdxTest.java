package dev.fovea.data;

import static dev.fovea.io.FormatAssertions.assertMalformed;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IdxTest {
    @TempDir
    Path dir;

    private Path put(String name, byte[] bytes) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    @ParameterizedTest(name = "gzip={0}")
    @ValueSource(booleans = {false, true})
    void readsImagesAndLabelsScaledLikeToTensor(boolean gzip) throws IOException {
        byte[] px = new byte[2 * 2 * 3];
        px[0] = (byte) 255;
        px[1] = (byte) 128;
        px[11] = 1;
        byte[] images = IdxBytes.images(2, 2, 3, px);
        byte[] labels = IdxBytes.labels((byte) 9, (byte) 0);
        // The name says nothing: gzip is detected by its magic bytes.
        Path ip = put("images", gzip ? IdxBytes.gzip(images) : images);
        Path lp = put("labels", gzip ? IdxBytes.gzip(labels) : labels);
        Dataset d = Idx.read(ip, lp, 10);
        assertEquals(2, d.size());
        assertEquals(dev.fovea.tensor.Shape.of(2, 1, 2, 3), d.shape());
        assertArrayEquals(new int[] {9, 0}, d.labels());
        float[] expected = new float[12];
        expected[0] = 1f;
        expected[1] = 128 / 255f;
        expected[11] = 1 / 255f;
        assertArrayEquals(expected, d.images(), 0f, "value/255 exactly, as float division");
    }

    @Test
    void readsAnMnistStyleSplitFromADirectory() throws IOException {
        put("t10k-images-idx3-ubyte.gz", IdxBytes.gzip(IdxBytes.patternImages(3, 28, 28)));
        put("t10k-labels-idx1-ubyte", IdxBytes.labels((byte) 1, (byte) 2, (byte) 3));
        Dataset d = Idx.readSplit(dir, "t10k", 10);
        assertEquals(3, d.size());
        assertEquals(((2 * 7 + 5) % 256) / 255f, d.images()[2 * 784 + 5]);
    }

    @Test
    void wrongMagicNamesTheExpectedValue() throws IOException {
        Path p = put("x", IdxBytes.labels((byte) 1));
        assertMalformed(p.toString(), "header.magic", "expected 0x00000803", () -> Idx.readImages(p));
        Path q = put("y", IdxBytes.patternImages(1, 2, 2));
        assertMalformed(q.toString(), "header.magic", "expected 0x00000801", () -> Idx.readLabels(q, 10));
    }

    @Test
    void headerClaimingTwoToThe31ImagesFailsBeforeAllocating() throws IOException {
        byte[] b = IdxBytes.patternImages(2, 28, 28);
        ByteBuffer.wrap(b).putInt(4, Integer.MIN_VALUE); // 2^31 as unsigned
        Path raw = put("huge", b);
        assertMalformed(raw.toString(), "header.count", "found 2147483648", () -> Idx.readImages(raw));
        Path gz = put("huge.gz", IdxBytes.gzip(b));
        assertMalformed(gz.toString(), "header.count", "found 2147483648", () -> Idx.readImages(gz));
        ByteBuffer.wrap(b).putInt(4, 100_000_000); // 78.4e9 pixels
        Path raw1 = put("huge1", b);
        assertMalformed(raw1.toString(), "header.count", "exceed the largest array", () -> Idx.readImages(raw1));
        // Within array limits but far beyond the file: the file size, not the header, decides.
        ByteBuffer.wrap(b).putInt(4, 2_000_000);
        Path raw2 = put("big", b);
        assertMalformed(raw2.toString(), "header.count", "the file holds 1568", () -> Idx.readImages(raw2));
        Path gz2 = put("big.gz", IdxBytes.gzip(b));
        assertMalformed(gz2.toString(), "header.count", "compressed bytes can hold", () -> Idx.readImages(gz2));
        ByteBuffer.wrap(b).putInt(4, 3);
        Path gz3 = put("three.gz", IdxBytes.gzip(b));
        assertMalformed(gz3.toString(), "header.count", "the gzip trailer says 1584", () -> Idx.readImages(gz3));
    }

    @Test
    void zeroAndOversizedDimensionsAreRejected() throws IOException {
        Path p = put("zero", IdxBytes.images(1, 0, 5, new byte[0]));
        assertMalformed(p.toString(), "header.rows", "expected 1..65535, found 0", () -> Idx.readImages(p));
        Path q = put("wide", IdxBytes.images(1, 1, 70000, new byte[70000]));
        assertMalformed(q.toString(), "header.cols", "found 70000", () -> Idx.readImages(q));
        Path r = put("none", IdxBytes.labels());
        assertMalformed(r.toString(), "header.count", "expected 1..", () -> Idx.readLabels(r, 10));
    }

    @Test
    void truncatedAndPaddedRawFilesAreRejected() throws IOException {
        byte[] b = IdxBytes.patternImages(2, 3, 3);
        Path cut = put("cut", Arrays.copyOf(b, b.length - 1));
        assertMalformed(cut.toString(), "header.count", "(truncated)", () -> Idx.readImages(cut));
        Path longer = put("long", Arrays.copyOf(b, b.length + 1));
        assertMalformed(longer.toString(), "header.count", "(trailing garbage)", () -> Idx.readImages(longer));
        Path header = put("header", Arrays.copyOf(b, 10));
        assertMalformed(header.toString(), "header.rows", "truncated", () -> Idx.readImages(header));
    }

    @Test
    void truncatedCorruptOrPaddedGzipIsRejected() throws IOException {
        byte[] gz = IdxBytes.gzip(IdxBytes.patternImages(40, 28, 28));
        Path cut = put("cut.gz", Arrays.copyOf(gz, gz.length / 2));
        assertMalformed(cut.toString(), "header.count", "truncated or corrupt file", () -> Idx.readImages(cut));
        Path noTrailer = put("notrailer.gz", Arrays.copyOf(gz, gz.length - 3));
        assertMalformed(noTrailer.toString(), "header.count", "truncated or corrupt file", () -> Idx.readImages(noTrailer));
        // Cut in the middle but with a trailer that agrees with the header: the deflate stream itself runs out.
        byte[] cutWithTrailer = Arrays.copyOf(gz, gz.length / 2 + 8);
        System.arraycopy(gz, gz.length - 8, cutWithTrailer, cutWithTrailer.length - 8, 8);
        Path lying = put("lying.gz", cutWithTrailer);
        assertMalformed(lying.toString(), "gzip deflate data", "corrupt compressed data", () -> Idx.readImages(lying));
        // The same with stored (uncompressed) deflate blocks, where the decoder simply runs out of input.
        byte[] stored = IdxBytes.gzipStored(IdxBytes.patternImages(40, 28, 28));
        byte[] storedCut = Arrays.copyOf(stored, stored.length / 2 + 8);
        System.arraycopy(stored, stored.length - 8, storedCut, storedCut.length - 8, 8);
        Path ends = put("ends.gz", storedCut);
        assertMalformed(ends.toString(), "gzip deflate data", "ends before its end marker", () -> Idx.readImages(ends));
        byte[] padded = Arrays.copyOf(gz, gz.length + 5);
        Path trailing = put("trailing.gz", padded);
        // ISIZE now sits in the garbage, so the size check catches it.
        assertMalformed(trailing.toString(), "header.count", "truncated or corrupt file", () -> Idx.readImages(trailing));
        byte[] twoMembers = Arrays.copyOf(gz, gz.length * 2);
        System.arraycopy(gz, 0, twoMembers, gz.length, gz.length);
        Path second = put("second.gz", twoMembers);
        assertMalformed(second.toString(), "gzip trailer", "second gzip member", () -> Idx.readImages(second));
        byte[] badCrc = gz.clone();
        badCrc[gz.length - 8] ^= 1;
        Path crc = put("crc.gz", badCrc);
        assertMalformed(crc.toString(), "gzip trailer.crc32", "expected 0x", () -> Idx.readImages(crc));
        byte[] badMethod = gz.clone();
        badMethod[2] = 7;
        Path method = put("method.gz", badMethod);
        assertMalformed(method.toString(), "gzip header.method", "expected 8 (deflate)", () -> Idx.readImages(method));
    }

    @Test
    void labelsOutsideTheClassRangeAreRejected() throws IOException {
        Path p = put("labels", IdxBytes.labels((byte) 3, (byte) 10));
        assertMalformed(p.toString(), "label 1", "expected a class in 0..9, found 10", () -> Idx.readLabels(p, 10));
        assertArrayEquals(new int[] {3, 10}, Idx.readLabels(p, 11));
    }

    @Test
    void labelCountMustMatchImageCount() throws IOException {
        Path ip = put("images", IdxBytes.patternImages(3, 2, 2));
        Path lp = put("labels", IdxBytes.labels((byte) 1, (byte) 2));
        assertMalformed(lp.toString(), "header.count", "expected 3 labels, one per image of " + ip + ", found 2",
                () -> Idx.read(ip, lp, 10));
    }

    @Test
    void missingSplitFilesAreAnIoErrorNamingThePath() {
        var e = org.junit.jupiter.api.Assertions.assertThrows(java.nio.file.NoSuchFileException.class,
                () -> Idx.readSplit(dir, "train", 10));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("train-images-idx3-ubyte"), e.getMessage());
    }
}
