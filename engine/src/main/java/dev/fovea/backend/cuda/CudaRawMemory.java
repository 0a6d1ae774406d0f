package dev.fovea.backend.cuda;

import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUresult;
import jcuda.driver.JCudaDriver;

/**
 * cuMemAlloc and cuMemFree for {@link DeviceAllocator}, in the context current on the calling
 * thread; out of memory is reported as null, not thrown.
 */
final class CudaRawMemory implements RawMemory<CUdeviceptr> {

    @Override
    public CUdeviceptr allocate(long bytes) {
        CUdeviceptr p = new CUdeviceptr();
        int rc = JCudaDriver.cuMemAlloc(p, bytes);
        if (rc == CUresult.CUDA_ERROR_OUT_OF_MEMORY) {
            return null; // the driver API has no sticky "last error" to clear
        }
        Check.driver(rc, "cuMemAlloc(" + bytes + ")", "device allocator");
        return p;
    }

    @Override
    public void release(CUdeviceptr pointer) {
        Check.driver(JCudaDriver.cuMemFree(pointer), "cuMemFree", "device allocator");
    }

    @Override
    public long freeBytes() {
        long[] free = {0};
        long[] total = {0};
        return JCudaDriver.cuMemGetInfo(free, total) == CUresult.CUDA_SUCCESS ? free[0] : -1;
    }
}
