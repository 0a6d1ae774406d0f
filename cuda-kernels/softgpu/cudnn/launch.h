// One API call that queues device work: the handle it runs on, the range checks of every pointer
// it will touch, and the enqueue of the work on the handle's stream. Nothing touches device
// memory during the API call itself; the work captures its descriptors and scalars by value.
#ifndef FOVEA_SOFTGPU_CUDNN_LAUNCH_H
#define FOVEA_SOFTGPU_CUDNN_LAUNCH_H

#include "cudnn/objects.h"
#include "cudnn/status.h"
#include "cudnn/tensor_view.h"
#include "softgpu.h"

#include <cstdlib>
#include <exception>
#include <utility>

namespace cudnn {

class Launch {
public:
    explicit Launch(const char* call) : call_(call) {}

    // Reads the handle (BAD_PARAM for a destroyed or unknown one).
    Status begin(cudnnHandle_t handle) { return readObject(handle, "handle", &handle_); }

    const HandleObj& handle() const { return handle_; }
    const char* call() const { return call_; }

    // Whether the device has Ampere's TF32 tensor cores (compute capability 8.0 or later).
    bool ampere() const { return handle_.ccMajor >= 8; }

    // Checks that [p, p + bytes) lies in one live allocation of the handle's device. The driver
    // prints the details; the status says which argument.
    Status range(const void* p, size_t bytes, const char* argument) const {
        if (bytes == 0) return success();
        int rc = softgpu_check_range(handle_.context, p, bytes, call_, argument);
        if (rc != SOFTGPU_SUCCESS) {
            return failure(CUDNN_STATUS_EXECUTION_FAILED,
                           "%s (%p, %zu bytes) is not a valid device memory range (CUresult %d)", argument, p, bytes,
                           rc);
        }
        return success();
    }

    Status tensorRange(const void* p, const TensorObj& t, const char* argument) const {
        return range(p, tensorBytes(t), argument);
    }

    // Queues `work` on the handle's stream and counts the call.
    template <class F>
    Status enqueue(F&& work) const {
        if (handle_.stream == nullptr) {
            // The legacy stream belongs to whichever context is current: it must be the handle's.
            void* current = softgpu_current_context();
            if (current != handle_.context) {
                return failure(CUDNN_STATUS_EXECUTION_FAILED,
                               "the handle belongs to context %p but %s is current; the work would run on another "
                               "context's default stream",
                               handle_.context, current ? "another context" : "no context");
            }
        }
        if (softgpu_library_allocation_fails(call_)) {
            return failure(CUDNN_STATUS_ALLOC_FAILED, "could not allocate its memory (FOVEA_SOFTGPU_FAIL_LIBRARY)");
        }
        // Queued work cannot return a status; should it ever fail to get host memory, say so and
        // stop rather than leave silently wrong results behind.
        const char* call = call_;
        auto guarded = [call, work = std::forward<F>(work)]() mutable {
            try {
                work();
            } catch (const std::exception& e) {
                report("%s: the queued work failed (%s); stopping", call, e.what());
                std::abort();
            }
        };
        int rc = softgpu::enqueue(handle_.stream, call_, std::move(guarded));
        if (rc != SOFTGPU_SUCCESS) {
            return failure(CUDNN_STATUS_EXECUTION_FAILED, "could not queue the work on stream %p (CUresult %d)",
                           handle_.stream, rc);
        }
        softgpu_count_library_call(SOFTGPU_LIBRARY_CUDNN);
        return success();
    }

private:
    const char* call_;
    HandleObj handle_;
};

// Reads a host scalar (alpha, beta, ...) of a float computation; BAD_PARAM when null.
inline Status hostScalar(const void* p, const char* name, float* out) {
    if (p == nullptr) return failure(CUDNN_STATUS_BAD_PARAM, "%s is NULL", name);
    *out = *static_cast<const float*>(p);
    return success();
}

// The software GPU computes in float only.
inline Status requireFloat(const TensorObj& t, const char* name) {
    if (t.dataType != CUDNN_DATA_FLOAT) {
        return failure(CUDNN_STATUS_NOT_SUPPORTED, "%s has data type %s; the software GPU supports CUDNN_DATA_FLOAT only",
                       name, dataTypeName(t.dataType));
    }
    return success();
}

// Outputs may have any strides, but no two elements may share an address.
inline Status requireNonOverlapping(const TensorObj& t, const char* name) {
    if (!nonOverlapping(t.nbDims, t.dims, t.strides)) {
        return failure(CUDNN_STATUS_NOT_SUPPORTED, "%s %s is written but its strides make elements overlap", name,
                       describe(t).c_str());
    }
    return success();
}


}  // namespace cudnn

#endif
