// The convolution algorithms: what each supports, the workspace each declares, and the work that
// runs on the stream. The run* functions are called inside queued work only: they dereference
// device memory.
//
// Forward                       workspace                                    deterministic
//   IMPLICIT_GEMM               none: gathers input tiles on the fly          yes
//   IMPLICIT_PRECOMP_GEMM       an index table of the filter taps (16 B/tap)  yes
//   GEMM                        im2col of a chunk of images                   yes
//   WINOGRAD_NONFUSED (3x3, stride 1, dilation 1)
//                               transformed filters, input tiles, products    yes (not bit-equal to
//                                                                            direct summation)
// Backward data
//   ALGO_0                      none; partial sums combined in a per-call order  no
//   ALGO_1                      none                                          yes
// Backward filter
//   ALGO_0                      none; per-image-chunk partials, per-call order   no
//   ALGO_1                      im2col of a chunk of images + packed dy       yes
//   ALGO_3                      the per-chunk partial filters                 no
// Every other algorithm is CUDNN_STATUS_NOT_SUPPORTED.
#ifndef FOVEA_SOFTGPU_CUDNN_CONV_KERNELS_H
#define FOVEA_SOFTGPU_CUDNN_CONV_KERNELS_H

#include "cudnn/conv_geometry.h"

#include <cmath>
#include <string>

namespace cudnn {

// ---- where forward results go ------------------------------------------------------------------

// y = alpha * conv + beta * y (y not read when beta is 0).
struct BlendOutput {
    float* y;
    View4 v;
    float alpha, beta;

    void store(int n, int k, int p, int q, float value) const {
        float* d = y + v.at(n, k, p, q);
        *d = beta == 0.0f ? alpha * value : alpha * value + beta * *d;
    }
};

// y = act(alpha1 * conv + alpha2 * z + bias), act RELU or IDENTITY (cudnnConvolutionBiasActivationForward).
// z may be y itself: each element of z is read before the same element of y is written.
struct BiasActOutput {
    float* y;
    View4 vy;
    const float* z;
    View4 vz;
    const float* bias;
    long long biasStride;  // between channels
    float alpha1, alpha2;
    bool relu;
    bool propagateNan;

    void store(int n, int k, int p, int q, float value) const {
        float v = alpha1 * value;
        if (alpha2 != 0.0f) v += alpha2 * z[vz.at(n, k, p, q)];
        v += bias[k * biasStride];
        if (relu && !(v > 0.0f)) v = (propagateNan && std::isnan(v)) ? v : 0.0f;
        y[vy.at(n, k, p, q)] = v;
    }
};

// ---- forward -----------------------------------------------------------------------------------

// Whether algo runs this shape; *why says why not.
bool forwardSupported(const ConvShape& s, int algo, std::string* why);
// Workspace bytes algo needs (0 for unsupported ones).
size_t forwardWorkspace(const ConvShape& s, int algo);
template <class Out>
void runForward(const ConvShape& s, int algo, const float* x, const float* w, void* workspace, const Out& out);

// ---- backward data: dx = alpha * conv^T(dy, w) + beta * dx ----------------------------------------
// In the shape, x is dx and y is dy.
bool backwardDataSupported(const ConvShape& s, int algo, std::string* why);
size_t backwardDataWorkspace(const ConvShape& s, int algo);
void runBackwardData(const ConvShape& s, int algo, const float* w, const float* dy, void* workspace, float* dx,
                     float alpha, float beta, uint64_t seed);

// ---- backward filter: dw = alpha * sum_n corr(x, dy) + beta * dw ----------------------------------
bool backwardFilterSupported(const ConvShape& s, int algo, std::string* why);
size_t backwardFilterWorkspace(const ConvShape& s, int algo);
void runBackwardFilter(const ConvShape& s, int algo, const float* x, const float* dy, void* workspace, float* dw,
                       float alpha, float beta, uint64_t seed);

// ---- Winograd F(2x2, 3x3), the forward kernels' fourth algorithm (conv_winograd.cpp) ----------------
bool winogradApplies(const ConvShape& s);  // 3x3, stride 1, dilation 1

struct WinogradSizes {
    long long tilesP, tilesQ, tiles, tilesPadded;
    int kgPadded;
    long long u, v, m;  // floats: transformed filters (all groups), and per image: tiles, products
    long long chunk;    // images per workspace chunk
};
WinogradSizes winogradSizes(const ConvShape& s);

template <class Out>
void runWinograd(const ConvShape& s, const float* x, const float* w, void* workspace, const Out& out);

// Names for messages ("CUDNN_CONVOLUTION_FWD_ALGO_GEMM").
const char* forwardAlgoName(int algo);
const char* backwardDataAlgoName(int algo);
const char* backwardFilterAlgoName(int algo);

// Whether the algorithm's results can differ from run to run.
bool forwardDeterministic(int algo);
bool backwardDataDeterministic(int algo);
bool backwardFilterDeterministic(int algo);

// Workspace chunks hold this many bytes at most (at least one image), so that the workspace of the
// im2col-style algorithms stays bounded for big batches.
constexpr size_t kChunkBudgetBytes = size_t(32) << 20;

}  // namespace cudnn

#endif
