#include "state.h"

#include "counters.h"
#include "streams.h"

#include "../softgpu.h"

#include <cstdio>

namespace softgpu {
namespace {

State* instance = nullptr;
thread_local std::vector<Context*> stack;  // the context stack; its top is the current context

}  // namespace

std::recursive_mutex& lock() {
    static std::recursive_mutex m;
    return m;
}

State* state() {
    return instance;
}

void installState(State* s) {
    instance = s;
}

std::vector<Context*>& contextStack() {
    return stack;
}

Context* current() {
    return stack.empty() ? nullptr : stack.back();
}

void setCurrent(Context* c) {
    if (c == nullptr) {
        if (!stack.empty()) stack.pop_back();
    } else if (stack.empty()) {
        stack.push_back(c);
    } else {
        stack.back() = c;
    }
}

CUresult requireContext(Context** out) {
    if (instance == nullptr) {
        return CUDA_ERROR_NOT_INITIALIZED;
    }
    Context* c = current();
    if (c == nullptr || instance->contexts.count(c) == 0 || !c->alive) {
        return CUDA_ERROR_INVALID_CONTEXT;
    }
    *out = c;
    return c->sticky;
}

CUresult resolveStream(CUstream handle, Context* ctx, Stream** out) {
    if (handle == nullptr || handle == SOFTGPU_STREAM_LEGACY || handle == SOFTGPU_STREAM_PER_THREAD) {
        *out = ctx->legacy.get();
        return CUDA_SUCCESS;
    }
    if (instance->streams.count(handle) == 0) {
        return CUDA_ERROR_INVALID_HANDLE;
    }
    if (handle->context != ctx) {
        report("a stream of another context was used while cuda:" + std::to_string(ctx->device->ordinal) +
               "'s context is current");
        return CUDA_ERROR_INVALID_HANDLE;
    }
    *out = handle;
    return CUDA_SUCCESS;
}

void poison(Context* ctx, CUresult error, const std::string& message) {
    count(FAULTS);
    report(message);
    if (ctx != nullptr && ctx->sticky == CUDA_SUCCESS) {
        ctx->sticky = error;
        report("cuda:" + std::to_string(ctx->device->ordinal) + "'s context is now unusable (error " +
               std::to_string(error) + " from every later call, as on a real GPU after a fault)");
    }
}

void report(const std::string& message) {
    std::fprintf(stderr, "softgpu: %s\n", message.c_str());
    std::fflush(stderr);
}

}  // namespace softgpu

using namespace softgpu;

SOFTGPU_API void softgpu_report(const char* message) {
    report(message);
}

SOFTGPU_API void* softgpu_current_context() {
    std::lock_guard<std::recursive_mutex> l(lock());
    Context* c = current();
    return state() != nullptr && c != nullptr && state()->contexts.count(c) != 0 && c->alive ? c : nullptr;
}

SOFTGPU_API int softgpu_context_device(void* context, int* ordinal, int* ccMajor, int* ccMinor) {
    std::lock_guard<std::recursive_mutex> l(lock());
    auto* c = static_cast<Context*>(context);
    if (state() == nullptr || state()->contexts.count(c) == 0 || !c->alive) {
        return SOFTGPU_ERROR_INVALID_CONTEXT;
    }
    *ordinal = c->device->ordinal;
    *ccMajor = c->device->ccMajor;
    *ccMinor = c->device->ccMinor;
    return SOFTGPU_SUCCESS;
}

SOFTGPU_API int softgpu_stream_context(void* stream, void** context) {
    std::lock_guard<std::recursive_mutex> l(lock());
    if (state() == nullptr) {
        return SOFTGPU_ERROR_INVALID_CONTEXT;
    }
    auto* s = static_cast<CUstream>(stream);
    if (s == nullptr || s == SOFTGPU_STREAM_LEGACY || s == SOFTGPU_STREAM_PER_THREAD) {
        Context* c = current();
        if (c == nullptr || state()->contexts.count(c) == 0 || !c->alive) {
            return SOFTGPU_ERROR_INVALID_CONTEXT;
        }
        *context = c;
        return SOFTGPU_SUCCESS;
    }
    if (state()->streams.count(s) == 0) {
        return SOFTGPU_ERROR_INVALID_HANDLE;
    }
    *context = s->context;
    return SOFTGPU_SUCCESS;
}

SOFTGPU_API int softgpu_enqueue(void* stream, const char* call, void (*run)(void*), void (*release)(void*),
                                void* stateArg) {
    std::lock_guard<std::recursive_mutex> l(lock());
    Context* ctx = nullptr;
    CUresult rc = requireContext(&ctx);
    Stream* s = nullptr;
    if (rc == CUDA_SUCCESS) {
        rc = resolveStream(static_cast<CUstream>(stream), ctx, &s);
    }
    if (rc != CUDA_SUCCESS) {
        if (rc == CUDA_ERROR_INVALID_CONTEXT) {
            report(std::string(call) + ": no context is current on this thread, or its stream belongs to another one");
        }
        release(stateArg);
        return rc;
    }
    std::shared_ptr<void> owned(stateArg, release);
    enqueue(s, call, call, [run, owned] { run(owned.get()); });
    return CUDA_SUCCESS;
}

SOFTGPU_API int softgpu_check_range(void* context, const void* p, size_t bytes, const char* call,
                                    const char* argument) {
    if (bytes == 0) {
        return SOFTGPU_SUCCESS;
    }
    std::lock_guard<std::recursive_mutex> l(lock());
    auto* c = static_cast<Context*>(context);
    if (state() == nullptr || state()->contexts.count(c) == 0) {
        return SOFTGPU_ERROR_INVALID_CONTEXT;
    }
    auto addr = reinterpret_cast<uintptr_t>(p);
    Location where = state()->memory.locate(addr, bytes, c->device);
    if (where.kind == Location::INSIDE) {
        return SOFTGPU_SUCCESS;
    }
    poison(c, CUDA_ERROR_ILLEGAL_ADDRESS,
           std::string(call) + ": argument " + argument + " " + where.describe(addr, bytes));
    return SOFTGPU_ERROR_ILLEGAL_ADDRESS;
}

SOFTGPU_API int softgpu_library_allocation_fails(const char* call) {
    std::lock_guard<std::recursive_mutex> l(lock());
    State* s = state();
    if (s == nullptr || s->config.failLibrary == 0) {
        return 0;
    }
    long long n = ++s->libraryCalls;
    const Config& c = s->config;
    if (n == c.failLibrary || (c.failLibraryOnward && n > c.failLibrary)) {
        report(std::string(call) + ": the library could not allocate its memory, injected by FOVEA_SOFTGPU_FAIL_LIBRARY"
               " (call " + std::to_string(n) + ")");
        return 1;
    }
    return 0;
}
