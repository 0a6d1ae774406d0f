// The kernels the software GPU can run: Fovea's CUDA C source (cuda-kernels/src/*.cu) compiled for
// the CPU through emu/shim.h, looked up by entry-point name.
#ifndef FOVEA_SOFTGPU_DRIVER_KERNELS_H
#define FOVEA_SOFTGPU_DRIVER_KERNELS_H

#include <array>
#include <string>
#include <vector>

namespace softgpu {

// One launch argument as cuLaunchKernel received it, in an 8-byte slot.
using Slot = std::array<unsigned char, 8>;

struct Dim {
    unsigned x, y, z;
};

struct KernelImpl {
    std::string name;
    // One letter per C parameter: p pointer, i int, f float, l long long.
    std::string params;
    // Runs the whole grid (blocks over the worker threads, each block's threads in turn).
    void (*run)(const KernelImpl& self, Dim grid, Dim block, const std::vector<Slot>& args);
    void* function;  // the C function, for run()
};

// The CPU build of the entry point `name`, or null.
const KernelImpl* findKernel(const std::string& name);

}  // namespace softgpu

#endif
