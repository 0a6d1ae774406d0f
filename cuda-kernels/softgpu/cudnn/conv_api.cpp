// The convolution compute calls: validate, check every range, queue the chosen algorithm.
#include "cudnn/conv_api_common.h"

#include <vector>

using namespace cudnn;

namespace cudnn {

Status checkWorkspace(const char* algoName, size_t need, const void* workspace, size_t given) {
    if (given < need) {
        return failure(CUDNN_STATUS_BAD_PARAM, "%s needs a workspace of %zu bytes, given %zu", algoName, need, given);
    }
    if (need > 0 && workspace == nullptr) {
        return failure(CUDNN_STATUS_BAD_PARAM, "workSpace is NULL but %s needs %zu bytes", algoName, need);
    }
    return success();
}

Status checkAlgo(int algo, int count, bool (*supported)(const ConvShape&, int, std::string*), const ConvShape& s) {
    if (algo < 0 || algo >= count) return failure(CUDNN_STATUS_BAD_PARAM, "invalid algorithm %d", algo);
    std::string why;
    if (!supported(s, algo, &why)) return failure(CUDNN_STATUS_NOT_SUPPORTED, "%s", why.c_str());
    return success();
}

}  // namespace cudnn

namespace {

Status forward(cudnnHandle_t handle, const void* alpha, cudnnTensorDescriptor_t xDesc, const void* x,
               cudnnFilterDescriptor_t wDesc, const void* w, cudnnConvolutionDescriptor_t convDesc, int algo,
               void* workSpace, size_t workSpaceSizeInBytes, const void* beta, cudnnTensorDescriptor_t yDesc, void* y) {
    Launch L("cudnnConvolutionForward");
    CUDNN_TRY(L.begin(handle));
    ConvDescs d;
    ConvShape s;
    CUDNN_TRY(readConv(L.handle(), xDesc, wDesc, convDesc, yDesc, "x", "w", "y", &d, &s));
    float a = 0, b = 0;
    CUDNN_TRY(hostScalar(alpha, "alpha", &a));
    CUDNN_TRY(hostScalar(beta, "beta", &b));
    if (!x || !w || !y) return failure(CUDNN_STATUS_BAD_PARAM, "x, w or y is NULL");
    CUDNN_TRY(requireNonOverlapping(d.y, "y"));
    CUDNN_TRY(checkAlgo(algo, CUDNN_CONVOLUTION_FWD_ALGO_COUNT, forwardSupported, s));
    size_t need = forwardWorkspace(s, algo);
    CUDNN_TRY(checkWorkspace(forwardAlgoName(algo), need, workSpace, workSpaceSizeInBytes));
    CUDNN_TRY(L.tensorRange(x, d.x, "x"));
    CUDNN_TRY(L.range(w, filterBytes(d.w), "w"));
    CUDNN_TRY(L.tensorRange(y, d.y, "y"));
    CUDNN_TRY(L.range(workSpace, workSpaceSizeInBytes, "workSpace"));
    BlendOutput out{static_cast<float*>(y), s.y, a, b};
    const float* xf = static_cast<const float*>(x);
    const float* wf = static_cast<const float*>(w);
    return L.enqueue([s, algo, xf, wf, workSpace, out] { runForward(s, algo, xf, wf, workSpace, out); });
}

Status biasActivationForward(cudnnHandle_t handle, const void* alpha1, cudnnTensorDescriptor_t xDesc, const void* x,
                             cudnnFilterDescriptor_t wDesc, const void* w, cudnnConvolutionDescriptor_t convDesc,
                             int algo, void* workSpace, size_t workSpaceSizeInBytes, const void* alpha2,
                             cudnnTensorDescriptor_t zDesc, const void* z, cudnnTensorDescriptor_t biasDesc,
                             const void* bias, cudnnActivationDescriptor_t activationDesc,
                             cudnnTensorDescriptor_t yDesc, void* y) {
    Launch L("cudnnConvolutionBiasActivationForward");
    CUDNN_TRY(L.begin(handle));
    ConvDescs d;
    ConvShape s;
    CUDNN_TRY(readConv(L.handle(), xDesc, wDesc, convDesc, yDesc, "x", "w", "y", &d, &s));
    TensorObj zt, bt;
    ActivationObj act;
    CUDNN_TRY(readObject(zDesc, "zDesc", &zt));
    CUDNN_TRY(readObject(biasDesc, "biasDesc", &bt));
    CUDNN_TRY(readObject(activationDesc, "activationDesc", &act));
    float a1 = 0, a2 = 0;
    CUDNN_TRY(hostScalar(alpha1, "alpha1", &a1));
    CUDNN_TRY(hostScalar(alpha2, "alpha2", &a2));
    if (!x || !w || !y || !z || !bias) return failure(CUDNN_STATUS_BAD_PARAM, "x, w, z, bias or y is NULL");
    if (!sameDims(zt, d.y)) {
        return failure(CUDNN_STATUS_BAD_PARAM, "zDesc %s does not have the dimensions of yDesc %s",
                       describe(zt).c_str(), describe(d.y).c_str());
    }
    bool biasOk = bt.nbDims == d.y.nbDims && bt.dims[1] == s.K;
    for (int i = 0; i < bt.nbDims; i++) {
        if (i != 1 && bt.dims[i] != 1) biasOk = false;
    }
    if (!biasOk) {
        return failure(CUDNN_STATUS_BAD_PARAM, "biasDesc %s is not [1, %d, 1, 1]", describe(bt).c_str(), s.K);
    }
    CUDNN_TRY(requireFloat(zt, "z"));
    CUDNN_TRY(requireFloat(bt, "bias"));
    if (act.mode != CUDNN_ACTIVATION_RELU && act.mode != CUDNN_ACTIVATION_IDENTITY) {
        return failure(CUDNN_STATUS_NOT_SUPPORTED,
                       "activation mode %d: cudnnConvolutionBiasActivationForward supports RELU and IDENTITY only",
                       int(act.mode));
    }
    // As documented: the identity activation is only available with IMPLICIT_PRECOMP_GEMM.
    if (act.mode == CUDNN_ACTIVATION_IDENTITY && algo != CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM) {
        return failure(CUDNN_STATUS_NOT_SUPPORTED,
                       "CUDNN_ACTIVATION_IDENTITY requires CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM, not %s",
                       forwardAlgoName(algo));
    }
    CUDNN_TRY(requireNonOverlapping(d.y, "y"));
    CUDNN_TRY(checkAlgo(algo, CUDNN_CONVOLUTION_FWD_ALGO_COUNT, forwardSupported, s));
    size_t need = forwardWorkspace(s, algo);
    CUDNN_TRY(checkWorkspace(forwardAlgoName(algo), need, workSpace, workSpaceSizeInBytes));
    CUDNN_TRY(L.tensorRange(x, d.x, "x"));
    CUDNN_TRY(L.range(w, filterBytes(d.w), "w"));
    if (a2 != 0.0f) CUDNN_TRY(L.tensorRange(z, zt, "z"));  // z is not read when alpha2 is 0
    CUDNN_TRY(L.tensorRange(bias, bt, "bias"));
    CUDNN_TRY(L.tensorRange(y, d.y, "y"));
    CUDNN_TRY(L.range(workSpace, workSpaceSizeInBytes, "workSpace"));
    BiasActOutput out{static_cast<float*>(y),
                      s.y,
                      static_cast<const float*>(z),
                      view4(zt),
                      static_cast<const float*>(bias),
                      bt.strides[1],
                      a1,
                      a2,
                      act.mode == CUDNN_ACTIVATION_RELU,
                      act.nanOpt == CUDNN_PROPAGATE_NAN};
    const float* xf = static_cast<const float*>(x);
    const float* wf = static_cast<const float*>(w);
    return L.enqueue([s, algo, xf, wf, workSpace, out] { runForward(s, algo, xf, wf, workSpace, out); });
}

Status backwardData(cudnnHandle_t handle, const void* alpha, cudnnFilterDescriptor_t wDesc, const void* w,
                    cudnnTensorDescriptor_t dyDesc, const void* dy, cudnnConvolutionDescriptor_t convDesc, int algo,
                    void* workSpace, size_t workSpaceSizeInBytes, const void* beta, cudnnTensorDescriptor_t dxDesc,
                    void* dx) {
    Launch L("cudnnConvolutionBackwardData");
    CUDNN_TRY(L.begin(handle));
    ConvDescs d;
    ConvShape s;
    CUDNN_TRY(readConv(L.handle(), dxDesc, wDesc, convDesc, dyDesc, "dx", "w", "dy", &d, &s));
    float a = 0, b = 0;
    CUDNN_TRY(hostScalar(alpha, "alpha", &a));
    CUDNN_TRY(hostScalar(beta, "beta", &b));
    if (!w || !dy || !dx) return failure(CUDNN_STATUS_BAD_PARAM, "w, dy or dx is NULL");
    CUDNN_TRY(requireNonOverlapping(d.x, "dx"));
    CUDNN_TRY(checkAlgo(algo, CUDNN_CONVOLUTION_BWD_DATA_ALGO_COUNT, backwardDataSupported, s));
    size_t need = backwardDataWorkspace(s, algo);
    CUDNN_TRY(checkWorkspace(backwardDataAlgoName(algo), need, workSpace, workSpaceSizeInBytes));
    CUDNN_TRY(L.range(w, filterBytes(d.w), "w"));
    CUDNN_TRY(L.tensorRange(dy, d.y, "dy"));
    CUDNN_TRY(L.tensorRange(dx, d.x, "dx"));
    CUDNN_TRY(L.range(workSpace, workSpaceSizeInBytes, "workSpace"));
    uint64_t seed = backwardDataDeterministic(algo) ? 0 : nondeterministicSeed();
    const float* wf = static_cast<const float*>(w);
    const float* dyf = static_cast<const float*>(dy);
    float* dxf = static_cast<float*>(dx);
    return L.enqueue(
        [s, algo, wf, dyf, workSpace, dxf, a, b, seed] { runBackwardData(s, algo, wf, dyf, workSpace, dxf, a, b, seed); });
}

Status backwardFilter(cudnnHandle_t handle, const void* alpha, cudnnTensorDescriptor_t xDesc, const void* x,
                      cudnnTensorDescriptor_t dyDesc, const void* dy, cudnnConvolutionDescriptor_t convDesc, int algo,
                      void* workSpace, size_t workSpaceSizeInBytes, const void* beta, cudnnFilterDescriptor_t dwDesc,
                      void* dw) {
    Launch L("cudnnConvolutionBackwardFilter");
    CUDNN_TRY(L.begin(handle));
    ConvDescs d;
    ConvShape s;
    CUDNN_TRY(readConv(L.handle(), xDesc, dwDesc, convDesc, dyDesc, "x", "dw", "dy", &d, &s));
    float a = 0, b = 0;
    CUDNN_TRY(hostScalar(alpha, "alpha", &a));
    CUDNN_TRY(hostScalar(beta, "beta", &b));
    if (!x || !dy || !dw) return failure(CUDNN_STATUS_BAD_PARAM, "x, dy or dw is NULL");
    CUDNN_TRY(checkAlgo(algo, CUDNN_CONVOLUTION_BWD_FILTER_ALGO_COUNT, backwardFilterSupported, s));
    size_t need = backwardFilterWorkspace(s, algo);
    CUDNN_TRY(checkWorkspace(backwardFilterAlgoName(algo), need, workSpace, workSpaceSizeInBytes));
    CUDNN_TRY(L.tensorRange(x, d.x, "x"));
    CUDNN_TRY(L.tensorRange(dy, d.y, "dy"));
    CUDNN_TRY(L.range(dw, filterBytes(d.w), "dw"));
    CUDNN_TRY(L.range(workSpace, workSpaceSizeInBytes, "workSpace"));
    uint64_t seed = backwardFilterDeterministic(algo) ? 0 : nondeterministicSeed();
    const float* xf = static_cast<const float*>(x);
    const float* dyf = static_cast<const float*>(dy);
    float* dwf = static_cast<float*>(dw);
    return L.enqueue([s, algo, xf, dyf, workSpace, dwf, a, b, seed] {
        runBackwardFilter(s, algo, xf, dyf, workSpace, dwf, a, b, seed);
    });
}

// db[k] = alpha * (sum of dy over every dimension but the channel) + beta * db[k].
Status backwardBias(cudnnHandle_t handle, const void* alpha, cudnnTensorDescriptor_t dyDesc, const void* dy,
                    const void* beta, cudnnTensorDescriptor_t dbDesc, void* db) {
    Launch L("cudnnConvolutionBackwardBias");
    CUDNN_TRY(L.begin(handle));
    TensorObj dyt, dbt;
    CUDNN_TRY(readObject(dyDesc, "dyDesc", &dyt));
    CUDNN_TRY(readObject(dbDesc, "dbDesc", &dbt));
    float a = 0, b = 0;
    CUDNN_TRY(hostScalar(alpha, "alpha", &a));
    CUDNN_TRY(hostScalar(beta, "beta", &b));
    if (!dy || !db) return failure(CUDNN_STATUS_BAD_PARAM, "dy or db is NULL");
    bool shapeOk = dbt.nbDims == dyt.nbDims && dbt.dims[1] == dyt.dims[1];
    for (int i = 0; i < dbt.nbDims; i++) {
        if (i != 1 && dbt.dims[i] != 1) shapeOk = false;
    }
    if (!shapeOk) {
        return failure(CUDNN_STATUS_BAD_PARAM, "dbDesc %s is not [1, %d, 1, ...] for dyDesc %s", describe(dbt).c_str(),
                       dyt.dims[1], describe(dyt).c_str());
    }
    if (dyt.dataType != dbt.dataType) return failure(CUDNN_STATUS_BAD_PARAM, "dy and db have different data types");
    CUDNN_TRY(requireFloat(dyt, "dy"));
    CUDNN_TRY(L.tensorRange(dy, dyt, "dy"));
    CUDNN_TRY(L.tensorRange(db, dbt, "db"));
    const float* dyf = static_cast<const float*>(dy);
    float* dbf = static_cast<float*>(db);
    return L.enqueue([dyt, dbt, dyf, dbf, a, b] {
        // Spatial dims walked as one operand; summed in double, in a fixed order: deterministic.
        int spatialDims[CUDNN_DIM_MAX], spatialStrides[CUDNN_DIM_MAX];
        int ns = 0;
        for (int i = 2; i < dyt.nbDims; i++) {
            spatialDims[ns] = dyt.dims[i];
            spatialStrides[ns] = dyt.strides[i];
            ns++;
        }
        long long spatial = elementCount(ns, spatialDims);
        softgpu::parallel_for(dyt.dims[1], 1, [&](long long begin, long long end) {
            for (long long k = begin; k < end; k++) {
                double sum = 0.0;
                for (long long n = 0; n < dyt.dims[0]; n++) {
                    const float* base = dyf + n * dyt.strides[0] + k * dyt.strides[1];
                    for (long long e = 0; e < spatial; e++) {
                        long long rem = e, off = 0;
                        for (int i = ns - 1; i >= 0; i--) {
                            off += rem % spatialDims[i] * spatialStrides[i];
                            rem /= spatialDims[i];
                        }
                        sum += base[off];
                    }
                }
                float* d = dbf + k * dbt.strides[1];
                *d = blend(a, float(sum), b, d);
            }
        });
    });
}

}  // namespace

