package dev.fovea.io;

import static dev.fovea.io.FormatAssertions.assertMalformed;
import static dev.fovea.io.SafeTensorsTest.file;
import static dev.fovea.io.SafeTensorsTest.le;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.fovea.tensor.Shape;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every way a safetensors header can lie gives a FormatException naming the file and the field. */
class SafeTensorsCorruptionTest {
    @TempDir
    Path dir;

    private static final byte[] EIGHT = le("F32", 1, 2);

    static Stream<Arguments> lyingHeaders() {
        return Stream.of(
                Arguments.of("not JSON", "{\"a\":", "header", "expected a JSON object"),
                Arguments.of("JSON array", "[1,2]", "header", "expected a JSON object, found ARRAY"),
                Arguments.of("trailing tokens", "{} {}", "header", "expected a JSON object"),
                Arguments.of("duplicate name", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                        + "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", "header", "expected unique names, tensor name 'a' appears twice"),
                Arguments.of("duplicate key in an entry", "{\"a\":{\"dtype\":\"F32\",\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[0,8]}}",
                        "header", "key 'dtype' of 'a' appears twice"),
                Arguments.of("duplicate metadata key", "{\"__metadata__\":{\"k\":\"1\",\"k\":\"2\"},\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}",
                        "header", "key 'k' of '__metadata__' appears twice"),
                Arguments.of("entry not an object", "{\"a\":[0,8]}", "tensor 'a'", "expected an object"),
                Arguments.of("unknown field", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8],\"x\":1}}",
                        "tensor 'a'.x", "unknown field"),
                Arguments.of("missing dtype", "{\"a\":{\"shape\":[2],\"data_offsets\":[0,8]}}", "tensor 'a'.dtype", "the field is missing"),
                Arguments.of("dtype not a string", "{\"a\":{\"dtype\":4,\"shape\":[2],\"data_offsets\":[0,8]}}", "tensor 'a'.dtype", "expected a string"),
                Arguments.of("unknown dtype", "{\"a\":{\"dtype\":\"F31\",\"shape\":[2],\"data_offsets\":[0,8]}}", "tensor 'a'.dtype", "found \"F31\""),
                Arguments.of("unsupported dtype", "{\"a\":{\"dtype\":\"F8_E4M3\",\"shape\":[8],\"data_offsets\":[0,8]}}", "tensor 'a'.dtype", "expected one of"),
                Arguments.of("shape not an array", "{\"a\":{\"dtype\":\"F32\",\"shape\":2,\"data_offsets\":[0,8]}}", "tensor 'a'.shape", "expected an array"),
                Arguments.of("negative dimension", "{\"a\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", "tensor 'a'.shape[0]", "expected an integer"),
                Arguments.of("fractional dimension", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2.5],\"data_offsets\":[0,8]}}", "tensor 'a'.shape[0]", "expected an integer"),
                Arguments.of("dimension over int", "{\"a\":{\"dtype\":\"F32\",\"shape\":[4294967298],\"data_offsets\":[0,8]}}", "tensor 'a'.shape[0]", "expected an integer"),
                Arguments.of("shape overflowing memory", "{\"a\":{\"dtype\":\"F32\",\"shape\":[65536,65536,65536],\"data_offsets\":[0,8]}}",
                        "tensor 'a'.shape", "elements"),
                Arguments.of("shape disagrees with span", "{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}",
                        "tensor 'a'.data_offsets", "needs 12 bytes"),
                Arguments.of("dtype size disagrees with span", "{\"a\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[0,8]}}",
                        "tensor 'a'.data_offsets", "needs 16 bytes"),
                Arguments.of("offsets reversed", "{\"a\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[8,0]}}", "tensor 'a'.data_offsets", "begin <= end"),
                Arguments.of("one offset", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8]}}", "tensor 'a'.data_offsets", "array of 2"),
                Arguments.of("offset past buffer", "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", "tensor 'a'.data_offsets[1]", "0..8"),
                Arguments.of("huge offset", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[9223372036854775800,9223372036854775808]}}",
                        "tensor 'a'.data_offsets[0]", "0..8"),
                Arguments.of("overlapping tensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                        + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", "data_offsets", "overlap"),
                Arguments.of("gap before a tensor", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}",
                        "tensor 'a'.data_offsets", "belong to no tensor"),
                Arguments.of("buffer not covered", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}",
                        "data buffer", "cover all 8 bytes"),
                Arguments.of("metadata not an object", "{\"__metadata__\":[1],\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}",
                        "__metadata__", "expected an object of strings"),
                Arguments.of("metadata value not a string", "{\"__metadata__\":{\"epoch\":3},\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}",
                        "__metadata__.epoch", "expected a string"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("lyingHeaders")
    void lyingHeaderIsRejected(String label, String header, String field, String message) throws IOException {
        Path p = dir.resolve("bad.safetensors");
        Files.write(p, file(header, EIGHT));
        assertMalformed(p.toString(), field, message, () -> SafeTensors.read(p));
    }

    private Path withLength(long headerLength, byte[] rest) throws IOException {
        Path p = dir.resolve("len.safetensors");
        ByteBuffer b = ByteBuffer.allocate(8 + rest.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(headerLength).put(rest);
        Files.write(p, b.array());
        return p;
    }

    @Test
    void headerLengthIsCheckedAgainstTheFileSizeBeforeAllocating() throws IOException {
        byte[] body = "{}".getBytes();
        Path p = withLength(1L << 40, body);
        assertMalformed(p.toString(), "header length", "found 1099511627776", () -> SafeTensors.read(p));
        Path q = withLength(-1, body);
        assertMalformed(q.toString(), "header length", "found 18446744073709551615", () -> SafeTensors.read(q));
        Path r = withLength(3, body);
        assertMalformed(r.toString(), "header length", "expected 2..2", () -> SafeTensors.read(r));
        Path s = withLength(0, body);
        assertMalformed(s.toString(), "header length", "expected 2..2", () -> SafeTensors.read(s));
    }

    @Test
    void truncatedFilesAreRejected() throws IOException {
        Path good = dir.resolve("good.safetensors");
        SafeTensors.write(good, Map.of("w", StoredTensor.f32(Shape.of(4), new float[] {1, 2, 3, 4})), Map.of());
        byte[] bytes = Files.readAllBytes(good);
        Path p = dir.resolve("cut.safetensors");
        Files.write(p, Arrays.copyOf(bytes, 5));
        assertMalformed(p.toString(), "header length", "truncated", () -> SafeTensors.read(p));
        Files.write(p, Arrays.copyOf(bytes, bytes.length - 1));
        assertMalformed(p.toString(), "tensor 'w'.data_offsets[1]", "0..15", () -> SafeTensors.read(p));
    }

    @Test
    void trailingGarbageIsRejected() throws IOException {
        Path good = dir.resolve("good.safetensors");
        SafeTensors.write(good, Map.of("w", StoredTensor.f32(Shape.of(1), new float[] {1})), Map.of());
        byte[] bytes = Files.readAllBytes(good);
        Path p = dir.resolve("long.safetensors");
        Files.write(p, Arrays.copyOf(bytes, bytes.length + 3));
        assertMalformed(p.toString(), "data buffer", "trailing garbage", () -> SafeTensors.read(p));
    }

    @Test
    void emptyHeaderWithEmptyBufferIsAValidFile() throws IOException {
        Path p = withLength(2, "{}".getBytes());
        assertEquals(0, SafeTensors.read(p).tensors().size());
    }
}
