package dev.fovea.backend.cpu;

import dev.fovea.primitives.Activation;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.testing.Arrays2;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fast activations against the reference backend. Every element is computed by the reference's own
 * formula, so the comparison is bitwise (-0 and +0 must match too; any NaN matches any NaN), for one and two
 * threads, for the Vector API and the plain loops, over sizes around the chunk and vector lengths.
 */
class FastPointwiseTest {
    private static final ReferenceBackend REF = new ReferenceBackend();
    private static final CpuBackend ONE = new CpuBackend(1);
    private static final CpuBackend TWO = new CpuBackend(2);

    @AfterAll
    static void close() {
        ONE.close();
        TWO.close();
    }

    /** Random values with the awkward ones mixed in: signed zeros, NaN, infinities, tiny and huge values. */
    static float[] awkward(int n, long seed) {
        float[] a = Arrays2.random(n, seed);
        float[] special = {0f, -0f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MIN_VALUE,
            -Float.MIN_VALUE, 1e30f, -1e30f, Float.intBitsToFloat(0xffc00001)};
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < n; i += 1 + r.nextInt(7)) {
            a[i] = special[r.nextInt(special.length)];
        }
        return a;
    }

    /**
     * The bits of each value with every NaN made the canonical one: which NaN an operation on two NaNs
     * returns depends on operand order, which the JIT may commute, so only NaN-ness is the contract.
     */
    static int[] bits(float[] a) {
        int[] b = new int[a.length];
        for (int i = 0; i < a.length; i++) {
            b[i] = Float.floatToIntBits(a[i]);
        }
        return b;
    }

    static int[] sizes() {
        int c = FastPointwise.CHUNK;
        return new int[] {0, 1, 7, 16, 17, 63, 1000, c - 1, c, c + 5, 3 * c + 17};
    }

    @ParameterizedTest
    @EnumSource(Activation.class)
    void forwardAndBackwardAreBitwiseTheReference(Activation kind) {
        for (int n : sizes()) {
            Shape s = Shape.of(n);
            float[] x = awkward(n, 11 + n);
            float[] dy = awkward(n, 23 + n);
            Tensor xt = Tensor.of(s, x);
            Tensor dyt = Tensor.of(s, dy);
            float slope = 0.125f;
            Tensor yRef = REF.activation(xt, kind, slope);
            int[] dxRef = bits(Host.floats(REF.activationBackward(dyt, xt, yRef, kind, slope)));
            for (CpuBackend fast : List.of(ONE, TWO)) {
                String what = kind + " n=" + n + " threads=" + fast.threads();
                assertArrayEquals(bits(Host.floats(yRef)), bits(Host.floats(fast.activation(xt, kind, slope))),
                        what + " forward");
                assertArrayEquals(dxRef, bits(Host.floats(fast.activationBackward(dyt, xt, yRef, kind, slope))),
                        what + " backward");
            }
        }
    }

    @Test
    void plainAndVectorLoopsAgreeBitwise() {
        List<PointwiseOps> impls = new ArrayList<>(List.of(new PointwiseOps() {
        }));
        if (GemmKernels.vectorApiPresent()) {
            impls.add(new VectorPointwiseOps());
        }
        for (int n : new int[] {0, 3, 16, 37, 1025}) {
            float[] x = awkward(n, n);
            float[] dy = awkward(n, n + 1);
            for (float slope : new float[] {0f, 0.01f, -2f}) {
                float[] y = RefPointwise.activation(x, slope == 0 ? Activation.RELU : Activation.LEAKY_RELU, slope);
                float[] dx = RefPointwise.activationBackward(dy, x, y,
                        slope == 0 ? Activation.RELU : Activation.LEAKY_RELU, slope);
                for (PointwiseOps ops : impls) {
                    float[] yo = new float[n + 2];
                    float[] dxo = new float[n + 2];
                    // Offsets check that a span touches only [from, to).
                    float[] xo = new float[n + 2];
                    float[] dyo = new float[n + 2];
                    System.arraycopy(x, 0, xo, 1, n);
                    System.arraycopy(dy, 0, dyo, 1, n);
                    yo[0] = yo[n + 1] = dxo[0] = dxo[n + 1] = 42f;
                    if (slope == 0) {
                        ops.relu(xo, yo, 1, n + 1);
                        ops.reluBackward(dyo, xo, dxo, 1, n + 1);
                    } else {
                        ops.leakyRelu(xo, yo, slope, 1, n + 1);
                        ops.leakyReluBackward(dyo, xo, dxo, slope, 1, n + 1);
                    }
                    String what = ops.getClass().getSimpleName() + " n=" + n + " slope=" + slope;
                    assertArrayEquals(bits(y), bits(java.util.Arrays.copyOfRange(yo, 1, n + 1)), what);
                    assertArrayEquals(bits(dx), bits(java.util.Arrays.copyOfRange(dxo, 1, n + 1)), what);
                    assertEquals(42f, yo[0]);
                    assertEquals(42f, yo[n + 1]);
                    assertEquals(42f, dxo[n + 1]);
                }
            }
        }
    }

    @Test
    void theVectorLoopsAreUsedWhenTheModuleIsPresent() {
        assertEquals(GemmKernels.vectorApiPresent(), PointwiseOps.best() instanceof VectorPointwiseOps);
    }

    @Test
    void backwardRefusesMismatchedShapes() {
        Tensor x = Tensor.of(Shape.of(2, 3), new float[6]);
        Tensor dy = Tensor.of(Shape.of(3, 2), new float[6]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TWO.activationBackward(dy, x, x, Activation.RELU, 0f));
        assertTrue(e.getMessage().startsWith("relu backward: shapes differ"), e.getMessage());
    }
}
