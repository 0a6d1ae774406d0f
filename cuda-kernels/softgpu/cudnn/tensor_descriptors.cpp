// Tensor and filter descriptors.
#include "cudnn/cudnn_api.h"
#include "cudnn/objects.h"
#include "cudnn/status.h"
#include "cudnn/tensor_view.h"

#include <climits>

using namespace cudnn;

namespace {

// cuDNN limits a tensor (padding between elements included) to 2 Giga-elements.
constexpr long long kMaxElements = INT_MAX;

Status checkDataType(int dataType) {
    if (!validDataType(dataType)) return failure(CUDNN_STATUS_BAD_PARAM, "invalid cudnnDataType_t %d", dataType);
    return success();
}

Status checkFormat(int format) {
    if (format == CUDNN_TENSOR_NCHW_VECT_C) {
        return failure(CUDNN_STATUS_NOT_SUPPORTED,
                       "CUDNN_TENSOR_NCHW_VECT_C (vectorised int8 layouts) is not supported by the software GPU");
    }
    if (format != CUDNN_TENSOR_NCHW && format != CUDNN_TENSOR_NHWC) {
        return failure(CUDNN_STATUS_BAD_PARAM, "invalid cudnnTensorFormat_t %d", format);
    }
    return success();
}

// Zero-sized dims are refused too: no cuDNN operation accepts an empty tensor.
Status checkDims(int nbDims, const int* dims, const char* what) {
    for (int i = 0; i < nbDims; i++) {
        if (dims[i] <= 0) {
            return failure(CUDNN_STATUS_BAD_PARAM, "%s dimension %d is %d; dimensions must be positive", what, i,
                           dims[i]);
        }
    }
    return success();
}

Status checkStrides(int nbDims, const int* strides) {
    for (int i = 0; i < nbDims; i++) {
        if (strides[i] <= 0) {
            return failure(CUDNN_STATUS_BAD_PARAM, "stride %d is %d; strides must be positive", i, strides[i]);
        }
    }
    return success();
}

Status checkNbDims(int nbDims, const char* what) {
    // cuDNN documents 4 to CUDNN_DIM_MAX dimensions; 3 works in NVIDIA's library and is accepted.
    if (nbDims < 3 || nbDims > CUDNN_DIM_MAX) {
        return failure(CUDNN_STATUS_NOT_SUPPORTED, "%s nbDims %d is outside [3, %d]", what, nbDims, CUDNN_DIM_MAX);
    }
    return success();
}

// Packed strides: NCHW is row-major; NHWC keeps C innermost (N, spatial..., C).
void packedStrides(int format, int nbDims, const int* dims, int* strides) {
    if (format == CUDNN_TENSOR_NHWC) {
        long long s = 1;
        strides[1] = 1;
        s = dims[1];
        for (int i = nbDims - 1; i >= 2; i--) {
            strides[i] = int(s);
            s *= dims[i];
        }
        strides[0] = int(s);
    } else {
        long long s = 1;
        for (int i = nbDims - 1; i >= 0; i--) {
            strides[i] = int(s);
            s *= dims[i];
        }
    }
}

Status setTensor(cudnnTensorDescriptor_t desc, int dataType, int nbDims, const int* dims, const int* strides) {
    TensorObj t;
    CUDNN_TRY(readObject(desc, "tensorDesc", &t, false));
    CUDNN_TRY(checkDataType(dataType));
    CUDNN_TRY(checkDims(nbDims, dims, "tensor"));
    CUDNN_TRY(checkStrides(nbDims, strides));
    // Products of dims fit in long long since each dim is below 2^31 and there are at most 8.
    long long count = 1;
    for (int i = 0; i < nbDims && count <= kMaxElements; i++) count *= dims[i];
    long long extent = 1;
    for (int i = 0; i < nbDims && extent <= kMaxElements; i++) extent += (long long)(dims[i] - 1) * strides[i];
    if (count > kMaxElements || extent > kMaxElements) {
        return failure(CUDNN_STATUS_NOT_SUPPORTED, "the tensor spans more than 2^31-1 elements");
    }
    t.set = true;
    t.dataType = cudnnDataType_t(dataType);
    t.nbDims = nbDims;
    for (int i = 0; i < CUDNN_DIM_MAX; i++) {
        t.dims[i] = i < nbDims ? dims[i] : 0;
        t.strides[i] = i < nbDims ? strides[i] : 0;
    }
    return writeObject(desc, "tensorDesc", t);
}

Status setFilter(cudnnFilterDescriptor_t desc, int dataType, int format, int nbDims, const int* dims) {
    FilterObj f;
    CUDNN_TRY(readObject(desc, "filterDesc", &f, false));
    CUDNN_TRY(checkDataType(dataType));
    CUDNN_TRY(checkFormat(format));
    CUDNN_TRY(checkDims(nbDims, dims, "filter"));
    if (elementCount(nbDims, dims) > kMaxElements) {
        return failure(CUDNN_STATUS_NOT_SUPPORTED, "the filter has more than 2^31-1 elements");
    }
    f.set = true;
    f.dataType = cudnnDataType_t(dataType);
    f.format = cudnnTensorFormat_t(format);
    f.nbDims = nbDims;
    for (int i = 0; i < CUDNN_DIM_MAX; i++) f.dims[i] = i < nbDims ? dims[i] : 0;
    return writeObject(desc, "filterDesc", f);
}

}  // namespace

