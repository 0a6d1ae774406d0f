package dev.fovea.backend.cpu;

import dev.fovea.backend.Backend;
import dev.fovea.backend.PoolOutput;
import dev.fovea.primitives.AdaptivePool2dParams;
import dev.fovea.primitives.Pad2dParams;
import dev.fovea.primitives.PadMode;
import dev.fovea.primitives.PoolKind;
import dev.fovea.primitives.Upsample2dParams;
import dev.fovea.primitives.UpsampleMode;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static dev.fovea.testing.Arrays2.assertExact;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hand-computed examples of adaptive pooling, upsampling and padding on the reference backend, each
 * with a gradient, and the index rules that distinguish PyTorch's from a naive reading (overlapping
 * adaptive windows, the same-size and double-size nearest special cases, half-pixel bilinear with the
 * clamp at 0 and the edge tap). Every expected value is exact in float32.
 */
class RefSpatialTest {
    private final Backend be = new ReferenceBackend();
    private static final Shape S33 = Shape.of(1, 1, 3, 3);
    private static final float[] ONE_TO_NINE = {1, 2, 3, 4, 5, 6, 7, 8, 9};

    @Test
    void adaptiveAveragePoolingOfThreeIntoTwoOverlapsTheMiddleRowAndColumn() {
        // Rows of output 0: [0, ceil(3/2)) = 0..1; of output 1: [floor(3/2), 3) = 1..2; columns alike.
        AdaptivePool2dParams p = new AdaptivePool2dParams(PoolKind.AVG, 2, 2);
        PoolOutput out = be.resample2d(be.upload(S33, ONE_TO_NINE), p);
        assertEquals(Shape.of(1, 1, 2, 2), out.output().shape());
        assertExact("adaptive avg", new float[] {3, 4, 6, 7}, be.download(out.output()));
        // Each window passes a quarter back: corners are in one window, edge middles in two, the centre in four.
        float[] dx = be.download(be.resample2dBackward(be.upload(out.output().shape(), new float[] {1, 1, 1, 1}),
                S33, out.indices(), p));
        assertExact("adaptive avg backward", new float[] {.25f, .5f, .25f, .5f, 1, .5f, .25f, .5f, .25f}, dx);
    }

    @Test
    void adaptiveAveragePoolingCanUpsize() {
        // Two rows into three: output rows read [0,1), [0,2), [1,2).
        PoolOutput out = be.resample2d(be.upload(Shape.of(1, 1, 2, 1), new float[] {2, 6}),
                new AdaptivePool2dParams(PoolKind.AVG, 3, 1));
        assertExact("adaptive avg upsizing", new float[] {2, 4, 6}, be.download(out.output()));
    }

    @Test
    void adaptiveMaxPoolingTakesTheFirstOfTiesAndRoutesGradientsToIt() {
        float[] x = {1, 9, 2, 4, 9, 3, 7, 0, 8};
        AdaptivePool2dParams p = new AdaptivePool2dParams(PoolKind.MAX, 2, 2);
        PoolOutput out = be.resample2d(be.upload(S33, x), p);
        assertExact("adaptive max", new float[] {9, 9, 9, 9}, be.download(out.output()));
        // Windows 0 and 1 both hold the 9s at 1 and 4 and take 1; windows 2 and 3 hold only the 9 at 4.
        assertArrayEquals(new int[] {1, 1, 4, 4}, be.downloadInts(out.indices()));
        float[] dx = be.download(be.resample2dBackward(be.upload(Shape.of(1, 1, 2, 2), new float[] {1, 2, 3, 4}),
                S33, out.indices(), p));
        assertExact("adaptive max backward", new float[] {0, 3, 0, 0, 7, 0, 0, 0, 0}, dx);
    }

    @Test
    void adaptiveMaxPoolingPropagatesNaNAndTheLastNaNWins() {
        float nan = Float.NaN;
        PoolOutput out = be.resample2d(be.upload(S33, new float[] {1, nan, 2, nan, 3, 4, 5, 6, 7}),
                new AdaptivePool2dParams(PoolKind.MAX, 2, 2));
        float[] y = be.download(out.output());
        for (int i = 0; i < 3; i++) {
            assertTrue(Float.isNaN(y[i]), "window " + i + " holds a NaN: " + y[i]);
        }
        assertEquals(7f, y[3]);
        assertArrayEquals(new int[] {3, 1, 3, 8}, be.downloadInts(out.indices()));
    }

