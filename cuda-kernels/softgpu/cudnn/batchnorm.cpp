// Batch normalisation: the derived parameter descriptor, training forward, inference forward and
// backward, for 4-D and 5-D tensors.
//
// A "feature" is what one set of statistics covers: a channel over N and all spatial positions
// (SPATIAL, SPATIAL_PERSISTENT), or one (channel, position) over N (PER_ACTIVATION). Statistics are
// accumulated in double, two-pass (mean, then squared deviations), per feature in a fixed order.
// Training stores 1 / sqrt(biased variance + epsilon) as the saved inverse variance and updates
// the running variance with the unbiased one (times M / (M - 1), M values per feature; undefined,
// NaN, for M = 1). Epsilon below CUDNN_BN_MIN_EPSILON (0 in cuDNN 8) is BAD_PARAM.
#include "cudnn/cudnn_api.h"
#include "cudnn/launch.h"
#include "cudnn/objects.h"
#include "cudnn/status.h"
#include "cudnn/tensor_view.h"

#include <cmath>
#include <vector>

using namespace cudnn;

namespace {

bool validMode(int mode) { return mode >= CUDNN_BATCHNORM_PER_ACTIVATION && mode <= CUDNN_BATCHNORM_SPATIAL_PERSISTENT; }

// The parameter-tensor dims a mode implies for x: [1, C, 1, 1(, 1)] or [1, C, H, W(, D)].
void derivedDims(const TensorObj& x, cudnnBatchNormMode_t mode, int* dims) {
    dims[0] = 1;
    dims[1] = x.dims[1];
    for (int i = 2; i < x.nbDims; i++) dims[i] = mode == CUDNN_BATCHNORM_PER_ACTIVATION ? x.dims[i] : 1;
}

Status checkMode(int mode) {
    if (!validMode(mode)) return failure(CUDNN_STATUS_BAD_PARAM, "invalid cudnnBatchNormMode_t %d", mode);
    return success();
}

Status checkX(const TensorObj& x, const char* name) {
    if (x.nbDims != 4 && x.nbDims != 5) {
        return failure(CUDNN_STATUS_BAD_PARAM, "%s has %d dimensions; batch normalisation takes 4 or 5", name,
                       x.nbDims);
    }
    return requireFloat(x, name);
}

Status checkParams(const TensorObj& x, const TensorObj& bn, cudnnBatchNormMode_t mode, const char* name) {
    int dims[CUDNN_DIM_MAX];
    derivedDims(x, mode, dims);
    bool ok = bn.nbDims == x.nbDims;
    for (int i = 0; ok && i < x.nbDims; i++) ok = bn.dims[i] == dims[i];
    if (!ok) {
        return failure(CUDNN_STATUS_BAD_PARAM, "%s %s does not have the dimensions this mode derives from x %s", name,
                       describe(bn).c_str(), describe(x).c_str());
    }
    return requireFloat(bn, name);
}

Status checkEpsilon(double epsilon) {
    if (!(epsilon >= CUDNN_BN_MIN_EPSILON)) {
        return failure(CUDNN_STATUS_BAD_PARAM, "epsilon %g is below CUDNN_BN_MIN_EPSILON (%g)", epsilon,
                       CUDNN_BN_MIN_EPSILON);
    }
    return success();
}

Status sameShape(const TensorObj& a, const TensorObj& b, const char* an, const char* bn) {
    if (!sameDims(a, b) || a.dataType != b.dataType) {
        return failure(CUDNN_STATUS_BAD_PARAM, "%s %s and %s %s differ in dimensions or data type", an,
                       describe(a).c_str(), bn, describe(b).c_str());
    }
    return success();
}

std::vector<long long> spatialOffsets(const TensorObj& t) {
    long long count = 1;
    for (int d = 2; d < t.nbDims; d++) count *= t.dims[d];
    std::vector<long long> out(static_cast<size_t>(count));
    for (long long i = 0; i < count; i++) {
        long long rem = i, off = 0;
        for (int d = t.nbDims - 1; d >= 2; d--) {
            off += rem % t.dims[d] * t.strides[d];
            rem /= t.dims[d];
        }
        out[size_t(i)] = off;
    }
    return out;
}

// Features, members and offsets of one call: element (n, c, s) of tensor t sits at
// n * t.strides[0] + c * t.strides[1] + spatial[t][s].
struct Layout {
    int N, C;
    long long S;
    bool perActivation;
    std::vector<long long> spatial[4];  // one per element tensor
    std::vector<long long> paramSpatial;
    long long paramStride;

