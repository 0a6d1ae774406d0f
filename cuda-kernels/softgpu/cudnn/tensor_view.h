// Strided tensor geometry: element extents (what a range check must cover), overlap checks for
// outputs, 4-D views, and a parallel element-wise walk over up to three tensors of equal dims
// with independent strides. Every op goes through these, so arbitrary (non-packed) strides work
// everywhere.
#ifndef FOVEA_SOFTGPU_CUDNN_TENSOR_VIEW_H
#define FOVEA_SOFTGPU_CUDNN_TENSOR_VIEW_H

#include "cudnn/objects.h"
#include "softgpu.h"

#include <algorithm>
#include <cstddef>

namespace cudnn {

inline size_t elementSize(cudnnDataType_t t) {
    switch (t) {
        case CUDNN_DATA_FLOAT: return 4;
        case CUDNN_DATA_DOUBLE: return 8;
        case CUDNN_DATA_HALF: return 2;
        case CUDNN_DATA_BFLOAT16: return 2;
        case CUDNN_DATA_INT8: return 1;
        case CUDNN_DATA_UINT8: return 1;
        case CUDNN_DATA_INT32: return 4;
        case CUDNN_DATA_INT8x4: return 4;
        case CUDNN_DATA_UINT8x4: return 4;
        case CUDNN_DATA_INT8x32: return 32;
        case CUDNN_DATA_INT64: return 8;
    }
    return 0;
}

inline bool validDataType(int t) { return t >= CUDNN_DATA_FLOAT && t <= CUDNN_DATA_INT64; }

const char* dataTypeName(cudnnDataType_t t);

// Elements from the first to one past the last addressed: 1 + sum (dim - 1) * stride.
inline long long extentElements(int nb, const int* dims, const int* strides) {
    long long e = 1;
    for (int i = 0; i < nb; i++) {
        if (dims[i] <= 0) return 0;
        e += (long long)(dims[i] - 1) * strides[i];
    }
    return e;
}

inline long long elementCount(int nb, const int* dims) {
    long long n = 1;
    for (int i = 0; i < nb; i++) n *= dims[i];
    return n;
}

inline size_t tensorBytes(const TensorObj& t) {
    return size_t(extentElements(t.nbDims, t.dims, t.strides)) * elementSize(t.dataType);
}

// y = alpha * v + beta * y, without reading y when beta is 0 (fresh device memory holds NaNs, and
// cuDNN documents that a zero beta does not read the output).
inline float blend(float alpha, float v, float beta, const float* y) {
    return beta == 0.0f ? alpha * v : alpha * v + beta * *y;
}

inline size_t filterBytes(const FilterObj& f) { return size_t(elementCount(f.nbDims, f.dims)) * elementSize(f.dataType); }

// True when no two index tuples share an address: needed for tensors that are written, since
// overlapping outputs would race (and have no defined result).
bool nonOverlapping(int nb, const int* dims, const int* strides);

// "[2, 3, 4, 5] strides [60, 20, 5, 1]" for messages.
std::string describe(const TensorObj& t);

struct View4 {
    int n, c, h, w;
    long long sn, sc, sh, sw;

    long long at(long long in, long long ic, long long ih, long long iw) const {
        return in * sn + ic * sc + ih * sh + iw * sw;
    }
};

inline View4 view4(const TensorObj& t) {
    return View4{t.dims[0], t.dims[1], t.dims[2], t.dims[3], t.strides[0], t.strides[1], t.strides[2], t.strides[3]};
}

inline bool sameDims(const TensorObj& a, const TensorObj& b) {
    if (a.nbDims != b.nbDims) return false;
    for (int i = 0; i < a.nbDims; i++) {
        if (a.dims[i] != b.dims[i]) return false;
    }
    return true;
}

// Up to three operands walked together over common dims; operand k's element i sits at
// base_k + sum idx_d * stride[k][d]. A stride of 0 broadcasts.
struct Walk {
    int nb = 0;
    long long dims[CUDNN_DIM_MAX] = {};
    long long st[3][CUDNN_DIM_MAX] = {};

    // Drops size-1 dims and merges neighbours that are contiguous in every operand, so that the
    // innermost loop is as long as possible (an [n,1,1,1] tensor walks as one row of n).
    void simplify(int operands);
};

Walk makeWalk(const int* dims, int nb, const int* const strides[3], int operands);

// body(o0, o1, o2) for every element, in parallel over blocks of rows of the innermost dimension
// (a long innermost dimension is cut into blocks too, so that a flat tensor is still shared out).
template <class F>
void forEachElement(const Walk& w, F&& body) {
    constexpr long long kBlock = 8192;
    int nb = w.nb;
    long long inner = nb > 0 ? w.dims[nb - 1] : 1;
    long long s0 = nb > 0 ? w.st[0][nb - 1] : 0;
    long long s1 = nb > 0 ? w.st[1][nb - 1] : 0;
    long long s2 = nb > 0 ? w.st[2][nb - 1] : 0;
    long long rows = 1;
    for (int d = 0; d < nb - 1; d++) rows *= w.dims[d];
    long long blocks = (inner + kBlock - 1) / kBlock;  // per row
    long long grain = std::max(1LL, kBlock / std::max(1LL, inner));
    softgpu::parallel_for(rows * blocks, grain, [&](long long begin, long long end) {
        for (long long item = begin; item < end; item++) {
            long long rem = item / blocks;
            long long i0 = item % blocks * kBlock, i1 = std::min(inner, i0 + kBlock);
            long long o0 = 0, o1 = 0, o2 = 0;
            for (int d = nb - 2; d >= 0; d--) {
                long long i = rem % w.dims[d];
                rem /= w.dims[d];
                o0 += i * w.st[0][d];
                o1 += i * w.st[1][d];
                o2 += i * w.st[2][d];
            }
            for (long long i = i0; i < i1; i++) {
                body(o0 + i * s0, o1 + i * s1, o2 + i * s2);
            }
        }
    });
}

}  // namespace cudnn

#endif
