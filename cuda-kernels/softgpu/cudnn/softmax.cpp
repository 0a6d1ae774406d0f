// Softmax forward and backward.
//
// CUDNN_SOFTMAX_MODE_INSTANCE normalises over C, H, W (every dimension but N) of each image,
// CUDNN_SOFTMAX_MODE_CHANNEL over C at each (n, h, w). CUDNN_SOFTMAX_FAST exponentiates x as it is
// (faithfully overflowing for large inputs), ACCURATE subtracts the maximum first, LOG returns
// log-softmax. Sums are taken in double, in a fixed order.
#include "cudnn/cudnn_api.h"
#include "cudnn/launch.h"
#include "cudnn/objects.h"
#include "cudnn/status.h"
#include "cudnn/tensor_view.h"

#include <cmath>
#include <vector>

using namespace cudnn;

namespace {

// Offsets, in t's strides, of every index tuple over the dims listed (row-major order).
std::vector<long long> offsets(const TensorObj& t, const std::vector<int>& dims) {
    long long count = 1;
    for (int d : dims) count *= t.dims[d];
    std::vector<long long> out(size_t(count), 0);
    for (long long i = 0; i < count; i++) {
        long long rem = i, off = 0;
        for (int k = int(dims.size()) - 1; k >= 0; k--) {
            int d = dims[k];
            off += rem % t.dims[d] * t.strides[d];
            rem /= t.dims[d];
        }
        out[size_t(i)] = off;
    }
    return out;
}

// Which dims form one softmax (members) and which enumerate the softmaxes (groups).
void split(int nbDims, cudnnSoftmaxMode_t mode, std::vector<int>* groups, std::vector<int>* members) {
    groups->assign(1, 0);
    members->clear();
    for (int d = 1; d < nbDims; d++) {
        if (mode == CUDNN_SOFTMAX_MODE_INSTANCE || d == 1) {
            members->push_back(d);
        } else {
            groups->push_back(d);
        }
    }
}

Status checkModes(int algo, int mode) {
    if (algo < CUDNN_SOFTMAX_FAST || algo > CUDNN_SOFTMAX_LOG) {
        return failure(CUDNN_STATUS_BAD_PARAM, "invalid cudnnSoftmaxAlgorithm_t %d", algo);
    }
    if (mode != CUDNN_SOFTMAX_MODE_INSTANCE && mode != CUDNN_SOFTMAX_MODE_CHANNEL) {
        return failure(CUDNN_STATUS_BAD_PARAM, "invalid cudnnSoftmaxMode_t %d", mode);
    }
    return success();
}

Status softmaxForward(cudnnHandle_t handle, cudnnSoftmaxAlgorithm_t algo, cudnnSoftmaxMode_t mode, const void* alpha,
                      cudnnTensorDescriptor_t xDesc, const void* x, const void* beta, cudnnTensorDescriptor_t yDesc,
                      void* y) {
    Launch L("cudnnSoftmaxForward");
    CUDNN_TRY(L.begin(handle));
    TensorObj xt, yt;
    CUDNN_TRY(readObject(xDesc, "xDesc", &xt));
    CUDNN_TRY(readObject(yDesc, "yDesc", &yt));
    float a = 0, b = 0;
    CUDNN_TRY(hostScalar(alpha, "alpha", &a));
    CUDNN_TRY(hostScalar(beta, "beta", &b));
    if (!x || !y) return failure(CUDNN_STATUS_BAD_PARAM, "x or y is NULL");
    CUDNN_TRY(checkModes(algo, mode));
    if (!sameDims(xt, yt) || xt.dataType != yt.dataType) {
        return failure(CUDNN_STATUS_BAD_PARAM, "xDesc %s and yDesc %s differ in dimensions or data type",
                       describe(xt).c_str(), describe(yt).c_str());
    }
    CUDNN_TRY(requireFloat(xt, "x"));
    CUDNN_TRY(requireNonOverlapping(yt, "y"));
    CUDNN_TRY(L.tensorRange(x, xt, "x"));
    CUDNN_TRY(L.tensorRange(y, yt, "y"));
    const float* xf = static_cast<const float*>(x);
    float* yf = static_cast<float*>(y);
    return L.enqueue([xt, yt, algo, mode, xf, yf, a, b] {
        std::vector<int> gd, md;
        split(xt.nbDims, mode, &gd, &md);
        std::vector<long long> gx = offsets(xt, gd), gy = offsets(yt, gd), mx = offsets(xt, md), my = offsets(yt, md);
        long long members = (long long)mx.size();
        softgpu::parallel_for((long long)gx.size(), 1, [&](long long begin, long long end) {
            for (long long g = begin; g < end; g++) {
                const float* xg = xf + gx[size_t(g)];
                float* yg = yf + gy[size_t(g)];
                float shift = 0.0f;
                if (algo != CUDNN_SOFTMAX_FAST) {
                    shift = -INFINITY;
                    for (long long m = 0; m < members; m++) shift = std::fmax(shift, xg[mx[size_t(m)]]);
                }
                // Exponentials in float, as the GPU computes them (FAST overflows to inf past ~88.7).
                double sum = 0.0;
                for (long long m = 0; m < members; m++) sum += std::exp(xg[mx[size_t(m)]] - shift);
                if (algo == CUDNN_SOFTMAX_LOG) {
                    float logSum = float(std::log(sum));
                    for (long long m = 0; m < members; m++) {
                        float v = xg[mx[size_t(m)]] - shift - logSum;
                        float* d = yg + my[size_t(m)];
                        *d = blend(a, v, b, d);
                    }
                } else {
                    for (long long m = 0; m < members; m++) {
                        float v = float(double(std::exp(xg[mx[size_t(m)]] - shift)) / sum);
                        float* d = yg + my[size_t(m)];
                        *d = blend(a, v, b, d);
                    }
                }
            }
        });
    });
}

Status softmaxBackward(cudnnHandle_t handle, cudnnSoftmaxAlgorithm_t algo, cudnnSoftmaxMode_t mode, const void* alpha,
                       cudnnTensorDescriptor_t yDesc, const void* y, cudnnTensorDescriptor_t dyDesc, const void* dy,
                       const void* beta, cudnnTensorDescriptor_t dxDesc, void* dx) {
    Launch L("cudnnSoftmaxBackward");
    CUDNN_TRY(L.begin(handle));
    TensorObj yt, dyt, dxt;
    CUDNN_TRY(readObject(yDesc, "yDesc", &yt));
    CUDNN_TRY(readObject(dyDesc, "dyDesc", &dyt));
    CUDNN_TRY(readObject(dxDesc, "dxDesc", &dxt));
    float a = 0, b = 0;
    CUDNN_TRY(hostScalar(alpha, "alpha", &a));
    CUDNN_TRY(hostScalar(beta, "beta", &b));
    if (!y || !dy || !dx) return failure(CUDNN_STATUS_BAD_PARAM, "y, dy or dx is NULL");
    CUDNN_TRY(checkModes(algo, mode));
    if (!sameDims(yt, dyt) || !sameDims(yt, dxt) || yt.dataType != dyt.dataType || yt.dataType != dxt.dataType) {
        return failure(CUDNN_STATUS_BAD_PARAM, "y %s, dy %s and dx %s differ in dimensions or data type",
                       describe(yt).c_str(), describe(dyt).c_str(), describe(dxt).c_str());
    }
    CUDNN_TRY(requireFloat(yt, "y"));
    CUDNN_TRY(requireNonOverlapping(dxt, "dx"));
    CUDNN_TRY(L.tensorRange(y, yt, "y"));
    CUDNN_TRY(L.tensorRange(dy, dyt, "dy"));
    CUDNN_TRY(L.tensorRange(dx, dxt, "dx"));
    const float* yf = static_cast<const float*>(y);
    const float* dyf = static_cast<const float*>(dy);
    float* dxf = static_cast<float*>(dx);
    return L.enqueue([yt, dyt, dxt, algo, mode, yf, dyf, dxf, a, b] {
        std::vector<int> gd, md;
        split(yt.nbDims, mode, &gd, &md);
        std::vector<long long> gy = offsets(yt, gd), gdy = offsets(dyt, gd), gdx = offsets(dxt, gd);
        std::vector<long long> my = offsets(yt, md), mdy = offsets(dyt, md), mdx = offsets(dxt, md);
        long long members = (long long)my.size();
        softgpu::parallel_for((long long)gy.size(), 1, [&](long long begin, long long end) {
            for (long long g = begin; g < end; g++) {
                const float* yg = yf + gy[size_t(g)];
                const float* dyg = dyf + gdy[size_t(g)];
                float* dxg = dxf + gdx[size_t(g)];
                double sum = 0.0;  // sum of dy (log) or of dy * y
                for (long long m = 0; m < members; m++) {
                    double d = dyg[mdy[size_t(m)]];
                    sum += algo == CUDNN_SOFTMAX_LOG ? d : d * yg[my[size_t(m)]];
                }
                for (long long m = 0; m < members; m++) {
                    float yv = yg[my[size_t(m)]], dyv = dyg[mdy[size_t(m)]];
                    float v = algo == CUDNN_SOFTMAX_LOG ? float(dyv - std::exp(double(yv)) * sum)
                                                        : float(yv * (dyv - sum));
                    float* d = dxg + mdx[size_t(m)];
                    *d = blend(a, v, b, d);
                }
            }
        });
    });
}

}  // namespace

CUDNN_API cudnnStatus_t cudnnSoftmaxForward(cudnnHandle_t handle, cudnnSoftmaxAlgorithm_t algo, cudnnSoftmaxMode_t mode,
                                            const void* alpha, const cudnnTensorDescriptor_t xDesc, const void* x,
                                            const void* beta, const cudnnTensorDescriptor_t yDesc, void* y) {
    return finish("cudnnSoftmaxForward", softmaxForward(handle, algo, mode, alpha, xDesc, x, beta, yDesc, y));
}

CUDNN_API cudnnStatus_t cudnnSoftmaxBackward(cudnnHandle_t handle, cudnnSoftmaxAlgorithm_t algo, cudnnSoftmaxMode_t mode,
                                             const void* alpha, const cudnnTensorDescriptor_t yDesc, const void* y,
                                             const cudnnTensorDescriptor_t dyDesc, const void* dy, const void* beta,
                                             const cudnnTensorDescriptor_t dxDesc, void* dx) {
    return finish("cudnnSoftmaxBackward",
                  softmaxBackward(handle, algo, mode, alpha, yDesc, y, dyDesc, dy, beta, dxDesc, dx));
}
