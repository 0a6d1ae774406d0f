package dev.fovea.backend.cuda;

/**
 * Grid and block sizes for Fovea's elementwise-style kernels. Every kernel loops over its elements
 * with a grid-stride loop, so the grid is capped: enough blocks to fill the GPU several times over,
 * never one block per element of a huge tensor.
 */
public record LaunchConfig(int gridX, int blockX) {

    public static final int BLOCK = 256;
    /** Blocks per streaming multiprocessor that keep it busy; beyond that the stride loop takes over. */
    static final int BLOCKS_PER_SM = 32;
    static final int DEFAULT_MAX_GRID = 65_535;

    /** One thread per element of {@code n}, capped at {@code maxGrid} blocks; an empty launch for n = 0. */
    public static LaunchConfig forElements(long n, int maxGrid) {
        if (n < 0) {
            throw new IllegalArgumentException("kernel launch: element count must be >= 0, got " + n);
        }
        if (maxGrid < 1) {
            throw new IllegalArgumentException("kernel launch: grid cap must be >= 1, got " + maxGrid);
        }
        long blocks = (n + BLOCK - 1) / BLOCK;
        return new LaunchConfig((int) Math.min(blocks, maxGrid), BLOCK);
    }

    /** The grid cap for a GPU with {@code multiprocessors} SMs. */
    public static int maxGridFor(int multiprocessors) {
        return multiprocessors <= 0 ? DEFAULT_MAX_GRID : Math.min(DEFAULT_MAX_GRID, multiprocessors * BLOCKS_PER_SM);
    }

    /** Nothing to launch. */
    public boolean empty() {
        return gridX == 0;
    }
}
