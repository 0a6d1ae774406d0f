package dev.fovea.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.graph.Graph;
import dev.fovea.io.FormatException;
import dev.fovea.io.Limits;
import dev.fovea.io.SpecialFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Model files are validated, not coerced: exact JSON types, every integer in range, sizes that fit,
 * and limits on the file, its layers and its nesting, each named in a one-line error.
 */
class ModelFileValidationTest {

    private static String model(String input, String layers) {
        return "{\"format\": \"fovea-model/1\", \"name\": \"t\", \"input\": " + input + ", \"layers\": [" + layers + "]}";
    }

    private static String conv(String fields) {
        return model("[1, 8, 8]", "{\"name\": \"c\", \"type\": \"conv2d\", " + fields + "}");
    }

    private static String error(String json) {
        String msg = assertThrows(IllegalArgumentException.class, () -> ModelFile.parse(json, "m.json")).getMessage();
        assertTrue(msg.startsWith("m.json: ") && !msg.contains("\n"), msg);
        return msg;
    }

    @Test
    void valuesOfTheWrongJsonTypeAreRefusedNotCoerced() {
        assertEquals("m.json: layers[0] (c): field 'stride' must be an integer in 1..4096, got \"2\"",
                error(conv("\"out_channels\": 2, \"kernel_size\": 3, \"stride\": \"2\"")));
        assertEquals("m.json: layers[0] (c): field 'stride' must be an integer in 1..4096, got 2.5",
                error(conv("\"out_channels\": 2, \"kernel_size\": 3, \"stride\": 2.5")));
        assertEquals("m.json: layers[0] (c): field 'stride' must be an integer in 1..4096, got 2.0",
                error(conv("\"out_channels\": 2, \"kernel_size\": 3, \"stride\": 2.0")));
        assertEquals("m.json: layers[0] (c): field 'out_channels' must be an integer in 1..1048576, got 3.5",
                error(conv("\"out_channels\": 3.5, \"kernel_size\": 3")));
        assertEquals("m.json: layers[0] (c): field 'padding' must be an integer in 0..4096, got \"x\"",
                error(conv("\"out_channels\": 2, \"kernel_size\": 3, \"padding\": \"x\"")));
        assertEquals("m.json: layers[0] (c): field 'bias' must be true or false, got \"yes\"",
                error(conv("\"out_channels\": 2, \"kernel_size\": 3, \"bias\": \"yes\"")));
        assertEquals("m.json: layers[0] (c): field 'bias' must be true or false, got 0",
                error(conv("\"out_channels\": 2, \"kernel_size\": 3, \"bias\": 0")));
        assertEquals("m.json: layers[0] (c): field 'mode' must be a string, got null",
                error(conv("\"out_channels\": 2, \"kernel_size\": 3, \"mode\": null")));
        assertEquals("m.json: layers[0]: field 'type' must be a string, got 7",
                error(model("[1, 8, 8]", "{\"type\": 7}")));
        assertEquals("m.json: layers[0] (p): field 'kernel_size' must be an integer in 1..4096 or a pair [h, w] of them, "
                + "got \"2\"", error(model("[1, 8, 8]", "{\"name\": \"p\", \"type\": \"max_pool2d\", \"kernel_size\": [2, \"2\"]}")));
        assertEquals("m.json: layers[1] (s): field 'inputs' must list layer names (strings), got 0",
                error(model("[1, 8, 8]", "{\"name\": \"r\", \"type\": \"relu\"}, {\"name\": \"s\", \"type\": \"add\", "
                        + "\"inputs\": [0, \"r\"]}")));
        assertEquals("m.json: field 'name' must be a string, got 5", error("{\"format\": \"fovea-model/1\", \"name\": 5, "
                + "\"input\": [1, 8, 8], \"layers\": [{\"type\": \"relu\"}]}"));
        assertEquals("m.json: layers[0] (b): field 'momentum' must be a number in 0.0..1.0, got \"0.1\"",
                error(model("[1, 8, 8]", "{\"name\": \"b\", \"type\": \"batch_norm\", \"momentum\": \"0.1\"}")));
        assertEquals("m.json: layers[0] (b): field 'eps' must be a number > 0 and <= 1.0, got 0",
                error(model("[1, 8, 8]", "{\"name\": \"b\", \"type\": \"batch_norm\", \"eps\": 0}")));
        assertEquals("m.json: layers[0]: field 'negative_slope' must be a finite number, got Infinity",
                error(model("[1, 8, 8]", "{\"type\": \"leaky_relu\", \"negative_slope\": 1e999}")));
    }

    @Test
    void everyIntegerIsRangeChecked() {
        assertEquals("m.json: layers[0] (c): field 'out_channels' must be an integer in 1..1048576, got 0",
                error(conv("\"out_channels\": 0, \"kernel_size\": 3")));
        assertEquals("m.json: layers[0] (c): field 'out_channels' must be an integer in 1..1048576, got 2147483648",
                error(conv("\"out_channels\": 2147483648, \"kernel_size\": 3")));
        assertEquals("m.json: layers[0] (c): field 'kernel_size' must be an integer in 1..4096, got 99999999999999999999",
                error(conv("\"out_channels\": 1, \"kernel_size\": 99999999999999999999")));
        assertEquals("m.json: layers[0] (c): field 'padding' must be an integer in 0..4096, got -1",
                error(conv("\"out_channels\": 1, \"kernel_size\": 3, \"padding\": -1")));
        assertEquals("m.json: layers[0] (c): field 'groups' must be an integer in 1..1048576, got 0",
                error(conv("\"out_channels\": 1, \"kernel_size\": 3, \"groups\": 0")));
        assertEquals("m.json: layers[0]: field 'dim' must be an integer in -4..3, got 9",
                error(model("[1, 8, 8]", "{\"type\": \"softmax\", \"dim\": 9}")));
        assertEquals("m.json: layers[0]: field 'p' must be a number in 0.0..1.0, got 1.5",
                error(model("[1, 8, 8]", "{\"type\": \"dropout\", \"p\": 1.5}")));
    }

