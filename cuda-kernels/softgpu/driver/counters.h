// Activity and live-object counters of the software GPU, kept in a shared-memory file that the
// Java side maps to read them (dev.fovea.backend.cuda.SoftGpuCounters): a memfd named
// "fovea-softgpu-counters", found through /proc/self/fd, holding COUNTER_COUNT native-endian
// 64-bit integers in the order below. Append new counters at the end and raise VERSION.
#ifndef FOVEA_SOFTGPU_DRIVER_COUNTERS_H
#define FOVEA_SOFTGPU_DRIVER_COUNTERS_H

namespace softgpu {

enum Counter {
    MAGIC = 0,                // 0x465645415347500A ("FOVEASGP" + version byte)
    VERSION,                  // 1
    LAUNCHES,                 // kernel launches queued
    CUBLAS_CALLS,             // cuBLAS calls that queued device work
    CUDNN_CALLS,              // cuDNN calls that queued device work
    HTOD_COPIES,              // host-to-device copies and their bytes
    HTOD_BYTES,
    DTOH_COPIES,              // device-to-host copies and their bytes
    DTOH_BYTES,
    DTOD_COPIES,              // device-to-device copies and their bytes
    DTOD_BYTES,
    MEMSETS,                  // cuMemsetD8/D32 (sync and async)
    SYNCHRONIZATIONS,         // host waits: stream/context/event synchronise, synchronous copies
    DEVICE_ALLOCATIONS,       // successful cuMemAlloc
    DEVICE_FREES,
    HOST_ALLOCATIONS,         // cuMemAllocHost / cuMemHostAlloc
    HOST_FREES,
    LIVE_DEVICE_ALLOCATIONS,  // live objects, for the leak check
    LIVE_DEVICE_BYTES,
    LIVE_HOST_ALLOCATIONS,
    LIVE_STREAMS,
    LIVE_EVENTS,
    LIVE_MODULES,
    LIVE_CONTEXTS,            // active contexts (a primary context while retained)
    LIVE_CUBLAS_HANDLES,
    LIVE_CUDNN_HANDLES,
    LIVE_CUDNN_DESCRIPTORS,
    FAULTS,                   // illegal addresses, corrupted canaries, double frees, failed kernels
    LEAKED,                   // objects still alive when their context was destroyed
    COUNTER_COUNT
};

constexpr unsigned long long COUNTERS_MAGIC = 0x465645415347500AULL;
constexpr long long COUNTERS_VERSION = 1;

void count(Counter c, long long delta = 1);
long long counter(Counter c);

}  // namespace softgpu

#endif
