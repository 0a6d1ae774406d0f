package dev.fovea.primitives;

import dev.fovea.tensor.Shape;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The one geometry record every backend shares; its two per-group tests say different things and are named so. */
class ConvGeometryTest {

    @Test
    void aOneChannelFirstLayerHasOneInputChannelPerGroupButIsNotDepthwise() {
        ConvGeometry g = ConvGeometry.of(Shape.of(8, 1, 28, 28), Shape.of(32, 1, 3, 3), Conv2dParams.defaults());
        assertTrue(g.oneInputChannelPerGroup());
        assertFalse(g.depthwise());
        assertEquals(26, g.oh());
        assertEquals(8L * 32 * 26 * 26 * 9, g.macs());
    }

    @Test
    void depthwiseAndGroupedConvolutions() {
        ConvGeometry dw = ConvGeometry.of(Shape.of(2, 64, 56, 56), Shape.of(128, 1, 3, 3),
                Conv2dParams.of(1, 1).withGroups(64));
        assertTrue(dw.depthwise(), "64 groups of one channel, two outputs each");
        assertTrue(dw.oneInputChannelPerGroup());
        ConvGeometry grouped = ConvGeometry.of(Shape.of(2, 64, 56, 56), Shape.of(64, 16, 3, 3),
                Conv2dParams.of(1, 1).withGroups(4));
        assertFalse(grouped.depthwise());
        assertFalse(grouped.oneInputChannelPerGroup());
        assertEquals(16 * 9, grouped.kdim());
        assertArrayEquals(new int[] {64, 16, 3, 3}, grouped.wDims());
        assertArrayEquals(new int[] {2, 64, 56, 56}, grouped.yDims());
    }

    @Test
    void validColumnsOfAPaddedStridedRow() {
        // w = 5, stride 2, pad 1: output columns 0..2 read input columns -1, 1, 3 (+ kernel offset).
        ConvGeometry g = ConvGeometry.of(Shape.of(1, 1, 5, 5), Shape.of(1, 1, 3, 3), Conv2dParams.of(2, 1));
        assertEquals(3, g.ow());
        assertEquals(1, g.firstValidColumn(-1), "column 0 reads input -1");
        assertEquals(0, g.firstValidColumn(0));
        assertEquals(3, g.endValidColumn(0), "input columns 0, 2, 4 are all inside");
        assertEquals(2, g.endValidColumn(1), "input columns 1, 3 inside, 5 outside");
        assertTrue(g.describe().startsWith("input [1, 1, 5, 5], weight [1, 1, 3, 3], output [1, 1, 3, 3], stride [2, 2]"),
                g.describe());
    }
}
