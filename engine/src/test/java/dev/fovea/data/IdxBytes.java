package dev.fovea.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.zip.GZIPOutputStream;

/** Builds IDX files byte by byte for tests, independently of the reader. */
final class IdxBytes {
    private IdxBytes() {
    }

    static byte[] images(int count, int rows, int cols, byte[] pixels) {
        return ByteBuffer.allocate(16 + pixels.length).putInt(0x803).putInt(count).putInt(rows).putInt(cols).put(pixels).array();
    }

    static byte[] labels(byte... labels) {
        return ByteBuffer.allocate(8 + labels.length).putInt(0x801).putInt(labels.length).put(labels).array();
    }

    /** {@code count} images whose pixel i of image n is {@code (n * 7 + i) % 256}. */
    static byte[] patternImages(int count, int rows, int cols) {
        byte[] px = new byte[count * rows * cols];
        for (int n = 0; n < count; n++) {
            for (int i = 0; i < rows * cols; i++) {
                px[n * rows * cols + i] = (byte) ((n * 7 + i) % 256);
            }
        }
        return images(count, rows, cols, px);
    }

    /** Gzip with stored (level 0) deflate blocks: the content appears verbatim inside the file. */
    static byte[] gzipStored(byte[] raw) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out) {
            {
                def.setLevel(java.util.zip.Deflater.NO_COMPRESSION);
            }
        }) {
            gz.write(raw);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static byte[] gzip(byte[] raw) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(raw);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
