// A private stand-in for the software GPU's driver (libcuda.so.1), for developing the cuDNN library
// before the real driver links. Only what the cuDNN library and its tests use: one device, primary
// contexts, allocations filled with NaNs and tracked for range checks, streams whose work waits
// until a synchronisation, and a thread-splitting parallel_for. Not part of any build but
// test-double/Makefile's.
#include "softgpu.h"

#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#define CU_API extern "C" __attribute__((visibility("default")))

namespace {

struct Work {
    void (*run)(void*);
    void (*release)(void*);
    void* state;
};

struct Context;

struct Stream {
    Context* ctx;
    std::deque<Work> queue;
};

struct Context {
    int ordinal = 0;
    int ccMajor = 7, ccMinor = 5;
    Stream legacy{this, {}};
    std::vector<Stream*> streams;
    int sticky = 0;
};

std::mutex g_mutex;
Context* g_primary = nullptr;
thread_local Context* t_current = nullptr;
std::map<uintptr_t, size_t> g_allocations;  // start -> bytes
std::set<void*> g_streams;
long long g_objects[3];
long long g_calls[2];

void drain(Stream* s) {
    while (!s->queue.empty()) {
        Work w = s->queue.front();
        s->queue.pop_front();
        if (s->ctx->sticky == 0) w.run(w.state);
        if (w.release) w.release(w.state);
    }
}

void drainAll(Context* c) {
    drain(&c->legacy);
    for (Stream* s : c->streams) drain(s);
}

Stream* resolve(void* stream) {
    if (stream == nullptr) return t_current ? &t_current->legacy : nullptr;
    if (!g_streams.count(stream)) return nullptr;
    return static_cast<Stream*>(stream);
}

}  // namespace

// ---- driver API subset ---------------------------------------------------------------------------

CU_API int cuInit(unsigned) {
    std::lock_guard<std::mutex> lock(g_mutex);
    if (!g_primary) {
        g_primary = new Context();
        if (const char* cc = std::getenv("FOVEA_SOFTGPU_CC")) {
            std::sscanf(cc, "%d.%d", &g_primary->ccMajor, &g_primary->ccMinor);
        }
    }
    return 0;
}

CU_API int cuDeviceGet(int* device, int ordinal) {
    if (ordinal != 0) return 101;
    *device = 0;
    return 0;
}

CU_API int cuDevicePrimaryCtxRetain(void** ctx, int device) {
    if (!g_primary || device != 0) return 3;
    *ctx = g_primary;
    return 0;
}

CU_API int cuCtxSetCurrent(void* ctx) {
    t_current = static_cast<Context*>(ctx);
    return 0;
}

CU_API int cuCtxGetCurrent(void** ctx) {
    *ctx = t_current;
    return 0;
}

CU_API int cuMemAlloc_v2(unsigned long long* dptr, size_t bytes) {
    if (!t_current) return 201;
    void* p = nullptr;  // exactly `bytes`, so that a sanitizer build sees any overrun
    if (posix_memalign(&p, 256, bytes ? bytes : 1) != 0) return 2;
    float nan = std::nanf("");
    for (size_t i = 0; i + 4 <= bytes; i += 4) std::memcpy(static_cast<char*>(p) + i, &nan, 4);
    std::lock_guard<std::mutex> lock(g_mutex);
    g_allocations[uintptr_t(p)] = bytes;
    *dptr = uintptr_t(p);
    return 0;
}

CU_API int cuMemFree_v2(unsigned long long dptr) {
    if (t_current) drainAll(t_current);
    std::lock_guard<std::mutex> lock(g_mutex);
    auto it = g_allocations.find(uintptr_t(dptr));
    if (it == g_allocations.end()) return 1;
    g_allocations.erase(it);
    std::free(reinterpret_cast<void*>(dptr));
    return 0;
}

CU_API int cuMemcpyHtoD_v2(unsigned long long dst, const void* src, size_t bytes) {
    if (!t_current) return 201;
    drainAll(t_current);
    std::memcpy(reinterpret_cast<void*>(dst), src, bytes);
    return 0;
}

CU_API int cuMemcpyDtoH_v2(void* dst, unsigned long long src, size_t bytes) {
    if (!t_current) return 201;
    drainAll(t_current);
    std::memcpy(dst, reinterpret_cast<const void*>(src), bytes);
    return t_current->sticky;
}

CU_API int cuStreamCreate(void** stream, unsigned) {
    if (!t_current) return 201;
    Stream* s = new Stream{t_current, {}};
    t_current->streams.push_back(s);
    g_streams.insert(s);
    *stream = s;
    return 0;
}

