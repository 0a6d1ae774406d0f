package dev.fovea.io;

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

/** Seeded mutation fuzzing of the safetensors reader: a result or a FormatException, nothing else. */
class SafeTensorsFuzzTest {
    @TempDir
    Path dir;

    @Test
    void mutantsParseOrFailWithFormatException() throws IOException {
        Map<String, StoredTensor> tensors = new LinkedHashMap<>();
        tensors.put("conv1.weight", StoredTensor.f32(Shape.of(2, 1, 3, 3), new float[18]));
        tensors.put("conv1.bias", StoredTensor.f32(Shape.of(2), new float[] {1, -1}));
        tensors.put("bn.num_batches_tracked", StoredTensor.f32(Shape.scalar(), new float[] {3}));
        Path valid = dir.resolve("valid.safetensors");
        SafeTensors.write(valid, tensors, Map.of("epoch", "1"));
        byte[] bytes = Files.readAllBytes(valid);
        Path mutant = dir.resolve("mutant.safetensors");

        int parsed = new Mutations(bytes, new Mutations.Field(0, 8, true)).run(20261122L, 3000, b -> {
            Files.write(mutant, b);
            SafeTensorsFile f = SafeTensors.read(mutant);
            for (StoredTensor t : f.tensors().values()) {
                assertTrue(t.values().length == t.shape().size());
            }
        });
        // Flips inside tensor data and JSON whitespace still parse; most header damage does not.
        assertTrue(parsed > 0 && parsed < 3000, "parsed " + parsed + " of 3000 mutants");
    }

    /**
     * Header mutants with a correct length prefix: values coerced to strings, nesting 10,000 deep and
     * million-character strings are refused; an integer made a float too (shapes and offsets are integers).
     */
    @Test
    void structuralHeaderMutantsAreRefused() throws Exception {
        byte[] bytes = Files.readAllBytes(Path.of(getClass().getResource("python-safetensors-0.8.0.safetensors").toURI()));
        long headerLength = java.nio.ByteBuffer.wrap(bytes, 0, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
        String header = new String(bytes, 8, (int) headerLength, java.nio.charset.StandardCharsets.UTF_8);
        byte[] data = java.util.Arrays.copyOfRange(bytes, 8 + (int) headerLength, bytes.length);
        Path mutant = dir.resolve("mutant.safetensors");
        for (JsonMutations.Mutant m : JsonMutations.of(header, 7L, 200, java.util.Set.of())) {
            Files.write(mutant, SafeTensorsTest.file(m.json(), data));
            FormatException e = assertThrows(FormatException.class, () -> SafeTensors.read(mutant), m + " was read");
            assertTrue(e.getMessage().startsWith(mutant + ": ") && !e.getMessage().contains("\n"), e.getMessage());
        }
    }

    @Test
    void specialFilesAreRefused() throws Exception {
        SpecialFiles.assertRefused(dir, "w.safetensors", FormatException.class, SafeTensors::read);
    }

    @Test
    void mutantsOfAPythonWrittenFileWithSeveralDtypes() throws Exception {
        byte[] bytes = Files.readAllBytes(Path.of(getClass().getResource("python-safetensors-0.8.0.safetensors").toURI()));
        Path mutant = dir.resolve("mutant.safetensors");
        int parsed = new Mutations(bytes, new Mutations.Field(0, 8, true)).run(7L, 1500, b -> {
            Files.write(mutant, b);
            SafeTensors.read(mutant);
        });
        assertTrue(parsed > 0 && parsed < 1500, "parsed " + parsed + " of 1500 mutants");
    }
}
