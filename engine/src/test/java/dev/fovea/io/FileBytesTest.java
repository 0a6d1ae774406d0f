package dev.fovea.io;

import static dev.fovea.io.FormatAssertions.assertMalformed;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileBytesTest {
    @TempDir
    Path dir;

    @Test
    void readsUpToTheLimitAndRefusesLargerFiles() throws IOException {
        Path p = dir.resolve("f.bin");
        Files.write(p, new byte[] {1, 2, 3});
        assertArrayEquals(new byte[] {1, 2, 3}, FileBytes.read(p, 3));
        assertMalformed(p.toString(), "file size", "expected at most 2 bytes, the file holds 3", () -> FileBytes.read(p, 2));
    }

    @Test
    void declaredSizesBeyondTheHeapAreFormatErrorsNotOutOfMemory() {
        assertMalformed("x.idx", "header.count", "raise -Xmx", () -> FileBytes.checkHeap("x.idx", "header.count", Long.MAX_VALUE / 2));
    }
}
