// 2-D pooling, forward and backward (descriptors: pooling_descriptors.cpp).
//
// Windows start at (p * stride - pad); padded cells never win a max and count towards an average
// only in CUDNN_POOLING_AVERAGE_COUNT_INCLUDE_PADDING (divisor window height x width; the exclude
// mode divides by the cells inside the input). A window with no candidate (all padding, or only
// NaNs under CUDNN_NOT_PROPAGATE_NAN) yields -inf for max and 0 for average.
//
// Max backward finds each window's winner again by comparing x with y, and gives the gradient to
// the LAST cell in row-major window order that equals the window's y (for a NaN y: the last NaN
// cell). NVIDIA does not document its tie rule; this one is fixed so that a backend assuming
// "first" (as an argmax-index kernel usually does) is caught. MAX and MAX_DETERMINISTIC use the
// same rule and are both deterministic here: gradients are gathered per input plane in a fixed order.
#include "cudnn/cudnn_api.h"
#include "cudnn/gemm.h"
#include "cudnn/launch.h"
#include "cudnn/objects.h"
#include "cudnn/pooling.h"
#include "cudnn/status.h"
#include "cudnn/tensor_view.h"

#include <cmath>
#include <cstring>
#include <limits>

using namespace cudnn;

namespace {

bool isMax(cudnnPoolingMode_t mode) { return mode == CUDNN_POOLING_MAX || mode == CUDNN_POOLING_MAX_DETERMINISTIC; }

// Checks x against y (dims as the pooling produces them) for a 2-D pooling on float data.
Status checkPool(const PoolObj& p, const TensorObj& x, const TensorObj& y, const char* xName, const char* yName) {
    if (x.nbDims != y.nbDims) {
        return failure(CUDNN_STATUS_BAD_PARAM, "%s has %d dimensions, %s %d", xName, x.nbDims, yName, y.nbDims);
    }
    if (x.dataType != y.dataType) return failure(CUDNN_STATUS_BAD_PARAM, "%s and %s differ in data type", xName, yName);
    int expected[CUDNN_DIM_MAX];
    CUDNN_TRY(poolOutputDims(p, x, x.nbDims, expected));
    for (int i = 0; i < y.nbDims; i++) {
        if (y.dims[i] != expected[i]) {
            return failure(CUDNN_STATUS_BAD_PARAM, "%s %s does not have the pooled dimensions of %s %s (dimension %d "
                           "should be %d)", yName, describe(y).c_str(), xName, describe(x).c_str(), i, expected[i]);
        }
    }
    if (p.nbDims != 2) {
        return failure(CUDNN_STATUS_NOT_SUPPORTED, "%d-D pooling is not supported by the software GPU (2-D only)",
                       p.nbDims);
    }
    return requireFloat(x, xName);
}

struct Geometry {
    int H, W, P, Q, wh, ww, ph, pw, sh, sw;
};

Geometry geometry(const PoolObj& p, const TensorObj& x, const TensorObj& y) {
    return Geometry{x.dims[2], x.dims[3], y.dims[2], y.dims[3], p.window[0], p.window[1],
                    p.pad[0],  p.pad[1],  p.stride[0], p.stride[1]};
}

// The value of one window.
float poolWindow(const Geometry& g, cudnnPoolingMode_t mode, bool propagateNan, const float* x, long long sh,
                 long long sw, int p, int q) {
    int h0 = p * g.sh - g.ph, w0 = q * g.sw - g.pw;
    if (isMax(mode)) {
        float m = -std::numeric_limits<float>::infinity();
        bool nan = false;
        for (int i = 0; i < g.wh; i++) {
            int h = h0 + i;
            if (h < 0 || h >= g.H) continue;
            for (int j = 0; j < g.ww; j++) {
                int w = w0 + j;
                if (w < 0 || w >= g.W) continue;
                float v = x[h * sh + w * sw];
                if (std::isnan(v)) {
                    nan = true;
                } else if (v > m) {
                    m = v;
                }
            }
        }
        return propagateNan && nan ? std::numeric_limits<float>::quiet_NaN() : m;
    }
    float sum = 0.0f;
    int inside = 0;
    for (int i = 0; i < g.wh; i++) {
        int h = h0 + i;
        if (h < 0 || h >= g.H) continue;
        for (int j = 0; j < g.ww; j++) {
            int w = w0 + j;
            if (w < 0 || w >= g.W) continue;
            sum += x[h * sh + w * sw];
            inside++;
        }
    }
    int divisor = mode == CUDNN_POOLING_AVERAGE_COUNT_INCLUDE_PADDING ? g.wh * g.ww : inside;
    return divisor == 0 ? 0.0f : sum / float(divisor);
}


Status poolingForward(cudnnHandle_t handle, cudnnPoolingDescriptor_t poolingDesc, const void* alpha,
                      cudnnTensorDescriptor_t xDesc, const void* x, const void* beta, cudnnTensorDescriptor_t yDesc,
                      void* y) {
    Launch L("cudnnPoolingForward");
    CUDNN_TRY(L.begin(handle));
    PoolObj p;
    TensorObj xt, yt;
    CUDNN_TRY(readObject(poolingDesc, "poolingDesc", &p));
    CUDNN_TRY(readObject(xDesc, "xDesc", &xt));
    CUDNN_TRY(readObject(yDesc, "yDesc", &yt));
    float a = 0, b = 0;
    CUDNN_TRY(hostScalar(alpha, "alpha", &a));
    CUDNN_TRY(hostScalar(beta, "beta", &b));
    if (!x || !y) return failure(CUDNN_STATUS_BAD_PARAM, "x or y is NULL");
    CUDNN_TRY(checkPool(p, xt, yt, "x", "y"));
    CUDNN_TRY(requireNonOverlapping(yt, "y"));
    CUDNN_TRY(L.tensorRange(x, xt, "x"));
    CUDNN_TRY(L.tensorRange(y, yt, "y"));
    Geometry g = geometry(p, xt, yt);
    View4 vx = view4(xt), vy = view4(yt);
    const float* xf = static_cast<const float*>(x);
    float* yf = static_cast<float*>(y);
    return L.enqueue([g, p, vx, vy, xf, yf, a, b] {
        bool propagate = p.nanOpt == CUDNN_PROPAGATE_NAN;
        softgpu::parallel_for((long long)vx.n * vx.c, 1, [&](long long begin, long long end) {
            for (long long plane = begin; plane < end; plane++) {
                long long n = plane / vx.c, c = plane % vx.c;
                const float* xp = xf + n * vx.sn + c * vx.sc;
                for (int oh = 0; oh < g.P; oh++) {
                    for (int ow = 0; ow < g.Q; ow++) {
                        float v = poolWindow(g, p.mode, propagate, xp, vx.sh, vx.sw, oh, ow);
                        float* d = yf + vy.at(n, c, oh, ow);
                        *d = blend(a, v, b, d);
                    }
                }
            }
        });
    });
}

Status poolingBackward(cudnnHandle_t handle, cudnnPoolingDescriptor_t poolingDesc, const void* alpha,
                       cudnnTensorDescriptor_t yDesc, const void* y, cudnnTensorDescriptor_t dyDesc, const void* dy,
                       cudnnTensorDescriptor_t xDesc, const void* x, const void* beta, cudnnTensorDescriptor_t dxDesc,
                       void* dx) {
    Launch L("cudnnPoolingBackward");
    CUDNN_TRY(L.begin(handle));
    PoolObj p;
    TensorObj yt, dyt, xt, dxt;
    CUDNN_TRY(readObject(poolingDesc, "poolingDesc", &p));
    CUDNN_TRY(readObject(yDesc, "yDesc", &yt));
    CUDNN_TRY(readObject(dyDesc, "dyDesc", &dyt));
    CUDNN_TRY(readObject(xDesc, "xDesc", &xt));
    CUDNN_TRY(readObject(dxDesc, "dxDesc", &dxt));
    float a = 0, b = 0;
    CUDNN_TRY(hostScalar(alpha, "alpha", &a));
    CUDNN_TRY(hostScalar(beta, "beta", &b));
    bool max = isMax(p.mode);
    if (!dy || !dx || (max && (!x || !y))) return failure(CUDNN_STATUS_BAD_PARAM, "x, y, dy or dx is NULL");
    if (!sameDims(yt, dyt)) {
        return failure(CUDNN_STATUS_BAD_PARAM, "yDesc %s and dyDesc %s differ in dimensions", describe(yt).c_str(),
                       describe(dyt).c_str());
    }
    if (!sameDims(xt, dxt)) {
        return failure(CUDNN_STATUS_BAD_PARAM, "xDesc %s and dxDesc %s differ in dimensions", describe(xt).c_str(),
                       describe(dxt).c_str());
    }
    if (yt.dataType != dyt.dataType || xt.dataType != dxt.dataType) {
        return failure(CUDNN_STATUS_BAD_PARAM, "the tensors differ in data type");
    }
    CUDNN_TRY(checkPool(p, xt, yt, "x", "y"));
    CUDNN_TRY(requireNonOverlapping(dxt, "dx"));
    // Average pooling reads neither x nor y.
    if (max) {
        CUDNN_TRY(L.tensorRange(y, yt, "y"));
        CUDNN_TRY(L.tensorRange(x, xt, "x"));
    }
    CUDNN_TRY(L.tensorRange(dy, dyt, "dy"));
    CUDNN_TRY(L.tensorRange(dx, dxt, "dx"));
    Geometry g = geometry(p, xt, yt);
    View4 vx = view4(xt), vy = view4(yt), vdy = view4(dyt), vdx = view4(dxt);
    const float* xf = static_cast<const float*>(x);
    const float* yf = static_cast<const float*>(y);
    const float* dyf = static_cast<const float*>(dy);
    float* dxf = static_cast<float*>(dx);
    return L.enqueue([g, p, max, vx, vy, vdy, vdx, xf, yf, dyf, dxf, a, b] {
        softgpu::parallel_for((long long)vx.n * vx.c, 1, [&](long long begin, long long end) {
            float* acc = scratch(0, size_t(g.H) * g.W);
            for (long long plane = begin; plane < end; plane++) {
                long long n = plane / vx.c, c = plane % vx.c;
                std::memset(acc, 0, sizeof(float) * size_t(g.H) * g.W);
                const float* xp = max ? xf + n * vx.sn + c * vx.sc : nullptr;
                for (int oh = 0; oh < g.P; oh++) {
                    for (int ow = 0; ow < g.Q; ow++) {
                        float grad = dyf[vdy.at(n, c, oh, ow)];
                        int h0 = oh * g.sh - g.ph, w0 = ow * g.sw - g.pw;
                        if (max) {
                            float target = yf[vy.at(n, c, oh, ow)];
                            bool nanTarget = std::isnan(target);
                            int winner = -1;
                            for (int i = 0; i < g.wh; i++) {
                                int h = h0 + i;
                                if (h < 0 || h >= g.H) continue;
                                for (int j = 0; j < g.ww; j++) {
                                    int w = w0 + j;
                                    if (w < 0 || w >= g.W) continue;
                                    float v = xp[h * vx.sh + w * vx.sw];
                                    if (nanTarget ? std::isnan(v) : v == target) winner = h * g.W + w;  // last wins
                                }
                            }
                            if (winner >= 0) acc[winner] += grad;
                        } else {
                            int inside = 0;
                            for (int i = 0; i < g.wh; i++) {
                                int h = h0 + i;
                                if (h < 0 || h >= g.H) continue;
                                for (int j = 0; j < g.ww; j++) {
                                    int w = w0 + j;
                                    if (w >= 0 && w < g.W) inside++;
                                }
                            }
                            int divisor = p.mode == CUDNN_POOLING_AVERAGE_COUNT_INCLUDE_PADDING ? g.wh * g.ww : inside;
                            if (divisor == 0) continue;
                            float share = grad / float(divisor);
                            for (int i = 0; i < g.wh; i++) {
                                int h = h0 + i;
                                if (h < 0 || h >= g.H) continue;
                                for (int j = 0; j < g.ww; j++) {
                                    int w = w0 + j;
                                    if (w >= 0 && w < g.W) acc[h * g.W + w] += share;
                                }
                            }
                        }
                    }
                }
                for (int h = 0; h < g.H; h++) {
                    for (int w = 0; w < g.W; w++) {
                        float* d = dxf + vdx.at(n, c, h, w);
                        *d = blend(a, acc[h * g.W + w], b, d);
                    }
                }
            }
        });
    });
}

}  // namespace

CUDNN_API cudnnStatus_t cudnnPoolingForward(cudnnHandle_t handle, const cudnnPoolingDescriptor_t poolingDesc,
                                            const void* alpha, const cudnnTensorDescriptor_t xDesc, const void* x,
                                            const void* beta, const cudnnTensorDescriptor_t yDesc, void* y) {
    return finish("cudnnPoolingForward", poolingForward(handle, poolingDesc, alpha, xDesc, x, beta, yDesc, y));
}

CUDNN_API cudnnStatus_t cudnnPoolingBackward(cudnnHandle_t handle, const cudnnPoolingDescriptor_t poolingDesc,
                                             const void* alpha, const cudnnTensorDescriptor_t yDesc, const void* y,
                                             const cudnnTensorDescriptor_t dyDesc, const void* dy,
                                             const cudnnTensorDescriptor_t xDesc, const void* x, const void* beta,
                                             const cudnnTensorDescriptor_t dxDesc, void* dx) {
    return finish("cudnnPoolingBackward", poolingBackward(handle, poolingDesc, alpha, yDesc, y, dyDesc, dy, xDesc, x,
                                                          beta, dxDesc, dx));
}
