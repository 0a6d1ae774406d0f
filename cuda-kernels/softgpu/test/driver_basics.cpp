// The driver's contract as the backend relies on it: devices, contexts, memory patterns, stream
// ordering and deferred execution, events, module loading and launches.
#include "driver_api.h"

#include <cmath>
#include <cstring>
#include <vector>

static unsigned bitsOf(float v) {
    unsigned b;
    std::memcpy(&b, &v, 4);
    return b;
}

int main() {
    CUdeviceptr p = 0;
    CHECK_RC(CUDA_ERROR_NOT_INITIALIZED, cuMemAlloc_v2(&p, 64));
    CHECK_RC(CUDA_SUCCESS, cuInit(0));
    int n = 0;
    CHECK_RC(CUDA_SUCCESS, cuDeviceGetCount(&n));
    CHECK(n >= 1);  // FOVEA_SOFTGPU_DEVICES (the Maven tests run with 2)
    char name[64];
    CHECK_RC(CUDA_SUCCESS, cuDeviceGetName(name, sizeof name, 0));
    CHECK(std::strcmp(name, "Fovea SoftGPU") == 0);
    int major = 0;
    CHECK_RC(CUDA_SUCCESS, cuDeviceGetAttribute(&major, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, 0));
    CHECK(major == 7);

    // No current context: memory calls fail as on a real driver.
    CHECK_RC(CUDA_ERROR_INVALID_CONTEXT, cuMemAlloc_v2(&p, 64));
    CUcontext ctx = nullptr;
    CHECK_RC(CUDA_SUCCESS, cuDevicePrimaryCtxRetain(&ctx, 0));
    CHECK_RC(CUDA_SUCCESS, cuCtxSetCurrent(ctx));

    // New memory holds the NaN pattern.
    CHECK_RC(CUDA_SUCCESS, cuMemAlloc_v2(&p, 16 * sizeof(float)));
    float host[16];
    CHECK_RC(CUDA_SUCCESS, cuMemcpyDtoH_v2(host, p, sizeof host));
    CHECK(std::isnan(host[0]) && bitsOf(host[15]) == 0x7FC0DEADu);

    // Work on a stream runs only at a synchronisation point: a pinned-memory download read before
    // synchronising still holds what was there.
    CUstream s = nullptr;
    CHECK_RC(CUDA_SUCCESS, cuStreamCreate(&s, 0));
    float* pinned = nullptr;
    CHECK_RC(CUDA_SUCCESS, cuMemAllocHost_v2((void**)&pinned, 16 * sizeof(float)));
    for (int i = 0; i < 16; i++) pinned[i] = -1.0f;
    CHECK_RC(CUDA_SUCCESS, cuMemsetD32Async(p, bitsOf(3.5f), 16, s));
    CHECK_RC(CUDA_SUCCESS, cuMemcpyDtoHAsync_v2(pinned, p, 16 * sizeof(float), s));
    CHECK(pinned[0] == -1.0f);
    CHECK_RC(CUDA_SUCCESS, cuStreamSynchronize(s));
    CHECK(pinned[0] == 3.5f && pinned[15] == 3.5f);

    // A module of the committed PTX, a launch of the CPU build of its kernel.
    std::string ptx = readPtx("elementwise");
    CUmodule mod = nullptr;
    CHECK_RC(CUDA_SUCCESS, cuModuleLoadData(&mod, ptx.c_str()));
    CUfunction fill = nullptr;
    CHECK_RC(CUDA_SUCCESS, cuModuleGetFunction(&fill, mod, "fovea_fill"));
    CHECK_RC(CUDA_ERROR_NOT_FOUND, cuModuleGetFunction(&fill, mod, "no_such_kernel"));
    CHECK_RC(CUDA_SUCCESS, cuModuleGetFunction(&fill, mod, "fovea_fill"));
    CUevent start = nullptr;
    CUevent stop = nullptr;
    CHECK_RC(CUDA_SUCCESS, cuEventCreate(&start, 0));
    CHECK_RC(CUDA_SUCCESS, cuEventCreate(&stop, 0));
    int count = 16;
    float value = 2.25f;
    void* args[] = {&p, &count, &value};
    CHECK_RC(CUDA_SUCCESS, cuEventRecord(start, s));
    CHECK_RC(CUDA_SUCCESS, cuLaunchKernel(fill, 3, 1, 1, 4, 1, 1, 0, s, args, nullptr));
    CHECK_RC(CUDA_SUCCESS, cuEventRecord(stop, s));
    float ms = -1;
    CHECK_RC(CUDA_ERROR_NOT_READY, cuEventElapsedTime(&ms, start, stop));
    CHECK_RC(CUDA_SUCCESS, cuEventSynchronize(stop));
    CHECK_RC(CUDA_SUCCESS, cuEventElapsedTime(&ms, start, stop));
    CHECK(ms >= 0);
    CHECK_RC(CUDA_SUCCESS, cuMemcpyDtoH_v2(host, p, sizeof host));
    CHECK(host[0] == 2.25f && host[15] == 2.25f);

    // Launch limits.
    CHECK_RC(CUDA_ERROR_INVALID_VALUE, cuLaunchKernel(fill, 1, 1, 1, 1025, 1, 1, 0, s, args, nullptr));
    CHECK_RC(CUDA_ERROR_INVALID_VALUE, cuLaunchKernel(fill, 1, 65536, 1, 1, 1, 1, 0, s, args, nullptr));

    // A PTX header newer than the driver, and a parameter list the source does not have.
    std::string newer = ptx;
    newer.replace(newer.find(".version 7.0"), 12, ".version 9.0");
    CUmodule bad = nullptr;
    CHECK_RC(CUDA_ERROR_UNSUPPORTED_PTX_VERSION, cuModuleLoadData(&bad, newer.c_str()));
    std::string stale = ptx;
    size_t at = stale.find(".param .f32 fovea_fill_param_2");
    CHECK(at != std::string::npos);
    stale.replace(at, 11, ".param .u64");
    CHECK_RC(CUDA_ERROR_INVALID_PTX, cuModuleLoadData(&bad, stale.c_str()));

    CHECK_RC(CUDA_SUCCESS, cuEventDestroy_v2(start));
    CHECK_RC(CUDA_SUCCESS, cuEventDestroy_v2(stop));
    CHECK_RC(CUDA_SUCCESS, cuModuleUnload(mod));
    CHECK_RC(CUDA_SUCCESS, cuStreamDestroy_v2(s));
    CHECK_RC(CUDA_SUCCESS, cuMemFreeHost(pinned));
    CHECK_RC(CUDA_SUCCESS, cuMemFree_v2(p));
    CHECK_RC(CUDA_ERROR_INVALID_VALUE, cuMemFree_v2(p));  // double free, reported
    CHECK_RC(CUDA_SUCCESS, cuDevicePrimaryCtxRelease_v2(0));
    std::printf("driver_basics: %s\n", failures == 0 ? "ok" : "FAILED");
    return failures == 0 ? 0 : 1;
}
