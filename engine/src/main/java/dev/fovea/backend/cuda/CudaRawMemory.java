package dev.fovea.backend.cuda;

import jcuda.driver.CUdeviceptr;
import jcuda.runtime.JCuda;
import jcuda.runtime.cudaError;

/** cudaMalloc and cudaFree for {@link DeviceAllocator}; out of memory is reported as null, not thrown. */
final class CudaRawMemory implements RawMemory<CUdeviceptr> {

    @Override
    public CUdeviceptr allocate(long bytes) {
        CUdeviceptr p = new CUdeviceptr();
        int rc = JCuda.cudaMalloc(p, bytes);
        if (rc == cudaError.cudaErrorMemoryAllocation) {
            JCuda.cudaGetLastError(); // clear it, so the next call does not report it again
            return null;
        }
        Check.runtime(rc, "cudaMalloc(" + bytes + ")", "device allocator");
        return p;
    }

    @Override
    public void release(CUdeviceptr pointer) {
        Check.runtime(JCuda.cudaFree(pointer), "cudaFree", "device allocator");
    }

    @Override
    public long freeBytes() {
        long[] free = {0};
        long[] total = {0};
        return JCuda.cudaMemGetInfo(free, total) == cudaError.cudaSuccess ? free[0] : -1;
    }
}
