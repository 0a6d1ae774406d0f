// cuDNN handles and descriptors: their contents and the registry of live ones.
//
// Callers hold ids, never addresses: each create hands out a fresh id that is never reused, so a
// destroyed, doubly destroyed or made-up handle is recognised (BAD_PARAM and a report) instead of
// being dereferenced. API calls copy a descriptor out of the registry under its lock and work on
// the copy: the work they queue captures it by value, because the caller may destroy or change the
// descriptor right after the call returns, long before the work runs.
#ifndef FOVEA_SOFTGPU_CUDNN_OBJECTS_H
#define FOVEA_SOFTGPU_CUDNN_OBJECTS_H

#include "cudnn/cudnn_api.h"
#include "cudnn/status.h"

#include <cstdint>
#include <variant>

namespace cudnn {

struct HandleObj {
    void* context = nullptr;  // the CUcontext current when cudnnCreate ran
    void* stream = nullptr;   // null: the legacy default stream
    int ordinal = 0;
    int ccMajor = 0;
    int ccMinor = 0;
};

struct TensorObj {
    bool set = false;
    cudnnDataType_t dataType = CUDNN_DATA_FLOAT;
    int nbDims = 0;
    int dims[CUDNN_DIM_MAX] = {};
    int strides[CUDNN_DIM_MAX] = {};
};

struct FilterObj {
    bool set = false;
    cudnnDataType_t dataType = CUDNN_DATA_FLOAT;
    cudnnTensorFormat_t format = CUDNN_TENSOR_NCHW;
    int nbDims = 0;
    int dims[CUDNN_DIM_MAX] = {};  // K, C (per group), then spatial, whatever the format
};

struct ConvObj {
    bool set = false;
    int arrayLength = 0;  // spatial dimensions
    int pad[CUDNN_DIM_MAX - 2] = {};
    int stride[CUDNN_DIM_MAX - 2] = {};
    int dilation[CUDNN_DIM_MAX - 2] = {};
    cudnnConvolutionMode_t mode = CUDNN_CROSS_CORRELATION;
    cudnnDataType_t computeType = CUDNN_DATA_FLOAT;
    int groups = 1;
    cudnnMathType_t mathType = CUDNN_DEFAULT_MATH;
    cudnnReorderType_t reorder = CUDNN_DEFAULT_REORDER;
};

struct PoolObj {
    bool set = false;
    cudnnPoolingMode_t mode = CUDNN_POOLING_MAX;
    cudnnNanPropagation_t nanOpt = CUDNN_NOT_PROPAGATE_NAN;
    int nbDims = 0;  // spatial dimensions
    int window[CUDNN_DIM_MAX - 2] = {};
    int pad[CUDNN_DIM_MAX - 2] = {};
    int stride[CUDNN_DIM_MAX - 2] = {};
};

struct ActivationObj {
    bool set = false;
    cudnnActivationMode_t mode = CUDNN_ACTIVATION_RELU;
    cudnnNanPropagation_t nanOpt = CUDNN_NOT_PROPAGATE_NAN;
    double coef = 0.0;
    double swishBeta = 1.0;
};

struct OpTensorObj {
    bool set = false;
    cudnnOpTensorOp_t op = CUDNN_OP_TENSOR_ADD;
    cudnnDataType_t compType = CUDNN_DATA_FLOAT;
    cudnnNanPropagation_t nanOpt = CUDNN_NOT_PROPAGATE_NAN;
};

using Object = std::variant<HandleObj, TensorObj, FilterObj, ConvObj, PoolObj, ActivationObj, OpTensorObj>;

// "cuDNN handle", "tensor descriptor", ... for the object type T / variant index.
const char* objectKindName(size_t variantIndex);
template <class T>
const char* objectKindName() {
    return objectKindName(Object(T{}).index());
}

// Registers a new object and returns its id (never 0, never reused).
uintptr_t registerObject(Object object);

// Removes a live object of type T; BAD_PARAM if `id` is not one (destroyed twice, never created,
// or another kind of object). The caller reports.
template <class T>
Status destroyObject(const void* id, const char* argument);

// Copies a live object of type T into *out. `mustBeSet`: a descriptor created but never set is
// BAD_PARAM, as cuDNN treats an uninitialised descriptor.
template <class T>
Status readObject(const void* id, const char* argument, T* out, bool mustBeSet = true);

// Replaces a live object of type T (after the caller validated the new value).
template <class T>
Status writeObject(const void* id, const char* argument, const T& value);

// How many live objects of each kind there are (tests check for leaks through this).
size_t liveObjectCount();

}  // namespace cudnn

#endif
