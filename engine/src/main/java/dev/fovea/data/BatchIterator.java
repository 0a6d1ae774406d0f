package dev.fovea.data;

import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.function.IntFunction;

/**
 * Iterates over the batches {@code 0..count-1} of one epoch, built by {@code source}. With
 * {@code prefetch > 0} a background thread builds up to that many batches ahead into a bounded queue,
 * so that the compute does not wait for copying and augmentation; batches still arrive in index
 * order. An exception thrown while building a batch is rethrown to the consumer by
 * {@link #hasNext()}/{@link #next()} at that batch's position. {@link #close()} stops the thread:
 * use try-with-resources.
 */
public final class BatchIterator implements Iterator<Batch>, AutoCloseable {
    private static final Object END = new Object();

    private final int count;
    private final IntFunction<Batch> source;
    private final BlockingQueue<Object> queue;
    private final Thread producer;
    private Object pending;
    private int nextIndex;
    private boolean finished;

    /** Wraps a failure of the producer thread on its way to the consumer. */
    private record Failure(Throwable error) {
    }

    public BatchIterator(int count, IntFunction<Batch> source, int prefetch) {
        if (count < 0 || prefetch < 0) {
            throw new IllegalArgumentException("batch iterator: count and prefetch must be >= 0, got " + count + " and " + prefetch);
        }
        this.count = count;
        this.source = source;
        if (prefetch == 0) {
            queue = null;
            producer = null;
        } else {
            queue = new ArrayBlockingQueue<>(prefetch);
            producer = new Thread(this::produce, "fovea-prefetch");
            producer.setDaemon(true);
            producer.start();
        }
    }

    private void produce() {
        try {
            for (int i = 0; i < count; i++) {
                Object item;
                try {
                    item = source.apply(i);
                } catch (Throwable t) {
                    queue.put(new Failure(t));
                    return;
                }
                queue.put(item);
            }
            queue.put(END);
        } catch (InterruptedException e) {
            // close() asked the thread to stop; nobody waits for the remaining batches.
        }
    }

    @Override
    public boolean hasNext() {
        if (finished) {
            return false;
        }
        if (producer == null) {
            return nextIndex < count;
        }
        if (pending == null) {
            try {
                pending = queue.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the next batch", e);
            }
        }
        if (pending instanceof Failure f) {
            finished = true;
            pending = null;
            throw rethrow(f.error());
        }
        if (pending == END) {
            finished = true;
            return false;
        }
        return true;
    }

    @Override
    public Batch next() {
        if (!hasNext()) {
            throw new NoSuchElementException("batch iterator: all " + count + " batches were returned");
        }
        nextIndex++;
        if (producer == null) {
            return source.apply(nextIndex - 1);
        }
        Batch b = (Batch) pending;
        pending = null;
        return b;
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException("building a batch failed: " + t, t);
    }

    /** Stops the prefetch thread and waits for it to end; further calls return no batches. */
    @Override
    public void close() {
        finished = true;
        if (producer != null && producer.isAlive()) {
            producer.interrupt();
            boolean interrupted = false;
            while (producer.isAlive()) {
                try {
                    producer.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Whether the background thread is still running (for tests of {@link #close()}). */
    boolean prefetchThreadAlive() {
        return producer != null && producer.isAlive();
    }
}
