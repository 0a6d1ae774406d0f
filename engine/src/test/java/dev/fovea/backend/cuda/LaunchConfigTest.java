package dev.fovea.backend.cuda;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LaunchConfigTest {

    @Test
    void oneThreadPerElementUntilTheCap() {
        assertEquals(new LaunchConfig(1, 256), LaunchConfig.forElements(1, 65_535));
        assertEquals(new LaunchConfig(1, 256), LaunchConfig.forElements(256, 65_535));
        assertEquals(new LaunchConfig(2, 256), LaunchConfig.forElements(257, 65_535));
        assertEquals(new LaunchConfig(4_000, 256), LaunchConfig.forElements(1_024_000, 65_535));
        // A tensor of 2^31 elements gets the capped grid; the grid-stride loop covers the rest.
        assertEquals(new LaunchConfig(3_456, 256), LaunchConfig.forElements(1L << 31, 3_456));
    }

    @Test
    void everyElementIsCoveredByTheStrideLoop() {
        for (long n : new long[]{1, 255, 256, 257, 100_000, 33_554_433}) {
            LaunchConfig c = LaunchConfig.forElements(n, 128);
            long threads = (long) c.gridX() * c.blockX();
            long iterations = (n + threads - 1) / threads;
            assertTrue(iterations * threads >= n && (iterations - 1) * threads < n, "n=" + n);
            assertTrue(c.gridX() <= 128);
        }
    }

    @Test
    void emptyLaunchAndCaps() {
        assertTrue(LaunchConfig.forElements(0, 100).empty());
        assertEquals(132 * 32, LaunchConfig.maxGridFor(132));
        assertEquals(65_535, LaunchConfig.maxGridFor(10_000));
        assertEquals(65_535, LaunchConfig.maxGridFor(0));
        assertThrows(IllegalArgumentException.class, () -> LaunchConfig.forElements(-1, 100));
    }
}
