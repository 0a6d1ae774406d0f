package dev.fovea.backend.cpu;

import dev.fovea.backend.PoolOutput;
import dev.fovea.primitives.Pool2dParams;
import dev.fovea.primitives.PoolKind;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fast pooling against the reference backend: outputs, winner indices and input gradients are
 * bitwise the reference's (the fast kernels keep its window order, tie and NaN rules and double sums),
 * for one and two threads, over hand-picked and seeded random shapes with padding, overlapping windows,
 * ties (values drawn from a few levels), signed zeros and NaN.
 */
class FastPoolTest {
    private static final ReferenceBackend REF = new ReferenceBackend();
    private static final CpuBackend ONE = new CpuBackend(1);
    private static final CpuBackend TWO = new CpuBackend(2);

    @AfterAll
    static void close() {
        ONE.close();
        TWO.close();
    }

    record Case(Shape x, Pool2dParams p, boolean ties) {
        @Override
        public String toString() {
            return p.kind().opName() + " x" + x + " k" + p.kernelH() + "x" + p.kernelW() + " s" + p.strideH() + "x"
                    + p.strideW() + " p" + p.padH() + "x" + p.padW() + (p.countIncludePad() ? "" : " exclude-pad")
                    + (ties ? " ties" : "");
        }
    }

    static Stream<Arguments> cases() {
        List<Case> cases = new ArrayList<>();
        for (PoolKind k : PoolKind.values()) {
            cases.add(new Case(Shape.of(4, 8, 24, 24), Pool2dParams.of(k, 2, 2, 0), true));
            cases.add(new Case(Shape.of(3, 5, 24, 24), Pool2dParams.of(k, 2, 2, 0), false));
            cases.add(new Case(Shape.of(2, 3, 7, 9), Pool2dParams.of(k, 2, 2, 0), true));
            cases.add(new Case(Shape.of(2, 3, 9, 8), Pool2dParams.of(k, 3, 2, 1), true));
            cases.add(new Case(Shape.of(1, 2, 6, 5), Pool2dParams.of(k, 3, 1, 1), false));
            cases.add(new Case(Shape.of(2, 2, 8, 9), new Pool2dParams(k, 3, 2, 2, 1, 1, 1, false), true));
            cases.add(new Case(Shape.of(200, 3, 2, 2), Pool2dParams.of(k, 2, 2, 0), true));
        }
        SplittableRandom r = new SplittableRandom(77);
        for (int i = 0; i < 36; i++) {
            PoolKind k = PoolKind.values()[i % 3];
            int kh = 1 + r.nextInt(4);
            int kw = 1 + r.nextInt(4);
            int h = kh + r.nextInt(9);
            int w = kw + r.nextInt(9);
            cases.add(new Case(Shape.of(1 + r.nextInt(4), 1 + r.nextInt(5), h, w),
                    new Pool2dParams(k, kh, kw, 1 + r.nextInt(3), 1 + r.nextInt(3), r.nextInt(kh / 2 + 1),
                            r.nextInt(kw / 2 + 1), r.nextBoolean()), r.nextBoolean()));
        }
        return cases.stream().map(Arguments::of);
    }

    /** Values in [-1, 1), or a few levels (many ties) with signed zeros; both with some NaN. */
    static float[] values(int n, long seed, boolean ties) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] levels = {-1f, -0f, 0f, 0.5f, 1f};
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = ties ? levels[r.nextInt(levels.length)] : (float) (r.nextDouble() * 2 - 1);
            if (r.nextInt(97) == 0) {
                a[i] = Float.NaN;
            }
        }
        return a;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void forwardAndBackwardAreBitwiseTheReference(Case c) {
        Pool2dParams p = c.p();
        Tensor x = Tensor.of(c.x(), values(c.x().size(), c.x().size(), c.ties()));
        PoolOutput ref = REF.pool2d(x, p);
        Shape ys = ref.output().shape();
        // Gradients without NaN, so that where the sums land is visible in the result.
        Tensor dy = Tensor.of(ys, values(ys.size(), 5, false));
        for (int i = 0; i < ys.size(); i++) {
            if (Float.isNaN(Host.floats(dy)[i])) {
                Host.floats(dy)[i] = 0.25f;
            }
        }
        int[] dxRef = FastPointwiseTest.bits(Host.floats(REF.pool2dBackward(dy, x, ref, p)));
        for (CpuBackend fast : List.of(ONE, TWO)) {
            String what = c + " threads=" + fast.threads();
            PoolOutput out = fast.pool2d(x, p);
            assertArrayEquals(FastPointwiseTest.bits(Host.floats(ref.output())),
                    FastPointwiseTest.bits(Host.floats(out.output())), what + " output");
            if (p.kind() == PoolKind.AVG) {
                assertNull(out.indices(), what);
            } else {
                assertArrayEquals(Host.ints(ref.indices()), Host.ints(out.indices()), what + " indices");
            }
            assertArrayEquals(dxRef, FastPointwiseTest.bits(Host.floats(fast.pool2dBackward(dy, x, out, p))),
                    what + " grad");
        }
    }

    @Test
    void rankKeyOrdersLikeTheReferenceComparison() {
        float[] v = {Float.NEGATIVE_INFINITY, -1e30f, -1f, -Float.MIN_VALUE, -0f, 0f, Float.MIN_VALUE, 1f, 1e30f,
            Float.POSITIVE_INFINITY, Float.NaN, Float.intBitsToFloat(0xffc00001)};
        for (float a : v) {
            for (float b : v) {
                // The reference's rule (PyTorch's): a NaN always replaces, otherwise only strictly better.
                boolean maxBeats = Float.isNaN(a) || a > b;
                boolean minBeats = Float.isNaN(a) || a < b;
                int ka = FastPool.rankKey(a, false);
                int kaMin = FastPool.rankKey(a, true);
                assertTrue(maxBeats == (ka > FastPool.rankKey(b, false) || ka == FastPool.NAN_KEY), a + " vs " + b);
                assertTrue(minBeats == (kaMin > FastPool.rankKey(b, true) || kaMin == FastPool.NAN_KEY), a + " vs " + b);
            }
        }
    }

    @Test
    void backwardRefusesBadIndicesLikeTheReference() {
        Pool2dParams p = Pool2dParams.of(PoolKind.MAX, 2, 2, 0);
        Tensor x = Tensor.of(Shape.of(1, 1, 4, 4), values(16, 1, false));
        PoolOutput out = TWO.pool2d(x, p);
        Tensor dy = Tensor.of(out.output().shape(), new float[4]);
        Host.ints(out.indices())[2] = 16;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TWO.pool2dBackward(dy, x, out, p));
        assertTrue(e.getMessage().contains("max_pool2d backward: index 16 at output 2 is outside the 4x4 plane"),
                e.getMessage());
        PoolOutput none = new PoolOutput(out.output(), null);
        e = assertThrows(IllegalArgumentException.class, () -> TWO.pool2dBackward(dy, x, none, p));
        assertTrue(e.getMessage().contains("indices from the forward pass must hold 4 values"), e.getMessage());
    }
}
