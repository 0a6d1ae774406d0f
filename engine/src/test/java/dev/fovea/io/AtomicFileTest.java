package dev.fovea.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFileTest {
    @TempDir
    Path dir;

    private static AtomicFile.Content text(String s) {
        return ch -> ch.write(ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8)));
    }

    private List<String> names() throws IOException {
        try (var files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void replacesTheFileWholeAndLeavesNothingElse() throws IOException {
        Path p = dir.resolve("state.bin");
        AtomicFile.write(p, text("first version, longer"));
        AtomicFile.write(p, text("second"));
        assertEquals("second", Files.readString(p));
        assertEquals(List.of("state.bin"), names());
    }

    @Test
    void failureMidWriteKeepsTheOldFileAndRemovesTheTemporary() throws IOException {
        Path p = dir.resolve("state.bin");
        AtomicFile.write(p, text("good"));
        IOException injected = new IOException("injected: disk full");
        IOException thrown = assertThrows(IOException.class, () -> AtomicFile.write(p, ch -> {
            ch.write(ByteBuffer.wrap("half of the new cont".getBytes(StandardCharsets.UTF_8)));
            throw injected;
        }));
        assertSame(injected, thrown);
        assertEquals("good", Files.readString(p));
        assertEquals(List.of("state.bin"), names());
    }

    @Test
    void temporaryFilesOfAKilledWriterAreRemovedByTheNextWrite() throws IOException {
        Path p = dir.resolve("ckpt[1].bin");
        Files.writeString(dir.resolve(".ckpt[1].bin.12345.tmp"), "left by SIGKILL");
        Files.writeString(dir.resolve(".other.bin.1.tmp"), "another target's, kept");
        AtomicFile.write(p, text("new"));
        assertEquals(List.of(".other.bin.1.tmp", "ckpt[1].bin"), names());
    }

    @Test
    void uncheckedFailureAlsoRemovesTheTemporary() throws IOException {
        Path p = dir.resolve("fresh.bin");
        assertThrows(IllegalStateException.class, () -> AtomicFile.write(p, ch -> {
            throw new IllegalStateException("injected");
        }));
        assertEquals(List.of(), names(), "neither a target nor a temporary file");
    }
}
