package dev.fovea.conformance;

import dev.fovea.io.JsonMutations;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Seeded mutations of a valid case file (bit flips, truncations, deleted and duplicated spans,
 * edited numbers): each must either parse or fail with a CaseFileException, never anything else.
 */
class CaseFileReaderFuzzTest {
    private static final int MUTATIONS = 2000;

    @Test
    void mutatedFilesParseOrFailWithTheDocumentedException() {
        List<ConformanceCase> sample = List.of(WorkedExamples.all().get(3), WorkedExamples.all().get(8),
                WorkedExamples.all().get(15));
        byte[] valid = CaseFileWriter.toJson(sample).getBytes(StandardCharsets.UTF_8);
        SplittableRandom rnd = new SplittableRandom(99);
        int rejected = 0;
        for (int i = 0; i < MUTATIONS; i++) {
            String text = new String(mutate(valid, rnd), StandardCharsets.UTF_8);
            try {
                CaseFileReader.read("fuzz.json", text);
            } catch (CaseFileException e) {
                rejected++;
                assertTrue(e.getMessage().startsWith("fuzz.json: ") && !e.getMessage().contains("\n"), e.getMessage());
            } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
                fail("mutation " + i + " threw " + e + " for:\n" + text, e);
            }
        }
        assertTrue(rejected > MUTATIONS / 2, "most mutations should be rejected, only " + rejected + " were");
    }

    /** Values coerced to strings, nesting 10,000 deep and million-character strings are refused in one line wherever they are. */
    @Test
    void structuralMutantsAreRefusedOrParse() throws Exception {
        List<ConformanceCase> sample = List.of(WorkedExamples.all().get(3), WorkedExamples.all().get(8),
                WorkedExamples.all().get(15));
        Map<JsonMutations.Kind, Integer> refused = new EnumMap<>(JsonMutations.Kind.class);
        for (JsonMutations.Mutant m : JsonMutations.of(CaseFileWriter.toJson(sample), 99, 200, Set.of())) {
            try {
                CaseFileReader.read("fuzz.json", m.json());
                assertTrue(m.kind() == JsonMutations.Kind.FRACTION, m + " was read");
            } catch (CaseFileException e) {
                assertTrue(e.getMessage().startsWith("fuzz.json: ") && !e.getMessage().contains("\n"), m + ": " + e.getMessage());
                refused.merge(m.kind(), 1, Integer::sum);
            } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
                fail(m + " threw " + e, e);
            }
        }
        assertEquals(Set.of(JsonMutations.Kind.COERCED, JsonMutations.Kind.FRACTION, JsonMutations.Kind.DEEP,
                JsonMutations.Kind.LONG_STRING), refused.keySet(), "every kind was generated and refused at least once");
    }

    private static byte[] mutate(byte[] valid, SplittableRandom rnd) {
        byte[] b = valid.clone();
        int at = rnd.nextInt(b.length);
        switch (rnd.nextInt(5)) {
            case 0 -> b[at] ^= (byte) (1 << rnd.nextInt(8));
            case 1 -> {
                return java.util.Arrays.copyOf(b, at);
            }
            case 2 -> {
                int len = Math.min(1 + rnd.nextInt(20), b.length - at);
                byte[] out = new byte[b.length - len];
                System.arraycopy(b, 0, out, 0, at);
                System.arraycopy(b, at + len, out, at, b.length - at - len);
                return out;
            }
            case 3 -> {
                int len = Math.min(1 + rnd.nextInt(40), b.length - at);
                byte[] out = new byte[b.length + len];
                System.arraycopy(b, 0, out, 0, at + len);
                System.arraycopy(b, at, out, at + len, b.length - at);
                return out;
            }
            default -> {
                // Replace a digit with a large or negative number: sizes, indices and values.
                for (int j = at; j < b.length; j++) {
                    if (Character.isDigit(b[j])) {
                        String repl = List.of("-1", "99999999999", "2147483647", "1e39", "-0", "0.5").get(rnd.nextInt(6));
                        byte[] r = repl.getBytes(StandardCharsets.UTF_8);
                        byte[] out = new byte[b.length - 1 + r.length];
                        System.arraycopy(b, 0, out, 0, j);
                        System.arraycopy(r, 0, out, j, r.length);
                        System.arraycopy(b, j + 1, out, j + r.length, b.length - j - 1);
                        return out;
                    }
                }
            }
        }
        return b;
    }
}