// ---- tensor descriptors ------------------------------------------------------------------------

CUDNN_API cudnnStatus_t cudnnCreateTensorDescriptor(cudnnTensorDescriptor_t* tensorDesc) {
    if (tensorDesc == nullptr) {
        return finish("cudnnCreateTensorDescriptor", failure(CUDNN_STATUS_BAD_PARAM, "tensorDesc is NULL"));
    }
    *tensorDesc = reinterpret_cast<cudnnTensorDescriptor_t>(registerObject(TensorObj{}));
    return CUDNN_STATUS_SUCCESS;
}

CUDNN_API cudnnStatus_t cudnnDestroyTensorDescriptor(cudnnTensorDescriptor_t tensorDesc) {
    if (tensorDesc == nullptr) return CUDNN_STATUS_SUCCESS;  // like free(NULL)
    return finish("cudnnDestroyTensorDescriptor", destroyObject<TensorObj>(tensorDesc, "tensorDesc"));
}

CUDNN_API cudnnStatus_t cudnnSetTensor4dDescriptor(cudnnTensorDescriptor_t tensorDesc, cudnnTensorFormat_t format,
                                                   cudnnDataType_t dataType, int n, int c, int h, int w) {
    const char* call = "cudnnSetTensor4dDescriptor";
    Status s = checkFormat(format);
    if (!s.ok()) return finish(call, s);
    int dims[4] = {n, c, h, w};
    int strides[4] = {1, 1, 1, 1};
    s = checkDims(4, dims, "tensor");
    if (!s.ok()) return finish(call, s);
    packedStrides(format, 4, dims, strides);
    return finish(call, setTensor(tensorDesc, dataType, 4, dims, strides));
}

CUDNN_API cudnnStatus_t cudnnSetTensor4dDescriptorEx(cudnnTensorDescriptor_t tensorDesc, cudnnDataType_t dataType, int n,
                                                     int c, int h, int w, int nStride, int cStride, int hStride,
                                                     int wStride) {
    int dims[4] = {n, c, h, w};
    int strides[4] = {nStride, cStride, hStride, wStride};
    return finish("cudnnSetTensor4dDescriptorEx", setTensor(tensorDesc, dataType, 4, dims, strides));
}

CUDNN_API cudnnStatus_t cudnnSetTensorNdDescriptor(cudnnTensorDescriptor_t tensorDesc, cudnnDataType_t dataType,
                                                   int nbDims, const int dimA[], const int strideA[]) {
    const char* call = "cudnnSetTensorNdDescriptor";
    if (dimA == nullptr || strideA == nullptr) {
        return finish(call, failure(CUDNN_STATUS_BAD_PARAM, "dimA or strideA is NULL"));
    }
    Status s = checkNbDims(nbDims, "tensor");
    if (!s.ok()) return finish(call, s);
    return finish(call, setTensor(tensorDesc, dataType, nbDims, dimA, strideA));
}

