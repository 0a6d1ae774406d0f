package dev.fovea.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whole-file reads that check the size first, and the heap check every parser makes before it
 * allocates what a header declares, so that a hostile file ends in a {@link FormatException}
 * rather than an {@link OutOfMemoryError}.
 */
public final class FileBytes {
    /** The largest Java byte array a JVM reliably allocates. */
    public static final long MAX_ARRAY = Integer.MAX_VALUE - 8;

    private FileBytes() {
    }

    /** Reads {@code file} whole after checking that it holds at most {@code maxBytes} and fits the heap. */
    public static byte[] read(Path file, long maxBytes) throws IOException {
        long size = Files.size(file);
        long limit = Math.min(maxBytes, MAX_ARRAY);
        if (size > limit) {
            throw new FormatException(file.toString(), "file size",
                    "expected at most " + limit + " bytes, the file holds " + size);
        }
        checkHeap(file.toString(), "file size", size);
        return Files.readAllBytes(file);
    }

    /**
     * Throws unless {@code bytes} more can be allocated on the heap now; {@code field} names what
     * declared that size.
     */
    public static void checkHeap(String file, String field, long bytes) {
        Runtime rt = Runtime.getRuntime();
        long free = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
        if (bytes > free) {
            throw new FormatException(file, field, "needs " + mib(bytes) + " MiB of memory but only "
                    + mib(free) + " MiB of heap are free (raise -Xmx if the file is genuine)");
        }
    }

    private static long mib(long bytes) {
        return (bytes + (1 << 20) - 1) >> 20;
    }
}
