// Activation descriptors and element-wise activations, forward and backward.
//
// coef is the ceiling of CLIPPED_RELU and the alpha of ELU; SWISH uses the swish beta (1 unless set).
// NaN propagation applies to the ReLU family (RELU, CLIPPED_RELU): under CUDNN_NOT_PROPAGATE_NAN a
// NaN input gives 0 (and a 0 gradient), under CUDNN_PROPAGATE_NAN it gives NaN. The other modes
// propagate NaNs through their arithmetic.
//
// Backward: SIGMOID and TANH differentiate through y (y(1-y), 1-y^2); RELU, CLIPPED_RELU, ELU
// and SWISH through x. Only the tensor a mode reads is range-checked.
//
// CUDNN_ACTIVATION_IDENTITY is refused here (BAD_PARAM): cuDNN 8 documents it as valid only for
// cudnnConvolutionBiasActivationForward, not for cudnnActivationForward/Backward.
#include "cudnn/cudnn_api.h"
#include "cudnn/launch.h"
#include "cudnn/objects.h"
#include "cudnn/status.h"
#include "cudnn/tensor_view.h"

#include <cmath>
#include <limits>
#include <type_traits>

using namespace cudnn;

namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

float sigmoid(float v) { return 1.0f / (1.0f + std::exp(-v)); }

float forwardValue(const ActivationObj& a, float x) {
    bool propagate = a.nanOpt == CUDNN_PROPAGATE_NAN;
    switch (a.mode) {
        case CUDNN_ACTIVATION_SIGMOID: return sigmoid(x);
        case CUDNN_ACTIVATION_RELU:
            if (std::isnan(x)) return propagate ? kNaN : 0.0f;
            return x > 0.0f ? x : 0.0f;
        case CUDNN_ACTIVATION_TANH: return std::tanh(x);
        case CUDNN_ACTIVATION_CLIPPED_RELU:
            if (std::isnan(x)) return propagate ? kNaN : 0.0f;
            return std::min(x > 0.0f ? x : 0.0f, float(a.coef));
        case CUDNN_ACTIVATION_ELU: return x > 0.0f ? x : float(a.coef) * std::expm1(x);
        case CUDNN_ACTIVATION_SWISH: return x * sigmoid(float(a.swishBeta) * x);
        case CUDNN_ACTIVATION_IDENTITY: return x;
    }
    return x;
}

// Gradient given the forward input x and output y.
float backwardValue(const ActivationObj& a, float x, float y, float dy) {
    bool propagate = a.nanOpt == CUDNN_PROPAGATE_NAN;
    switch (a.mode) {
        case CUDNN_ACTIVATION_SIGMOID: return dy * y * (1.0f - y);
        case CUDNN_ACTIVATION_TANH: return dy * (1.0f - y * y);
        case CUDNN_ACTIVATION_RELU:
            if (std::isnan(x)) return propagate ? kNaN : 0.0f;
            return x > 0.0f ? dy : 0.0f;
        case CUDNN_ACTIVATION_CLIPPED_RELU:
            if (std::isnan(x)) return propagate ? kNaN : 0.0f;
            return x > 0.0f && x < float(a.coef) ? dy : 0.0f;
        case CUDNN_ACTIVATION_ELU: return x > 0.0f ? dy : dy * float(a.coef) * std::exp(x);
        case CUDNN_ACTIVATION_SWISH: {
            float b = float(a.swishBeta);
            float s = sigmoid(b * x);
            return dy * (s + b * x * s * (1.0f - s));
        }
        case CUDNN_ACTIVATION_IDENTITY: return dy;
    }
    return dy;
}