    long long features() const { return perActivation ? C * S : C; }
    long long members() const { return perActivation ? N : N * S; }
    int channel(long long f) const { return int(perActivation ? f / S : f); }
    long long sBegin(long long f) const { return perActivation ? f % S : 0; }
    long long sEnd(long long f) const { return perActivation ? f % S + 1 : S; }
    long long param(long long f) const {
        return channel(f) * paramStride + (perActivation ? paramSpatial[size_t(f % S)] : 0);
    }
    // body(n, s) over the feature's members in a fixed order.
    template <class F>
    void each(long long f, F&& body) const {
        long long s0 = sBegin(f), s1 = sEnd(f);
        for (long long n = 0; n < N; n++) {
            for (long long s = s0; s < s1; s++) body(n, s);
        }
    }
    long long at(int t, const TensorObj& obj, long long f, long long n, long long s) const {
        return n * obj.strides[0] + (long long)channel(f) * obj.strides[1] + spatial[t][size_t(s)];
    }
};

Layout makeLayout(cudnnBatchNormMode_t mode, const TensorObj& bn, const TensorObj* tensors[4]) {
    Layout l;
    const TensorObj& x = *tensors[0];
    l.N = x.dims[0];
    l.C = x.dims[1];
    l.S = 1;
    for (int d = 2; d < x.nbDims; d++) l.S *= x.dims[d];
    l.perActivation = mode == CUDNN_BATCHNORM_PER_ACTIVATION;
    for (int t = 0; t < 4; t++) {
        if (tensors[t]) l.spatial[t] = spatialOffsets(*tensors[t]);
    }
    l.paramSpatial = spatialOffsets(bn);
    l.paramStride = bn.strides[1];
    return l;
}

// Mean and biased variance of one feature of x, in double.
void statistics(const Layout& l, const TensorObj& xt, const float* x, long long f, double* mean, double* var) {
    double sum = 0.0;
    l.each(f, [&](long long n, long long s) { sum += x[l.at(0, xt, f, n, s)]; });
    double m = sum / double(l.members());
    double sq = 0.0;
    l.each(f, [&](long long n, long long s) {
        double d = x[l.at(0, xt, f, n, s)] - m;
        sq += d * d;
    });
    *mean = m;
    *var = sq / double(l.members());
}

Status training(cudnnHandle_t handle, cudnnBatchNormMode_t mode, const void* alpha, const void* beta,
                cudnnTensorDescriptor_t xDesc, const void* x, cudnnTensorDescriptor_t yDesc, void* y,
                cudnnTensorDescriptor_t bnDesc, const void* bnScale, const void* bnBias, double factor,
                void* runningMean, void* runningVariance, double epsilon, void* saveMean, void* saveInvVariance) {
    Launch L("cudnnBatchNormalizationForwardTraining");
    CUDNN_TRY(L.begin(handle));
    CUDNN_TRY(checkMode(mode));
    TensorObj xt, yt, bt;
    CUDNN_TRY(readObject(xDesc, "xDesc", &xt));
    CUDNN_TRY(readObject(yDesc, "yDesc", &yt));
    CUDNN_TRY(readObject(bnDesc, "bnScaleBiasMeanVarDesc", &bt));
    float a = 0, b = 0;
    CUDNN_TRY(hostScalar(alpha, "alpha", &a));
    CUDNN_TRY(hostScalar(beta, "beta", &b));
    if (!x || !y || !bnScale || !bnBias) return failure(CUDNN_STATUS_BAD_PARAM, "x, y, bnScale or bnBias is NULL");
    if ((runningMean == nullptr) != (runningVariance == nullptr)) {
        return failure(CUDNN_STATUS_BAD_PARAM, "resultRunningMean and resultRunningVariance must both be NULL or both not");
    }
    if ((saveMean == nullptr) != (saveInvVariance == nullptr)) {
        return failure(CUDNN_STATUS_BAD_PARAM, "resultSaveMean and resultSaveInvVariance must both be NULL or both not");
    }
    CUDNN_TRY(checkEpsilon(epsilon));
    CUDNN_TRY(sameShape(xt, yt, "x", "y"));
    CUDNN_TRY(checkX(xt, "x"));
    CUDNN_TRY(checkParams(xt, bt, mode, "bnScaleBiasMeanVarDesc"));
    CUDNN_TRY(requireNonOverlapping(yt, "y"));
    CUDNN_TRY(requireNonOverlapping(bt, "bnScaleBiasMeanVarDesc"));
    CUDNN_TRY(L.tensorRange(x, xt, "x"));
    CUDNN_TRY(L.tensorRange(y, yt, "y"));
    CUDNN_TRY(L.tensorRange(bnScale, bt, "bnScale"));
    CUDNN_TRY(L.tensorRange(bnBias, bt, "bnBias"));
    if (runningMean) {
        CUDNN_TRY(L.tensorRange(runningMean, bt, "resultRunningMean"));
        CUDNN_TRY(L.tensorRange(runningVariance, bt, "resultRunningVariance"));
    }
    if (saveMean) {
        CUDNN_TRY(L.tensorRange(saveMean, bt, "resultSaveMean"));
        CUDNN_TRY(L.tensorRange(saveInvVariance, bt, "resultSaveInvVariance"));
    }
    auto xf = static_cast<const float*>(x);
    auto yf = static_cast<float*>(y);
    auto scale = static_cast<const float*>(bnScale);
    auto bias = static_cast<const float*>(bnBias);
    auto rm = static_cast<float*>(runningMean);
    auto rv = static_cast<float*>(runningVariance);
    auto sm = static_cast<float*>(saveMean);
    auto si = static_cast<float*>(saveInvVariance);
    return L.enqueue([=] {
        const TensorObj* ts[4] = {&xt, &yt, nullptr, nullptr};
        Layout l = makeLayout(mode, bt, ts);
        double m = double(l.members());
        softgpu::parallel_for(l.features(), 1, [&](long long begin, long long end) {
            for (long long f = begin; f < end; f++) {
                double mean, var;
                statistics(l, xt, xf, f, &mean, &var);
                double invStd = 1.0 / std::sqrt(var + epsilon);
                long long p = l.param(f);
                double g = scale[p], bb = bias[p];
                l.each(f, [&](long long n, long long s) {
                    float v = float(g * (xf[l.at(0, xt, f, n, s)] - mean) * invStd + bb);
                    float* d = yf + l.at(1, yt, f, n, s);
                    *d = blend(a, v, b, d);
                });
                if (rm) {
                    rm[p] = float((1.0 - factor) * rm[p] + factor * mean);
                    rv[p] = float((1.0 - factor) * rv[p] + factor * var * m / (m - 1.0));
                }
                if (sm) {
                    sm[p] = float(mean);
                    si[p] = float(invStd);
                }
            }
        });
    });
}

Status inference(cudnnHandle_t handle, cudnnBatchNormMode_t mode, const void* alpha, const void* beta,
                 cudnnTensorDescriptor_t xDesc, const void* x, cudnnTensorDescriptor_t yDesc, void* y,
                 cudnnTensorDescriptor_t bnDesc, const void* bnScale, const void* bnBias, const void* estimatedMean,
                 const void* estimatedVariance, double epsilon) {
    Launch L("cudnnBatchNormalizationForwardInference");
    CUDNN_TRY(L.begin(handle));
    CUDNN_TRY(checkMode(mode));
    TensorObj xt, yt, bt;
    CUDNN_TRY(readObject(xDesc, "xDesc", &xt));
    CUDNN_TRY(readObject(yDesc, "yDesc", &yt));
    CUDNN_TRY(readObject(bnDesc, "bnScaleBiasMeanVarDesc", &bt));
    float a = 0, b = 0;
    CUDNN_TRY(hostScalar(alpha, "alpha", &a));
    CUDNN_TRY(hostScalar(beta, "beta", &b));
    if (!x || !y || !bnScale || !bnBias || !estimatedMean || !estimatedVariance) {
        return failure(CUDNN_STATUS_BAD_PARAM, "x, y, bnScale, bnBias, estimatedMean or estimatedVariance is NULL");
    }
    CUDNN_TRY(checkEpsilon(epsilon));
    CUDNN_TRY(sameShape(xt, yt, "x", "y"));
    CUDNN_TRY(checkX(xt, "x"));
    CUDNN_TRY(checkParams(xt, bt, mode, "bnScaleBiasMeanVarDesc"));
    CUDNN_TRY(requireNonOverlapping(yt, "y"));
    CUDNN_TRY(L.tensorRange(x, xt, "x"));
    CUDNN_TRY(L.tensorRange(y, yt, "y"));
    CUDNN_TRY(L.tensorRange(bnScale, bt, "bnScale"));
    CUDNN_TRY(L.tensorRange(bnBias, bt, "bnBias"));
    CUDNN_TRY(L.tensorRange(estimatedMean, bt, "estimatedMean"));
    CUDNN_TRY(L.tensorRange(estimatedVariance, bt, "estimatedVariance"));
    auto xf = static_cast<const float*>(x);
    auto yf = static_cast<float*>(y);
    auto scale = static_cast<const float*>(bnScale);
    auto bias = static_cast<const float*>(bnBias);
    auto em = static_cast<const float*>(estimatedMean);
    auto ev = static_cast<const float*>(estimatedVariance);
    return L.enqueue([=] {
        const TensorObj* ts[4] = {&xt, &yt, nullptr, nullptr};
        Layout l = makeLayout(mode, bt, ts);
        softgpu::parallel_for(l.features(), 1, [&](long long begin, long long end) {
            for (long long f = begin; f < end; f++) {
                long long p = l.param(f);
                double mean = em[p], invStd = 1.0 / std::sqrt(double(ev[p]) + epsilon);
                double g = scale[p], bb = bias[p];
                l.each(f, [&](long long n, long long s) {
                    float v = float(g * (xf[l.at(0, xt, f, n, s)] - mean) * invStd + bb);
                    float* d = yf + l.at(1, yt, f, n, s);
                    *d = blend(a, v, b, d);
                });
            }
        });
    });
}

Status backward(cudnnHandle_t handle, cudnnBatchNormMode_t mode, const void* alphaDataDiff, const void* betaDataDiff,
                const void* alphaParamDiff, const void* betaParamDiff, cudnnTensorDescriptor_t xDesc, const void* x,
                cudnnTensorDescriptor_t dyDesc, const void* dy, cudnnTensorDescriptor_t dxDesc, void* dx,
                cudnnTensorDescriptor_t bnDesc, const void* bnScale, void* dScale, void* dBias, double epsilon,
                const void* savedMean, const void* savedInvVariance) {
    Launch L("cudnnBatchNormalizationBackward");
    CUDNN_TRY(L.begin(handle));
    CUDNN_TRY(checkMode(mode));
    TensorObj xt, dyt, dxt, bt;
    CUDNN_TRY(readObject(xDesc, "xDesc", &xt));
    CUDNN_TRY(readObject(dyDesc, "dyDesc", &dyt));
    CUDNN_TRY(readObject(dxDesc, "dxDesc", &dxt));
    CUDNN_TRY(readObject(bnDesc, "dBnScaleBiasDesc", &bt));
    float ad = 0, bd = 0, ap = 0, bp = 0;
    CUDNN_TRY(hostScalar(alphaDataDiff, "alphaDataDiff", &ad));
    CUDNN_TRY(hostScalar(betaDataDiff, "betaDataDiff", &bd));
    CUDNN_TRY(hostScalar(alphaParamDiff, "alphaParamDiff", &ap));
    CUDNN_TRY(hostScalar(betaParamDiff, "betaParamDiff", &bp));
    if (!x || !dy || !dx || !bnScale || !dScale || !dBias) {
        return failure(CUDNN_STATUS_BAD_PARAM, "x, dy, dx, bnScale, dBnScaleResult or dBnBiasResult is NULL");
    }
    if ((savedMean == nullptr) != (savedInvVariance == nullptr)) {
        return failure(CUDNN_STATUS_BAD_PARAM, "savedMean and savedInvVariance must both be NULL or both not");
    }
    CUDNN_TRY(checkEpsilon(epsilon));
    CUDNN_TRY(sameShape(xt, dyt, "x", "dy"));
    CUDNN_TRY(sameShape(xt, dxt, "x", "dx"));
    CUDNN_TRY(checkX(xt, "x"));
    CUDNN_TRY(checkParams(xt, bt, mode, "dBnScaleBiasDesc"));
    CUDNN_TRY(requireNonOverlapping(dxt, "dx"));
    CUDNN_TRY(requireNonOverlapping(bt, "dBnScaleBiasDesc"));
    CUDNN_TRY(L.tensorRange(x, xt, "x"));
    CUDNN_TRY(L.tensorRange(dy, dyt, "dy"));
    CUDNN_TRY(L.tensorRange(dx, dxt, "dx"));
    CUDNN_TRY(L.tensorRange(bnScale, bt, "bnScale"));
    CUDNN_TRY(L.tensorRange(dScale, bt, "dBnScaleResult"));
    CUDNN_TRY(L.tensorRange(dBias, bt, "dBnBiasResult"));
    if (savedMean) {
        CUDNN_TRY(L.tensorRange(savedMean, bt, "savedMean"));
        CUDNN_TRY(L.tensorRange(savedInvVariance, bt, "savedInvVariance"));
    }
    auto xf = static_cast<const float*>(x);
    auto dyf = static_cast<const float*>(dy);
    auto dxf = static_cast<float*>(dx);
    auto scale = static_cast<const float*>(bnScale);
    auto ds = static_cast<float*>(dScale);
    auto db = static_cast<float*>(dBias);
    auto sm = static_cast<const float*>(savedMean);
    auto si = static_cast<const float*>(savedInvVariance);
    return L.enqueue([=] {
        const TensorObj* ts[4] = {&xt, &dyt, &dxt, nullptr};
        Layout l = makeLayout(mode, bt, ts);
        double m = double(l.members());
        softgpu::parallel_for(l.features(), 1, [&](long long begin, long long end) {
            for (long long f = begin; f < end; f++) {
                long long p = l.param(f);
                double mean, invStd;
                if (sm) {
                    mean = sm[p];
                    invStd = si[p];
                } else {  // no saved statistics: recompute them from x, as cuDNN does
                    double var;
                    statistics(l, xt, xf, f, &mean, &var);
                    invStd = 1.0 / std::sqrt(var + epsilon);
                }
                double sumDy = 0.0, sumDyXhat = 0.0;
                l.each(f, [&](long long n, long long s) {
                    double g = dyf[l.at(1, dyt, f, n, s)];
                    sumDy += g;
                    sumDyXhat += g * (xf[l.at(0, xt, f, n, s)] - mean) * invStd;
                });
                double k = scale[p] * invStd;
                l.each(f, [&](long long n, long long s) {
                    double xhat = (xf[l.at(0, xt, f, n, s)] - mean) * invStd;
                    double g = dyf[l.at(1, dyt, f, n, s)];
                    float v = float(k * (g - sumDy / m - xhat * sumDyXhat / m));
                    float* d = dxf + l.at(2, dxt, f, n, s);
                    *d = blend(ad, v, bd, d);
                });
                ds[p] = blend(ap, float(sumDyXhat), bp, ds + p);
                db[p] = blend(ap, float(sumDy), bp, db + p);
            }
        });
    });
}

}  // namespace

