// Convolution descriptors and the output-size queries.
#include "cudnn/conv_geometry.h"
#include "cudnn/cudnn_api.h"
#include "cudnn/objects.h"
#include "cudnn/status.h"

using namespace cudnn;

namespace {

Status setConv(cudnnConvolutionDescriptor_t desc, int arrayLength, const int* pad, const int* stride,
               const int* dilation, int mode, int computeType) {
    ConvObj c;
    CUDNN_TRY(readObject(desc, "convDesc", &c, false));
    if (arrayLength < 1) return failure(CUDNN_STATUS_BAD_PARAM, "arrayLength is %d", arrayLength);
    if (arrayLength > CUDNN_DIM_MAX - 2) {
        return failure(CUDNN_STATUS_NOT_SUPPORTED, "arrayLength %d is above %d", arrayLength, CUDNN_DIM_MAX - 2);
    }
    for (int i = 0; i < arrayLength; i++) {
        if (pad[i] < 0) return failure(CUDNN_STATUS_BAD_PARAM, "padding %d is negative (%d)", i, pad[i]);
        if (stride[i] <= 0) return failure(CUDNN_STATUS_BAD_PARAM, "stride %d is not positive (%d)", i, stride[i]);
        if (dilation[i] <= 0) {
            return failure(CUDNN_STATUS_BAD_PARAM, "dilation %d is not positive (%d)", i, dilation[i]);
        }
    }
    if (mode != CUDNN_CONVOLUTION && mode != CUDNN_CROSS_CORRELATION) {
        return failure(CUDNN_STATUS_BAD_PARAM, "invalid cudnnConvolutionMode_t %d", mode);
    }
    if (!validDataType(computeType)) return failure(CUDNN_STATUS_BAD_PARAM, "invalid compute type %d", computeType);
    // Group count, math type and reorder type are separate settings and survive a re-set.
    c.set = true;
    c.arrayLength = arrayLength;
    for (int i = 0; i < CUDNN_DIM_MAX - 2; i++) {
        c.pad[i] = i < arrayLength ? pad[i] : 0;
        c.stride[i] = i < arrayLength ? stride[i] : 0;
        c.dilation[i] = i < arrayLength ? dilation[i] : 0;
    }
    c.mode = cudnnConvolutionMode_t(mode);
    c.computeType = cudnnDataType_t(computeType);
    return writeObject(desc, "convDesc", c);
}

template <class F>
Status modifyConv(cudnnConvolutionDescriptor_t desc, F&& change) {
    ConvObj c;
    CUDNN_TRY(readObject(desc, "convDesc", &c, false));
    CUDNN_TRY(change(c));
    return writeObject(desc, "convDesc", c);
}

}  // namespace

CUDNN_API cudnnStatus_t cudnnCreateConvolutionDescriptor(cudnnConvolutionDescriptor_t* convDesc) {
    if (convDesc == nullptr) {
        return finish("cudnnCreateConvolutionDescriptor", failure(CUDNN_STATUS_BAD_PARAM, "convDesc is NULL"));
    }
    *convDesc = reinterpret_cast<cudnnConvolutionDescriptor_t>(registerObject(ConvObj{}));
    return CUDNN_STATUS_SUCCESS;
}

CUDNN_API cudnnStatus_t cudnnDestroyConvolutionDescriptor(cudnnConvolutionDescriptor_t convDesc) {
    if (convDesc == nullptr) return CUDNN_STATUS_SUCCESS;
    return finish("cudnnDestroyConvolutionDescriptor", destroyObject<ConvObj>(convDesc, "convDesc"));
}

CUDNN_API cudnnStatus_t cudnnSetConvolution2dDescriptor(cudnnConvolutionDescriptor_t convDesc, int pad_h, int pad_w,
                                                        int u, int v, int dilation_h, int dilation_w,
                                                        cudnnConvolutionMode_t mode, cudnnDataType_t computeType) {
    int pad[2] = {pad_h, pad_w};
    int stride[2] = {u, v};
    int dilation[2] = {dilation_h, dilation_w};
    return finish("cudnnSetConvolution2dDescriptor", setConv(convDesc, 2, pad, stride, dilation, mode, computeType));
}

