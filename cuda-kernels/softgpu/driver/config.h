// The software GPU's settings, read once from the environment by cuInit (SOFTGPU.md lists them).
#ifndef FOVEA_SOFTGPU_DRIVER_CONFIG_H
#define FOVEA_SOFTGPU_DRIVER_CONFIG_H

#include <cstddef>
#include <string>

namespace softgpu {

struct Config {
    int devices = 1;                          // FOVEA_SOFTGPU_DEVICES
    size_t memoryBytes = size_t(4) << 30;     // FOVEA_SOFTGPU_MEMORY, per device ("512M", "4G")
    int ccMajor = 7;                          // FOVEA_SOFTGPU_CC ("7.5", "8.6")
    int ccMinor = 5;
    int multiprocessors = 40;                 // FOVEA_SOFTGPU_SMS (a Turing T4 has 40)
    int threads = 0;                          // FOVEA_SOFTGPU_THREADS, worker threads (0: one per core)
    long long failAllocation = 0;             // FOVEA_SOFTGPU_FAIL_ALLOC=N or N+: the Nth (and later) cuMemAlloc fail
    bool failAllocationOnward = false;
    long long failLaunch = 0;                 // FOVEA_SOFTGPU_FAIL_LAUNCH=N: the Nth cuLaunchKernel fails
    std::string failLaunchKernel;             // FOVEA_SOFTGPU_FAIL_LAUNCH=NAME: every launch of kernel NAME fails
    long long failLibrary = 0;                // FOVEA_SOFTGPU_FAIL_LIBRARY=N or N+: the Nth (and later) library
    bool failLibraryOnward = false;           //   calls fail with their ALLOC_FAILED status
    std::string kernels = "source";           // FOVEA_SOFTGPU_KERNELS: how kernels run (source: the CPU build of the .cu)
    size_t quarantineBytes = size_t(64) << 20;   // FOVEA_SOFTGPU_QUARANTINE: freed memory kept poisoned
    bool leakReport = false;                  // FOVEA_SOFTGPU_LEAKS=report: list live objects at exit

    // Reads the variables; on a malformed value returns false with the reason in *error.
    static bool fromEnvironment(Config* out, std::string* error);
};

}  // namespace softgpu

#endif