    @Test
    void globalAveragePoolingIsAdaptiveAveragePoolingToOneCell() {
        float[] x = {1, 2, 3, 4, 5, 6, 10, 20, 30, 40, 50, 60};
        Shape xs = Shape.of(2, 1, 2, 3);
        AdaptivePool2dParams p = new AdaptivePool2dParams(PoolKind.AVG, 1, 1);
        Tensor y = be.resample2d(be.upload(xs, x), p).output();
        assertEquals(Shape.of(2, 1, 1, 1), y.shape());
        assertExact("global average", new float[] {3.5f, 35}, be.download(y));
        Tensor dx = be.resample2dBackward(be.upload(Shape.of(2, 1, 1, 1), new float[] {6, 12}), xs, null, p);
        assertExact("global average backward", new float[] {1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2}, be.download(dx));
    }

    @Test
    void nearestUpsamplingToANonMultipleFloorsTheFloatScale() {
        // scale = 2/3 in float: sources floor(0), floor(0.67), floor(1.33) = 0, 0, 1 on each axis.
        Shape xs = Shape.of(1, 1, 2, 2);
        Upsample2dParams p = Upsample2dParams.ofSize(UpsampleMode.NEAREST, 3, 3, false);
        assertExact("nearest 2->3", new float[] {1, 1, 2, 1, 1, 2, 3, 3, 4},
                be.download(be.resample2d(be.upload(xs, new float[] {1, 2, 3, 4}), p).output()));
        assertExact("nearest 2->3 backward", new float[] {4, 2, 2, 1},
                be.download(be.resample2dBackward(be.upload(Shape.of(1, 1, 3, 3),
                        new float[] {1, 1, 1, 1, 1, 1, 1, 1, 1}), xs, null, p)));
    }

    @Test
    void nearestUpsamplingCopiesAnAxisWhoseSizeDoesNotChange() {
        // scale_factor 1.2 on width 3 gives width floor(3.6) = 3: PyTorch copies, where floor(dst / 1.2)
        // would read cells 0, 0, 1.
        Upsample2dParams p = Upsample2dParams.ofScale(UpsampleMode.NEAREST, 1, 1.2, false);
        assertExact("nearest same size", new float[] {1, 2, 3},
                be.download(be.resample2d(be.upload(Shape.of(1, 1, 1, 3), new float[] {1, 2, 3}), p).output()));
    }

    @Test
    void bilinearAlignCornersPutsTheCornersOnTheInputCorners() {
        // x = 2 * row + col; scale (2-1)/(3-1) = 0.5: sources 0, 0.5, 1 on each axis.
        Upsample2dParams p = Upsample2dParams.ofSize(UpsampleMode.BILINEAR, 3, 3, true);
        assertExact("bilinear align_corners", new float[] {0, .5f, 1, 1, 1.5f, 2, 2, 2.5f, 3},
                be.download(be.resample2d(be.upload(Shape.of(1, 1, 2, 2), new float[] {0, 1, 2, 3}), p).output()));
    }