// Calls body(std::integral_constant<cudnnActivationMode_t, mode>) so that the element loop is
// compiled once per mode instead of switching per element.
template <class F>
void withMode(const ActivationObj& a, F&& body) {
    switch (a.mode) {
        case CUDNN_ACTIVATION_SIGMOID: body(std::integral_constant<cudnnActivationMode_t, CUDNN_ACTIVATION_SIGMOID>()); break;
        case CUDNN_ACTIVATION_RELU: body(std::integral_constant<cudnnActivationMode_t, CUDNN_ACTIVATION_RELU>()); break;
        case CUDNN_ACTIVATION_TANH: body(std::integral_constant<cudnnActivationMode_t, CUDNN_ACTIVATION_TANH>()); break;
        case CUDNN_ACTIVATION_CLIPPED_RELU:
            body(std::integral_constant<cudnnActivationMode_t, CUDNN_ACTIVATION_CLIPPED_RELU>());
            break;
        case CUDNN_ACTIVATION_ELU: body(std::integral_constant<cudnnActivationMode_t, CUDNN_ACTIVATION_ELU>()); break;
        case CUDNN_ACTIVATION_SWISH: body(std::integral_constant<cudnnActivationMode_t, CUDNN_ACTIVATION_SWISH>()); break;
        case CUDNN_ACTIVATION_IDENTITY:
            body(std::integral_constant<cudnnActivationMode_t, CUDNN_ACTIVATION_IDENTITY>());
            break;
    }
}

bool readsY(cudnnActivationMode_t m) { return m == CUDNN_ACTIVATION_SIGMOID || m == CUDNN_ACTIVATION_TANH; }

Status usable(const ActivationObj& a) {
    if (a.mode == CUDNN_ACTIVATION_IDENTITY) {
        return failure(CUDNN_STATUS_BAD_PARAM,
                       "CUDNN_ACTIVATION_IDENTITY works only with cudnnConvolutionBiasActivationForward (cuDNN 8 API)");
    }
    return success();
}

Status activationForward(cudnnHandle_t handle, cudnnActivationDescriptor_t activationDesc, const void* alpha,
                         cudnnTensorDescriptor_t xDesc, const void* x, const void* beta, cudnnTensorDescriptor_t yDesc,
                         void* y) {
    Launch L("cudnnActivationForward");
    CUDNN_TRY(L.begin(handle));
    ActivationObj act;
    TensorObj xt, yt;
    CUDNN_TRY(readObject(activationDesc, "activationDesc", &act));
    CUDNN_TRY(readObject(xDesc, "xDesc", &xt));
    CUDNN_TRY(readObject(yDesc, "yDesc", &yt));
    float a = 0, b = 0;
    CUDNN_TRY(hostScalar(alpha, "alpha", &a));
    CUDNN_TRY(hostScalar(beta, "beta", &b));
    if (!x || !y) return failure(CUDNN_STATUS_BAD_PARAM, "x or y is NULL");
    if (!sameDims(xt, yt) || xt.dataType != yt.dataType) {
        return failure(CUDNN_STATUS_BAD_PARAM, "xDesc %s and yDesc %s differ in dimensions or data type",
                       describe(xt).c_str(), describe(yt).c_str());
    }
    CUDNN_TRY(usable(act));
    CUDNN_TRY(requireFloat(xt, "x"));
    CUDNN_TRY(requireNonOverlapping(yt, "y"));
    CUDNN_TRY(L.tensorRange(x, xt, "x"));
    CUDNN_TRY(L.tensorRange(y, yt, "y"));
    const int* strides[3] = {yt.strides, xt.strides, nullptr};
    Walk walk = makeWalk(yt.dims, yt.nbDims, strides, 2);
    const float* xf = static_cast<const float*>(x);
    float* yf = static_cast<float*>(y);
    return L.enqueue([walk, act, xf, yf, a, b] {
        withMode(act, [&](auto mode) {
            ActivationObj fixed = act;
            fixed.mode = decltype(mode)::value;  // a constant: the switch folds away in the loop
            forEachElement(walk, [&](long long oy, long long ox, long long) {
                yf[oy] = blend(a, forwardValue(fixed, xf[ox]), b, yf + oy);
            });
        });
    });
}

