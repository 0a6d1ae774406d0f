package dev.fovea.backend.cpu;

import dev.fovea.backend.Backend;
import dev.fovea.backend.PoolOutput;
import dev.fovea.primitives.Pool2dParams;
import dev.fovea.primitives.PoolKind;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static dev.fovea.testing.Arrays2.assertExact;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The pooling worked examples of seed-examples.md §6, plus the rules the examples do not show:
 * ties, padding that must never win, count_include_pad both ways, and global average pooling.
 * Every expected value is exact in float32 (sums of small integers divided by powers of two, or
 * one division rounded once, computed the same way here).
 */
class RefPoolTest {
    private final Backend be = new ReferenceBackend();

    private static final float[] X6 = {
        3, 0, 1, 5, 1, 3, 5, 7, 3, 4, 4, 6, 7, 7, 1, 8, 3, 5, 6, 1, 7, 0, 0, 5, 0, 4, 5, 5, 7, 2, 3, 2, 0, 2, 0, 2};
    private static final Shape S6 = Shape.of(1, 1, 6, 6);

    @Test
    void section6MaxPooling() {
        PoolOutput out = pool(S6, X6, Pool2dParams.of(PoolKind.MAX, 2));
        assertEquals(Shape.of(1, 1, 3, 3), out.output().shape());
        assertExact("§6 max", new float[] {7, 5, 6, 7, 8, 5, 4, 5, 7}, be.download(out.output()));
        // Winners as flat h*W+w in the 6x6 plane (numpy's argmax, which also takes the first, agrees).
        // The first window's 7 is at (1,1); the ties 7/7 in window (1,0) and 5/5 in window (2,1) go to
        // the first in row-major order, (2,0) = 12 and (4,2) = 26.
        assertArrayEquals(new int[] {7, 3, 11, 12, 15, 17, 25, 26, 28}, be.downloadInts(out.indices()));
    }

    @Test
    void section6AveragePooling() {
        PoolOutput out = pool(S6, X6, Pool2dParams.of(PoolKind.AVG, 2));
        assertExact("§6 avg", new float[] {3.75f, 3.25f, 3.5f, 5.25f, 4.0f, 3.25f, 2.25f, 3.0f, 2.75f},
                be.download(out.output()));
        assertNull(out.indices(), "average pooling has no winners");
    }

    @Test
    void section6MinPooling() {
        PoolOutput out = pool(S6, X6, Pool2dParams.of(PoolKind.MIN, 2));
        assertExact("§6 min", new float[] {0, 1, 1, 1, 0, 0, 0, 0, 0}, be.download(out.output()));
        // Window (2,1) holds 5,5,0,2: its only 0 is at (5,2) = 32; window (2,2) holds 7,2,0,2: 0 at (5,4) = 34.
        assertArrayEquals(new int[] {1, 2, 4, 19, 21, 22, 24, 32, 34}, be.downloadInts(out.indices()));
    }

    @Test
    void section6SecondMinPoolingExample() {
        float[] x = {15, 24, 13, 19, 14, 63, 85, 33, 81, 74, 77, 12, 55, 93, 15, 69};
        PoolOutput out = pool(Shape.of(1, 1, 4, 4), x, Pool2dParams.of(PoolKind.MIN, 2));
        assertExact("§6 second min", new float[] {14, 13, 55, 12}, be.download(out.output()));
    }

    @Test
    void poolingActsOnEachChannelAndImageSeparately() {
        // Two images, two channels: the second channel is the first negated, so max and min swap.
        float[] x = new float[2 * 2 * 36];
        for (int n = 0; n < 2; n++) {
            for (int i = 0; i < 36; i++) {
                x[(n * 2) * 36 + i] = X6[i] + n;
                x[(n * 2 + 1) * 36 + i] = -X6[i];
            }
        }
        float[] max = be.download(pool(Shape.of(2, 2, 6, 6), x, Pool2dParams.of(PoolKind.MAX, 2)).output());
        assertExact("depth is kept", new float[] {
            7, 5, 6, 7, 8, 5, 4, 5, 7, -0f, -1, -1, -1, -0f, -0f, -0f, -0f, -0f,
            8, 6, 7, 8, 9, 6, 5, 6, 8, -0f, -1, -1, -1, -0f, -0f, -0f, -0f, -0f}, max);
    }

