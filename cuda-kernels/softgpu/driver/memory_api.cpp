// The driver's memory calls: allocation, copies and memsets with the synchronisation behaviour
// NVIDIA documents ("API synchronization behavior"): copies from pageable host memory are staged at
// call time, copies to pageable memory wait for the stream, pinned-memory copies and everything
// device-to-device run in stream order.
#include "context.h"
#include "counters.h"
#include "streams.h"

#include <cstring>
#include <memory>
#include <vector>

using namespace softgpu;

namespace {

using Guard = std::lock_guard<std::recursive_mutex>;

// Device ranges a copy or memset names must lie inside live allocations of the current device;
// the real driver checks this too and answers CUDA_ERROR_INVALID_VALUE.
bool deviceRange(Context* ctx, CUdeviceptr p, size_t n, const char* call, const char* what) {
    if (n == 0) return true;
    Location where = state()->memory.locate((uintptr_t)p, n, ctx->device);
    if (where.kind == Location::INSIDE) return true;
    count(FAULTS);
    report(std::string(call) + ": " + what + " " + where.describe((uintptr_t)p, n) +
           "; returning CUDA_ERROR_INVALID_VALUE");
    return false;
}

CUresult withStream(CUstream stream, Context** ctx, Stream** s) {
    CUresult rc = requireContext(ctx);
    if (rc != CUDA_SUCCESS) return rc;
    return resolveStream(stream, *ctx, s);
}

bool failInjected() {
    State* s = state();
    long long n = ++s->allocationCalls;
    const Config& c = s->config;
    return c.failAllocation > 0 && (n == c.failAllocation || (c.failAllocationOnward && n > c.failAllocation));
}

}  // namespace

CU_API CUresult cuMemAlloc_v2(CUdeviceptr* out, size_t bytes) {
    Guard l(lock());
    Context* ctx = nullptr;
    CUresult rc = requireContext(&ctx);
    if (rc != CUDA_SUCCESS) return rc;
    if (out == nullptr || bytes == 0) return CUDA_ERROR_INVALID_VALUE;
    Device* d = ctx->device;
    if (failInjected()) {
        report("cuMemAlloc(" + std::to_string(bytes) + "): out of memory, injected by FOVEA_SOFTGPU_FAIL_ALLOC (call " +
               std::to_string(state()->allocationCalls) + ")");
        return CUDA_ERROR_OUT_OF_MEMORY;
    }
    size_t charged = (bytes + GRANULE - 1) / GRANULE * GRANULE;
    if (charged > d->totalMemory - d->usedMemory) {
        return CUDA_ERROR_OUT_OF_MEMORY;
    }
    const Allocation* a = state()->memory.allocate(d, ctx, bytes);
    if (a == nullptr) return CUDA_ERROR_OUT_OF_MEMORY;
    d->usedMemory += a->charged;
    count(DEVICE_ALLOCATIONS);
    count(LIVE_DEVICE_ALLOCATIONS);
    count(LIVE_DEVICE_BYTES, (long long)a->charged);
    *out = a->base;
    return CUDA_SUCCESS;
}

CU_API CUresult cuMemAllocPitch_v2(CUdeviceptr* out, size_t* pitch, size_t width, size_t height, unsigned int elem) {
    Guard l(lock());
    if (pitch == nullptr || width == 0 || height == 0) return CUDA_ERROR_INVALID_VALUE;
    *pitch = (width + GRANULE - 1) / GRANULE * GRANULE;
    return cuMemAlloc_v2(out, *pitch * height);
}

CU_API CUresult cuMemFree_v2(CUdeviceptr p) {
    Guard l(lock());
    Context* ctx = nullptr;
    CUresult rc = requireContext(&ctx);
    if (ctx == nullptr) return rc;
    if (p == 0) return CUDA_SUCCESS;
    // Freeing waits for the device: queued work may still read the block.
    drainContext(ctx);
    const Allocation* a = state()->memory.find((uintptr_t)p);
    Device* owner = a != nullptr ? a->device : nullptr;
    size_t charged = a != nullptr ? a->charged : 0;
    std::string why;
    if (!state()->memory.free((uintptr_t)p, "cuMemFree", &why)) {
        count(FAULTS);
        report("cuMemFree: " + why + "; returning CUDA_ERROR_INVALID_VALUE");
        return CUDA_ERROR_INVALID_VALUE;
    }
    owner->usedMemory -= charged;
    count(DEVICE_FREES);
    count(LIVE_DEVICE_ALLOCATIONS, -1);
    count(LIVE_DEVICE_BYTES, -(long long)charged);
    return ctx->sticky;
}