CUDNN_API cudnnStatus_t cudnnGetConvolution2dDescriptor(const cudnnConvolutionDescriptor_t convDesc, int* pad_h,
                                                        int* pad_w, int* u, int* v, int* dilation_h, int* dilation_w,
                                                        cudnnConvolutionMode_t* mode, cudnnDataType_t* computeType) {
    const char* call = "cudnnGetConvolution2dDescriptor";
    ConvObj c;
    Status s = readObject(convDesc, "convDesc", &c);
    if (!s.ok()) return finish(call, s);
    if (c.arrayLength != 2) {
        return finish(call, failure(CUDNN_STATUS_BAD_PARAM, "the descriptor has %d spatial dimensions, not 2",
                                    c.arrayLength));
    }
    if (!pad_h || !pad_w || !u || !v || !dilation_h || !dilation_w || !mode || !computeType) {
        return finish(call, failure(CUDNN_STATUS_BAD_PARAM, "an output pointer is NULL"));
    }
    *pad_h = c.pad[0];
    *pad_w = c.pad[1];
    *u = c.stride[0];
    *v = c.stride[1];
    *dilation_h = c.dilation[0];
    *dilation_w = c.dilation[1];
    *mode = c.mode;
    *computeType = c.computeType;
    return CUDNN_STATUS_SUCCESS;
}

CUDNN_API cudnnStatus_t cudnnSetConvolutionNdDescriptor(cudnnConvolutionDescriptor_t convDesc, int arrayLength,
                                                        const int padA[], const int filterStrideA[],
                                                        const int dilationA[], cudnnConvolutionMode_t mode,
                                                        cudnnDataType_t computeType) {
    const char* call = "cudnnSetConvolutionNdDescriptor";
    if (!padA || !filterStrideA || !dilationA) {
        return finish(call, failure(CUDNN_STATUS_BAD_PARAM, "padA, filterStrideA or dilationA is NULL"));
    }
    return finish(call, setConv(convDesc, arrayLength, padA, filterStrideA, dilationA, mode, computeType));
}

CUDNN_API cudnnStatus_t cudnnGetConvolutionNdDescriptor(const cudnnConvolutionDescriptor_t convDesc,
                                                        int arrayLengthRequested, int* arrayLength, int padA[],
                                                        int strideA[], int dilationA[], cudnnConvolutionMode_t* mode,
                                                        cudnnDataType_t* computeType) {
    const char* call = "cudnnGetConvolutionNdDescriptor";
    ConvObj c;
    Status s = readObject(convDesc, "convDesc", &c);
    if (!s.ok()) return finish(call, s);
    if (arrayLengthRequested < 0 || arrayLengthRequested > CUDNN_DIM_MAX - 2) {
        return finish(call, failure(CUDNN_STATUS_BAD_PARAM, "arrayLengthRequested is %d", arrayLengthRequested));
    }
    if (!arrayLength || !mode || !computeType || (arrayLengthRequested > 0 && (!padA || !strideA || !dilationA))) {
        return finish(call, failure(CUDNN_STATUS_BAD_PARAM, "an output pointer is NULL"));
    }
    *arrayLength = c.arrayLength;
    for (int i = 0; i < arrayLengthRequested && i < c.arrayLength; i++) {
        padA[i] = c.pad[i];
        strideA[i] = c.stride[i];
        dilationA[i] = c.dilation[i];
    }
    *mode = c.mode;
    *computeType = c.computeType;
    return CUDNN_STATUS_SUCCESS;
}

CUDNN_API cudnnStatus_t cudnnSetConvolutionGroupCount(cudnnConvolutionDescriptor_t convDesc, int groupCount) {
    return finish("cudnnSetConvolutionGroupCount", modifyConv(convDesc, [&](ConvObj& c) {
                      if (groupCount < 1) return failure(CUDNN_STATUS_BAD_PARAM, "groupCount is %d", groupCount);
                      c.groups = groupCount;
                      return success();
                  }));
}

CUDNN_API cudnnStatus_t cudnnGetConvolutionGroupCount(cudnnConvolutionDescriptor_t convDesc, int* groupCount) {
    const char* call = "cudnnGetConvolutionGroupCount";
    ConvObj c;
    Status s = readObject(convDesc, "convDesc", &c, false);
    if (!s.ok()) return finish(call, s);
    if (groupCount == nullptr) return finish(call, failure(CUDNN_STATUS_BAD_PARAM, "groupCount is NULL"));
    *groupCount = c.groups;
    return CUDNN_STATUS_SUCCESS;
}

CUDNN_API cudnnStatus_t cudnnSetConvolutionMathType(cudnnConvolutionDescriptor_t convDesc, cudnnMathType_t mathType) {
    return finish("cudnnSetConvolutionMathType", modifyConv(convDesc, [&](ConvObj& c) {
                      if (int(mathType) < CUDNN_DEFAULT_MATH || int(mathType) > CUDNN_FMA_MATH) {
                          return failure(CUDNN_STATUS_BAD_PARAM, "invalid cudnnMathType_t %d", int(mathType));
                      }
                      c.mathType = mathType;
                      return success();
                  }));
}

