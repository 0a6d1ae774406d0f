package dev.fovea.primitives;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** seed-examples.md §9 parameter counts, and the reference network's 1,199,882 parameters (§13). */
class ParameterCountsTest {

    @Test
    void normalConvolutionHasKSquaredCinCoutWeights() {
        assertEquals(3L * 3 * 64 * 128, ParameterCounts.conv2d(3, 3, 64, 128, 1, false));
        assertEquals(5L * 5 * 3 * 6 + 6, ParameterCounts.conv2d(5, 5, 3, 6, 1, true), "§9's 6 filters 5x5x3, with bias");
    }

    @Test
    void groupedConvolutionDividesByTheGroups() {
        // K^2 * Cin * Cout / G; G = Cin is depthwise.
        assertEquals(3L * 3 * 64 * 128 / 4, ParameterCounts.conv2d(3, 3, 64, 128, 4, false));
        assertEquals(3L * 3 * 64, ParameterCounts.conv2d(3, 3, 64, 64, 64, false));
    }

    @Test
    void depthwiseSeparableIsDepthwisePlusPointwise() {
        // K^2 * Cin + Cin * Cout: 9 * 64 + 64 * 128 = 8768, against 73728 for the normal 3x3 conv.
        assertEquals(3L * 3 * 64 + 64 * 128, ParameterCounts.depthwiseSeparable(3, 64, 128, false));
        assertEquals(8768, ParameterCounts.depthwiseSeparable(3, 64, 128, false));
        assertEquals(8768 + 64 + 128, ParameterCounts.depthwiseSeparable(3, 64, 128, true));
    }

    @Test
    void aDenseLayerOnATwelveMegapixelPhotoHasThreePointSixBillionWeights() {
        long inputs = 12_000_000L * 3;
        long weights = ParameterCounts.linear(inputs, 100, false);
        assertEquals(3_600_000_000L, weights);
        assertTrue(weights > Integer.MAX_VALUE, "why the counts are longs");
    }

    @Test
    void theReferenceNetworkHas1199882Parameters() {
        long total = ParameterCounts.conv2d(3, 3, 1, 32, 1, true) + ParameterCounts.conv2d(3, 3, 32, 64, 1, true)
                + ParameterCounts.linear(64 * 12 * 12, 128, true) + ParameterCounts.linear(128, 10, true);
        assertEquals(1_199_882, total);
    }

    @Test
    void groupsThatDoNotDivideTheChannelsAreRejected() {
        var e = assertThrows(IllegalArgumentException.class, () -> ParameterCounts.conv2d(3, 3, 6, 9, 2, false));
        assertTrue(e.getMessage().startsWith("conv2d: groups 2 must divide"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ParameterCounts.conv2d(0, 3, 6, 9, 1, false));
        assertThrows(IllegalArgumentException.class, () -> ParameterCounts.linear(0, 9, true));
    }
}
