#include "cudnn/tensor_view.h"

#include <string>
#include <utility>

namespace cudnn {

const char* dataTypeName(cudnnDataType_t t) {
    switch (t) {
        case CUDNN_DATA_FLOAT: return "CUDNN_DATA_FLOAT";
        case CUDNN_DATA_DOUBLE: return "CUDNN_DATA_DOUBLE";
        case CUDNN_DATA_HALF: return "CUDNN_DATA_HALF";
        case CUDNN_DATA_INT8: return "CUDNN_DATA_INT8";
        case CUDNN_DATA_INT32: return "CUDNN_DATA_INT32";
        case CUDNN_DATA_INT8x4: return "CUDNN_DATA_INT8x4";
        case CUDNN_DATA_UINT8: return "CUDNN_DATA_UINT8";
        case CUDNN_DATA_UINT8x4: return "CUDNN_DATA_UINT8x4";
        case CUDNN_DATA_INT8x32: return "CUDNN_DATA_INT8x32";
        case CUDNN_DATA_BFLOAT16: return "CUDNN_DATA_BFLOAT16";
        case CUDNN_DATA_INT64: return "CUDNN_DATA_INT64";
    }
    return "an invalid data type";
}

bool nonOverlapping(int nb, const int* dims, const int* strides) {
    // Sorted by stride, each dim must step past everything the smaller-stride dims span.
    int order[CUDNN_DIM_MAX];
    int m = 0;
    for (int i = 0; i < nb; i++) {
        if (dims[i] > 1) order[m++] = i;
    }
    for (int i = 1; i < m; i++) {  // insertion sort by stride (at most 8 entries)
        for (int j = i; j > 0 && strides[order[j]] < strides[order[j - 1]]; j--) std::swap(order[j], order[j - 1]);
    }
    long long span = 1;  // elements covered by the dims so far
    for (int k = 0; k < m; k++) {
        int d = order[k];
        if (strides[d] < span) return false;
        span = (long long)strides[d] * dims[d];
    }
    return true;
}

std::string describe(const TensorObj& t) {
    std::string s = "[";
    for (int i = 0; i < t.nbDims; i++) s += (i ? ", " : "") + std::to_string(t.dims[i]);
    s += "] strides [";
    for (int i = 0; i < t.nbDims; i++) s += (i ? ", " : "") + std::to_string(t.strides[i]);
    return s + "]";
}

void Walk::simplify(int operands) {
    int out = 0;
    for (int d = 0; d < nb; d++) {
        if (dims[d] == 1) continue;
        if (out > 0) {
            bool merge = true;
            for (int k = 0; k < operands; k++) {
                if (st[k][out - 1] != st[k][d] * dims[d]) merge = false;
            }
            if (merge) {
                dims[out - 1] *= dims[d];
                for (int k = 0; k < 3; k++) st[k][out - 1] = st[k][d];
                continue;
            }
        }
        dims[out] = dims[d];
        for (int k = 0; k < 3; k++) st[k][out] = st[k][d];
        out++;
    }
    if (out == 0) {  // a single element
        dims[0] = 1;
        for (int k = 0; k < 3; k++) st[k][0] = 0;
        out = 1;
    }
    nb = out;
}

Walk makeWalk(const int* dims, int nb, const int* const strides[3], int operands) {
    Walk w;
    w.nb = nb;
    for (int d = 0; d < nb; d++) {
        w.dims[d] = dims[d];
        for (int k = 0; k < 3; k++) w.st[k][d] = (k < operands && strides[k]) ? strides[k][d] : 0;
    }
    w.simplify(operands);
    return w;
}

}  // namespace cudnn
