package dev.fovea.backend.cuda;

/**
 * The GPU could not provide memory even after the allocator released its cache. The message says
 * how much was asked for and what is in use, and suggests what to change.
 */
public final class DeviceOutOfMemoryException extends RuntimeException {
    private final long requestedBytes;

    public DeviceOutOfMemoryException(String context, long requestedBytes, long inUseBytes, long freeBytes) {
        super(context + ": out of GPU memory allocating " + CudaVersions.bytes(requestedBytes) + " (" + requestedBytes
                + " bytes); Fovea holds " + CudaVersions.bytes(inUseBytes) + " in live tensors"
                + (freeBytes >= 0 ? ", the device reports " + CudaVersions.bytes(freeBytes) + " free" : "")
                + " after releasing its cache. Use a smaller --batch-size, a lower --cudnn-workspace-mb, or a"
                + " GPU with more memory");
        this.requestedBytes = requestedBytes;
    }

    private DeviceOutOfMemoryException(String message) {
        super(message);
        this.requestedBytes = 0;
    }

    /** A library (cuBLAS, cuDNN) could not allocate its own memory, even after the cache was released. */
    static DeviceOutOfMemoryException insideLibrary(String context, String call, long inUseBytes, long freeBytes) {
        return new DeviceOutOfMemoryException(context + ": out of GPU memory inside " + call + "; Fovea holds "
                + CudaVersions.bytes(inUseBytes) + " in live tensors"
                + (freeBytes >= 0 ? ", the device reports " + CudaVersions.bytes(freeBytes) + " free" : "")
                + " after releasing its cache. Use a smaller --batch-size, a lower --cudnn-workspace-mb, or a"
                + " GPU with more memory");
    }

    public long requestedBytes() {
        return requestedBytes;
    }
}
