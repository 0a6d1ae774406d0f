package dev.fovea.io;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Inputs that are not regular files, for the parsers' fuzz tests: a FIFO (which blocks a reader in
 * open(2) until a writer comes), /dev/zero (which never ends), a directory, and a symbolic link to
 * /dev/zero under an innocent name. Each must be refused at once, never read.
 */
public final class SpecialFiles {
    /** Parses the file at a path; the test expects it to throw. */
    @FunctionalInterface
    public interface Reader {
        void read(Path file) throws Exception;
    }

    private SpecialFiles() {
    }

    /** The special files, made in {@code dir} and named {@code name} where they can be (the FIFO only where mkfifo exists). */
    public static List<Path> create(Path dir, String name) throws IOException, InterruptedException {
        List<Path> out = new ArrayList<>();
        Path fifo = Files.createDirectories(dir.resolve("fifo")).resolve(name);
        if (new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor() == 0) {
            out.add(fifo);
        }
        Path zero = Path.of("/dev/zero");
        if (Files.exists(zero)) {
            out.add(zero);
            Path link = Files.createDirectories(dir.resolve("link")).resolve(name);
            Files.createSymbolicLink(link, zero);
            out.add(link);
        }
        out.add(Files.createDirectories(dir.resolve("directory").resolve(name)));
        return out;
    }

    /**
     * Runs {@code reader} on each special file named {@code name}; each must fail within ten seconds
     * with an exception of type {@code expected} whose message says it expected a regular file.
     */
    public static void assertRefused(Path dir, String name, Class<? extends Exception> expected, Reader reader)
            throws IOException, InterruptedException {
        for (Path special : create(dir, name)) {
            try {
                assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
                    try {
                        reader.read(special);
                        fail(special + " was read as if it were a regular file");
                    } catch (Exception e) {
                        assertTrue(expected.isInstance(e) && String.valueOf(e.getMessage()).contains("expected a regular file")
                                && !e.getMessage().contains("\n"), special + ": " + e);
                    }
                }, special + " blocked or never ended");
            } finally {
                unblock(special);
            }
        }
    }

    /** A reader stuck opening a FIFO is released by a writer opening it; a no-op once nobody waits. */
    private static void unblock(Path special) {
        if (!special.getParent().getFileName().toString().equals("fifo")) {
            return;
        }
        Thread t = new Thread(() -> {
            try (FileOutputStream ignored = new FileOutputStream(special.toFile())) {
                // Opening is the point: it completes the reader's open, which then sees the end of the data.
            } catch (IOException ignored) {
                // Nothing to release.
            }
        });
        t.setDaemon(true);
        t.start();
    }
}
