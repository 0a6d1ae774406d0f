package dev.fovea.io;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A seeded mutation fuzzer for parser tests: each mutant of a valid file is a few bit flips, a
 * truncation, an edit of a length field to an extreme or nearby value, or appended garbage. The
 * only acceptable outcomes of parsing a mutant are a result or a {@link FormatException};
 * anything else (another exception, an OutOfMemoryError) fails with the seed and the mutation.
 */
public final class Mutations {
    /** Where a length or count field sits in the valid file, and its width in bytes. */
    public record Field(int offset, int width, boolean littleEndian) {
    }

    /** Parses a mutant; may throw FormatException. */
    @FunctionalInterface
    public interface Parser {
        void parse(byte[] bytes) throws Exception;
    }

    private final byte[] valid;
    private final Field[] fields;

    public Mutations(byte[] valid, Field... fields) {
        this.valid = valid;
        this.fields = fields;
    }

    /** Runs {@code count} mutants from {@code seed}; returns how many parsed without error. */
    public int run(long seed, int count, Parser parser) {
        int parsed = 0;
        for (int i = 0; i < count; i++) {
            SplittableRandom rng = new SplittableRandom(seed * 1_000_003L + i);
            StringBuilder how = new StringBuilder();
            byte[] mutant = mutate(rng, how);
            try {
                parser.parse(mutant);
                parsed++;
            } catch (FormatException e) {
                // The documented outcome for bad content.
            } catch (Throwable t) {
                fail("mutant " + i + " of seed " + seed + " (" + how + ") threw " + t + " instead of FormatException", t);
            }
        }
        return parsed;
    }

    private byte[] mutate(SplittableRandom rng, StringBuilder how) {
        byte[] b = valid.clone();
        switch (rng.nextInt(5)) {
            case 0 -> {
                int flips = 1 + rng.nextInt(8);
                for (int k = 0; k < flips; k++) {
                    int bit = rng.nextInt(b.length * 8);
                    b[bit / 8] ^= (byte) (1 << (bit % 8));
                    how.append("flip bit ").append(bit).append(' ');
                }
            }
            case 1 -> {
                int len = rng.nextInt(b.length);
                how.append("truncate to ").append(len);
                b = Arrays.copyOf(b, len);
            }
            case 2 -> {
                // Bias the flips towards the header, where most of the structure is.
                int headerBytes = Math.min(b.length, 64);
                int at = rng.nextInt(headerBytes);
                b[at] = (byte) rng.nextInt(256);
                how.append("set header byte ").append(at).append(" to ").append(b[at] & 0xff);
            }
            case 3 -> {
                int extra = 1 + rng.nextInt(64);
                how.append("append ").append(extra).append(" bytes");
                b = Arrays.copyOf(b, b.length + extra);
                for (int k = valid.length; k < b.length; k++) {
                    b[k] = (byte) rng.nextInt(256);
                }
            }
            default -> {
                if (fields.length == 0) {
                    return mutate(rng, how);
                }
                Field f = fields[rng.nextInt(fields.length)];
                long old = get(b, f);
                long[] candidates = {0, 1, old - 1, old + 1, old * 2, old / 2, 1L << 31, (1L << 31) - 1, 0xffffffffL,
                        Long.MAX_VALUE, -1, 1L << 40, rng.nextLong()};
                long v = candidates[rng.nextInt(candidates.length)];
                how.append("set field at ").append(f.offset()).append(" from ").append(old).append(" to ").append(v);
                set(b, f, v);
            }
        }
        return b;
    }

    private static long get(byte[] b, Field f) {
        long v = 0;
        for (int k = 0; k < f.width(); k++) {
            int idx = f.littleEndian() ? f.offset() + f.width() - 1 - k : f.offset() + k;
            v = (v << 8) | (b[idx] & 0xff);
        }
        return v;
    }

    private static void set(byte[] b, Field f, long v) {
        for (int k = 0; k < f.width(); k++) {
            int idx = f.littleEndian() ? f.offset() + k : f.offset() + f.width() - 1 - k;
            b[idx] = (byte) (v >>> (8 * k));
        }
    }
}
