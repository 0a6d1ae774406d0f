// Lets g++ compile an unmodified Fovea .cu file as C++ and run its kernels on the CPU:
//   g++ -std=c++20 -x c++ -include shim.h ...
// The CUDA qualifiers are defined away, the built-in index variables become thread-local globals,
// and fovea_emu_launch runs every (block, thread) of a 1-D or 3-D launch one after another. That is
// faithful for kernels that use no shared memory, __syncthreads, atomics or warp intrinsics and do
// not depend on the order threads run in, which is how every Fovea kernel is written (KERNELS.md);
// the launcher can also run the threads in reverse order to check the last point.
#ifndef FOVEA_EMU_SHIM_H
#define FOVEA_EMU_SHIM_H

#include <bit>
#include <math.h>

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline

struct uint3 {
    unsigned x, y, z;
};

struct dim3 {
    unsigned x, y, z;
    constexpr dim3(unsigned x_ = 1, unsigned y_ = 1, unsigned z_ = 1) : x(x_), y(y_), z(z_) {}
};

inline thread_local uint3 threadIdx;
inline thread_local uint3 blockIdx;
inline thread_local dim3 blockDim;
inline thread_local dim3 gridDim;

// CUDA's integer min/max device functions.
inline int min(int a, int b) {
    return a < b ? a : b;
}
inline int max(int a, int b) {
    return a > b ? a : b;
}

inline float __int_as_float(int v) {
    return std::bit_cast<float>(v);
}

// Runs kernel(args...) once for every thread of every block; reverse != 0 visits them last to first.
template <class... Params, class... Args>
void fovea_emu_launch(dim3 grid, dim3 block, bool reverse, void (*kernel)(Params...), Args... args) {
    gridDim = grid;
    blockDim = block;
    const unsigned long long blocks = (unsigned long long)grid.x * grid.y * grid.z;
    const unsigned long long threads = (unsigned long long)block.x * block.y * block.z;
    for (unsigned long long b = 0; b < blocks; b++) {
        unsigned long long bb = reverse ? blocks - 1 - b : b;
        blockIdx = {unsigned(bb % grid.x), unsigned(bb / grid.x % grid.y), unsigned(bb / grid.x / grid.y)};
        for (unsigned long long t = 0; t < threads; t++) {
            unsigned long long tt = reverse ? threads - 1 - t : t;
            threadIdx = {unsigned(tt % block.x), unsigned(tt / block.x % block.y), unsigned(tt / block.x / block.y)};
            kernel(args...);
        }
    }
}

#endif
