package dev.fovea.io;

import static dev.fovea.io.FormatAssertions.assertMalformed;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileBytesTest {
    @TempDir
    Path dir;

    @Test
    void readsUpToTheLimitAndRefusesLargerFilesNamingTheLimit() throws IOException {
        Path p = dir.resolve("f.bin");
        Files.write(p, new byte[] {1, 2, 3});
        assertArrayEquals(new byte[] {1, 2, 3}, FileBytes.read(p, 3, "the test limit"));
        assertMalformed(p.toString(), "file size", "expected at most 2 bytes (the test limit), the file holds 3",
                () -> FileBytes.read(p, 2, "the test limit"));
    }

    @Test
    void declaredSizesBeyondTheHeapAreFormatErrorsNotOutOfMemory() {
        assertMalformed("x.idx", "header.count", "raise -Xmx", () -> FileBytes.checkHeap("x.idx", "header.count", Long.MAX_VALUE / 2));
    }

    /** A FIFO would block in open(2) and /dev/zero never ends: both are refused by type, before opening. */
    @Test
    void onlyRegularFilesAreRead() throws Exception {
        SpecialFiles.assertRefused(dir, "data.bin", FormatException.class, f -> FileBytes.read(f, 1 << 20, "the test limit"));
        Path zero = Path.of("/dev/zero");
        if (Files.exists(zero)) {
            assertMalformed(zero.toString(), "file type", "found a character device", () -> FileBytes.read(zero, 10, "x"));
        }
        assertMalformed(dir.toString(), "file type", "found a directory", () -> FileBytes.read(dir, 10, "x"));
    }

    @Test
    void textMustBeUtf8() throws IOException {
        Path p = dir.resolve("t.json");
        Files.write(p, "{\"a\": \"é\"}".getBytes(StandardCharsets.UTF_8));
        assertEquals("{\"a\": \"é\"}", FileBytes.readText(p, 100, "x"));
        Files.write(p, new byte[] {'{', (byte) 0xff, '}'});
        assertMalformed(p.toString(), "encoding", "expected UTF-8 text", () -> FileBytes.readText(p, 100, "x"));
    }
}
