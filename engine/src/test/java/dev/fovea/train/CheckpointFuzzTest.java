package dev.fovea.train;

import dev.fovea.io.FormatException;
import dev.fovea.io.JsonMutations;
import dev.fovea.io.Mutations;
import dev.fovea.io.SpecialFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Seeded mutants of a checkpoint sidecar (bit flips, truncations, appended garbage) either read or
 * fail with a FormatException naming the file; never another exception. Structural mutants (values
 * coerced to strings or floats, nesting 10,000 deep, million-character strings, weight files named
 * outside the folder) and special files in place of the sidecar or its weights are always refused.
 */
class CheckpointFuzzTest {

    @Test
    void mutatedSidecarsReadOrFailWithFormatException(@TempDir Path dir) throws Exception {
        Path side = SidecarValidationTest.write(dir, "epoch-002-batch-0003", 0.5f);
        byte[] bytes = Files.readAllBytes(side);
        int parsed = new Mutations(bytes).run(20261122L, 1500, b -> {
            Files.write(side, b);
            Checkpoint.read(side);
        });
        assertTrue(parsed > 0 && parsed < 1500, "read " + parsed + " of 1500 mutants");
    }

    @Test
    void structuralMutantsAreAllRefused(@TempDir Path dir) throws Exception {
        Path side = SidecarValidationTest.write(Files.createDirectories(dir.resolve("ckpt")), "epoch-001", 0.5f);
        // A path mutant may name this real file outside the folder: refused all the same.
        Files.copy(side.resolveSibling("epoch-001.safetensors"), dir.resolve("epoch-001.safetensors"));
        Map<JsonMutations.Kind, Integer> seen = new EnumMap<>(JsonMutations.Kind.class);
        for (JsonMutations.Mutant m : JsonMutations.of(Files.readString(side), 20261122L, 300,
                Set.of("weights", "optimizer_state"))) {
            Files.writeString(side, m.json());
            FormatException e = assertThrows(FormatException.class, () -> Checkpoint.read(side), m + " was read");
            assertTrue(e.getMessage().startsWith(side + ": ") && !e.getMessage().contains("\n"), m + ": " + e.getMessage());
            seen.merge(m.kind(), 1, Integer::sum);
        }
        assertTrue(seen.size() == JsonMutations.Kind.values().length, "every kind was generated: " + seen);
    }

    @Test
    void specialFilesAreRefused(@TempDir Path dir) throws Exception {
        SpecialFiles.assertRefused(dir.resolve("sidecars"), "epoch-001.json", FormatException.class, Checkpoint::read);
        Path side = SidecarValidationTest.write(dir, "epoch-001", 0.5f);
        for (String name : new String[] {"epoch-001.safetensors", "epoch-001.optim.safetensors"}) {
            Path real = dir.resolve("real-" + name);
            Files.move(side.resolveSibling(name), real);
            SpecialFiles.assertRefused(dir.resolve("special-" + name), name, FormatException.class, special -> {
                Files.deleteIfExists(side.resolveSibling(name));
                Files.createSymbolicLink(side.resolveSibling(name), special.toAbsolutePath());
                Checkpoint.read(side);
            });
            Files.delete(side.resolveSibling(name));
            Files.move(real, side.resolveSibling(name));
        }
    }
}
