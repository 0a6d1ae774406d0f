package dev.fovea.primitives;

/**
 * The inverted-dropout mask every backend draws, bit for bit the same: element i is kept (worth
 * 1/(1-p)) when the i-th 32-bit word of a Philox4x32-10 stream keyed by the seed is at least
 * {@link #threshold}, else 0. A counter-based generator needs no state between elements, so a GPU
 * computes each element's word on its own thread (cuda-kernels/src/elementwise.cu,
 * fovea_dropout_forward) and gets exactly this mask; word i comes from counter (i / 4) as a 64-bit
 * value in the first two 32-bit lanes, lane i % 4 of the output (Salmon et al., "Parallel random
 * numbers: as easy as 1, 2, 3", SC 2011).
 */
public final class DropoutMask {
    private static final long M0 = 0xD2511F53L;
    private static final long M1 = 0xCD9E8D57L;
    private static final int W0 = 0x9E3779B9;
    private static final int W1 = 0xBB67AE85;
    private static final long MASK32 = 0xFFFFFFFFL;

    private DropoutMask() {
    }

    /** Words below this (as unsigned 32-bit) drop their element: round(p * 2^32), at most 2^32 - 1. */
    public static int threshold(double p) {
        long t = Math.round(p * 4294967296.0);
        return (int) Math.min(t, MASK32);
    }

    /** The value of a kept element. */
    public static float scale(double p) {
        return (float) (1 / (1 - p));
    }

    /** The mask of {@code n} elements. */
    public static float[] of(int n, DropoutParams p) {
        int threshold = threshold(p.p());
        float scale = scale(p.p());
        int k0 = (int) p.seed();
        int k1 = (int) (p.seed() >>> 32);
        float[] mask = new float[n];
        int[] words = new int[4];
        for (int i = 0; i < n; i++) {
            if ((i & 3) == 0) {
                philox(i >>> 2, k0, k1, words);
            }
            mask[i] = Integer.compareUnsigned(words[i & 3], threshold) >= 0 ? scale : 0f;
        }
        return mask;
    }

    /** Philox4x32-10 of counter (c, 0, 0, 0) read as a 64-bit value in lanes 0-1, key (k0, k1). */
    static void philox(long counter, int k0, int k1, int[] out) {
        int c0 = (int) counter;
        int c1 = (int) (counter >>> 32);
        int c2 = 0;
        int c3 = 0;
        for (int round = 0; round < 10; round++) {
            long p0 = M0 * (c0 & MASK32);
            long p1 = M1 * (c2 & MASK32);
            int hi0 = (int) (p0 >>> 32);
            int lo0 = (int) p0;
            int hi1 = (int) (p1 >>> 32);
            int lo1 = (int) p1;
            c0 = hi1 ^ c1 ^ k0;
            c1 = lo1;
            c2 = hi0 ^ c3 ^ k1;
            c3 = lo0;
            k0 += W0;
            k1 += W1;
        }
        out[0] = c0;
        out[1] = c1;
        out[2] = c2;
        out[3] = c3;
    }
}
