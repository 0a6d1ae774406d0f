package dev.fovea.bench;

import java.util.Arrays;

/**
 * Times one operation: warm-up runs (to let the JIT compile the kernels and, on the GPU, to choose
 * algorithms and fill the allocator's cache), then timed repetitions, reported as median, min and max
 * milliseconds and GFLOP/s at the median (2 x multiply-adds / time). Used by the benchmark mains and
 * {@code fovea bench}; never by unit tests.
 */
public final class OpTimer {
    private final int warmup;
    private final int repetitions;
    private final double minWarmupMs;

    public OpTimer(int warmup, int repetitions) {
        this(warmup, repetitions, 0);
    }

    /**
     * @param minWarmupMs the warm-up also lasts at least this long: a fixed count of runs is not
     *                    enough for the JIT to compile a kernel the first workload of a run meets
     */
    public OpTimer(int warmup, int repetitions, double minWarmupMs) {
        if (warmup < 0 || repetitions < 1) {
            throw new IllegalArgumentException("bench: warm-up must be >= 0 and repetitions >= 1, got "
                    + warmup + " and " + repetitions);
        }
        this.warmup = warmup;
        this.repetitions = repetitions;
        this.minWarmupMs = minWarmupMs;
    }

    public int warmup() {
        return warmup;
    }

    public int repetitions() {
        return repetitions;
    }

    /** One measured operation; {@code gflops} is NaN when no operation count was given. */
    public record Timing(String name, double medianMs, double minMs, double maxMs, double gflops) {
        @Override
        public String toString() {
            return String.format("%-44s median %9.3f ms  min %9.3f  max %9.3f  %8.2f GFLOP/s",
                    name, medianMs, minMs, maxMs, gflops);
        }
    }

    /** Runs {@code op} warm-up + repetitions times on the host clock; {@code macs} is its multiply-add count (0 if none). */
    public Timing time(String name, double macs, Runnable op) {
        return time(name, macs, op, Clock.host());
    }

    /** As {@link #time(String, double, Runnable)}, each repetition timed by {@code clock}. */
    public Timing time(String name, double macs, Runnable op, Clock clock) {
        long start = System.nanoTime();
        for (int i = 0; i < warmup || i > 0 && (System.nanoTime() - start) / 1e6 < minWarmupMs; i++) {
            op.run();
        }
        double[] ms = new double[repetitions];
        for (int i = 0; i < repetitions; i++) {
            ms[i] = clock.elapsedMs(op);
        }
        Arrays.sort(ms);
        double median = repetitions % 2 == 1 ? ms[repetitions / 2]
                : (ms[repetitions / 2 - 1] + ms[repetitions / 2]) / 2;
        double gflops = macs > 0 ? 2 * macs / (median * 1e6) : Double.NaN;
        return new Timing(name, median, ms[0], ms[repetitions - 1], gflops);
    }
}