CUDNN_API cudnnStatus_t cudnnConvolutionForward(cudnnHandle_t handle, const void* alpha,
                                                const cudnnTensorDescriptor_t xDesc, const void* x,
                                                const cudnnFilterDescriptor_t wDesc, const void* w,
                                                const cudnnConvolutionDescriptor_t convDesc,
                                                cudnnConvolutionFwdAlgo_t algo, void* workSpace,
                                                size_t workSpaceSizeInBytes, const void* beta,
                                                const cudnnTensorDescriptor_t yDesc, void* y) {
    return finish("cudnnConvolutionForward", forward(handle, alpha, xDesc, x, wDesc, w, convDesc, algo, workSpace,
                                                     workSpaceSizeInBytes, beta, yDesc, y));
}

CUDNN_API cudnnStatus_t cudnnConvolutionBiasActivationForward(
    cudnnHandle_t handle, const void* alpha1, const cudnnTensorDescriptor_t xDesc, const void* x,
    const cudnnFilterDescriptor_t wDesc, const void* w, const cudnnConvolutionDescriptor_t convDesc,
    cudnnConvolutionFwdAlgo_t algo, void* workSpace, size_t workSpaceSizeInBytes, const void* alpha2,
    const cudnnTensorDescriptor_t zDesc, const void* z, const cudnnTensorDescriptor_t biasDesc, const void* bias,
    const cudnnActivationDescriptor_t activationDesc, const cudnnTensorDescriptor_t yDesc, void* y) {
    return finish("cudnnConvolutionBiasActivationForward",
                  biasActivationForward(handle, alpha1, xDesc, x, wDesc, w, convDesc, algo, workSpace,
                                        workSpaceSizeInBytes, alpha2, zDesc, z, biasDesc, bias, activationDesc, yDesc,
                                        y));
}

