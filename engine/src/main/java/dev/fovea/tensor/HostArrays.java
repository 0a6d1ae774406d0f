package dev.fovea.tensor;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * Recycled large host arrays for the CPU backends' outputs. A training step allocates the same sizes
 * batch after batch, and a fresh large Java array costs several times a reused one: G1 gives it new
 * humongous regions, zeroes it and collects it again (measured 1-2.7 ms for a 9.4 MB float[] against
 * 0.2 ms to overwrite one already in use), all on the calling thread, which then leaves the other
 * cores idle. Arrays come back here when the {@link HostStorage} holding them is freed, that is when
 * the last tensor over it is closed; an array that is never closed is simply collected. The pool
 * holds at most {@link #CAPACITY_BYTES}; small arrays are not pooled (the JVM allocates those cheaply).
 */
public final class HostArrays {
    /** Arrays below this many elements are allocated directly. */
    static final int MIN_POOLED = 1 << 16;
    static final long CAPACITY_BYTES = Math.min(Runtime.getRuntime().maxMemory() / 4, 2L << 30);

    private static final Shelf<float[]> FLOATS = new Shelf<>();
    private static final Shelf<int[]> INTS = new Shelf<>();
    private static long pooledBytes;

    private HostArrays() {
    }

    /** A float array of exactly {@code n} elements with unspecified contents (the caller overwrites all of it). */
    public static float[] floats(int n) {
        float[] a = n >= MIN_POOLED ? FLOATS.take(n) : null;
        return a != null ? a : new float[n];
    }

    /** A float array of exactly {@code n} zeros. */
    public static float[] zeroedFloats(int n) {
        float[] a = floats(n);
        if (n >= MIN_POOLED) {
            java.util.Arrays.fill(a, 0f);
        }
        return a;
    }

    /** An int array of exactly {@code n} elements with unspecified contents. */
    public static int[] ints(int n) {
        int[] a = n >= MIN_POOLED ? INTS.take(n) : null;
        return a != null ? a : new int[n];
    }

    static void give(float[] a) {
        FLOATS.give(a, a.length);
    }

    static void give(int[] a) {
        INTS.give(a, a.length);
    }

    /** Free arrays of one element type by length; the byte count and its cap are shared by both shelves. */
    private static final class Shelf<A> {
        private final Map<Integer, ArrayDeque<A>> free = new HashMap<>();

        A take(int n) {
            synchronized (HostArrays.class) {
                ArrayDeque<A> q = free.get(n);
                if (q == null || q.isEmpty()) {
                    return null;
                }
                pooledBytes -= 4L * n;
                return q.pop();
            }
        }

        void give(A array, int n) {
            synchronized (HostArrays.class) {
                if (n >= MIN_POOLED && pooledBytes + 4L * n <= CAPACITY_BYTES) {
                    free.computeIfAbsent(n, k -> new ArrayDeque<>()).push(array);
                    pooledBytes += 4L * n;
                }
            }
        }
    }

    /** Bytes held for reuse now (for tests and diagnostics). */
    public static synchronized long pooledBytes() {
        return pooledBytes;
    }
}
