// The geometry of one 2-D convolution, validated from its descriptors the way cuDNN 8 validates
// them, and the numeric mode it runs in (filter flip, TF32 inputs).
#ifndef FOVEA_SOFTGPU_CUDNN_CONV_GEOMETRY_H
#define FOVEA_SOFTGPU_CUDNN_CONV_GEOMETRY_H

#include "cudnn/objects.h"
#include "cudnn/status.h"
#include "cudnn/tensor_view.h"

#include <cstdint>
#include <cstring>

namespace cudnn {

struct ConvShape {
    int N, C, H, W;  // the input activation (x, or dx in backward data)
    int K, P, Q;     // the output activation (y, or dy)
    int G, Cg, Kg;   // groups and channels per group
    int R, S;        // filter height and width
    int padH, padW, strH, strW, dilH, dilW;
    bool flip;       // CUDNN_CONVOLUTION: the filter is applied rotated by 180 degrees
    bool tf32;       // inputs rounded to TF32 before multiplying (Ampere tensor cores)
    View4 x, y;      // strides of the input and output activations
    long long wK, wC, wR, wS;  // strides of the filter (KCRS or KRSC)

    long long crs() const { return (long long)Cg * R * S; }
    long long krs() const { return (long long)Kg * R * S; }
    long long pq() const { return (long long)P * Q; }
    long long hw() const { return (long long)H * W; }
    // Filter element (k, c, r, s) as the cross-correlation sees it: rotated when flipping.
    long long wAt(long long k, long long c, int r, int s) const {
        if (flip) {
            r = R - 1 - r;
            s = S - 1 - s;
        }
        return k * wK + c * wC + r * wR + s * wS;
    }
};

// Validates a convolution (x: input activation, w: filter, y: output activation) and fills *out.
// xName/yName name the tensors in messages ("x"/"y", "dx"/"dy"). BAD_PARAM for inconsistent
// dimensions or types, NOT_SUPPORTED for what the software GPU does not implement (3-D
// convolutions, data types other than float).
Status convShape(const TensorObj& x, const FilterObj& w, const ConvObj& conv, const TensorObj& y, const char* xName,
                 const char* wName, const char* yName, ConvShape* out);

// The descriptors of one convolution call, read from the registry.
struct ConvDescs {
    TensorObj x, y;
    FilterObj w;
    ConvObj conv;
};

// Reads and validates the descriptors of a call on handle h (x: input activation, y: output
// activation; names for messages) and fills the shape, TF32 mode included.
Status readConv(const HandleObj& h, cudnnTensorDescriptor_t xDesc, cudnnFilterDescriptor_t wDesc,
                cudnnConvolutionDescriptor_t convDesc, cudnnTensorDescriptor_t yDesc, const char* xName,
                const char* wName, const char* yName, ConvDescs* d, ConvShape* s);

// Output dimensions (N, K, spatial...) of a convolution of x by w, as
// cudnnGetConvolutionNdForwardOutputDim computes them. nbDims must be x's.
Status convOutputDims(const TensorObj& x, const FilterObj& w, const ConvObj& conv, int nbDims, int* outDims);

// Whether the convolution multiplies TF32-rounded inputs: tensor-op math (DEFAULT_MATH included,
// which cuDNN 8 lets use tensor cores) on a device of compute capability 8.0 or later.
inline bool usesTf32(const ConvObj& conv, const HandleObj& h) {
    return h.ccMajor >= 8 && conv.mathType != CUDNN_FMA_MATH;
}

// Rounds to TF32 (10 explicit mantissa bits), to nearest even, as Ampere tensor cores read FP32.
inline float roundTf32(float f) {
    uint32_t u;
    std::memcpy(&u, &f, 4);
    if ((u & 0x7f800000u) == 0x7f800000u) return f;  // infinities and NaNs pass unchanged
    u += 0x00000fffu + ((u >> 13) & 1u);
    u &= 0xffffe000u;
    std::memcpy(&f, &u, 4);
    return f;
}

inline float loadIn(const float* p, bool tf32) { return tf32 ? roundTf32(*p) : *p; }

}  // namespace cudnn

#endif
