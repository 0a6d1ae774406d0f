package dev.fovea.io;

/** Uncompressed content: sizes are checked exactly against the file. */
final class RawBytes extends InputBytes {
    private final byte[] bytes;

    RawBytes(String name, byte[] bytes) {
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
