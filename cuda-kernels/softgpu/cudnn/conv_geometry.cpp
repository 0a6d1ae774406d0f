#include "cudnn/conv_geometry.h"

namespace cudnn {

namespace {

Status checkRanks(const TensorObj& x, const FilterObj& w, const ConvObj& conv, int yNbDims, const char* xName,
                  const char* wName, const char* yName) {
    if (yNbDims >= 0 && x.nbDims != yNbDims) {
        return failure(CUDNN_STATUS_BAD_PARAM, "%s has %d dimensions but %s has %d", xName, x.nbDims, yName, yNbDims);
    }
    if (x.nbDims != w.nbDims) {
        return failure(CUDNN_STATUS_BAD_PARAM, "%s has %d dimensions but the filter %s has %d", xName, x.nbDims, wName,
                       w.nbDims);
    }
    if (x.nbDims != conv.arrayLength + 2) {
        return failure(CUDNN_STATUS_BAD_PARAM,
                       "%s has %d dimensions but the convolution descriptor has %d spatial dimensions", xName,
                       x.nbDims, conv.arrayLength);
    }
    if (x.dims[1] != w.dims[1] * conv.groups) {
        return failure(CUDNN_STATUS_BAD_PARAM,
                       "%s has %d channels but the filter %s expects %d (%d per group x %d groups)", xName, x.dims[1],
                       wName, w.dims[1] * conv.groups, w.dims[1], conv.groups);
    }
    if (w.dims[0] % conv.groups != 0) {
        return failure(CUDNN_STATUS_BAD_PARAM, "the filter %s has %d output channels, not a multiple of %d groups",
                       wName, w.dims[0], conv.groups);
    }
    return success();
}

// Output size of one spatial dimension; BAD_PARAM when the dilated filter exceeds the padded input.
Status outputSize(int in, int filter, int pad, int stride, int dilation, int dim, int* out) {
    long long effective = (long long)(filter - 1) * dilation + 1;
    long long padded = (long long)in + 2LL * pad;
    if (effective > padded) {
        return failure(CUDNN_STATUS_BAD_PARAM,
                       "spatial dimension %d: the dilated filter (%lld) is larger than the padded input (%lld)", dim,
                       effective, padded);
    }
    *out = int(1 + (padded - effective) / stride);
    return success();
}

}  // namespace

Status convOutputDims(const TensorObj& x, const FilterObj& w, const ConvObj& conv, int nbDims, int* outDims) {
    CUDNN_TRY(checkRanks(x, w, conv, -1, "the input tensor", "filterDesc", ""));
    if (nbDims != x.nbDims) {
        return failure(CUDNN_STATUS_BAD_PARAM, "nbDims is %d but the input tensor has %d dimensions", nbDims,
                       x.nbDims);
    }
    outDims[0] = x.dims[0];
    outDims[1] = w.dims[0];
    for (int i = 0; i < conv.arrayLength; i++) {
        CUDNN_TRY(outputSize(x.dims[2 + i], w.dims[2 + i], conv.pad[i], conv.stride[i], conv.dilation[i], i,
                             &outDims[2 + i]));
    }
    return success();
}

Status convShape(const TensorObj& x, const FilterObj& w, const ConvObj& conv, const TensorObj& y, const char* xName,
                 const char* wName, const char* yName, ConvShape* s) {
    CUDNN_TRY(checkRanks(x, w, conv, y.nbDims, xName, wName, yName));
    if (x.dataType != y.dataType || x.dataType != w.dataType) {
        return failure(CUDNN_STATUS_BAD_PARAM, "data types differ: %s %s, filter %s %s, %s %s", xName,
                       dataTypeName(x.dataType), wName, dataTypeName(w.dataType), yName, dataTypeName(y.dataType));
    }
    int expected[CUDNN_DIM_MAX];
    CUDNN_TRY(convOutputDims(x, w, conv, x.nbDims, expected));
    for (int i = 0; i < y.nbDims; i++) {
        if (y.dims[i] != expected[i]) {
            std::string want = "[", got = "[";
            for (int j = 0; j < y.nbDims; j++) {
                want += (j ? ", " : "") + std::to_string(expected[j]);
                got += (j ? ", " : "") + std::to_string(y.dims[j]);
            }
            return failure(CUDNN_STATUS_BAD_PARAM, "%s has dimensions %s] but the convolution produces %s]", yName,
                           got.c_str(), want.c_str());
        }
    }
    if (x.nbDims != 4) {
        return failure(CUDNN_STATUS_NOT_SUPPORTED, "%d-D convolutions are not supported by the software GPU (2-D only)",
                       x.nbDims - 2);
    }
    if (x.dataType != CUDNN_DATA_FLOAT) {
        return failure(CUDNN_STATUS_NOT_SUPPORTED, "data type %s: the software GPU supports CUDNN_DATA_FLOAT only",
                       dataTypeName(x.dataType));
    }
    if (conv.computeType != CUDNN_DATA_FLOAT) {
        return failure(CUDNN_STATUS_NOT_SUPPORTED,
                       "compute type %s with float data: the software GPU supports CUDNN_DATA_FLOAT only",
                       dataTypeName(conv.computeType));
    }
    s->N = x.dims[0];
    s->C = x.dims[1];
    s->H = x.dims[2];
    s->W = x.dims[3];
    s->K = w.dims[0];
    s->P = y.dims[2];
    s->Q = y.dims[3];
    s->G = conv.groups;
    s->Cg = w.dims[1];
    s->Kg = w.dims[0] / conv.groups;
    s->R = w.dims[2];
    s->S = w.dims[3];
    s->padH = conv.pad[0];
    s->padW = conv.pad[1];
    s->strH = conv.stride[0];
    s->strW = conv.stride[1];
    s->dilH = conv.dilation[0];
    s->dilW = conv.dilation[1];
    s->flip = conv.mode == CUDNN_CONVOLUTION;
    s->tf32 = false;
    s->x = view4(x);
    s->y = view4(y);
    if (w.format == CUDNN_TENSOR_NHWC) {  // K, R, S, C
        s->wC = 1;
        s->wS = s->Cg;
        s->wR = (long long)s->S * s->Cg;
        s->wK = (long long)s->R * s->S * s->Cg;
    } else {  // K, C, R, S
        s->wS = 1;
        s->wR = s->S;
        s->wC = (long long)s->R * s->S;
        s->wK = (long long)s->Cg * s->R * s->S;
    }
    return success();
}

Status readConv(const HandleObj& h, cudnnTensorDescriptor_t xDesc, cudnnFilterDescriptor_t wDesc,
                cudnnConvolutionDescriptor_t convDesc, cudnnTensorDescriptor_t yDesc, const char* xName,
                const char* wName, const char* yName, ConvDescs* d, ConvShape* s) {
    std::string xd = std::string(xName) + "Desc", wd = std::string(wName) + "Desc", yd = std::string(yName) + "Desc";
    CUDNN_TRY(readObject(xDesc, xd.c_str(), &d->x));
    CUDNN_TRY(readObject(wDesc, wd.c_str(), &d->w));
    CUDNN_TRY(readObject(convDesc, "convDesc", &d->conv));
    CUDNN_TRY(readObject(yDesc, yd.c_str(), &d->y));
    CUDNN_TRY(convShape(d->x, d->w, d->conv, d->y, xName, wName, yName, s));
    s->tf32 = usesTf32(d->conv, h);
    return success();
}

}  // namespace cudnn
