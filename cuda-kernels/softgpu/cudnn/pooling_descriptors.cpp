// Pooling descriptors and the output-size queries: output = 1 + (input + 2 pad - window) / stride.
#include "cudnn/cudnn_api.h"
#include "cudnn/objects.h"
#include "cudnn/pooling.h"
#include "cudnn/status.h"

using namespace cudnn;

namespace {

bool validMode(int mode) { return mode >= CUDNN_POOLING_MAX && mode <= CUDNN_POOLING_MAX_DETERMINISTIC; }

Status setPool(cudnnPoolingDescriptor_t desc, int mode, int nanOpt, int nbDims, const int* window, const int* pad,
               const int* stride) {
    PoolObj p;
    CUDNN_TRY(readObject(desc, "poolingDesc", &p, false));
    if (!validMode(mode)) return failure(CUDNN_STATUS_BAD_PARAM, "invalid cudnnPoolingMode_t %d", mode);
    if (nanOpt != CUDNN_NOT_PROPAGATE_NAN && nanOpt != CUDNN_PROPAGATE_NAN) {
        return failure(CUDNN_STATUS_BAD_PARAM, "invalid cudnnNanPropagation_t %d", nanOpt);
    }
    if (nbDims < 1) return failure(CUDNN_STATUS_BAD_PARAM, "nbDims is %d", nbDims);
    if (nbDims > CUDNN_DIM_MAX - 2) {
        return failure(CUDNN_STATUS_NOT_SUPPORTED, "nbDims %d is above %d", nbDims, CUDNN_DIM_MAX - 2);
    }
    for (int i = 0; i < nbDims; i++) {
        if (window[i] <= 0) return failure(CUDNN_STATUS_BAD_PARAM, "window dimension %d is %d", i, window[i]);
        if (stride[i] <= 0) return failure(CUDNN_STATUS_BAD_PARAM, "stride %d is %d", i, stride[i]);
        if (pad[i] < 0) return failure(CUDNN_STATUS_BAD_PARAM, "padding %d is negative (%d)", i, pad[i]);
    }
    p.set = true;
    p.mode = cudnnPoolingMode_t(mode);
    p.nanOpt = cudnnNanPropagation_t(nanOpt);
    p.nbDims = nbDims;
    for (int i = 0; i < CUDNN_DIM_MAX - 2; i++) {
        p.window[i] = i < nbDims ? window[i] : 0;
        p.pad[i] = i < nbDims ? pad[i] : 0;
        p.stride[i] = i < nbDims ? stride[i] : 0;
    }
    return writeObject(desc, "poolingDesc", p);
}

}  // namespace

namespace cudnn {

Status poolOutputDims(const PoolObj& p, const TensorObj& x, int nbDims, int* out) {
    if (x.nbDims != p.nbDims + 2) {
        return failure(CUDNN_STATUS_BAD_PARAM, "the input has %d dimensions but the pooling has %d spatial ones",
                       x.nbDims, p.nbDims);
    }
    if (nbDims != x.nbDims) {
        return failure(CUDNN_STATUS_BAD_PARAM, "nbDims is %d, the input has %d dimensions", nbDims, x.nbDims);
    }
    out[0] = x.dims[0];
    out[1] = x.dims[1];
    for (int i = 0; i < p.nbDims; i++) {
        long long padded = (long long)x.dims[2 + i] + 2LL * p.pad[i];
        if (padded < p.window[i]) {
            return failure(CUDNN_STATUS_BAD_PARAM, "spatial dimension %d: the window (%d) exceeds the padded input (%lld)",
                           i, p.window[i], padded);
        }
        out[2 + i] = int(1 + (padded - p.window[i]) / p.stride[i]);
    }
    return success();
}

}  // namespace cudnn

CUDNN_API cudnnStatus_t cudnnCreatePoolingDescriptor(cudnnPoolingDescriptor_t* poolingDesc) {
    if (poolingDesc == nullptr) {
        return finish("cudnnCreatePoolingDescriptor", failure(CUDNN_STATUS_BAD_PARAM, "poolingDesc is NULL"));
    }
    *poolingDesc = reinterpret_cast<cudnnPoolingDescriptor_t>(registerObject(PoolObj{}));
    return CUDNN_STATUS_SUCCESS;
}

CUDNN_API cudnnStatus_t cudnnDestroyPoolingDescriptor(cudnnPoolingDescriptor_t poolingDesc) {
    if (poolingDesc == nullptr) return CUDNN_STATUS_SUCCESS;
    return finish("cudnnDestroyPoolingDescriptor", destroyObject<PoolObj>(poolingDesc, "poolingDesc"));
}

CUDNN_API cudnnStatus_t cudnnSetPooling2dDescriptor(cudnnPoolingDescriptor_t poolingDesc, cudnnPoolingMode_t mode,
                                                    cudnnNanPropagation_t maxpoolingNanOpt, int windowHeight,
                                                    int windowWidth, int verticalPadding, int horizontalPadding,
                                                    int verticalStride, int horizontalStride) {
    int window[2] = {windowHeight, windowWidth};
    int pad[2] = {verticalPadding, horizontalPadding};
    int stride[2] = {verticalStride, horizontalStride};
    return finish("cudnnSetPooling2dDescriptor", setPool(poolingDesc, mode, maxpoolingNanOpt, 2, window, pad, stride));
}

