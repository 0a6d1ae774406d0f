package dev.fovea.backend.cuda;

import java.util.ArrayDeque;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A caching allocator for device memory: freed blocks are kept in a free list per size class and
 * handed out again, so a training loop that allocates the same shapes every batch stops calling
 * cudaMalloc after the first one. When the device runs out, the cache is released and the
 * allocation retried once before it is reported as {@link DeviceOutOfMemoryException}. Closing it
 * gives everything back to the device, blocks still handed out included (their tensors are dead).
 *
 * @param <P> the device pointer type of the underlying {@link RawMemory}
 */
public final class DeviceAllocator<P> {
    /** Small requests round up to this granule (cudaMalloc aligns to 256 B anyway). */
    static final long SMALL_GRANULE = 512;
    static final long SMALL_LIMIT = 1L << 20;

    /** A block handed out: the pointer and the size class it occupies. */
    public record Block<P>(P pointer, long bytes) {
    }

    private final RawMemory<P> raw;
    private final Map<Long, ArrayDeque<P>> free = new HashMap<>();
    private final Set<Block<P>> handedOut = Collections.newSetFromMap(new IdentityHashMap<>());
    private boolean closed;
    private long inUse;
    private long cached;
    private long peak;
    private long deviceAllocations;

    public DeviceAllocator(RawMemory<P> raw) {
        this.raw = raw;
    }

    /**
     * The size class of a request: multiples of 512 B below 1 MiB, above that four classes per power
     * of two (so at most 25% is wasted while a handful of classes cover all batch shapes).
     */
    static long sizeClass(long bytes) {
        if (bytes <= 0) {
            return SMALL_GRANULE;
        }
        if (bytes <= SMALL_LIMIT) {
            return roundUp(bytes, SMALL_GRANULE);
        }
        long step = Long.highestOneBit(bytes - 1) / 4;
        return roundUp(bytes, step);
    }

    private static long roundUp(long v, long step) {
        return (v + step - 1) / step * step;
    }

    /** A block of at least {@code bytes}; {@code context} (op and shapes) goes into the out-of-memory error. */
    public synchronized Block<P> allocate(long bytes, String context) {
        if (closed) {
            throw new IllegalStateException(context + ": the backend is closed");
        }
        long size = sizeClass(bytes);
        ArrayDeque<P> list = free.get(size);
        P p = list == null ? null : list.poll();
        if (p != null) {
            cached -= size;
        } else {
            p = raw.allocate(size);
            if (p == null) {
                releaseCache();
                p = raw.allocate(size);
                if (p == null) {
                    throw new DeviceOutOfMemoryException(context, size, inUse, raw.freeBytes());
                }
            }
            deviceAllocations++;
        }
        inUse += size;
        peak = Math.max(peak, inUse);
        Block<P> block = new Block<>(p, size);
        handedOut.add(block);
        return block;
    }

    /** Returns a block to the cache (not to the device); after {@link #close} there is nothing left to do. */
    public synchronized void free(Block<P> block) {
        if (!handedOut.remove(block)) {
            return;
        }
        inUse -= block.bytes();
        cached += block.bytes();
        free.computeIfAbsent(block.bytes(), k -> new ArrayDeque<>()).push(block.pointer());
    }

    /** Gives every cached block back to the device. */
    public synchronized void releaseCache() {
        for (ArrayDeque<P> list : free.values()) {
            for (P p : list) {
                raw.release(p);
            }
        }
        free.clear();
        cached = 0;
    }

    /** Gives every block back to the device, cached or handed out; later allocations fail. */
    public synchronized void close() {
        if (closed) {
            return;
        }
        releaseCache();
        for (Block<P> b : handedOut) {
            raw.release(b.pointer());
        }
        handedOut.clear();
        inUse = 0;
        closed = true;
    }

    public synchronized boolean isClosed() {
        return closed;
    }

    /** Blocks currently handed out. */
    public synchronized int liveBlocks() {
        return handedOut.size();
    }

    /** Bytes in blocks currently handed out. */
    public synchronized long currentBytes() {
        return inUse;
    }

    /** The most bytes ever handed out at once. */
    public synchronized long peakBytes() {
        return peak;
    }

    /** Bytes held in the cache, free for reuse. */
    public synchronized long cachedBytes() {
        return cached;
    }

    /** Free memory the device reports, or -1 when it cannot say. */
    public long freeBytes() {
        return raw.freeBytes();
    }

    /** How many times the device itself was asked for memory (cache misses). */
    public synchronized long deviceAllocations() {
        return deviceAllocations;
    }
}