CU_API CUresult cuMemGetInfo_v2(size_t* freeBytes, size_t* totalBytes) {
    Guard l(lock());
    Context* ctx = nullptr;
    CUresult rc = requireContext(&ctx);
    if (rc != CUDA_SUCCESS) return rc;
    if (freeBytes == nullptr || totalBytes == nullptr) return CUDA_ERROR_INVALID_VALUE;
    *totalBytes = ctx->device->totalMemory;
    *freeBytes = ctx->device->totalMemory - ctx->device->usedMemory;
    return CUDA_SUCCESS;
}

CU_API CUresult cuMemGetAddressRange_v2(CUdeviceptr* base, size_t* size, CUdeviceptr p) {
    Guard l(lock());
    Context* ctx = nullptr;
    CUresult rc = requireContext(&ctx);
    if (rc != CUDA_SUCCESS) return rc;
    Location where = state()->memory.locate((uintptr_t)p, 1, nullptr);
    if (where.kind != Location::INSIDE) return CUDA_ERROR_NOT_FOUND;
    if (base != nullptr) *base = where.allocation->base;
    if (size != nullptr) *size = where.allocation->bytes;
    return CUDA_SUCCESS;
}

// ---- pinned host memory -----------------------------------------------------------------------

CU_API CUresult cuMemAllocHost_v2(void** out, size_t bytes) {
    Guard l(lock());
    Context* ctx = nullptr;
    CUresult rc = requireContext(&ctx);
    if (rc != CUDA_SUCCESS) return rc;
    if (out == nullptr || bytes == 0) return CUDA_ERROR_INVALID_VALUE;
    void* p = state()->memory.allocateHost(bytes);
    if (p == nullptr) return CUDA_ERROR_OUT_OF_MEMORY;
    count(HOST_ALLOCATIONS);
    count(LIVE_HOST_ALLOCATIONS);
    *out = p;
    return CUDA_SUCCESS;
}

CU_API CUresult cuMemHostAlloc(void** out, size_t bytes, unsigned int flags) {
    return cuMemAllocHost_v2(out, bytes);
}

CU_API CUresult cuMemFreeHost(void* p) {
    Guard l(lock());
    Context* ctx = nullptr;
    CUresult rc = requireContext(&ctx);
    if (ctx == nullptr) return rc;
    drainContext(ctx);  // queued copies may still read or write it
    if (!state()->memory.freeHost(p)) {
        count(FAULTS);
        report("cuMemFreeHost: the pointer is not pinned memory of the software GPU (freed twice?)");
        return CUDA_ERROR_INVALID_VALUE;
    }
    count(HOST_FREES);
    count(LIVE_HOST_ALLOCATIONS, -1);
    return ctx->sticky;
}

// ---- copies -----------------------------------------------------------------------------------

CU_API CUresult cuMemcpyHtoDAsync_v2(CUdeviceptr dst, const void* src, size_t n, CUstream stream) {
    Guard l(lock());
    Context* ctx = nullptr;
    Stream* s = nullptr;
    CUresult rc = withStream(stream, &ctx, &s);
    if (rc != CUDA_SUCCESS) return rc;
    if (n == 0) return CUDA_SUCCESS;
    if (src == nullptr || !deviceRange(ctx, dst, n, "cuMemcpyHtoDAsync", "destination")) return CUDA_ERROR_INVALID_VALUE;
    count(HTOD_COPIES);
    count(HTOD_BYTES, (long long)n);
    if (state()->memory.isPinned(src, n)) {
        // Read when the copy runs: the host must not reuse the buffer before it synchronises.
        enqueue(s, "cuMemcpyHtoDAsync", "pinned host to device", [dst, src, n] { std::memcpy((void*)dst, src, n); });
    } else {
        // Pageable memory is staged now, as the real driver does before it returns.
        auto staged = std::make_shared<std::vector<unsigned char>>((const unsigned char*)src,
                                                                   (const unsigned char*)src + n);
        enqueue(s, "cuMemcpyHtoDAsync", "pageable host to device",
                [dst, staged] { std::memcpy((void*)dst, staged->data(), staged->size()); });
    }
    return CUDA_SUCCESS;
}