CUDNN_API cudnnStatus_t cudnnGetPooling2dDescriptor(const cudnnPoolingDescriptor_t poolingDesc, cudnnPoolingMode_t* mode,
                                                    cudnnNanPropagation_t* maxpoolingNanOpt, int* windowHeight,
                                                    int* windowWidth, int* verticalPadding, int* horizontalPadding,
                                                    int* verticalStride, int* horizontalStride) {
    const char* call = "cudnnGetPooling2dDescriptor";
    PoolObj p;
    Status s = readObject(poolingDesc, "poolingDesc", &p);
    if (s.ok() && p.nbDims != 2) s = failure(CUDNN_STATUS_BAD_PARAM, "the pooling has %d spatial dimensions", p.nbDims);
    if (s.ok() && (!mode || !maxpoolingNanOpt || !windowHeight || !windowWidth || !verticalPadding ||
                   !horizontalPadding || !verticalStride || !horizontalStride)) {
        s = failure(CUDNN_STATUS_BAD_PARAM, "an output pointer is NULL");
    }
    if (!s.ok()) return finish(call, s);
    *mode = p.mode;
    *maxpoolingNanOpt = p.nanOpt;
    *windowHeight = p.window[0];
    *windowWidth = p.window[1];
    *verticalPadding = p.pad[0];
    *horizontalPadding = p.pad[1];
    *verticalStride = p.stride[0];
    *horizontalStride = p.stride[1];
    return CUDNN_STATUS_SUCCESS;
}

CUDNN_API cudnnStatus_t cudnnSetPoolingNdDescriptor(cudnnPoolingDescriptor_t poolingDesc, const cudnnPoolingMode_t mode,
                                                    const cudnnNanPropagation_t maxpoolingNanOpt, int nbDims,
                                                    const int windowDimA[], const int paddingA[], const int strideA[]) {
    const char* call = "cudnnSetPoolingNdDescriptor";
    if (!windowDimA || !paddingA || !strideA) {
        return finish(call, failure(CUDNN_STATUS_BAD_PARAM, "windowDimA, paddingA or strideA is NULL"));
    }
    return finish(call, setPool(poolingDesc, mode, maxpoolingNanOpt, nbDims, windowDimA, paddingA, strideA));
}

CUDNN_API cudnnStatus_t cudnnGetPoolingNdDescriptor(const cudnnPoolingDescriptor_t poolingDesc, int nbDimsRequested,
                                                    cudnnPoolingMode_t* mode, cudnnNanPropagation_t* maxpoolingNanOpt,
                                                    int* nbDims, int windowDimA[], int paddingA[], int strideA[]) {
    const char* call = "cudnnGetPoolingNdDescriptor";
    PoolObj p;
    Status s = readObject(poolingDesc, "poolingDesc", &p);
    if (s.ok() && nbDimsRequested < 0) s = failure(CUDNN_STATUS_BAD_PARAM, "nbDimsRequested is %d", nbDimsRequested);
    if (s.ok() && (!mode || !maxpoolingNanOpt || !nbDims ||
                   (nbDimsRequested > 0 && (!windowDimA || !paddingA || !strideA)))) {
        s = failure(CUDNN_STATUS_BAD_PARAM, "an output pointer is NULL");
    }
    if (!s.ok()) return finish(call, s);
    *mode = p.mode;
    *maxpoolingNanOpt = p.nanOpt;
    *nbDims = p.nbDims;
    for (int i = 0; i < nbDimsRequested && i < p.nbDims; i++) {
        windowDimA[i] = p.window[i];
        paddingA[i] = p.pad[i];
        strideA[i] = p.stride[i];
    }
    return CUDNN_STATUS_SUCCESS;
}

CUDNN_API cudnnStatus_t cudnnGetPooling2dForwardOutputDim(const cudnnPoolingDescriptor_t poolingDesc,
                                                          const cudnnTensorDescriptor_t inputTensorDesc, int* n, int* c,
                                                          int* h, int* w) {
    const char* call = "cudnnGetPooling2dForwardOutputDim";
    PoolObj p;
    TensorObj x;
    Status s = readObject(poolingDesc, "poolingDesc", &p);
    if (s.ok()) s = readObject(inputTensorDesc, "inputTensorDesc", &x);
    if (s.ok() && (!n || !c || !h || !w)) s = failure(CUDNN_STATUS_BAD_PARAM, "an output pointer is NULL");
    if (s.ok() && (p.nbDims != 2 || x.nbDims != 4)) {
        s = failure(CUDNN_STATUS_BAD_PARAM, "not a 2-D pooling of a 4-D tensor");
    }
    int dims[4];
    if (s.ok()) s = poolOutputDims(p, x, 4, dims);
    if (!s.ok()) return finish(call, s);
    *n = dims[0];
    *c = dims[1];
    *h = dims[2];
    *w = dims[3];
    return CUDNN_STATUS_SUCCESS;
}

CUDNN_API cudnnStatus_t cudnnGetPoolingNdForwardOutputDim(const cudnnPoolingDescriptor_t poolingDesc,
                                                          const cudnnTensorDescriptor_t inputTensorDesc, int nbDims,
                                                          int outputTensorDimA[]) {
    const char* call = "cudnnGetPoolingNdForwardOutputDim";
    PoolObj p;
    TensorObj x;
    Status s = readObject(poolingDesc, "poolingDesc", &p);
    if (s.ok()) s = readObject(inputTensorDesc, "inputTensorDesc", &x);
    if (s.ok() && !outputTensorDimA) s = failure(CUDNN_STATUS_BAD_PARAM, "outputTensorDimA is NULL");
    int dims[CUDNN_DIM_MAX];
    if (s.ok()) s = poolOutputDims(p, x, nbDims, dims);
    if (!s.ok()) return finish(call, s);
    for (int i = 0; i < nbDims; i++) outputTensorDimA[i] = dims[i];
    return CUDNN_STATUS_SUCCESS;
}