CUDNN_API cudnnStatus_t cudnnConvolutionBackwardData(cudnnHandle_t handle, const void* alpha,
                                                     const cudnnFilterDescriptor_t wDesc, const void* w,
                                                     const cudnnTensorDescriptor_t dyDesc, const void* dy,
                                                     const cudnnConvolutionDescriptor_t convDesc,
                                                     cudnnConvolutionBwdDataAlgo_t algo, void* workSpace,
                                                     size_t workSpaceSizeInBytes, const void* beta,
                                                     const cudnnTensorDescriptor_t dxDesc, void* dx) {
    return finish("cudnnConvolutionBackwardData", backwardData(handle, alpha, wDesc, w, dyDesc, dy, convDesc, algo,
                                                               workSpace, workSpaceSizeInBytes, beta, dxDesc, dx));
}

CUDNN_API cudnnStatus_t cudnnConvolutionBackwardFilter(cudnnHandle_t handle, const void* alpha,
                                                       const cudnnTensorDescriptor_t xDesc, const void* x,
                                                       const cudnnTensorDescriptor_t dyDesc, const void* dy,
                                                       const cudnnConvolutionDescriptor_t convDesc,
                                                       cudnnConvolutionBwdFilterAlgo_t algo, void* workSpace,
                                                       size_t workSpaceSizeInBytes, const void* beta,
                                                       const cudnnFilterDescriptor_t dwDesc, void* dw) {
    return finish("cudnnConvolutionBackwardFilter", backwardFilter(handle, alpha, xDesc, x, dyDesc, dy, convDesc, algo,
                                                                   workSpace, workSpaceSizeInBytes, beta, dwDesc, dw));
}

CUDNN_API cudnnStatus_t cudnnConvolutionBackwardBias(cudnnHandle_t handle, const void* alpha,
                                                     const cudnnTensorDescriptor_t dyDesc, const void* dy,
                                                     const void* beta, const cudnnTensorDescriptor_t dbDesc, void* db) {
    return finish("cudnnConvolutionBackwardBias", backwardBias(handle, alpha, dyDesc, dy, beta, dbDesc, db));
}
