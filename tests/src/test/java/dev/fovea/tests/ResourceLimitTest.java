package dev.fovea.tests;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Host memory: `fovea train` in a JVM with a small heap, asked for batches or images that cannot fit, is
 * refused by the memory plan before the first batch (one line, exit status 2, no checkpoint, no
 * OutOfMemoryError).
 */
class ResourceLimitTest {

    /**
     * A PNG of about 200 KB declaring a 4096 x 6144 16-bit RGBA canvas: decoding it takes about 12 bytes a pixel
     * (a 201 MB raster and a 100 MB ARGB copy to resize it), which the heap check once took for 8, so it
     * passed the check in a 256 MiB heap and then ran out of memory. It is refused before decoding.
     */
    @Test
    void aSmallPngDeclaringAHuge16BitCanvasIsRefusedBeforeDecoding(@TempDir Path dir) throws Exception {
        Path png = Files.createDirectories(dir.resolve("data/train/a")).resolve("big.png");
        Files.write(png, zeroPng(4096, 6144, 6, 16));
        for (String[] path : new String[][] {{"train", "b"}, {"test", "a"}, {"test", "b"}}) {
            Files.copy(png, Files.createDirectories(dir.resolve("data").resolve(path[0]).resolve(path[1])).resolve("big.png"));
        }
        try (TrainingProcess p = TrainingProcess.start(dir.resolve("logs"), List.of("-Xmx256m"), null, "train",
                "--device", "cpu", "--data", dir.resolve("data").toString(), "--out", dir.resolve("run").toString())) {
            assertEquals(2, p.waitFor(), p.toString());
            String err = p.stderr().lines().filter(l -> !l.startsWith("WARNING: Using incubator")).reduce("", String::concat);
            assertTrue(err.matches("fovea: \\S*big\\.png: png header\\.size: needs \\d+ MiB of memory but only \\d+ MiB of "
                    + "heap are free \\(raise -Xmx if the file is genuine\\)"), err);
        }
    }

    /** A PNG of zeros: signature, IHDR, one IDAT of unfiltered rows deflated as they are produced, IEND. */
    static byte[] zeroPng(int width, int height, int colourType, int bitDepth) throws java.io.IOException {
        int channels = colourType == 6 ? 4 : colourType == 2 ? 3 : 1;
        java.io.ByteArrayOutputStream idat = new java.io.ByteArrayOutputStream();
        try (java.util.zip.DeflaterOutputStream z = new java.util.zip.DeflaterOutputStream(idat,
                new java.util.zip.Deflater(java.util.zip.Deflater.BEST_COMPRESSION), 1 << 16)) {
            byte[] row = new byte[1 + width * channels * bitDepth / 8];
            for (int y = 0; y < height; y++) {
                z.write(row);
            }
        }
        java.io.ByteArrayOutputStream png = new java.io.ByteArrayOutputStream();
        png.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        java.nio.ByteBuffer ihdr = java.nio.ByteBuffer.allocate(13).putInt(width).putInt(height)
                .put((byte) bitDepth).put((byte) colourType).put((byte) 0).put((byte) 0).put((byte) 0);
        chunk(png, "IHDR", ihdr.array());
        chunk(png, "IDAT", idat.toByteArray());
        chunk(png, "IEND", new byte[0]);
        return png.toByteArray();
    }

    private static void chunk(java.io.ByteArrayOutputStream out, String type, byte[] data) throws java.io.IOException {
        java.io.DataOutputStream d = new java.io.DataOutputStream(out);
        byte[] t = type.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        d.writeInt(data.length);
        d.write(t);
        d.write(data);
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(t);
        crc.update(data);
        d.writeInt((int) crc.getValue());
    }

    @Test
    void aBatchSizeThatCannotFitTheHeapIsRefusedBeforeTraining(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("run");
        try (TrainingProcess p = TrainingProcess.start(dir.resolve("logs"), List.of("-Xmx160m"), null, "train",
                "--device", "cpu", "--batch-size", "4096", "--limit", "4096", "--epochs", "1", "--out", out.toString())) {
            assertEquals(2, p.waitFor(), p.toString());
            String err = p.stderr().lines().filter(l -> !l.startsWith("WARNING: Using incubator")).reduce("", String::concat);
            assertTrue(err.matches("fovea: model 'mnist-cnn' with --batch-size 4096 needs about \\d+\\.\\d GiB for training "
                    + "\\(activations \\d+\\.\\d GiB, parameters and optimiser state 0\\.0 GiB\\) but the JVM may use 0\\.\\d "
                    + "GiB: lower --batch-size or raise -Xmx \\(FOVEA_JAVA_OPTS\\)"), err);
            assertFalse(p.stdout().contains("epoch 1/1"), "no batch was trained: " + p.stdout());
        }
        try (var files = Files.list(out)) {
            assertEquals(0, files.count(), "nothing written");
        }
    }
}