CUDNN_API cudnnStatus_t cudnnSetTensorNdDescriptorEx(cudnnTensorDescriptor_t tensorDesc, cudnnTensorFormat_t format,
                                                     cudnnDataType_t dataType, int nbDims, const int dimA[]) {
    const char* call = "cudnnSetTensorNdDescriptorEx";
    if (dimA == nullptr) return finish(call, failure(CUDNN_STATUS_BAD_PARAM, "dimA is NULL"));
    Status s = checkNbDims(nbDims, "tensor");
    if (s.ok()) s = checkFormat(format);
    if (s.ok()) s = checkDims(nbDims, dimA, "tensor");
    if (!s.ok()) return finish(call, s);
    int strides[CUDNN_DIM_MAX];
    packedStrides(format, nbDims, dimA, strides);
    return finish(call, setTensor(tensorDesc, dataType, nbDims, dimA, strides));
}

CUDNN_API cudnnStatus_t cudnnGetTensor4dDescriptor(const cudnnTensorDescriptor_t tensorDesc, cudnnDataType_t* dataType,
                                                   int* n, int* c, int* h, int* w, int* nStride, int* cStride,
                                                   int* hStride, int* wStride) {
    const char* call = "cudnnGetTensor4dDescriptor";
    TensorObj t;
    Status s = readObject(tensorDesc, "tensorDesc", &t);
    if (!s.ok()) return finish(call, s);
    if (t.nbDims != 4) {
        return finish(call, failure(CUDNN_STATUS_BAD_PARAM, "the descriptor has %d dimensions, not 4", t.nbDims));
    }
    if (!dataType || !n || !c || !h || !w || !nStride || !cStride || !hStride || !wStride) {
        return finish(call, failure(CUDNN_STATUS_BAD_PARAM, "an output pointer is NULL"));
    }
    *dataType = t.dataType;
    *n = t.dims[0];
    *c = t.dims[1];
    *h = t.dims[2];
    *w = t.dims[3];
    *nStride = t.strides[0];
    *cStride = t.strides[1];
    *hStride = t.strides[2];
    *wStride = t.strides[3];
    return CUDNN_STATUS_SUCCESS;
}

CUDNN_API cudnnStatus_t cudnnGetTensorNdDescriptor(const cudnnTensorDescriptor_t tensorDesc, int nbDimsRequested,
                                                   cudnnDataType_t* dataType, int* nbDims, int dimA[], int strideA[]) {
    const char* call = "cudnnGetTensorNdDescriptor";
    TensorObj t;
    Status s = readObject(tensorDesc, "tensorDesc", &t);
    if (!s.ok()) return finish(call, s);
    if (nbDimsRequested < 0) {
        return finish(call, failure(CUDNN_STATUS_BAD_PARAM, "nbDimsRequested is %d", nbDimsRequested));
    }
    if (!dataType || !nbDims || (nbDimsRequested > 0 && (!dimA || !strideA))) {
        return finish(call, failure(CUDNN_STATUS_BAD_PARAM, "an output pointer is NULL"));
    }
    *dataType = t.dataType;
    *nbDims = t.nbDims;
    for (int i = 0; i < nbDimsRequested && i < t.nbDims; i++) {
        dimA[i] = t.dims[i];
        strideA[i] = t.strides[i];
    }
    return CUDNN_STATUS_SUCCESS;
}

CUDNN_API cudnnStatus_t cudnnGetTensorSizeInBytes(const cudnnTensorDescriptor_t tensorDesc, size_t* size) {
    const char* call = "cudnnGetTensorSizeInBytes";
    TensorObj t;
    Status s = readObject(tensorDesc, "tensorDesc", &t);
    if (!s.ok()) return finish(call, s);
    if (size == nullptr) return finish(call, failure(CUDNN_STATUS_BAD_PARAM, "size is NULL"));
    *size = tensorBytes(t);
    return CUDNN_STATUS_SUCCESS;
}

// ---- filter descriptors ------------------------------------------------------------------------

CUDNN_API cudnnStatus_t cudnnCreateFilterDescriptor(cudnnFilterDescriptor_t* filterDesc) {
    if (filterDesc == nullptr) {
        return finish("cudnnCreateFilterDescriptor", failure(CUDNN_STATUS_BAD_PARAM, "filterDesc is NULL"));
    }
    *filterDesc = reinterpret_cast<cudnnFilterDescriptor_t>(registerObject(FilterObj{}));
    return CUDNN_STATUS_SUCCESS;
}