CUDNN_API cudnnStatus_t cudnnDeriveBNTensorDescriptor(cudnnTensorDescriptor_t derivedBnDesc,
                                                      const cudnnTensorDescriptor_t xDesc, cudnnBatchNormMode_t mode) {
    const char* call = "cudnnDeriveBNTensorDescriptor";
    TensorObj x, d;
    Status s = readObject(xDesc, "xDesc", &x);
    if (s.ok()) s = readObject(derivedBnDesc, "derivedBnDesc", &d, false);
    if (s.ok()) s = checkMode(mode);
    if (s.ok() && x.nbDims != 4 && x.nbDims != 5) {
        s = failure(CUDNN_STATUS_BAD_PARAM, "xDesc has %d dimensions; 4 or 5 expected", x.nbDims);
    }
    if (!s.ok()) return finish(call, s);
    d.set = true;
    // Half and bfloat16 data keep float parameters; float and double keep their own type.
    d.dataType = x.dataType == CUDNN_DATA_DOUBLE ? CUDNN_DATA_DOUBLE : CUDNN_DATA_FLOAT;
    d.nbDims = x.nbDims;
    derivedDims(x, mode, d.dims);
    long long stride = 1;
    for (int i = d.nbDims - 1; i >= 0; i--) {
        d.strides[i] = int(stride);
        stride *= d.dims[i];
    }
    return finish(call, writeObject(derivedBnDesc, "derivedBnDesc", d));
}

