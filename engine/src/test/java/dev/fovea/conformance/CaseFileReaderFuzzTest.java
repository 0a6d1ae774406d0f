package dev.fovea.conformance;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;

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