    @Test
    void tiesGoToTheFirstCellOfTheWindowForwardAndBackward() {
        // A constant plane: every window is one big tie; its first real cell wins and alone gets the gradient.
        float[] x = new float[16];
        java.util.Arrays.fill(x, 2f);
        Shape xs = Shape.of(1, 1, 4, 4);
        for (PoolKind kind : new PoolKind[] {PoolKind.MAX, PoolKind.MIN}) {
            Pool2dParams p = Pool2dParams.of(kind, 3, 1, 0);
            PoolOutput out = pool(xs, x, p);
            assertArrayEquals(new int[] {0, 1, 4, 5}, be.downloadInts(out.indices()), kind + " winners");
            Tensor dx = be.pool2dBackward(be.upload(Shape.of(1, 1, 2, 2), new float[] {1, 10, 100, 1000}),
                    be.upload(xs, x), out, p);
            assertExact(kind + " backward", new float[] {1, 10, 0, 0, 100, 1000, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
                    be.download(dx));
        }
    }

    @Test
    void paddedCellsNeverWinAMaxOrAMin() {
        // All-negative input: a padded zero would win every max; all-positive: it would win every min.
        float[] neg = {-5, -3, -8, -1, -7, -2, -9, -4, -6};
        Shape xs = Shape.of(1, 1, 3, 3);
        Pool2dParams max = Pool2dParams.of(PoolKind.MAX, 2, 2, 1);
        PoolOutput out = pool(xs, neg, max);
        assertEquals(Shape.of(1, 1, 2, 2), out.output().shape());
        // Windows (padded rows -1..0 / 1..2, cols -1..0 / 1..2): {-5}, {-3,-8}, {-1,-9}, {-7,-2,-4,-6}.
        assertExact("max with padding", new float[] {-5, -3, -1, -2}, be.download(out.output()));
        assertArrayEquals(new int[] {0, 1, 3, 5}, be.downloadInts(out.indices()));

        float[] pos = new float[9];
        for (int i = 0; i < 9; i++) {
            pos[i] = -neg[i];
        }
        assertExact("min with padding", new float[] {5, 3, 1, 2},
                be.download(pool(xs, pos, Pool2dParams.of(PoolKind.MIN, 2, 2, 1)).output()));
    }

    @Test
    void nanPropagatesThroughMaxAndMin() {
        float[] x = {1, Float.NaN, 3, 4};
        for (PoolKind kind : new PoolKind[] {PoolKind.MAX, PoolKind.MIN}) {
            PoolOutput out = pool(Shape.of(1, 1, 2, 2), x, Pool2dParams.of(kind, 2));
            assertTrue(Float.isNaN(be.download(out.output())[0]), kind + " must not hide a NaN");
            assertArrayEquals(new int[] {1}, be.downloadInts(out.indices()));
        }
    }

    @Test
    void averagePoolingCountIncludePadBothWays() {
        // 3x3 input 1..9, 3x3 window, stride 2, padding 1 -> 2x2 output. Window (0,0) covers padded
        // rows/cols -1..1: real cells 1,2,4,5 (sum 12); (0,1): 2,3,5,6 (16); (1,0): 4,5,7,8 (24);
        // (1,1): 5,6,8,9 (28). Including padding, each divides by 9; excluding it, by 4.
        float[] x = {1, 2, 3, 4, 5, 6, 7, 8, 9};
        Shape xs = Shape.of(1, 1, 3, 3);
        Pool2dParams include = Pool2dParams.of(PoolKind.AVG, 3, 2, 1);
        assertExact("count_include_pad=true", new float[] {12f / 9, 16f / 9, 24f / 9, 28f / 9},
                be.download(pool(xs, x, include).output()));
        Pool2dParams exclude = include.withCountIncludePad(false);
        assertExact("count_include_pad=false", new float[] {3, 4, 6, 7}, be.download(pool(xs, x, exclude).output()));

        // Backward: each output spreads its gradient over the real cells of its window, divided the same way.
        Tensor dy = be.upload(Shape.of(1, 1, 2, 2), new float[] {9, 18, 36, 72});
        assertExact("count_include_pad=true backward", new float[] {1, 3, 2, 5, 15, 10, 4, 12, 8},
                be.download(be.pool2dBackward(dy, be.upload(xs, x), pool(xs, x, include), include)));
        assertExact("count_include_pad=false backward", new float[] {2.25f, 6.75f, 4.5f, 11.25f, 33.75f, 22.5f,
            9, 27, 18}, be.download(be.pool2dBackward(dy, be.upload(xs, x), pool(xs, x, exclude), exclude)));
    }

    @Test
    void maxPoolingBackwardRoutesToTheWinnerAndAccumulatesOverlaps() {
        // 3x3 window, stride 1 on a 4x4 plane whose maximum 16 sits at (1,1): it wins all four windows.
        float[] x = {1, 2, 3, 4, 5, 16, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
        Shape xs = Shape.of(1, 1, 4, 4);
        Pool2dParams p = Pool2dParams.of(PoolKind.MAX, 3, 1, 0);
        PoolOutput out = pool(xs, x, p);
        assertArrayEquals(new int[] {5, 5, 5, 5}, be.downloadInts(out.indices()));
        Tensor dx = be.pool2dBackward(be.upload(Shape.of(1, 1, 2, 2), new float[] {1, 2, 3, 4}), be.upload(xs, x), out, p);
        assertExact("overlapping windows add", new float[] {0, 0, 0, 0, 0, 10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
                be.download(dx));
    }

    private PoolOutput pool(Shape xs, float[] x, Pool2dParams p) {
        return be.pool2d(be.upload(xs, x), p);
    }
}
