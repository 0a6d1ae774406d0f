package dev.fovea.backend.cpu;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * The worker threads of the fast CPU kernels and their parallel-for. Work is handed out index by
 * index, so a kernel's result must depend only on its indices, never on which thread ran them or how
 * many there were: that is what keeps the fast path bit-for-bit deterministic for any thread count.
 * A parallel-for called from inside a worker runs inline, so kernels may nest without oversubscribing.
 */
public final class CpuThreads implements AutoCloseable {

    /** System property that overrides the thread count (default: every available processor). */
    public static final String PROPERTY = "fovea.threads";

    private static final class Shared {
        static final CpuThreads INSTANCE = new CpuThreads(configuredThreads());
    }

    private final int threads;
    private final ForkJoinPool pool;

    /** A pool of {@code threads} workers; 1 runs everything on the caller's thread. */
    public CpuThreads(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("cpu threads: must be >= 1, got " + threads);
        }
        this.threads = threads;
        this.pool = threads == 1 ? null : new ForkJoinPool(threads, p -> {
            ForkJoinWorkerThread t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(p);
            t.setName("fovea-cpu-" + t.getPoolIndex());
            t.setDaemon(true);
            return t;
        }, null, false);
    }

    /** The process-wide pool sized by {@value #PROPERTY} or the processor count. */
    public static CpuThreads shared() {
        return Shared.INSTANCE;
    }

    /** {@value #PROPERTY} if set, else {@link Runtime#availableProcessors()}. */
    public static int configuredThreads() {
        String value = System.getProperty(PROPERTY);
        if (value == null || value.isBlank()) {
            return Runtime.getRuntime().availableProcessors();
        }
        try {
            int n = Integer.parseInt(value.trim());
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below with the value that was given
        }
        throw new IllegalArgumentException("-D" + PROPERTY + "=" + value + ": expected a thread count >= 1");
    }

    public int threads() {
        return threads;
    }

    /** How many threads a {@link #parallelFor} called here would use: 1 inside a worker, where it runs inline. */
    public int usableHere() {
        return inWorker() || pool == null ? 1 : threads;
    }

    /** Whether the calling thread is one of this pool's workers (a kernel running inside a parallel-for). */
    public boolean inWorker() {
        return pool != null && ForkJoinTask.getPool() == pool;
    }

    /** Runs {@code body} for every index in [0, count), in parallel when there is a pool and more than one index. */
    public void parallelFor(int count, IntConsumer body) {
        if (pool == null || count <= 1 || ForkJoinTask.getPool() == pool) {
            for (int i = 0; i < count; i++) {
                body.accept(i);
            }
            return;
        }
        AtomicInteger next = new AtomicInteger();
        Runnable worker = () -> {
            for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
                body.accept(i);
            }
        };
        int tasks = Math.min(threads, count);
        ForkJoinTask<?>[] running = new ForkJoinTask<?>[tasks];
        for (int t = 0; t < tasks; t++) {
            running[t] = pool.submit(worker);
        }
        for (ForkJoinTask<?> task : running) {
            task.join();
        }
    }

    /** Stops the workers of a pool made with the constructor; the shared pool lives as long as the process. */
    @Override
    public void close() {
        if (pool != null) {
            pool.shutdown();
        }
    }
}
