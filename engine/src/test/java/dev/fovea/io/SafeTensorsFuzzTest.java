package dev.fovea.io;

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