CUDNN_API cudnnStatus_t cudnnBatchNormalizationForwardTraining(
    cudnnHandle_t handle, cudnnBatchNormMode_t mode, const void* alpha, const void* beta,
    const cudnnTensorDescriptor_t xDesc, const void* x, const cudnnTensorDescriptor_t yDesc, void* y,
    const cudnnTensorDescriptor_t bnScaleBiasMeanVarDesc, const void* bnScale, const void* bnBias,
    double exponentialAverageFactor, void* resultRunningMean, void* resultRunningVariance, double epsilon,
    void* resultSaveMean, void* resultSaveInvVariance) {
    return finish("cudnnBatchNormalizationForwardTraining",
                  training(handle, mode, alpha, beta, xDesc, x, yDesc, y, bnScaleBiasMeanVarDesc, bnScale, bnBias,
                           exponentialAverageFactor, resultRunningMean, resultRunningVariance, epsilon, resultSaveMean,
                           resultSaveInvVariance));
}

CUDNN_API cudnnStatus_t cudnnBatchNormalizationForwardInference(
    cudnnHandle_t handle, cudnnBatchNormMode_t mode, const void* alpha, const void* beta,
    const cudnnTensorDescriptor_t xDesc, const void* x, const cudnnTensorDescriptor_t yDesc, void* y,
    const cudnnTensorDescriptor_t bnScaleBiasMeanVarDesc, const void* bnScale, const void* bnBias,
    const void* estimatedMean, const void* estimatedVariance, double epsilon) {
    return finish("cudnnBatchNormalizationForwardInference",
                  inference(handle, mode, alpha, beta, xDesc, x, yDesc, y, bnScaleBiasMeanVarDesc, bnScale, bnBias,
                            estimatedMean, estimatedVariance, epsilon));
}

CUDNN_API cudnnStatus_t cudnnBatchNormalizationBackward(
    cudnnHandle_t handle, cudnnBatchNormMode_t mode, const void* alphaDataDiff, const void* betaDataDiff,
    const void* alphaParamDiff, const void* betaParamDiff, const cudnnTensorDescriptor_t xDesc, const void* x,
    const cudnnTensorDescriptor_t dyDesc, const void* dy, const cudnnTensorDescriptor_t dxDesc, void* dx,
    const cudnnTensorDescriptor_t dBnScaleBiasDesc, const void* bnScale, void* dBnScaleResult, void* dBnBiasResult,
    double epsilon, const void* savedMean, const void* savedInvVariance) {
    return finish("cudnnBatchNormalizationBackward",
                  backward(handle, mode, alphaDataDiff, betaDataDiff, alphaParamDiff, betaParamDiff, xDesc, x, dyDesc,
                           dy, dxDesc, dx, dBnScaleBiasDesc, bnScale, dBnScaleResult, dBnBiasResult, epsilon,
                           savedMean, savedInvVariance));
}