    @Test
    void theInputIsOneImageOfBoundedSize() {
        String expected = "m.json: field 'input' must be the shape of one image [channels, height, width], e.g. [1, 28, 28], got ";
        assertEquals(expected + "array of 2", error(model("[28, 28]", "{\"type\": \"relu\"}")));
        assertEquals(expected + "array of 4", error(model("[1, 1, 28, 28]", "{\"type\": \"relu\"}")));
        assertEquals(expected + "\"1,28,28\"", error(model("\"1,28,28\"", "{\"type\": \"relu\"}")));
        assertEquals("m.json: field 'input'[1] must be an integer in 1..65535, got 28.0",
                error(model("[1, 28.0, 28]", "{\"type\": \"relu\"}")));
        assertEquals("m.json: field 'input'[2] must be an integer in 1..65535, got 100000",
                error(model("[1, 28, 100000]", "{\"type\": \"relu\"}")));
    }

    /** Nothing is allocated while a model file is read, so sizes beyond a tensor's or the limit are refused here. */
    @Test
    void parameterCountsBeyondTwoToThe31AreRefused() {
        String oneTensor = error(model("[1, 2048, 2048]", "{\"type\": \"flatten\"}, {\"name\": \"fc\", \"type\": \"linear\", "
                + "\"out_features\": 1048576}"));
        assertEquals("m.json: layers[1] (fc): parameter 'fc.weight' [1048576, 4194304] has more than 2147483639 elements, "
                + "the most a tensor can hold", oneTensor);
        String total = error(model("[1, 1024, 1024]", "{\"type\": \"flatten\"}, {\"name\": \"a\", \"type\": \"linear\", "
                + "\"out_features\": 1500}, {\"name\": \"b\", \"type\": \"linear\", \"out_features\": 1048576}"));
        assertEquals("m.json: the model has 3,146,778,076 parameters, more than the limit of 2,147,483,647", total);
        assertEquals("m.json: field 'input' [1, 65535, 65535] has more than 2147483639 values, the most a tensor can hold",
                error(model("[1, 65535, 65535]", "{\"type\": \"relu\"}")));
        String activation = error(model("[1, 32768, 32768]", "{\"name\": \"c\", \"type\": \"conv2d\", \"out_channels\": 4, "
                + "\"kernel_size\": 1}"));
        // The op's own shape rule refuses it first; GraphBuilder checks every node's output besides.
        assertTrue(activation.startsWith("m.json: layers[0] (c): c: conv2d: ") && activation.contains("more than 2^31-1 elements"),
                activation);
    }

    /** Deep nesting is one line (Jackson once failed with a NullPointerException formatting it); so is a huge string. */
    @Test
    void deepNestingAndLongStringsAreOneLineErrors() {
        String deep = "[".repeat(100_000);
        String msg = error("{\"format\": \"fovea-model/1\", \"input\": " + deep);
        assertTrue(msg.startsWith("m.json: not valid JSON: ") && msg.contains("nesting depth")
                && msg.contains("exceeds the maximum allowed (64)") && !msg.contains("StreamReadConstraints"), msg);
        String longName = "{\"format\": \"fovea-model/1\", \"name\": \"" + "x".repeat(Limits.JSON_STRING_CHARS + 10)
                + "\", \"input\": [1, 8, 8], \"layers\": [{\"type\": \"relu\"}]}";
        String strings = error(longName);
        assertTrue(strings.contains("String value length") && strings.contains("exceeds the maximum allowed"), strings);
    }

    @Test
    void limitsOnLayersAndFileSizeAreNamed(@TempDir Path dir) throws Exception {
        String many = ",{\"type\": \"relu\"}".repeat(Limits.MODEL_LAYERS).substring(1);
        // The limit itself parses quickly: it is there to bound the work, not to refuse real networks.
        Graph g = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> ModelFile.parse(model("[1, 8, 8]", many), "m.json"));
        assertEquals(Limits.MODEL_LAYERS, g.nodes().size());
        assertEquals("m.json: field 'layers' holds 10001 layers, more than the limit for model files (10000)",
                error(model("[1, 8, 8]", many + ",{\"type\": \"relu\"}")));
        Path big = dir.resolve("big.json");
        Files.writeString(big, model("[1, 8, 8]", "{\"type\": \"relu\"}") + " ".repeat((int) Limits.MODEL_FILE_BYTES));
        FormatException e = assertThrows(FormatException.class, () -> ModelFile.read(big));
        assertEquals(big + ": file size: expected at most 4,194,304 bytes (the limit for model files), the file holds "
                + String.format("%,d", Files.size(big)), e.getMessage());
    }

    @Test
    void onlyRegularFilesAreRead(@TempDir Path dir) throws Exception {
        SpecialFiles.assertRefused(dir, "model.json", FormatException.class, ModelFile::read);
        assertFalse(Files.exists(dir.resolve("model.json")));
    }
}
