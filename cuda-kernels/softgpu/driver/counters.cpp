#include "counters.h"

#include "../softgpu.h"

#include <atomic>
#include <cstdint>
#include <sys/mman.h>
#include <unistd.h>

namespace softgpu {
namespace {

// The counters live in a memfd so that the JVM can map the same pages; without memfd support
// they fall back to process memory (then only the leak report sees them).
std::atomic<long long>* table() {
    static std::atomic<long long>* counters = [] {
        size_t bytes = sizeof(long long) * COUNTER_COUNT;
        void* mem = MAP_FAILED;
        int fd = memfd_create("fovea-softgpu-counters", MFD_CLOEXEC);
        if (fd >= 0 && ftruncate(fd, (off_t)bytes) == 0) {
            mem = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        }
        // The fd stays open: it is how the Java side finds the counters.
        if (mem == MAP_FAILED) {
            mem = new long long[COUNTER_COUNT]();
        }
        auto* t = static_cast<std::atomic<long long>*>(mem);
        for (int i = 0; i < COUNTER_COUNT; i++) {
            new (&t[i]) std::atomic<long long>(0);
        }
        t[VERSION].store(COUNTERS_VERSION);
        t[MAGIC].store((long long)COUNTERS_MAGIC);
        return t;
    }();
    return counters;
}

}  // namespace

void count(Counter c, long long delta) {
    table()[c].fetch_add(delta, std::memory_order_relaxed);
}

long long counter(Counter c) {
    return table()[c].load(std::memory_order_relaxed);
}

}  // namespace softgpu

SOFTGPU_API void softgpu_object_created(int object) {
    using namespace softgpu;
    switch (object) {
        case SOFTGPU_OBJECT_CUBLAS_HANDLE: count(LIVE_CUBLAS_HANDLES); break;
        case SOFTGPU_OBJECT_CUDNN_HANDLE: count(LIVE_CUDNN_HANDLES); break;
        case SOFTGPU_OBJECT_CUDNN_DESCRIPTOR: count(LIVE_CUDNN_DESCRIPTORS); break;
        default: break;
    }
}

SOFTGPU_API void softgpu_object_destroyed(int object) {
    using namespace softgpu;
    switch (object) {
        case SOFTGPU_OBJECT_CUBLAS_HANDLE: count(LIVE_CUBLAS_HANDLES, -1); break;
        case SOFTGPU_OBJECT_CUDNN_HANDLE: count(LIVE_CUDNN_HANDLES, -1); break;
        case SOFTGPU_OBJECT_CUDNN_DESCRIPTOR: count(LIVE_CUDNN_DESCRIPTORS, -1); break;
        default: break;
    }
}

SOFTGPU_API void softgpu_count_library_call(int library) {
    softgpu::count(library == SOFTGPU_LIBRARY_CUBLAS ? softgpu::CUBLAS_CALLS : softgpu::CUDNN_CALLS);
}
