package dev.fovea.backend.cuda;

import dev.fovea.tensor.DType;
import dev.fovea.tensor.Device;
import dev.fovea.tensor.Storage;
import jcuda.driver.CUdeviceptr;

/** Device memory behind a tensor: a block from the backend's caching allocator, returned to it on free. */
public final class CudaStorage extends Storage {
    private final Device device;
    private final DType dtype;
    private final int length;
    private final DeviceAllocator<CUdeviceptr> allocator;
    private final DeviceAllocator.Block<CUdeviceptr> block;

    CudaStorage(Device device, DType dtype, int length, DeviceAllocator<CUdeviceptr> allocator,
                DeviceAllocator.Block<CUdeviceptr> block) {
        this.device = device;
        this.dtype = dtype;
        this.length = length;
        this.allocator = allocator;
        this.block = block;
    }

    @Override
    public Device device() {
        return device;
    }

    @Override
    public DType dtype() {
        return dtype;
    }

    @Override
    public int length() {
        return length;
    }

    /** The device address of element 0. */
    public CUdeviceptr pointer() {
        if (isFreed()) {
            throw new IllegalStateException("storage on " + device + " used after it was freed");
        }
        if (allocator.isClosed()) {
            throw new IllegalStateException("storage on " + device + " used after its backend was closed");
        }
        return block.pointer();
    }

    @Override
    protected void free() {
        allocator.free(block);
    }
}
