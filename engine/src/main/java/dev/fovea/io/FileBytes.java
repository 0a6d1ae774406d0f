package dev.fovea.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Locale;

/**
 * Whole-file reads that check the file first, and the heap check every parser makes before it
 * allocates what a header declares, so that a hostile file ends in a {@link FormatException} rather
 * than an {@link OutOfMemoryError} or a hang.
 *
 * <p>Every input is checked to be a regular file before it is opened: a FIFO blocks forever in
 * open(2) and a device such as /dev/zero never ends, and neither has a size to check. A read is
 * then bounded by the size the file had when it was checked, so a file that grows meanwhile cannot
 * make it read more.
 */
public final class FileBytes {
    private FileBytes() {
    }

    /**
     * Reads {@code file} whole after checking that it is a regular file of at most {@code maxBytes}
     * ({@code limit} names that limit in the message, e.g. "the limit for IDX files") that fits the
     * heap.
     */
    public static byte[] read(Path file, long maxBytes, String limit) throws IOException {
        long size = regularFileSize(file);
        long max = Math.min(maxBytes, Limits.JAVA_ARRAY);
        if (size > max) {
            throw new FormatException(file.toString(), "file size", String.format(Locale.ROOT,
                    "expected at most %,d bytes (%s), the file holds %,d", max, limit, size));
        }
        checkHeap(file.toString(), "file size", size);
        byte[] bytes = new byte[(int) size];
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            while (buf.hasRemaining()) {
                if (ch.read(buf) < 0) {
                    throw new FormatException(file.toString(), "file size", "the file shrank from " + size + " to "
                            + buf.position() + " bytes while being read");
                }
            }
            if (ch.read(ByteBuffer.allocate(1)) > 0) {
                throw new FormatException(file.toString(), "file size", "the file grew beyond " + size
                        + " bytes while being read");
            }
        }
        return bytes;
    }

    /** Reads {@code file} as UTF-8 text, checked and bounded as {@link #read}; bytes that are not UTF-8 are an error. */
    public static String readText(Path file, long maxBytes, String limit) throws IOException {
        byte[] bytes = read(file, maxBytes, limit);
        try {
            CharBuffer text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes));
            return text.toString();
        } catch (CharacterCodingException e) {
            throw new FormatException(file.toString(), "encoding", "expected UTF-8 text: " + e.getMessage(), e);
        }
    }

    /**
     * The size of {@code file} after checking that it is a regular file (following symbolic links):
     * a directory, FIFO, socket or device is a {@link FormatException} saying which it is.
     */
    public static long regularFileSize(Path file) throws IOException {
        BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
        if (!a.isRegularFile()) {
            throw new FormatException(file.toString(), "file type", "expected a regular file, found "
                    + (a.isDirectory() ? "a directory" : kind(file) + " (it has no size to check and reading it may never end)"));
        }
        return a.size();
    }

    /** What a file that is neither regular nor a directory is, from its Unix mode where the platform gives one. */
    private static String kind(Path file) {
        try {
            int type = ((Integer) Files.getAttribute(file, "unix:mode")) & 0170000;
            return switch (type) {
                case 0010000 -> "a FIFO (named pipe)";
                case 0020000 -> "a character device";
                case 0060000 -> "a block device";
                case 0140000 -> "a socket";
                default -> "a special file";
            };
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException | ClassCastException e) {
            return "a special file (a FIFO, socket or device)";
        }
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
