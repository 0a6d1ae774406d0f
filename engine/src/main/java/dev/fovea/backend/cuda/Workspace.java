package dev.fovea.backend.cuda;

/**
 * The one scratch buffer cuDNN algorithms share. It only grows (to the largest request seen) and
 * never beyond the cap, so that workspace memory is bounded and allocated a handful of times per
 * run, not per call.
 *
 * @param <P> the device pointer type
 */
public final class Workspace<P> implements AutoCloseable {
    private final DeviceAllocator<P> allocator;
    private final long capBytes;
    private DeviceAllocator.Block<P> block;

    public Workspace(DeviceAllocator<P> allocator, long capBytes) {
        this.allocator = allocator;
        this.capBytes = capBytes;
    }

    public long capBytes() {
        return capBytes;
    }

    /** Current size in bytes (0 before the first request). */
    public synchronized long bytes() {
        return block == null ? 0 : block.bytes();
    }

    /**
     * A buffer of at least {@code bytes}, or null for zero bytes. {@code context} names the op,
     * shapes and algorithm for the errors: over the cap, or out of memory while growing.
     */
    public synchronized P acquire(long bytes, String context) {
        if (bytes <= 0) {
            return block == null ? null : block.pointer();
        }
        if (bytes > capBytes) {
            throw new IllegalStateException(context + ": needs a cuDNN workspace of " + bytes + " bytes, above the cap of "
                    + capBytes + " bytes; raise --cudnn-workspace-mb");
        }
        if (block == null || block.bytes() < bytes) {
            if (block != null) {
                allocator.free(block);
                block = null;
            }
            block = allocator.allocate(bytes, context + " (cuDNN workspace)");
        }
        return block.pointer();
    }

    @Override
    public synchronized void close() {
        if (block != null) {
            allocator.free(block);
            block = null;
        }
    }
}
