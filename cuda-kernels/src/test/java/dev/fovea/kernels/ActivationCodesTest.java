package dev.fovea.kernels;

import dev.fovea.primitives.Activation;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The generic activation kernels switch on {@link Activation#code()}: elementwise.cu must define
 * FOVEA_ACT_&lt;CONSTANT&gt; as that code for every constant, and nothing else, so that a new or
 * reordered constant is named here rather than found as wrong values in the emulation tests.
 */
class ActivationCodesTest {
    @Test
    void elementwiseCuDefinesEveryActivationsCode() throws IOException {
        String source = Files.readString(KernelSources.sourceDir().resolve("elementwise.cu"));
        Matcher m = Pattern.compile("(?m)^#define FOVEA_ACT_([A-Z0-9_]+) (\\d+)$").matcher(source);
        Map<String, Integer> defined = new LinkedHashMap<>();
        while (m.find()) {
            defined.put(m.group(1), Integer.parseInt(m.group(2)));
        }
        Map<String, Integer> expected = new LinkedHashMap<>();
        for (Activation kind : Activation.values()) {
            expected.put(kind.name(), kind.code());
        }
        assertEquals(expected, defined, "FOVEA_ACT_* in elementwise.cu vs dev.fovea.primitives.Activation");
    }
}
