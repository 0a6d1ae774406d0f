package dev.fovea.backend.cuda;

/**
 * The device's own allocate and free (cudaMalloc/cudaFree on a GPU), behind an interface so that
 * {@link DeviceAllocator}'s caching and out-of-memory handling are tested with a fake.
 *
 * @param <P> the device pointer type
 */
public interface RawMemory<P> {

    /** A new block of exactly {@code bytes}, or null when the device is out of memory. */
    P allocate(long bytes);

    void release(P pointer);

    /** Free device memory as the driver reports it, for error messages; -1 when unknown. */
    default long freeBytes() {
        return -1;
    }
}
