package dev.fovea.io;

import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/** Single-member gzip (RFC 1952) content, inflated as it is read. */
final class GzipBytes extends InputBytes {
    /** Deflate cannot expand one input byte into more than 1032 output bytes (zlib's technical notes). */
    private static final long MAX_RATIO = 1032;
    private static final int TRAILER = 8;

    private final byte[] gz;
    private final Inflater inflater = new Inflater(true);
    private final CRC32 crc = new CRC32();
    private final int dataStart;

    GzipBytes(String name, byte[] gz) {
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
