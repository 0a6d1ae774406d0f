package dev.fovea.kernels;

import dev.fovea.kernels.KernelSources.EntryPoint;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * KERNELS.md is the contract CudaBackend launches by, so it must say exactly what the sources
 * declare: every entry point documented once with its C signature character for character (after
 * whitespace normalisation), nothing documented that does not exist, one section per module.
 */
class KernelCatalogTest {
    private static final Pattern ROW = Pattern.compile("^\\| `(fovea_\\w+)` \\| (.*)$", Pattern.MULTILINE);
    private static final Pattern SIGNATURE = Pattern.compile("^`(\\([^`]*\\))`");
    private static final Pattern SAME_AS = Pattern.compile("^same as `(fovea_\\w+)`");

    @Test
    void everyEntryPointIsDocumentedWithItsExactSignature() {
        String doc = KernelSources.read(KernelSources.moduleDir().resolve("KERNELS.md"));
        Map<String, String> documented = new LinkedHashMap<>();
        Matcher row = ROW.matcher(doc);
        while (row.find()) {
            String name = row.group(1);
            String rest = row.group(2);
            Matcher sig = SIGNATURE.matcher(rest);
            Matcher same = SAME_AS.matcher(rest);
            String signature;
            if (sig.find()) {
                signature = sig.group(1);
            } else {
                assertTrue(same.find(), "KERNELS.md row for " + name + " has neither a signature nor 'same as'");
                signature = documented.get(same.group(1));
                assertNotNull(signature, name + " is documented as the same as " + same.group(1)
                        + ", which is not documented above it");
            }
            assertEquals(null, documented.put(name, signature), name + " is documented twice");
        }
        Map<String, String> declared = new LinkedHashMap<>();
        for (EntryPoint e : KernelSources.allEntryPoints()) {
            declared.put(e.name(), e.params());
        }
        assertEquals(new TreeSet<>(declared.keySet()), new TreeSet<>(documented.keySet()),
                "entry points in src/*.cu vs KERNELS.md");
        declared.forEach((name, params) -> assertEquals(params, documented.get(name),
                "KERNELS.md signature of " + name));
    }

    @Test
    void everyModuleHasASection() {
        String doc = KernelSources.read(KernelSources.moduleDir().resolve("KERNELS.md"));
        for (String module : KernelSources.modules()) {
            assertTrue(doc.contains("## " + module + ".ptx (`src/" + module + ".cu`)"),
                    "KERNELS.md has no section for " + module);
        }
    }
}