Status activationBackward(cudnnHandle_t handle, cudnnActivationDescriptor_t activationDesc, const void* alpha,
                          cudnnTensorDescriptor_t yDesc, const void* y, cudnnTensorDescriptor_t dyDesc, const void* dy,
                          cudnnTensorDescriptor_t xDesc, const void* x, const void* beta,
                          cudnnTensorDescriptor_t dxDesc, void* dx) {
    Launch L("cudnnActivationBackward");
    CUDNN_TRY(L.begin(handle));
    ActivationObj act;
    TensorObj yt, dyt, xt, dxt;
    CUDNN_TRY(readObject(activationDesc, "activationDesc", &act));
    CUDNN_TRY(readObject(yDesc, "yDesc", &yt));
    CUDNN_TRY(readObject(dyDesc, "dyDesc", &dyt));
    CUDNN_TRY(readObject(xDesc, "xDesc", &xt));
    CUDNN_TRY(readObject(dxDesc, "dxDesc", &dxt));
    float a = 0, b = 0;
    CUDNN_TRY(hostScalar(alpha, "alpha", &a));
    CUDNN_TRY(hostScalar(beta, "beta", &b));
    bool useY = readsY(act.mode);
    if (!dy || !dx || (useY ? !y : !x)) return failure(CUDNN_STATUS_BAD_PARAM, "y, dy, x or dx is NULL");
    if (!sameDims(yt, dyt) || !sameDims(yt, xt) || !sameDims(yt, dxt)) {
        return failure(CUDNN_STATUS_BAD_PARAM, "y %s, dy %s, x %s and dx %s must have the same dimensions",
                       describe(yt).c_str(), describe(dyt).c_str(), describe(xt).c_str(), describe(dxt).c_str());
    }
    if (yt.dataType != dyt.dataType || yt.dataType != xt.dataType || yt.dataType != dxt.dataType) {
        return failure(CUDNN_STATUS_BAD_PARAM, "the tensors differ in data type");
    }
    CUDNN_TRY(usable(act));
    CUDNN_TRY(requireFloat(dxt, "dx"));
    CUDNN_TRY(requireNonOverlapping(dxt, "dx"));
    if (useY) {
        CUDNN_TRY(L.tensorRange(y, yt, "y"));
    } else {
        CUDNN_TRY(L.tensorRange(x, xt, "x"));
    }
    CUDNN_TRY(L.tensorRange(dy, dyt, "dy"));
    CUDNN_TRY(L.tensorRange(dx, dxt, "dx"));
    const int* strides[3] = {dxt.strides, dyt.strides, useY ? yt.strides : xt.strides};
    Walk walk = makeWalk(dxt.dims, dxt.nbDims, strides, 3);
    const float* in = static_cast<const float*>(useY ? y : x);
    const float* dyf = static_cast<const float*>(dy);
    float* dxf = static_cast<float*>(dx);
    return L.enqueue([walk, act, useY, in, dyf, dxf, a, b] {
        withMode(act, [&](auto mode) {
            ActivationObj fixed = act;
            fixed.mode = decltype(mode)::value;
            forEachElement(walk, [&](long long odx, long long ody, long long oin) {
                float v = in[oin];
                float g = useY ? backwardValue(fixed, 0.0f, v, dyf[ody]) : backwardValue(fixed, v, 0.0f, dyf[ody]);
                dxf[odx] = blend(a, g, b, dxf + odx);
            });
        });
    });
}

}  // namespace

CUDNN_API cudnnStatus_t cudnnCreateActivationDescriptor(cudnnActivationDescriptor_t* activationDesc) {
    if (activationDesc == nullptr) {
        return finish("cudnnCreateActivationDescriptor", failure(CUDNN_STATUS_BAD_PARAM, "activationDesc is NULL"));
    }
    *activationDesc = reinterpret_cast<cudnnActivationDescriptor_t>(registerObject(ActivationObj{}));
    return CUDNN_STATUS_SUCCESS;
}

CUDNN_API cudnnStatus_t cudnnDestroyActivationDescriptor(cudnnActivationDescriptor_t activationDesc) {
    if (activationDesc == nullptr) return CUDNN_STATUS_SUCCESS;
    return finish("cudnnDestroyActivationDescriptor", destroyObject<ActivationObj>(activationDesc, "activationDesc"));
}

