package dev.fovea.tensor;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

/** The recycling of large host arrays: only owned arrays come back, and only once every view is closed. */
class HostArraysTest {
    // A size no other test allocates, so arrays recycled elsewhere cannot interfere.
    private static final int N = HostArrays.MIN_POOLED + 12_345;

    @Test
    void anOwnedArrayIsReusedOnceItsLastViewIsClosed() {
        float[] a = HostArrays.floats(N);
        Tensor t = new Tensor(Shape.of(N), HostStorage.ofPooledFloats(a));
        Tensor view = t.reshape(Shape.of(1, N));
        t.close();
        assertNotSame(a, HostArrays.floats(N), "a view still uses the array");
        view.close();
        assertSame(a, HostArrays.floats(N), "the freed array is handed out again");
    }

    @Test
    void callerArraysNeverEnterThePool() {
        float[] mine = new float[N + 1];
        Tensor.of(Shape.of(N + 1), mine).close();
        assertNotSame(mine, HostArrays.floats(N + 1));
    }

    @Test
    void zeroedArraysAreZeroEvenWhenRecycled() {
        float[] a = HostArrays.floats(N + 2);
        java.util.Arrays.fill(a, 7f);
        new Tensor(Shape.of(N + 2), HostStorage.ofPooledFloats(a)).close();
        float[] z = HostArrays.zeroedFloats(N + 2);
        assertSame(a, z);
        for (float v : z) {
            assertEquals(0f, v);
        }
    }

    @Test
    void intArraysAreRecycledToo() {
        int[] a = HostArrays.ints(N + 3);
        new Tensor(Shape.of(N + 3), HostStorage.ofPooledInts(a)).close();
        assertSame(a, HostArrays.ints(N + 3));
    }

    @Test
    void smallArraysAreNotPooled() {
        float[] a = HostArrays.floats(100);
        new Tensor(Shape.of(100), HostStorage.ofPooledFloats(a)).close();
        assertNotSame(a, HostArrays.floats(100));
    }
}
