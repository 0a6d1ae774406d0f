package dev.fovea.io;

import static dev.fovea.io.FormatAssertions.assertMalformed;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.fovea.tensor.Shape;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsTest {
    @TempDir
    Path dir;

    /** Bytes of a safetensors file built by hand from the spec: length, header padded to 8, data. */
    static byte[] file(String header, byte[] data) {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + json.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(json.length).put(json).put(data);
        return b.array();
    }

    static byte[] le(String type, double... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (double v : values) {
            switch (type) {
                case "F32" -> b.putFloat((float) v);
                case "F64" -> b.putDouble(v);
                case "I64" -> b.putLong((long) v);
                case "I32" -> b.putInt((int) v);
                default -> throw new IllegalArgumentException(type);
            }
        }
        return java.util.Arrays.copyOf(b.array(), b.position());
    }

    private Path put(String name, byte[] bytes) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    @Test
    void writesExactlyTheBytesTheSpecPrescribes() throws IOException {
        Map<String, StoredTensor> tensors = new LinkedHashMap<>();
        tensors.put("b", StoredTensor.f32(Shape.of(1, 1), new float[] {0.5f}));
        tensors.put("a", StoredTensor.f32(Shape.of(2), new float[] {1f, -2f}));
        Path p = dir.resolve("tiny.safetensors");
        SafeTensors.write(p, tensors, Map.of("format", "pt"));

        // 141 bytes of JSON, padded with 3 spaces to 144 (a multiple of 8), then a:[1,-2], b:[0.5] as little-endian F32.
        // Python's safetensors 0.8.0 (save() of the same numpy arrays and metadata) writes exactly these bytes.
        String json = "{\"__metadata__\":{\"format\":\"pt\"},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1,1],\"data_offsets\":[8,12]}}   ";
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        expected.writeBytes(new byte[] {(byte) 144, 0, 0, 0, 0, 0, 0, 0});
        expected.writeBytes(json.getBytes(StandardCharsets.US_ASCII));
        expected.writeBytes(new byte[] {0, 0, (byte) 0x80, 0x3f, 0, 0, 0, (byte) 0xc0, 0, 0, 0, 0x3f});
        assertArrayEquals(expected.toByteArray(), Files.readAllBytes(p));
    }

    @Test
    void roundTripKeepsNamesShapesValuesAndMetadata() throws IOException {
        Map<String, StoredTensor> tensors = new LinkedHashMap<>();
        float[] w = new float[2 * 3 * 3 * 3];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) Math.sin(i) * 1e-3f;
        }
        w[5] = Float.NaN;
        w[6] = Float.NEGATIVE_INFINITY;
        w[7] = Float.MIN_VALUE;
        tensors.put("conv1.weight", StoredTensor.f32(Shape.of(2, 3, 3, 3), w));
        tensors.put("conv1.bias", StoredTensor.f32(Shape.of(2), new float[] {0.25f, -0f}));
        tensors.put("scalar", StoredTensor.f32(Shape.scalar(), new float[] {7f}));
        tensors.put("empty", StoredTensor.f32(Shape.of(0, 4), new float[0]));
        Path p = dir.resolve("ckpt.safetensors");
        SafeTensors.write(p, tensors, Map.of("epoch", "3", "model", "mnist-cnn"));

        SafeTensorsFile f = SafeTensors.read(p);
        assertEquals(Map.of("epoch", "3", "model", "mnist-cnn"), f.metadata());
        assertEquals(List.of("conv1.bias", "conv1.weight", "empty", "scalar"), List.copyOf(f.names()));
        for (var e : tensors.entrySet()) {
            StoredTensor t = f.tensor(e.getKey());
            assertEquals(SafeDType.F32, t.dtype());
            assertEquals(e.getValue().shape(), t.shape());
            // Bit patterns: NaN, -0 and subnormals must survive unchanged.
            for (int i = 0; i < t.values().length; i++) {
                assertEquals(Float.floatToRawIntBits(e.getValue().values()[i]), Float.floatToRawIntBits(t.values()[i]), e.getKey() + "[" + i + "]");
            }
        }
    }

    @Test
    void readsPyTorchStyleDtypesAsFloat() throws IOException {
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        data.writeBytes(le("F64", 0.1, -3)); // 0..16
        data.writeBytes(le("I64", 12345)); // 16..24 (batch norm's num_batches_tracked)
        data.writeBytes(le("I32", -7, 9)); // 24..32
        // F16 1.5, -0.25, 65504, smallest subnormal; BF16 1.0 and -2.5
        data.writeBytes(new byte[] {0x00, 0x3e, 0x00, (byte) 0xb4, (byte) 0xff, 0x7b, 0x01, 0x00}); // 32..40
        data.writeBytes(new byte[] {(byte) 0x80, 0x3f, 0x20, (byte) 0xc0}); // 40..44
        String header = "{\"d\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[0,16]},"
                + "\"n\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[16,24]},"
                + "\"i\":{\"dtype\":\"I32\",\"shape\":[2,1],\"data_offsets\":[24,32]},"
                + "\"h\":{\"dtype\":\"F16\",\"shape\":[4],\"data_offsets\":[32,40]},"
                + "\"bf\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[40,44]}}";
        SafeTensorsFile f = SafeTensors.read(put("types.safetensors", file(header, data.toByteArray())));
        assertArrayEquals(new float[] {0.1f, -3f}, f.tensor("d").values());
        assertEquals(SafeDType.I64, f.tensor("n").dtype());
        assertEquals(Shape.scalar(), f.tensor("n").shape());
        assertArrayEquals(new float[] {12345f}, f.tensor("n").values());
        assertArrayEquals(new float[] {-7f, 9f}, f.tensor("i").values());
        assertArrayEquals(new float[] {1.5f, -0.25f, 65504f, 0x1p-24f}, f.tensor("h").values());
        assertArrayEquals(new float[] {1f, -2.5f}, f.tensor("bf").values());
        assertEquals(List.of("d", "n", "i", "h", "bf"), List.copyOf(f.names()), "file order of the data");
    }

    @Test
    void readsAFileWrittenByPythonSafetensors() throws IOException, java.net.URISyntaxException {
        Path p = Path.of(getClass().getResource("python-safetensors-0.8.0.safetensors").toURI());
        SafeTensorsFile f = SafeTensors.read(p);
        assertEquals(Map.of("format", "pt"), f.metadata());
        float[] w = new float[18];
        for (int i = 0; i < 18; i++) {
            w[i] = i / 8f - 1;
        }
        assertEquals(Shape.of(2, 1, 3, 3), f.tensor("conv1.weight").shape());
        assertArrayEquals(w, f.tensor("conv1.weight").values());
        assertArrayEquals(new float[] {0.25f, -0.5f}, f.tensor("conv1.bias").values());
        assertArrayEquals(new float[] {1f, 2f}, f.tensor("bn1.running_var").values());
        assertEquals(SafeDType.F64, f.tensor("bn1.running_var").dtype());
        assertArrayEquals(new float[] {123f}, f.tensor("bn1.num_batches_tracked").values());
        assertEquals(Shape.scalar(), f.tensor("bn1.num_batches_tracked").shape());
        assertArrayEquals(new float[] {1.5f, -0.25f, 65504f}, f.tensor("fc.weight").values());
        assertEquals(Shape.of(1, 3), f.tensor("fc.weight").shape());
    }

    @Test
    void halfPrecisionSpecialValuesConvertExactly() {
        assertEquals(Float.POSITIVE_INFINITY, SafeDType.halfToFloat((short) 0x7c00));
        assertEquals(Float.NEGATIVE_INFINITY, SafeDType.halfToFloat((short) 0xfc00));
        assertEquals(true, Float.isNaN(SafeDType.halfToFloat((short) 0x7e00)));
        assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(SafeDType.halfToFloat((short) 0x8000)));
        assertEquals(0x1p-14f, SafeDType.halfToFloat((short) 0x0400), "smallest normal");
        assertEquals(-0x3ffp-24f, SafeDType.halfToFloat((short) 0x83ff), "largest negative subnormal");
    }

    @Test
    void missingTensorNamesTheFileAndWhatItHolds() throws IOException {
        Path p = dir.resolve("m.safetensors");
        SafeTensors.write(p, Map.of("fc1.weight", StoredTensor.f32(Shape.of(1), new float[] {1})), Map.of());
        SafeTensorsFile f = SafeTensors.read(p);
        assertMalformed(p.toString(), "tensor 'fc2.weight'", "the file holds fc1.weight", () -> f.tensor("fc2.weight"));
    }

    @Test
    void checkpointOfAnotherArchitectureListsEveryMismatch() throws IOException {
        Path p = dir.resolve("other.safetensors");
        Map<String, StoredTensor> saved = new LinkedHashMap<>();
        saved.put("conv1.weight", StoredTensor.f32(Shape.of(6, 1, 5, 5), new float[150]));
        saved.put("fc1.weight", StoredTensor.f32(Shape.of(10, 4), new float[40]));
        saved.put("fc9.bias", StoredTensor.f32(Shape.of(1), new float[1]));
        SafeTensors.write(p, saved, Map.of());
        SafeTensorsFile f = SafeTensors.read(p);
        Map<String, Shape> model = new LinkedHashMap<>();
        model.put("conv1.weight", Shape.of(32, 1, 3, 3));
        model.put("fc1.weight", Shape.of(10, 4));
        model.put("fc2.weight", Shape.of(10, 128));
        assertMalformed(p.toString(), "tensors", "expected the model's 3 tensors, found 3: missing fc2.weight; unexpected fc9.bias; "
                + "conv1.weight is [6, 1, 5, 5] in the file, [32, 1, 3, 3] in the model", () -> f.checkMatches(model));
        model.remove("fc2.weight");
        model.put("conv1.weight", Shape.of(6, 1, 5, 5));
        model.put("fc9.bias", Shape.of(1));
        f.checkMatches(model);
    }

    @Test
    void writerRejectsTheReservedName() {
        assertThrows(IllegalArgumentException.class, () -> SafeTensors.write(dir.resolve("x.safetensors"),
                Map.of("__metadata__", StoredTensor.f32(Shape.of(1), new float[] {1})), Map.of()));
    }

    @Test
    void failedWriteKeepsThePreviousCheckpointAndLeavesNoTemporaryFile() throws IOException {
        Path p = dir.resolve("keep.safetensors");
        SafeTensors.write(p, Map.of("w", StoredTensor.f32(Shape.of(1), new float[] {42})), Map.of());
        byte[] before = Files.readAllBytes(p);
        // The target's directory is replaced by a regular file: creating the temporary file fails.
        Path blocked = dir.resolve("blocked");
        Files.writeString(blocked, "not a directory");
        assertThrows(IOException.class, () -> SafeTensors.write(blocked.resolve("x.safetensors"),
                Map.of("w", StoredTensor.f32(Shape.of(1), new float[] {1})), Map.of()));
        // The target is a non-empty directory: the final rename fails after the data was written.
        Path dirTarget = dir.resolve("dir.safetensors");
        Files.createDirectories(dirTarget.resolve("child"));
        assertThrows(IOException.class, () -> SafeTensors.write(dirTarget,
                Map.of("w", StoredTensor.f32(Shape.of(1), new float[] {1})), Map.of()));
        assertArrayEquals(before, Files.readAllBytes(p));
        try (var files = Files.list(dir)) {
            assertEquals(List.of("blocked", "dir.safetensors", "keep.safetensors"),
                    files.map(f -> f.getFileName().toString()).sorted().toList(), "no temporary file left behind");
        }
    }
}
