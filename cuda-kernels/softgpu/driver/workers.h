// The worker threads that run a kernel's blocks and the libraries' loops in parallel:
// FOVEA_SOFTGPU_THREADS of them in all (the calling thread included), one per core by default.
#ifndef FOVEA_SOFTGPU_DRIVER_WORKERS_H
#define FOVEA_SOFTGPU_DRIVER_WORKERS_H

namespace softgpu {

// body(state, begin, end) over contiguous ranges covering [0, n), at least `grain` long, on the
// workers and the calling thread. A call from inside a running body runs serially.
void parallelFor(long long n, long long grain, void (*body)(void*, long long, long long), void* state);

}  // namespace softgpu

#endif