    @Test
    void bilinearHalfPixelClampsAtZeroAndRepeatsTheEdgeTap() {
        // scale 0.5: sources max(0.5 * (d + 0.5) - 0.5, 0) = 0, 0.25, 0.75, 1.25; the last has taps 1 and 1.
        // A linear input 2 * row + col gives 2 * s[i] + s[j] with s clamped to [0, 1].
        Shape xs = Shape.of(1, 1, 2, 2);
        Upsample2dParams p = Upsample2dParams.ofScale(UpsampleMode.BILINEAR, 2, 2, false);
        float[] s = {0, .25f, .75f, 1};
        float[] expected = new float[16];
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 4; j++) {
                expected[i * 4 + j] = 2 * s[i] + s[j];
            }
        }
        assertExact("bilinear half-pixel", expected,
                be.download(be.resample2d(be.upload(xs, new float[] {0, 1, 2, 3}), p).output()));
        // Along an axis cell 0 receives 1 + 0.75 + 0.25 and cell 1 0.25 + 0.75 + 1: 2 each, 4 in the plane.
        float[] ones = new float[16];
        java.util.Arrays.fill(ones, 1);
        assertExact("bilinear backward", new float[] {4, 4, 4, 4},
                be.download(be.resample2dBackward(be.upload(Shape.of(1, 1, 4, 4), ones), xs, null, p)));
    }

    private static final Shape S23 = Shape.of(1, 1, 2, 3);
    private static final float[] ROWS = {1, 2, 3, 4, 5, 6};

    @Test
    void reflectPaddingMirrorsAboutTheEdgeCell() {
        // left 2, right 1, top 1, bottom 0: columns read 2 1 | 0 1 2 | 1, rows read 1 | 0 1.
        Pad2dParams p = new Pad2dParams(2, 1, 1, 0, PadMode.REFLECT, 0);
        float[] y = be.download(be.resample2d(be.upload(S23, ROWS), p).output());
        assertExact("reflect", new float[] {6, 5, 4, 5, 6, 5, 3, 2, 1, 2, 3, 2, 6, 5, 4, 5, 6, 5}, y);
        // Gradient counts: rows 1 and 2 readers, columns 1, 3 and 2.
        assertExact("reflect backward", new float[] {1, 3, 2, 2, 6, 4}, padBackwardOfOnes(p));
    }

    @Test
    void replicatePaddingRepeatsTheEdgeCell() {
        Pad2dParams p = new Pad2dParams(1, 2, 0, 1, PadMode.REPLICATE, 0);
        assertExact("replicate", new float[] {1, 1, 2, 3, 3, 3, 4, 4, 5, 6, 6, 6, 4, 4, 5, 6, 6, 6},
                be.download(be.resample2d(be.upload(S23, ROWS), p).output()));
        assertExact("replicate backward", new float[] {2, 1, 3, 4, 2, 6}, padBackwardOfOnes(p));
    }

    @Test
    void constantPaddingFillsWithTheValueAndPassesOnlyTheInteriorGradient() {
        Pad2dParams p = new Pad2dParams(0, 1, 1, 0, PadMode.CONSTANT, -1);
        assertExact("constant", new float[] {-1, -1, -1, -1, 1, 2, 3, -1, 4, 5, 6, -1},
                be.download(be.resample2d(be.upload(S23, ROWS), p).output()));
        assertExact("constant backward", new float[] {1, 1, 1, 1, 1, 1}, padBackwardOfOnes(p));
    }

    private float[] padBackwardOfOnes(Pad2dParams p) {
        Shape ys = p.outputShape(S23);
        float[] ones = new float[ys.size()];
        java.util.Arrays.fill(ones, 1);
        return be.download(be.resample2dBackward(be.upload(ys, ones), S23, null, p));
    }

    @Test
    void badArgumentsAreRefusedInOneLineNamingTheRule() {
        var reflect = assertThrows(IllegalArgumentException.class,
                () -> be.resample2d(be.upload(S23, ROWS), new Pad2dParams(3, 0, 0, 0, PadMode.REFLECT, 0)));
        assertEquals("pad: reflect padding must be smaller than the padded dimension: [3, 0] against width 3,"
                + " [0, 0] against height 2 (input [1, 1, 2, 3])", reflect.getMessage());
        var scale = assertThrows(IllegalArgumentException.class, () -> be.resample2d(be.upload(S23, ROWS),
                Upsample2dParams.ofScale(UpsampleMode.NEAREST, 0.4, 1, false)));
        assertEquals("upsample: scale_factor 0.4 turns an input height of 2 into 0; the output needs 1 to "
                + Integer.MAX_VALUE + " cells", scale.getMessage());
        var align = assertThrows(IllegalArgumentException.class,
                () -> Upsample2dParams.ofSize(UpsampleMode.NEAREST, 2, 2, true));
        assertEquals("upsample: align_corners applies to bilinear only, not nearest (as in PyTorch)", align.getMessage());
        var min = assertThrows(IllegalArgumentException.class, () -> new AdaptivePool2dParams(PoolKind.MIN, 1, 1));
        assertEquals("adaptive pooling: kind must be max or avg, got MIN", min.getMessage());
        var rank = assertThrows(IllegalArgumentException.class,
                () -> be.resample2d(be.upload(Shape.of(3, 3), ONE_TO_NINE), new AdaptivePool2dParams(PoolKind.AVG, 1, 1)));
        assertEquals("adaptive_avg_pool2d: input must be 4-D NCHW, got [3, 3]", rank.getMessage());
    }
}