CUDNN_API cudnnStatus_t cudnnGetConvolutionMathType(cudnnConvolutionDescriptor_t convDesc, cudnnMathType_t* mathType) {
    const char* call = "cudnnGetConvolutionMathType";
    ConvObj c;
    Status s = readObject(convDesc, "convDesc", &c, false);
    if (!s.ok()) return finish(call, s);
    if (mathType == nullptr) return finish(call, failure(CUDNN_STATUS_BAD_PARAM, "mathType is NULL"));
    *mathType = c.mathType;
    return CUDNN_STATUS_SUCCESS;
}

CUDNN_API cudnnStatus_t cudnnSetConvolutionReorderType(cudnnConvolutionDescriptor_t convDesc,
                                                       cudnnReorderType_t reorderType) {
    return finish("cudnnSetConvolutionReorderType", modifyConv(convDesc, [&](ConvObj& c) {
                      if (reorderType != CUDNN_DEFAULT_REORDER && reorderType != CUDNN_NO_REORDER) {
                          return failure(CUDNN_STATUS_BAD_PARAM, "invalid cudnnReorderType_t %d", int(reorderType));
                      }
                      c.reorder = reorderType;
                      return success();
                  }));
}

CUDNN_API cudnnStatus_t cudnnGetConvolutionReorderType(cudnnConvolutionDescriptor_t convDesc,
                                                       cudnnReorderType_t* reorderType) {
    const char* call = "cudnnGetConvolutionReorderType";
    ConvObj c;
    Status s = readObject(convDesc, "convDesc", &c, false);
    if (!s.ok()) return finish(call, s);
    if (reorderType == nullptr) return finish(call, failure(CUDNN_STATUS_BAD_PARAM, "reorderType is NULL"));
    *reorderType = c.reorder;
    return CUDNN_STATUS_SUCCESS;
}

CUDNN_API cudnnStatus_t cudnnGetConvolutionNdForwardOutputDim(const cudnnConvolutionDescriptor_t convDesc,
                                                              const cudnnTensorDescriptor_t inputTensorDesc,
                                                              const cudnnFilterDescriptor_t filterDesc, int nbDims,
                                                              int tensorOuputDimA[]) {
    const char* call = "cudnnGetConvolutionNdForwardOutputDim";
    ConvObj c;
    TensorObj x;
    FilterObj w;
    Status s = readObject(convDesc, "convDesc", &c);
    if (s.ok()) s = readObject(inputTensorDesc, "inputTensorDesc", &x);
    if (s.ok()) s = readObject(filterDesc, "filterDesc", &w);
    if (s.ok() && tensorOuputDimA == nullptr) s = failure(CUDNN_STATUS_BAD_PARAM, "tensorOuputDimA is NULL");
    if (s.ok() && x.dataType != w.dataType) {
        s = failure(CUDNN_STATUS_BAD_PARAM, "the input is %s but the filter is %s", dataTypeName(x.dataType),
                    dataTypeName(w.dataType));
    }
    int dims[CUDNN_DIM_MAX];
    if (s.ok()) s = convOutputDims(x, w, c, nbDims, dims);
    if (!s.ok()) return finish(call, s);
    for (int i = 0; i < nbDims; i++) tensorOuputDimA[i] = dims[i];
    return CUDNN_STATUS_SUCCESS;
}

CUDNN_API cudnnStatus_t cudnnGetConvolution2dForwardOutputDim(const cudnnConvolutionDescriptor_t convDesc,
                                                              const cudnnTensorDescriptor_t inputTensorDesc,
                                                              const cudnnFilterDescriptor_t filterDesc, int* n, int* c,
                                                              int* h, int* w) {
    const char* call = "cudnnGetConvolution2dForwardOutputDim";
    ConvObj cd;
    TensorObj x;
    FilterObj f;
    Status s = readObject(convDesc, "convDesc", &cd);
    if (s.ok()) s = readObject(inputTensorDesc, "inputTensorDesc", &x);
    if (s.ok()) s = readObject(filterDesc, "filterDesc", &f);
    if (s.ok() && (!n || !c || !h || !w)) s = failure(CUDNN_STATUS_BAD_PARAM, "an output pointer is NULL");
    if (s.ok() && (cd.arrayLength != 2 || x.nbDims != 4)) {
        s = failure(CUDNN_STATUS_BAD_PARAM, "not a 2-D convolution (%d spatial dimensions, input of %d dimensions)",
                    cd.arrayLength, x.nbDims);
    }
    int dims[4];
    if (s.ok()) s = convOutputDims(x, f, cd, 4, dims);
    if (!s.ok()) return finish(call, s);
    *n = dims[0];
    *c = dims[1];
    *h = dims[2];
    *w = dims[3];
    return CUDNN_STATUS_SUCCESS;
}
