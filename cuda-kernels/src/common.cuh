// Shared by every Fovea kernel module: the grid-stride loop and small float helpers.
//
// Every entry point is launched on a 1-D grid of 1-D blocks, of any size: each thread walks the
// flat work index i = blockIdx.x * blockDim.x + threadIdx.x, then i += blockDim.x * gridDim.x, so
// the result never depends on the launch configuration or on the order threads run in. Indices are
// 64-bit so that no intermediate product overflows. Nothing here uses shared memory, atomics, warp
// intrinsics or textures, which is what lets the same source run on the CPU under emu/shim.h.
#ifndef FOVEA_COMMON_CUH
#define FOVEA_COMMON_CUH

#define FOVEA_GRID_LOOP(i, n)                                                                 \
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < (long long)(n); \
         i += (long long)blockDim.x * gridDim.x)

__device__ __forceinline__ bool fovea_is_nan(float v) {
    return v != v;
}

// 1 / (1 + e^-x) without exponentiating a large positive number.
__device__ __forceinline__ float fovea_sigmoid(float x) {
    if (x >= 0.0f) {
        return 1.0f / (1.0f + expf(-x));
    }
    float e = expf(x);
    return e / (1.0f + e);
}

#endif