CUDNN_API cudnnStatus_t cudnnDestroyFilterDescriptor(cudnnFilterDescriptor_t filterDesc) {
    if (filterDesc == nullptr) return CUDNN_STATUS_SUCCESS;
    return finish("cudnnDestroyFilterDescriptor", destroyObject<FilterObj>(filterDesc, "filterDesc"));
}

CUDNN_API cudnnStatus_t cudnnSetFilter4dDescriptor(cudnnFilterDescriptor_t filterDesc, cudnnDataType_t dataType,
                                                   cudnnTensorFormat_t format, int k, int c, int h, int w) {
    int dims[4] = {k, c, h, w};
    return finish("cudnnSetFilter4dDescriptor", setFilter(filterDesc, dataType, format, 4, dims));
}

CUDNN_API cudnnStatus_t cudnnGetFilter4dDescriptor(const cudnnFilterDescriptor_t filterDesc, cudnnDataType_t* dataType,
                                                   cudnnTensorFormat_t* format, int* k, int* c, int* h, int* w) {
    const char* call = "cudnnGetFilter4dDescriptor";
    FilterObj f;
    Status s = readObject(filterDesc, "filterDesc", &f);
    if (!s.ok()) return finish(call, s);
    if (f.nbDims != 4) {
        return finish(call, failure(CUDNN_STATUS_BAD_PARAM, "the descriptor has %d dimensions, not 4", f.nbDims));
    }
    if (!dataType || !format || !k || !c || !h || !w) {
        return finish(call, failure(CUDNN_STATUS_BAD_PARAM, "an output pointer is NULL"));
    }
    *dataType = f.dataType;
    *format = f.format;
    *k = f.dims[0];
    *c = f.dims[1];
    *h = f.dims[2];
    *w = f.dims[3];
    return CUDNN_STATUS_SUCCESS;
}

CUDNN_API cudnnStatus_t cudnnSetFilterNdDescriptor(cudnnFilterDescriptor_t filterDesc, cudnnDataType_t dataType,
                                                   cudnnTensorFormat_t format, int nbDims, const int filterDimA[]) {
    const char* call = "cudnnSetFilterNdDescriptor";
    if (filterDimA == nullptr) return finish(call, failure(CUDNN_STATUS_BAD_PARAM, "filterDimA is NULL"));
    Status s = checkNbDims(nbDims, "filter");
    if (!s.ok()) return finish(call, s);
    return finish(call, setFilter(filterDesc, dataType, format, nbDims, filterDimA));
}

CUDNN_API cudnnStatus_t cudnnGetFilterNdDescriptor(const cudnnFilterDescriptor_t filterDesc, int nbDimsRequested,
                                                   cudnnDataType_t* dataType, cudnnTensorFormat_t* format, int* nbDims,
                                                   int filterDimA[]) {
    const char* call = "cudnnGetFilterNdDescriptor";
    FilterObj f;
    Status s = readObject(filterDesc, "filterDesc", &f);
    if (!s.ok()) return finish(call, s);
    if (nbDimsRequested < 0) {
        return finish(call, failure(CUDNN_STATUS_BAD_PARAM, "nbDimsRequested is %d", nbDimsRequested));
    }
    if (!dataType || !format || !nbDims || (nbDimsRequested > 0 && !filterDimA)) {
        return finish(call, failure(CUDNN_STATUS_BAD_PARAM, "an output pointer is NULL"));
    }
    *dataType = f.dataType;
    *format = f.format;
    *nbDims = f.nbDims;
    for (int i = 0; i < nbDimsRequested && i < f.nbDims; i++) filterDimA[i] = f.dims[i];
    return CUDNN_STATUS_SUCCESS;
}

CUDNN_API cudnnStatus_t cudnnGetFilterSizeInBytes(const cudnnFilterDescriptor_t filterDesc, size_t* size) {
    const char* call = "cudnnGetFilterSizeInBytes";
    FilterObj f;
    Status s = readObject(filterDesc, "filterDesc", &f);
    if (!s.ok()) return finish(call, s);
    if (size == nullptr) return finish(call, failure(CUDNN_STATUS_BAD_PARAM, "size is NULL"));
    *size = size_t(elementCount(f.nbDims, f.dims)) * elementSize(f.dataType);
    return CUDNN_STATUS_SUCCESS;
}