CU_API CUresult cuMemcpyDtoHAsync_v2(void* dst, CUdeviceptr src, size_t n, CUstream stream) {
    Guard l(lock());
    Context* ctx = nullptr;
    Stream* s = nullptr;
    CUresult rc = withStream(stream, &ctx, &s);
    if (rc != CUDA_SUCCESS) return rc;
    if (n == 0) return CUDA_SUCCESS;
    if (dst == nullptr || !deviceRange(ctx, src, n, "cuMemcpyDtoHAsync", "source")) return CUDA_ERROR_INVALID_VALUE;
    count(DTOH_COPIES);
    count(DTOH_BYTES, (long long)n);
    if (state()->memory.isPinned(dst, n)) {
        // Lands when the stream reaches it: reading dst before synchronising sees old contents.
        enqueue(s, "cuMemcpyDtoHAsync", "device to pinned host", [dst, src, n] { std::memcpy(dst, (const void*)src, n); });
        return CUDA_SUCCESS;
    }
    // To pageable memory the call returns only once the copy is done.
    count(SYNCHRONIZATIONS);
    if ((rc = drain(s)) != CUDA_SUCCESS) return rc;
    std::memcpy(dst, (const void*)src, n);
    return CUDA_SUCCESS;
}

CU_API CUresult cuMemcpyDtoDAsync_v2(CUdeviceptr dst, CUdeviceptr src, size_t n, CUstream stream) {
    Guard l(lock());
    Context* ctx = nullptr;
    Stream* s = nullptr;
    CUresult rc = withStream(stream, &ctx, &s);
    if (rc != CUDA_SUCCESS) return rc;
    if (n == 0) return CUDA_SUCCESS;
    if (!deviceRange(ctx, src, n, "cuMemcpyDtoDAsync", "source") ||
        !deviceRange(ctx, dst, n, "cuMemcpyDtoDAsync", "destination")) {
        return CUDA_ERROR_INVALID_VALUE;
    }
    count(DTOD_COPIES);
    count(DTOD_BYTES, (long long)n);
    enqueue(s, "cuMemcpyDtoDAsync", "device to device", [dst, src, n] { std::memmove((void*)dst, (const void*)src, n); });
    return CUDA_SUCCESS;
}

CU_API CUresult cuMemcpyHtoD_v2(CUdeviceptr dst, const void* src, size_t n) {
    Guard l(lock());
    CUresult rc = cuMemcpyHtoDAsync_v2(dst, src, n, nullptr);
    if (rc != CUDA_SUCCESS || n == 0) return rc;
    count(SYNCHRONIZATIONS);
    return drainContext(current());
}

CU_API CUresult cuMemcpyDtoH_v2(void* dst, CUdeviceptr src, size_t n) {
    Guard l(lock());
    Context* ctx = nullptr;
    CUresult rc = requireContext(&ctx);
    if (rc != CUDA_SUCCESS) return rc;
    if (n == 0) return CUDA_SUCCESS;
    if (dst == nullptr || !deviceRange(ctx, src, n, "cuMemcpyDtoH", "source")) return CUDA_ERROR_INVALID_VALUE;
    count(DTOH_COPIES);
    count(DTOH_BYTES, (long long)n);
    count(SYNCHRONIZATIONS);
    if ((rc = drainContext(ctx)) != CUDA_SUCCESS) return rc;
    std::memcpy(dst, (const void*)src, n);
    return CUDA_SUCCESS;
}

CU_API CUresult cuMemcpyDtoD_v2(CUdeviceptr dst, CUdeviceptr src, size_t n) {
    return cuMemcpyDtoDAsync_v2(dst, src, n, nullptr);
}