CU_API int cuStreamDestroy_v2(void* stream) {
    Stream* s = static_cast<Stream*>(stream);
    drain(s);
    auto& v = s->ctx->streams;
    for (size_t i = 0; i < v.size(); i++) {
        if (v[i] == s) v.erase(v.begin() + long(i));
    }
    g_streams.erase(s);
    delete s;
    return 0;
}

CU_API int cuStreamSynchronize(void* stream) {
    Stream* s = resolve(stream);
    if (!s) return 201;
    drain(s);
    return s->ctx->sticky;
}

CU_API int cuCtxSynchronize() {
    if (!t_current) return 201;
    drainAll(t_current);
    return t_current->sticky;
}

// ---- the softgpu interface -----------------------------------------------------------------------

SOFTGPU_API void* softgpu_current_context() { return t_current; }

SOFTGPU_API int softgpu_context_device(void* context, int* ordinal, int* ccMajor, int* ccMinor) {
    Context* c = static_cast<Context*>(context);
    if (c != g_primary) return SOFTGPU_ERROR_INVALID_CONTEXT;
    *ordinal = c->ordinal;
    *ccMajor = c->ccMajor;
    *ccMinor = c->ccMinor;
    return 0;
}

SOFTGPU_API int softgpu_stream_context(void* stream, void** context) {
    Stream* s = resolve(stream);
    if (!s) return stream ? SOFTGPU_ERROR_INVALID_HANDLE : SOFTGPU_ERROR_INVALID_CONTEXT;
    *context = s->ctx;
    return 0;
}

SOFTGPU_API int softgpu_enqueue(void* stream, const char* call, void (*run)(void*), void (*release)(void*),
                                void* state) {
    Stream* s = resolve(stream);
    if (!s || s->ctx != t_current) {
        if (release) release(state);
        return SOFTGPU_ERROR_INVALID_CONTEXT;
    }
    if (s->ctx->sticky) {
        if (release) release(state);
        return s->ctx->sticky;
    }
    s->queue.push_back(Work{run, release, state});
    return 0;
}

SOFTGPU_API int softgpu_check_range(void* context, const void* p, size_t bytes, const char* call,
                                    const char* argument) {
    if (bytes == 0) return 0;
    std::lock_guard<std::mutex> lock(g_mutex);
    uintptr_t a = uintptr_t(p);
    auto it = g_allocations.upper_bound(a);
    if (it != g_allocations.begin()) {
        --it;
        if (a >= it->first && a + bytes <= it->first + it->second) return 0;
        if (a >= it->first && a < it->first + it->second) {
            std::fprintf(stderr, "softgpu: %s: %s is out of bounds by %zu bytes\n", call, argument,
                         size_t(a + bytes - it->first - it->second));
            static_cast<Context*>(context)->sticky = SOFTGPU_ERROR_ILLEGAL_ADDRESS;
            return SOFTGPU_ERROR_ILLEGAL_ADDRESS;
        }
    }
    std::fprintf(stderr, "softgpu: %s: %s (%p) is not device memory\n", call, argument, p);
    static_cast<Context*>(context)->sticky = SOFTGPU_ERROR_ILLEGAL_ADDRESS;
    return SOFTGPU_ERROR_ILLEGAL_ADDRESS;
}

SOFTGPU_API void softgpu_parallel_for(long long n, long long grain, void (*body)(void*, long long, long long),
                                      void* state) {
    static int threads = [] {
        const char* t = std::getenv("FAKE_THREADS");
        return t ? std::atoi(t) : 2;
    }();
    if (grain < 1) grain = 1;
    long long pieces = std::min<long long>(threads, (n + grain - 1) / grain);
    if (pieces <= 1) {
        if (n > 0) body(state, 0, n);
        return;
    }
    std::vector<std::thread> pool;
    for (long long i = 1; i < pieces; i++) {
        pool.emplace_back([=] { body(state, n * i / pieces, n * (i + 1) / pieces); });
    }
    body(state, 0, n / pieces);
    for (auto& t : pool) t.join();
}

SOFTGPU_API void softgpu_report(const char* message) {
    std::fprintf(stderr, "softgpu: %s\n", message);
    std::fflush(stderr);
}

SOFTGPU_API void softgpu_object_created(int object) { g_objects[object]++; }
SOFTGPU_API void softgpu_object_destroyed(int object) { g_objects[object]--; }
SOFTGPU_API void softgpu_count_library_call(int library) { g_calls[library]++; }
