package dev.fovea.io;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fovea.tensor.Shape;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads and writes <a href="https://github.com/huggingface/safetensors">safetensors</a> files, the
 * checkpoint format PyTorch users share: an 8-byte little-endian header length, a JSON header
 * {@code {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {str: str}}}, then the
 * little-endian data buffer the offsets point into.
 *
 * <p>Fovea writes F32 tensors sorted by name with the header padded by spaces to a multiple of 8
 * bytes, which is byte for byte what the Python {@code safetensors} package writes for the same
 * tensors, and replaces the target atomically. It reads F32, F64, F16, BF16 and the integer types,
 * converting to float32. Every header claim is checked against the file size before any tensor is
 * allocated; a malformed file gives a {@link FormatException}. Only a regular file is opened (a FIFO
 * would block), and the header is limited to {@link Limits#SAFETENSORS_HEADER_BYTES} and
 * {@link Limits#SAFETENSORS_TENSORS} tensors.
 */
public final class SafeTensors {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int CHUNK = 1 << 20;

    private SafeTensors() {
    }

    /** Reads every tensor of {@code file}. */
    public static SafeTensorsFile read(Path file) throws IOException {
        String name = file.toString();
        FileBytes.regularFileSize(file);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) {
                throw new FormatException(name, "header length", "file is truncated: expected an 8-byte header length, the file holds " + size + " bytes");
            }
            long headerLength = readAt(ch, 0, 8, name, "header length").getLong();
            if (headerLength < 2 || headerLength > size - 8 || headerLength > Limits.SAFETENSORS_HEADER_BYTES) {
                throw new FormatException(name, "header length", "expected 2.." + Math.min(size - 8, Limits.SAFETENSORS_HEADER_BYTES)
                        + " bytes (the file holds " + size + ", the limit for headers is " + Limits.SAFETENSORS_HEADER_BYTES
                        + "), found " + Long.toUnsignedString(headerLength));
            }
            // A parsed JSON tree takes several times its text; refuse before parsing rather than run out of memory.
            FileBytes.checkHeap(name, "header length", headerLength * 16);
            byte[] json = new byte[(int) headerLength];
            readAt(ch, 8, (int) headerLength, name, "header").get(json);
            long dataStart = 8 + headerLength;
            SafeTensorsHeader header = SafeTensorsHeader.parse(name, json, size - dataStart);
            long floats = 0;
            for (SafeTensorsHeader.Entry e : header.entries()) {
                floats += e.shape().size();
            }
            FileBytes.checkHeap(name, "data buffer", floats * Float.BYTES);
            Map<String, StoredTensor> tensors = new LinkedHashMap<>();
            for (SafeTensorsHeader.Entry e : header.entriesByOffset()) {
                tensors.put(e.name(), new StoredTensor(e.dtype(), e.shape(), values(ch, dataStart, e, name)));
            }
            return new SafeTensorsFile(name, tensors, header.metadata());
        }
    }

    /**
     * Writes {@code tensors} as F32, sorted by name, with {@code metadata} (may be empty), replacing
     * {@code file} atomically: on any failure the previous file is left as it was.
     */
    public static void write(Path file, Map<String, StoredTensor> tensors, Map<String, String> metadata) throws IOException {
        Map<String, StoredTensor> sorted = new TreeMap<>(tensors);
        byte[] header = header(sorted, metadata);
        AtomicFile.write(file, ch -> {
            ByteBuffer prefix = ByteBuffer.allocate(8 + header.length).order(ByteOrder.LITTLE_ENDIAN);
            prefix.putLong(header.length).put(header).flip();
            writeFully(ch, prefix);
            ByteBuffer buf = ByteBuffer.allocate(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
            for (StoredTensor t : sorted.values()) {
                for (float v : t.values()) {
                    if (!buf.hasRemaining()) {
                        writeFully(ch, buf.flip());
                        buf.clear();
                    }
                    buf.putFloat(v);
                }
            }
            writeFully(ch, buf.flip());
        });
    }

    /** The JSON header, compact, {@code __metadata__} first, padded with spaces to a multiple of 8 bytes. */
    static byte[] header(Map<String, StoredTensor> sorted, Map<String, String> metadata) {
        ObjectNode root = JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = root.putObject(SafeTensorsHeader.METADATA);
            new TreeMap<>(metadata).forEach(meta::put);
        }
        long offset = 0;
        for (Map.Entry<String, StoredTensor> e : sorted.entrySet()) {
            if (e.getKey().equals(SafeTensorsHeader.METADATA)) {
                throw new IllegalArgumentException("safetensors: a tensor cannot be named " + SafeTensorsHeader.METADATA);
            }
            ObjectNode entry = root.putObject(e.getKey());
            entry.put("dtype", SafeDType.F32.name());
            Shape shape = e.getValue().shape();
            var dims = entry.putArray("shape");
            for (int d : shape.toArray()) {
                dims.add(d);
            }
            long end = offset + (long) shape.size() * Float.BYTES;
            entry.putArray("data_offsets").add(offset).add(end);
            offset = end;
        }
        byte[] json = root.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        byte[] out = java.util.Arrays.copyOf(json, padded);
        java.util.Arrays.fill(out, json.length, padded, (byte) ' ');
        return out;
    }

    private static float[] values(FileChannel ch, long dataStart, SafeTensorsHeader.Entry e, String file) throws IOException {
        float[] out = new float[e.shape().size()];
        int perChunk = CHUNK / e.dtype().bytes();
        for (int done = 0; done < out.length; ) {
            int n = Math.min(perChunk, out.length - done);
            ByteBuffer buf = readAt(ch, dataStart + e.begin() + (long) done * e.dtype().bytes(), n * e.dtype().bytes(), file,
                    "tensor '" + e.name() + "'");
            for (int i = 0; i < n; i++) {
                out[done + i] = e.dtype().read(buf);
            }
            done += n;
        }
        return out;
    }

    private static ByteBuffer readAt(FileChannel ch, long position, int length, String file, String field) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        while (buf.hasRemaining()) {
            if (ch.read(buf, position + buf.position()) < 0) {
                throw new FormatException(file, field, "file is truncated at byte " + (position + buf.position())
                        + " (it changed while being read?)");
            }
        }
        return buf.flip();
    }

    private static void writeFully(FileChannel ch, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
            ch.write(buf);
        }
    }
}
