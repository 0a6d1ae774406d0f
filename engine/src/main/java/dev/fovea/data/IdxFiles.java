package dev.fovea.data;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/** Recognises IDX files (MNIST's format, raw or gzip) by their magic number, whatever their name. */
public final class IdxFiles {
    private IdxFiles() {
    }

    /** "images" or "labels" for an IDX file of unsigned-byte images or labels, else null. */
    public static String kind(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        byte[] magic = new byte[4];
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file))) {
            raw.mark(2);
            int b0 = raw.read();
            int b1 = raw.read();
            raw.reset();
            InputStream in = b0 == 0x1f && b1 == 0x8b ? new GZIPInputStream(raw) : raw;
            if (in.readNBytes(magic, 0, 4) < 4) {
                return null;
            }
        } catch (java.util.zip.ZipException | java.io.EOFException e) {
            return null;
        }
        if (magic[0] != 0 || magic[1] != 0 || magic[2] != 0x08) {
            return null;
        }
        return magic[3] == 3 ? "images" : magic[3] == 1 ? "labels" : null;
    }
}
