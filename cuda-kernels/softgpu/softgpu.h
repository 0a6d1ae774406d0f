// The software GPU's internal interface: what libcublas.so.11 and libcudnn.so.8 use of the driver
// (libcuda.so.1), which exports these functions next to the CUDA driver API. Not part of any NVIDIA
// API; nothing outside cuda-kernels/softgpu calls them.
//
// A device pointer of the software GPU is a host address: kernels and library code dereference it
// directly. Every allocation is tracked by the driver, so the libraries check each pointer range
// they will touch (softgpu_check_range) before they queue work that touches it.
#ifndef FOVEA_SOFTGPU_H
#define FOVEA_SOFTGPU_H

#include <cstddef>
#include <cstdint>
#include <functional>
#include <type_traits>
#include <utility>

#define SOFTGPU_API extern "C" __attribute__((visibility("default")))

// CUresult values the libraries see from these functions (as in the CUDA driver API).
enum SoftgpuResult {
    SOFTGPU_SUCCESS = 0,
    SOFTGPU_ERROR_INVALID_VALUE = 1,
    SOFTGPU_ERROR_OUT_OF_MEMORY = 2,
    SOFTGPU_ERROR_INVALID_CONTEXT = 201,
    SOFTGPU_ERROR_INVALID_HANDLE = 400,
    SOFTGPU_ERROR_ILLEGAL_ADDRESS = 700,
    SOFTGPU_ERROR_LAUNCH_FAILED = 719,
};

// Objects whose lifetimes the driver counts for the leak report (see softgpu_counters_layout).
enum SoftgpuObject {
    SOFTGPU_OBJECT_CUBLAS_HANDLE = 0,
    SOFTGPU_OBJECT_CUDNN_HANDLE = 1,
    SOFTGPU_OBJECT_CUDNN_DESCRIPTOR = 2,
};

// Which library made a call, for the per-library call counters.
enum SoftgpuLibrary {
    SOFTGPU_LIBRARY_CUBLAS = 0,
    SOFTGPU_LIBRARY_CUDNN = 1,
};

// The context current on the calling thread (a CUcontext), or null when none is.
SOFTGPU_API void* softgpu_current_context();

// Device ordinal and compute capability of a context; SOFTGPU_ERROR_INVALID_CONTEXT for an unknown one.
SOFTGPU_API int softgpu_context_device(void* context, int* ordinal, int* ccMajor, int* ccMinor);

// The context a stream belongs to. A null stream is the legacy default stream of the context
// current on the calling thread. SOFTGPU_ERROR_INVALID_HANDLE for a destroyed or unknown stream.
SOFTGPU_API int softgpu_stream_context(void* stream, void** context);

// Queues work on a stream, in order after everything queued there before; it runs when the host
// synchronises with the stream (or with work queued after it), never during this call. `call` is
// the API function that queued it (kept for error reports, must outlive the work: a literal).
// `release` frees `state` after the work ran or was dropped. Returns a SoftgpuResult: a sticky
// error of the stream's context, SOFTGPU_ERROR_INVALID_HANDLE for a bad stream,
// SOFTGPU_ERROR_INVALID_CONTEXT when the stream's context is not current on this thread.
SOFTGPU_API int softgpu_enqueue(void* stream, const char* call, void (*run)(void* state), void (*release)(void* state),
                                void* state);

// Checks that [p, p + bytes) lies inside one live device allocation of the device of `context`.
// On failure prints a report naming `call` and `argument` (freed memory, out of bounds by how many
// bytes, not device memory, memory of another device), makes SOFTGPU_ERROR_ILLEGAL_ADDRESS the
// context's sticky error and returns it. bytes == 0 checks nothing and succeeds.
SOFTGPU_API int softgpu_check_range(void* context, const void* p, size_t bytes, const char* call,
                                    const char* argument);

// Runs body(state, begin, end) over disjoint ranges covering [0, n) on the driver's worker threads
// and the calling thread; returns when all are done. Ranges are contiguous and at least `grain` long.
SOFTGPU_API void softgpu_parallel_for(long long n, long long grain, void (*body)(void* state, long long begin,
                                                                               long long end), void* state);

// Prints "softgpu: <message>" on stderr (one line, flushed).
SOFTGPU_API void softgpu_report(const char* message);

// Counts an object created or destroyed (handles, descriptors), for the counters and leak report.
SOFTGPU_API void softgpu_object_created(int object);
SOFTGPU_API void softgpu_object_destroyed(int object);

// Counts one API call of a library that queued device work.
SOFTGPU_API void softgpu_count_library_call(int library);

// Whether this library call must fail as if the library could not allocate its own memory
// (FOVEA_SOFTGPU_FAIL_LIBRARY=N: the Nth call that would queue work, N+: that one and every later
// one); `call` is reported. Libraries ask before queueing and return their ALLOC_FAILED status.
SOFTGPU_API int softgpu_library_allocation_fails(const char* call);

// ---- C++ conveniences for the libraries --------------------------------------------------------
namespace softgpu {

// Queues a callable (captured by value: descriptors and host scalars are read at call time, as the
// real libraries do, because the caller may destroy or reuse them before the work runs).
template <class F>
int enqueue(void* stream, const char* call, F&& work) {
    auto* state = new std::function<void()>(std::forward<F>(work));
    return softgpu_enqueue(
        stream, call, [](void* s) { (*static_cast<std::function<void()>*>(s))(); },
        [](void* s) { delete static_cast<std::function<void()>*>(s); }, state);
}

// body(begin, end) over [0, n) on the worker threads.
template <class F>
void parallel_for(long long n, long long grain, F&& body) {
    softgpu_parallel_for(
        n, grain,
        [](void* s, long long b, long long e) { (*static_cast<std::remove_reference_t<F>*>(s))(b, e); },
        const_cast<void*>(static_cast<const void*>(&body)));
}

}  // namespace softgpu

#endif
