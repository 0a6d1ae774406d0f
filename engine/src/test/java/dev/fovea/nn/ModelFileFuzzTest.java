package dev.fovea.nn;

import dev.fovea.io.JsonMutations;
import dev.fovea.io.SpecialFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Model files under seeded mutation (byte flips, truncations, edited numbers and names): the only
 * acceptable outcomes are a parsed graph or the parser's documented IllegalArgumentException whose
 * message names the file — never another exception, never an OutOfMemoryError.
 */
class ModelFileFuzzTest {

    @Test
    void mutatedModelFilesParseOrFailWithANamedError() throws Exception {
        String original = Files.readString(Path.of("..", "examples", "models", "small-resnet.json"));
        SplittableRandom r = new SplittableRandom(20261122);
        int parsed = 0;
        int rejected = 0;
        for (int i = 0; i < 1500; i++) {
            String mutant = mutate(original, r);
            try {
                ModelFile.parse(mutant, "fuzz.json");
                parsed++;
            } catch (IllegalArgumentException e) {
                if (e.getMessage() == null || !e.getMessage().startsWith("fuzz.json")) {
                    fail("mutant " + i + ": error does not name the file: " + e.getMessage() + "\n" + mutant);
                }
                rejected++;
            } catch (RuntimeException | OutOfMemoryError e) {
                throw new AssertionError("mutant " + i + " escaped with " + e + "\n" + mutant, e);
            }
        }
        assertTrue(parsed > 0 && rejected > 0, "the mutations exercise both outcomes: " + parsed + " parsed, "
                + rejected + " rejected");
    }

    /**
     * Every structural mutant is refused in one line naming the file: values coerced to strings or
     * floats (each field of a model file has one type), nesting 10,000 deep, million-character strings.
     */
    @Test
    void structuralMutantsAreAllRefused() throws Exception {
        String original = Files.readString(Path.of("..", "examples", "models", "small-resnet.json"));
        Map<JsonMutations.Kind, Integer> seen = new EnumMap<>(JsonMutations.Kind.class);
        for (JsonMutations.Mutant m : JsonMutations.of(original, 20261122, 200, Set.of())) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelFile.parse(m.json(), "fuzz.json"),
                    m + " was accepted");
            assertTrue(e.getMessage().startsWith("fuzz.json: ") && !e.getMessage().contains("\n"), m + ": " + e.getMessage());
            seen.merge(m.kind(), 1, Integer::sum);
        }
        assertEquals(4, seen.size(), "every kind but PATH was generated: " + seen);
    }

    @Test
    void specialFilesAreRefused(@TempDir Path dir) throws Exception {
        SpecialFiles.assertRefused(dir, "model.json", RuntimeException.class, ModelFile::read);
    }

    private static String mutate(String s, SplittableRandom r) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        switch (r.nextInt(5)) {
            case 0 -> b[r.nextInt(b.length)] ^= (byte) (1 << r.nextInt(8));
            case 1 -> b = java.util.Arrays.copyOf(b, r.nextInt(b.length));
            case 2 -> {
                // A number replaced by an extreme one: huge channel counts must not allocate.
                String[] extremes = {"0", "-1", "2147483647", "99999999999", "1e9", "3.5", "null", "\"x\""};
                return s.replaceFirst("\\b(\\d+)\\b(?!.*\\b\\1\\b.*\\b\\1\\b)", extremes[r.nextInt(extremes.length)]);
            }
            case 3 -> {
                String[] words = {"conv2d", "linear", "add", "relu", "inputs", "kernel_size", "out_channels", "name"};
                String w = words[r.nextInt(words.length)];
                return s.replaceFirst(w, w.substring(1));
            }
            default -> {
                int at = r.nextInt(b.length);
                return new String(b, 0, at, StandardCharsets.UTF_8) + "{\"a\":[" + new String(b, at, b.length - at,
                        StandardCharsets.UTF_8);
            }
        }
        return new String(b, StandardCharsets.UTF_8);
    }
}
