package dev.fovea.io;

import static dev.fovea.io.FormatAssertions.assertMalformed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.tensor.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Safetensors files that are well formed but hostile: too many tensors, deep nesting, error lists that would never end. */
class SafeTensorsLimitsTest {
    @TempDir
    Path dir;

    /** A header naming {@code n} empty tensors (valid safetensors: each spans no bytes). */
    private static String emptyTensors(int n) {
        StringBuilder h = new StringBuilder("{");
        for (int i = 0; i < n; i++) {
            h.append(i == 0 ? "" : ",").append("\"t").append(i).append("\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}");
        }
        return h.append('}').toString();
    }

    @Test
    void moreTensorsThanTheLimitAreRefusedNamingIt() throws IOException {
        Path p = dir.resolve("many.safetensors");
        Files.write(p, SafeTensorsTest.file(emptyTensors(Limits.SAFETENSORS_TENSORS + 1), new byte[0]));
        assertMalformed(p.toString(), "header", "expected at most 100,000 tensors (the limit for safetensors files), the "
                + "header names 100,001", () -> SafeTensors.read(p));
    }

    /** A file with thousands of tensors the model lacks gives one line listing ten of them, not thousands. */
    @Test
    void mismatchListsAreCapped() throws IOException {
        Path p = dir.resolve("other.safetensors");
        Files.write(p, SafeTensorsTest.file(emptyTensors(5000), new byte[0]));
        SafeTensorsFile f = SafeTensors.read(p);
        Map<String, Shape> model = new LinkedHashMap<>();
        for (int i = 0; i < 3000; i++) {
            model.put("m" + i, Shape.of(i + 1));
        }
        FormatException e = assertThrows(FormatException.class, () -> f.checkMatches(model));
        assertTrue(e.getMessage().contains("missing m0, m1, m10, m100, m1000, m1001, m1002, m1003, m1004, m1005, ... and "
                + "2,990 more; unexpected t0, t1, t10, t100, t1000, t1001, t1002, t1003, t1004, t1005, ... and 4,990 more"),
                e.getMessage());
        assertTrue(e.getMessage().length() < 1000, "one short line: " + e.getMessage().length() + " characters");
        FormatException missing = assertThrows(FormatException.class, () -> f.tensor("absent"));
        assertTrue(missing.getMessage().endsWith("the file holds t0, t1, t2, t3, t4, t5, t6, t7, t8, t9, ... and 4,990 more"),
                missing.getMessage());
    }

    @Test
    void deeplyNestedHeadersAreOneLine() throws IOException {
        Path p = dir.resolve("deep.safetensors");
        String header = "{\"__metadata__\":" + "[".repeat(5000) + "]".repeat(5000) + "}";
        Files.write(p, SafeTensorsTest.file(header, new byte[0]));
        assertMalformed(p.toString(), "header", "nesting depth", () -> SafeTensors.read(p));
    }

    @Test
    void onlyRegularFilesAreOpened() throws Exception {
        SpecialFiles.assertRefused(dir, "w.safetensors", FormatException.class, SafeTensors::read);
        assertEquals(0, Files.list(dir.resolve("fifo")).filter(Files::isRegularFile).count());
    }
}
