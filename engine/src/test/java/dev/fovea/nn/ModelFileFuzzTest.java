package dev.fovea.nn;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

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
