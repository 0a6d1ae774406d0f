package dev.fovea.io;

/**
 * The content of an input file read front to back, decompressed on the fly when the bytes start
 * with the gzip magic (1f 8b), whatever the file's name. A parser reads its header, then states how
 * many bytes of data the header declares ({@link #expectRemaining}) before it allocates anything,
 * and finally calls {@link #expectEnd} to reject trailing garbage.
 *
 * <p>For gzip the declared size is checked against the trailer's ISIZE and against deflate's
 * largest compression ratio, so a 1 KiB file claiming 2^31 images fails before any allocation; the
 * CRC-32 is verified at the end. Only single-member gzip files are accepted (as MNIST ships them).
 */
public abstract sealed class InputBytes permits RawBytes, GzipBytes {
    private final String name;
    private long position;

    InputBytes(String name) {
        this.name = name;
    }

    /** Wraps the whole content of the file named {@code name}, detecting gzip by its magic bytes. */
    public static InputBytes of(String name, byte[] bytes) {
        boolean gzip = bytes.length >= 2 && (bytes[0] & 0xff) == 0x1f && (bytes[1] & 0xff) == 0x8b;
        return gzip ? new GzipBytes(name, bytes) : new RawBytes(name, bytes);
    }

    public String name() {
        return name;
    }

    /** Bytes of content consumed so far. */
    public long position() {
        return position;
    }

    /** Reads exactly {@code len} bytes; a file that ends first is reported as truncated in {@code field}. */
    public void readFully(String field, byte[] dst, int off, int len) {
        int n = read(field, dst, off, len);
        if (n < len) {
            throw new FormatException(name, field, "file is truncated: expected " + len
                    + " more bytes at offset " + (position + n) + ", the content ends there");
        }
        position += n;
    }

    /** Reads a big-endian unsigned 32-bit integer. */
    public long readUint32(String field) {
        byte[] b = new byte[4];
        readFully(field, b, 0, 4);
        return ((b[0] & 0xffL) << 24) | ((b[1] & 0xffL) << 16) | ((b[2] & 0xffL) << 8) | (b[3] & 0xffL);
    }

    /**
     * Checks, before the caller allocates, that the content after the current position can be
     * exactly {@code bytes} long, as {@code field} declares.
     */
    public abstract void expectRemaining(String field, long bytes);

    /** Checks that the content ends here (no trailing garbage) and, for gzip, that the trailer is intact. */
    public abstract void expectEnd();

    /** Reads up to {@code len} bytes, fewer only at the end of the content. */
    protected abstract int read(String field, byte[] dst, int off, int len);
}
