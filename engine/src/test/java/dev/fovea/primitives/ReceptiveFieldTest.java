package dev.fovea.primitives;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** seed-examples.md §9: j_l = j_{l-1} * s_l, RF_l = RF_{l-1} + (k_l - 1) * j_{l-1}. */
class ReceptiveFieldTest {

    @Test
    void threeStackedThreeByThreeLayersSeeThreeFiveSeven() {
        ReceptiveField rf = ReceptiveField.input();
        long[] sizes = new long[3];
        for (int l = 0; l < 3; l++) {
            rf = rf.then(3, 1);
            sizes[l] = rf.size();
            assertEquals(1, rf.jump(), "stride 1 keeps the jump at one pixel");
        }
        assertEquals(3, sizes[0]);
        assertEquals(5, sizes[1]);
        assertEquals(7, sizes[2]);
    }

    @Test
    void stridesMultiplyTheJumpAndWidenLaterLayers() {
        // conv 3x3/1 -> pool 2x2/2 -> conv 3x3/1 -> pool 2x2/2 -> conv 3x3/1 (a VGG-like stack):
        // RF 3 (j 1), 4 (j 2), 8 (j 2), 10 (j 4), 18 (j 4).
        ReceptiveField rf = ReceptiveField.input();
        int[][] layers = {{3, 1}, {2, 2}, {3, 1}, {2, 2}, {3, 1}};
        long[][] expected = {{3, 1}, {4, 2}, {8, 2}, {10, 4}, {18, 4}};
        for (int l = 0; l < layers.length; l++) {
            rf = rf.then(layers[l][0], layers[l][1]);
            assertEquals(new ReceptiveField(expected[l][0], expected[l][1]), rf, "after layer " + (l + 1));
        }
        // Closed form: 1 + sum_l (k_l - 1) * prod_{i<l} s_i = 1 + 2*1 + 1*1 + 2*2 + 1*2 + 2*4 = 18.
        assertEquals(1 + 2 * 1 + 1 * 1 + 2 * 2 + 1 * 2 + 2 * 4, rf.size());
    }

    @Test
    void theReferenceNetworkSeesTenPixelsSquare() {
        // §13: conv 3x3 -> conv 3x3 -> max pool 2x2/2: 3, 5, then 6 with jump 2.
        ReceptiveField rf = ReceptiveField.input().then(3, 1).then(3, 1).then(2, 2);
        assertEquals(new ReceptiveField(6, 2), rf);
    }

    @Test
    void dilationUsesTheEffectiveKernel() {
        // K = 3, D = 2 -> K_eff = 5; dilations 1, 2, 4 (WaveNet/DeepLab style) grow 3, 7, 15.
        ReceptiveField rf = ReceptiveField.input().then(3, 1, 1);
        assertEquals(3, rf.size());
        rf = rf.then(3, 1, 2);
        assertEquals(7, rf.size());
        rf = rf.then(3, 1, 4);
        assertEquals(15, rf.size());
    }

    @Test
    void nonPositiveLayersAreRejected() {
        var e = assertThrows(IllegalArgumentException.class, () -> ReceptiveField.input().then(3, 0));
        assertTrue(e.getMessage().startsWith("receptive_field: kernel, stride and dilation"), e.getMessage());
        assertTrue(e.getMessage().contains("stride 0"), e.getMessage());
    }
}
