package dev.fovea.onnx;

import dev.fovea.io.Mutations;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Seeded mutants (bit flips, truncations, garbage, length edits) of a PyTorch-exported model (a copy of
 * tests/src/test/resources/onnx/all-ops.onnx): each imports, or fails with a FormatException or a
 * one-line unsupported-model message; never another exception, never an out-of-memory.
 */
class OnnxImportFuzzTest {
    @TempDir
    Path dir;

    @Test
    void mutantsImportOrFailInOneLine() throws Exception {
        byte[] bytes = Files.readAllBytes(Path.of(getClass().getResource("all-ops.onnx").toURI()));
        Path mutant = dir.resolve("mutant.onnx");
        int[] refused = new int[1];
        int imported = new Mutations(bytes).run(20261203L, 2000, b -> {
            Files.write(mutant, b);
            try {
                OnnxImport.read(mutant);
            } catch (IllegalArgumentException e) {
                // An unsupported or invalid model (OnnxUnsupportedException, or the imported model file's own checks).
                assertFalse(e.getMessage().contains("\n"), e.getMessage());
                refused[0]++;
            }
        });
        assertTrue(imported > 0 && imported + refused[0] < 2000, imported + " imported, " + refused[0] + " refused");
    }
}