CUDNN_API cudnnStatus_t cudnnSetActivationDescriptor(cudnnActivationDescriptor_t activationDesc,
                                                     cudnnActivationMode_t mode, cudnnNanPropagation_t reluNanOpt,
                                                     double coef) {
    const char* call = "cudnnSetActivationDescriptor";
    ActivationObj a;
    Status s = readObject(activationDesc, "activationDesc", &a, false);
    if (s.ok() && (int(mode) < CUDNN_ACTIVATION_SIGMOID || int(mode) > CUDNN_ACTIVATION_SWISH)) {
        s = failure(CUDNN_STATUS_BAD_PARAM, "invalid cudnnActivationMode_t %d", int(mode));
    }
    if (s.ok() && reluNanOpt != CUDNN_NOT_PROPAGATE_NAN && reluNanOpt != CUDNN_PROPAGATE_NAN) {
        s = failure(CUDNN_STATUS_BAD_PARAM, "invalid cudnnNanPropagation_t %d", int(reluNanOpt));
    }
    if (!s.ok()) return finish(call, s);
    a.set = true;
    a.mode = mode;
    a.nanOpt = reluNanOpt;
    a.coef = coef;
    return finish(call, writeObject(activationDesc, "activationDesc", a));
}

CUDNN_API cudnnStatus_t cudnnGetActivationDescriptor(const cudnnActivationDescriptor_t activationDesc,
                                                     cudnnActivationMode_t* mode, cudnnNanPropagation_t* reluNanOpt,
                                                     double* coef) {
    const char* call = "cudnnGetActivationDescriptor";
    ActivationObj a;
    Status s = readObject(activationDesc, "activationDesc", &a);
    if (s.ok() && (!mode || !reluNanOpt || !coef)) s = failure(CUDNN_STATUS_BAD_PARAM, "an output pointer is NULL");
    if (!s.ok()) return finish(call, s);
    *mode = a.mode;
    *reluNanOpt = a.nanOpt;
    *coef = a.coef;
    return CUDNN_STATUS_SUCCESS;
}

CUDNN_API cudnnStatus_t cudnnSetActivationDescriptorSwishBeta(cudnnActivationDescriptor_t activationDesc,
                                                              double swish_beta) {
    const char* call = "cudnnSetActivationDescriptorSwishBeta";
    ActivationObj a;
    Status s = readObject(activationDesc, "activationDesc", &a, false);
    if (!s.ok()) return finish(call, s);
    a.swishBeta = swish_beta;
    return finish(call, writeObject(activationDesc, "activationDesc", a));
}

CUDNN_API cudnnStatus_t cudnnGetActivationDescriptorSwishBeta(cudnnActivationDescriptor_t activationDesc,
                                                              double* swish_beta) {
    const char* call = "cudnnGetActivationDescriptorSwishBeta";
    ActivationObj a;
    Status s = readObject(activationDesc, "activationDesc", &a, false);
    if (s.ok() && !swish_beta) s = failure(CUDNN_STATUS_BAD_PARAM, "swish_beta is NULL");
    if (!s.ok()) return finish(call, s);
    *swish_beta = a.swishBeta;
    return CUDNN_STATUS_SUCCESS;
}

CUDNN_API cudnnStatus_t cudnnActivationForward(cudnnHandle_t handle, cudnnActivationDescriptor_t activationDesc,
                                               const void* alpha, const cudnnTensorDescriptor_t xDesc, const void* x,
                                               const void* beta, const cudnnTensorDescriptor_t yDesc, void* y) {
    return finish("cudnnActivationForward", activationForward(handle, activationDesc, alpha, xDesc, x, beta, yDesc, y));
}

CUDNN_API cudnnStatus_t cudnnActivationBackward(cudnnHandle_t handle, cudnnActivationDescriptor_t activationDesc,
                                                const void* alpha, const cudnnTensorDescriptor_t yDesc, const void* y,
                                                const cudnnTensorDescriptor_t dyDesc, const void* dy,
                                                const cudnnTensorDescriptor_t xDesc, const void* x, const void* beta,
                                                const cudnnTensorDescriptor_t dxDesc, void* dx) {
    return finish("cudnnActivationBackward", activationBackward(handle, activationDesc, alpha, yDesc, y, dyDesc, dy,
                                                                xDesc, x, beta, dxDesc, dx));
}