// ---- memset -----------------------------------------------------------------------------------

namespace {

CUresult memset(CUdeviceptr dst, unsigned value, size_t width, size_t count_, CUstream stream, const char* call) {
    Guard l(lock());
    Context* ctx = nullptr;
    Stream* s = nullptr;
    CUresult rc = withStream(stream, &ctx, &s);
    if (rc != CUDA_SUCCESS) return rc;
    if (count_ == 0) return CUDA_SUCCESS;
    if (width == 4 && dst % 4 != 0) return CUDA_ERROR_INVALID_VALUE;
    if (!deviceRange(ctx, dst, width * count_, call, "destination")) return CUDA_ERROR_INVALID_VALUE;
    count(MEMSETS);
    enqueue(s, call, "memset", [dst, value, width, count_] {
        if (width == 1) {
            std::memset((void*)dst, (int)(value & 0xFF), count_);
        } else {
            auto* w = (unsigned*)dst;
            for (size_t i = 0; i < count_; i++) w[i] = value;
        }
    });
    return CUDA_SUCCESS;
}

}  // namespace

CU_API CUresult cuMemsetD8Async(CUdeviceptr dst, unsigned char value, size_t n, CUstream stream) {
    return memset(dst, value, 1, n, stream, "cuMemsetD8Async");
}

CU_API CUresult cuMemsetD32Async(CUdeviceptr dst, unsigned int value, size_t n, CUstream stream) {
    return memset(dst, value, 4, n, stream, "cuMemsetD32Async");
}

CU_API CUresult cuMemsetD8_v2(CUdeviceptr dst, unsigned char value, size_t n) {
    return memset(dst, value, 1, n, nullptr, "cuMemsetD8");
}

CU_API CUresult cuMemsetD32_v2(CUdeviceptr dst, unsigned int value, size_t n) {
    return memset(dst, value, 4, n, nullptr, "cuMemsetD32");
}

// ---- pointer attributes -----------------------------------------------------------------------

CU_API CUresult cuPointerGetAttribute(void* data, int attribute, CUdeviceptr p) {
    Guard l(lock());
    if (state() == nullptr) return CUDA_ERROR_NOT_INITIALIZED;
    if (data == nullptr) return CUDA_ERROR_INVALID_VALUE;
    Location where = state()->memory.locate((uintptr_t)p, 1, nullptr);
    bool device = where.kind == Location::INSIDE;
    bool pinned = state()->memory.isPinned((const void*)p, 1);
    if (!device && !pinned) return CUDA_ERROR_INVALID_VALUE;
    switch (attribute) {
        case CU_POINTER_ATTRIBUTE_MEMORY_TYPE:
            *(unsigned*)data = device ? CU_MEMORYTYPE_DEVICE : CU_MEMORYTYPE_HOST;
            return CUDA_SUCCESS;
        case CU_POINTER_ATTRIBUTE_CONTEXT:
            if (!device) return CUDA_ERROR_INVALID_VALUE;
            *(CUcontext*)data = where.allocation->context;
            return CUDA_SUCCESS;
        case CU_POINTER_ATTRIBUTE_DEVICE_ORDINAL:
            if (!device) return CUDA_ERROR_INVALID_VALUE;
            *(int*)data = where.allocation->device->ordinal;
            return CUDA_SUCCESS;
        case CU_POINTER_ATTRIBUTE_DEVICE_POINTER:
            *(CUdeviceptr*)data = p;
            return CUDA_SUCCESS;
        case CU_POINTER_ATTRIBUTE_RANGE_START_ADDR:
            if (!device) return CUDA_ERROR_INVALID_VALUE;
            *(CUdeviceptr*)data = where.allocation->base;
            return CUDA_SUCCESS;
        case CU_POINTER_ATTRIBUTE_RANGE_SIZE:
            if (!device) return CUDA_ERROR_INVALID_VALUE;
            *(size_t*)data = where.allocation->bytes;
            return CUDA_SUCCESS;
        default:
            return CUDA_ERROR_INVALID_VALUE;
    }
}
