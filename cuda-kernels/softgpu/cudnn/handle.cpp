// Versions, error strings and the cuDNN handle.
#include "cudnn/cudnn_api.h"
#include "cudnn/objects.h"
#include "cudnn/status.h"
#include "softgpu.h"

using namespace cudnn;

// The API level JCudnn 11.7.0 binds (cuDNN 8.4.0) and the CUDA runtime it is built against (11.7).
CUDNN_API size_t cudnnGetVersion(void) { return 8400; }

CUDNN_API size_t cudnnGetCudartVersion(void) { return 11070; }

CUDNN_API const char* cudnnGetErrorString(cudnnStatus_t status) {
    const char* name = statusName(status);
    return name ? name : "CUDNN_UNKNOWN_STATUS";
}

CUDNN_API cudnnStatus_t cudnnGetProperty(libraryPropertyType type, int* value) {
    if (value == nullptr) return finish("cudnnGetProperty", failure(CUDNN_STATUS_BAD_PARAM, "value is NULL"));
    switch (type) {
        case MAJOR_VERSION: *value = 8; return CUDNN_STATUS_SUCCESS;
        case MINOR_VERSION: *value = 4; return CUDNN_STATUS_SUCCESS;
        case PATCH_LEVEL: *value = 0; return CUDNN_STATUS_SUCCESS;
    }
    return finish("cudnnGetProperty", failure(CUDNN_STATUS_BAD_PARAM, "unknown libraryPropertyType %d", int(type)));
}

// The sub-libraries of cuDNN 8 check each other's versions; here they are one library.
CUDNN_API cudnnStatus_t cudnnOpsInferVersionCheck(void) { return CUDNN_STATUS_SUCCESS; }
CUDNN_API cudnnStatus_t cudnnOpsTrainVersionCheck(void) { return CUDNN_STATUS_SUCCESS; }
CUDNN_API cudnnStatus_t cudnnCnnInferVersionCheck(void) { return CUDNN_STATUS_SUCCESS; }
CUDNN_API cudnnStatus_t cudnnCnnTrainVersionCheck(void) { return CUDNN_STATUS_SUCCESS; }
CUDNN_API cudnnStatus_t cudnnAdvInferVersionCheck(void) { return CUDNN_STATUS_SUCCESS; }
CUDNN_API cudnnStatus_t cudnnAdvTrainVersionCheck(void) { return CUDNN_STATUS_SUCCESS; }

// No kernel of this library reports errors asynchronously (range checks happen before queueing),
// so there is never a pending runtime error to query.
CUDNN_API cudnnStatus_t cudnnQueryRuntimeError(cudnnHandle_t handle, cudnnStatus_t* rstatus, cudnnErrQueryMode_t mode,
                                               cudnnRuntimeTag_t* tag) {
    const char* call = "cudnnQueryRuntimeError";
    HandleObj h;
    Status s = readObject(handle, "handle", &h);
    if (!s.ok()) return finish(call, s);
    if (rstatus == nullptr) return finish(call, failure(CUDNN_STATUS_BAD_PARAM, "rstatus is NULL"));
    if (int(mode) < CUDNN_ERRQUERY_RAWCODE || int(mode) > CUDNN_ERRQUERY_BLOCKING) {
        return finish(call, failure(CUDNN_STATUS_BAD_PARAM, "invalid cudnnErrQueryMode_t %d", int(mode)));
    }
    *rstatus = CUDNN_STATUS_SUCCESS;
    return CUDNN_STATUS_SUCCESS;
}

CUDNN_API cudnnStatus_t cudnnCreate(cudnnHandle_t* handle) {
    const char* call = "cudnnCreate";
    if (handle == nullptr) return finish(call, failure(CUDNN_STATUS_BAD_PARAM, "handle is NULL"));
    HandleObj h;
    h.context = softgpu_current_context();
    if (h.context == nullptr) {
        // Deliberately stricter than NVIDIA's cuDNN, which would quietly use device 0: a handle is
        // bound to the context that is current when it is created, so one must be.
        return finish(call, failure(CUDNN_STATUS_NOT_INITIALIZED,
                                    "no CUDA context is current on this thread; make one current "
                                    "(cuCtxSetCurrent / cuDevicePrimaryCtxRetain) before cudnnCreate"));
    }
    int rc = softgpu_context_device(h.context, &h.ordinal, &h.ccMajor, &h.ccMinor);
    if (rc != SOFTGPU_SUCCESS) {
        return finish(call, failure(CUDNN_STATUS_NOT_INITIALIZED, "the current context %p is not usable (CUresult %d)",
                                    h.context, rc));
    }
    *handle = reinterpret_cast<cudnnHandle_t>(registerObject(h));
    return CUDNN_STATUS_SUCCESS;
}

CUDNN_API cudnnStatus_t cudnnDestroy(cudnnHandle_t handle) {
    // Work already queued holds copies of what it needs, so destroying the handle does not wait.
    return finish("cudnnDestroy", destroyObject<HandleObj>(handle, "handle"));
}

CUDNN_API cudnnStatus_t cudnnSetStream(cudnnHandle_t handle, cudaStream_t streamId) {
    const char* call = "cudnnSetStream";
    HandleObj h;
    Status s = readObject(handle, "handle", &h);
    if (!s.ok()) return finish(call, s);
    if (streamId != nullptr) {
        void* streamContext = nullptr;
        int rc = softgpu_stream_context(streamId, &streamContext);
        if (rc != SOFTGPU_SUCCESS) {
            return finish(call, failure(CUDNN_STATUS_BAD_PARAM, "stream %p is not a live stream (CUresult %d)",
                                        streamId, rc));
        }
        if (streamContext != h.context) {
            return finish(call, failure(CUDNN_STATUS_MAPPING_ERROR,
                                        "stream %p belongs to context %p, the handle to context %p", streamId,
                                        streamContext, h.context));
        }
    }
    h.stream = streamId;
    return finish(call, writeObject(handle, "handle", h));
}

CUDNN_API cudnnStatus_t cudnnGetStream(cudnnHandle_t handle, cudaStream_t* streamId) {
    const char* call = "cudnnGetStream";
    HandleObj h;
    Status s = readObject(handle, "handle", &h);
    if (!s.ok()) return finish(call, s);
    if (streamId == nullptr) return finish(call, failure(CUDNN_STATUS_BAD_PARAM, "streamId is NULL"));
    *streamId = h.stream;
    return CUDNN_STATUS_SUCCESS;
}
