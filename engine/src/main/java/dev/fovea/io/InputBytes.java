package dev.fovea.io;

import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

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
public abstract sealed class InputBytes permits InputBytes.Raw, InputBytes.Gzip {
    private final String name;
    private long position;

    private InputBytes(String name) {
        this.name = name;
    }

    /** Wraps the whole content of the file named {@code name}, detecting gzip by its magic bytes. */
    public static InputBytes of(String name, byte[] bytes) {
        boolean gzip = bytes.length >= 2 && (bytes[0] & 0xff) == 0x1f && (bytes[1] & 0xff) == 0x8b;
        return gzip ? new Gzip(name, bytes) : new Raw(name, bytes);
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

    static final class Raw extends InputBytes {
        private final byte[] bytes;

        Raw(String name, byte[] bytes) {
            super(name);
            this.bytes = bytes;
        }

        @Override
        public void expectRemaining(String field, long n) {
            long remaining = bytes.length - position();
            if (n != remaining) {
                throw new FormatException(name(), field, "header declares " + n + " bytes of data after offset "
                        + position() + ", the file holds " + remaining + (n > remaining ? " (truncated)" : " (trailing garbage)"));
            }
        }

        @Override
        public void expectEnd() {
            if (position() != bytes.length) {
                throw new FormatException(name(), "end of file", "expected the file to end at offset "
                        + position() + ", it holds " + (bytes.length - position()) + " more bytes (trailing garbage)");
            }
        }

        @Override
        protected int read(String field, byte[] dst, int off, int len) {
            int n = (int) Math.min(len, bytes.length - position());
            System.arraycopy(bytes, (int) position(), dst, off, n);
            return n;
        }
    }

    static final class Gzip extends InputBytes {
        /** Deflate cannot expand one input byte into more than 1032 output bytes (zlib's technical notes). */
        private static final long MAX_RATIO = 1032;
        private static final int TRAILER = 8;

        private final byte[] gz;
        private final Inflater inflater = new Inflater(true);
        private final CRC32 crc = new CRC32();
        private final int dataStart;

        Gzip(String name, byte[] gz) {
            super(name);
            this.gz = gz;
            this.dataStart = parseHeader();
            if (gz.length - dataStart < TRAILER) {
                throw new FormatException(name, "gzip trailer", "file is truncated: expected deflate data and an 8-byte trailer after the gzip header");
            }
            inflater.setInput(gz, dataStart, gz.length - dataStart);
        }

        /** RFC 1952 member header; returns the offset of the deflate data. */
        private int parseHeader() {
            int p = 2;
            if (gz.length < 10) {
                throw new FormatException(name(), "gzip header", "file is truncated: expected 10 header bytes, found " + gz.length);
            }
            if ((gz[p++] & 0xff) != 8) {
                throw new FormatException(name(), "gzip header.method", "expected 8 (deflate), found " + (gz[2] & 0xff));
            }
            int flags = gz[p++] & 0xff;
            if ((flags & 0xe0) != 0) {
                throw new FormatException(name(), "gzip header.flags", "reserved bits are set (0x" + Integer.toHexString(flags) + ")");
            }
            p += 6; // mtime, extra flags, operating system
            if ((flags & 4) != 0) {
                p = need(p, 2, "gzip header.extra length");
                int xlen = (gz[p - 2] & 0xff) | (gz[p - 1] & 0xff) << 8;
                p = need(p, xlen, "gzip header.extra");
            }
            if ((flags & 8) != 0) {
                p = skipZeroTerminated(p, "gzip header.file name");
            }
            if ((flags & 16) != 0) {
                p = skipZeroTerminated(p, "gzip header.comment");
            }
            if ((flags & 2) != 0) {
                p = need(p, 2, "gzip header.crc16");
            }
            return p;
        }

        private int need(int p, int n, String field) {
            if (gz.length - p < n) {
                throw new FormatException(name(), field, "file is truncated inside the gzip header");
            }
            return p + n;
        }

        private int skipZeroTerminated(int p, String field) {
            while (p < gz.length && gz[p] != 0) {
                p++;
            }
            return need(p, 1, field);
        }

        private long trailerIsize() {
            int t = gz.length - 4;
            return (gz[t] & 0xffL) | (gz[t + 1] & 0xffL) << 8 | (gz[t + 2] & 0xffL) << 16 | (gz[t + 3] & 0xffL) << 24;
        }

        @Override
        public void expectRemaining(String field, long n) {
            long total = position() + n;
            long compressed = gz.length - dataStart - TRAILER;
            if (total > compressed * MAX_RATIO + 64) {
                throw new FormatException(name(), field, "header declares " + n + " bytes of data, more than "
                        + compressed + " compressed bytes can hold (truncated or corrupt file)");
            }
            long isize = trailerIsize();
            if ((total & 0xffffffffL) != isize) {
                throw new FormatException(name(), field, "header declares " + total + " bytes of content, the gzip trailer says "
                        + isize + " (truncated or corrupt file)");
            }
        }

        @Override
        protected int read(String field, byte[] dst, int off, int len) {
            int n = 0;
            try {
                while (n < len && !inflater.finished()) {
                    int k = inflater.inflate(dst, off + n, len - n);
                    if (k == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                        break;
                    }
                    n += k;
                }
            } catch (DataFormatException e) {
                throw new FormatException(name(), "gzip deflate data", "corrupt compressed data at content offset "
                        + (position() + n) + " (" + e.getMessage() + ")", e);
            }
            crc.update(dst, off, n);
            if (n < len && !inflater.finished()) {
                throw new FormatException(name(), "gzip deflate data", "file is truncated: the compressed stream ends before its end marker");
            }
            return n;
        }

        @Override
        public void expectEnd() {
            byte[] probe = new byte[1];
            if (read("end of content", probe, 0, 1) != 0) {
                throw new FormatException(name(), "end of content", "expected the content to end at offset "
                        + position() + ", the compressed stream holds more (trailing garbage)");
            }
            int trailer = gz.length - inflater.getRemaining();
            inflater.end();
            if (gz.length - trailer != TRAILER) {
                throw new FormatException(name(), "gzip trailer", gz.length - trailer < TRAILER
                        ? "file is truncated: expected an 8-byte trailer after the compressed stream"
                        : "expected the file to end 8 bytes after the compressed stream, found "
                                + (gz.length - trailer - TRAILER) + " more bytes (trailing garbage or a second gzip member)");
            }
            long storedCrc = (gz[trailer] & 0xffL) | (gz[trailer + 1] & 0xffL) << 8 | (gz[trailer + 2] & 0xffL) << 16
                    | (gz[trailer + 3] & 0xffL) << 24;
            if (storedCrc != crc.getValue()) {
                throw new FormatException(name(), "gzip trailer.crc32", "expected 0x" + Long.toHexString(crc.getValue())
                        + " (of the decompressed content), found 0x" + Long.toHexString(storedCrc));
            }
            if (trailerIsize() != (position() & 0xffffffffL)) {
                throw new FormatException(name(), "gzip trailer.isize", "expected " + position() + ", found " + trailerIsize());
            }
        }
    }
}
