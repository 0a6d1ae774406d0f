// Element-wise tensor operations: add with broadcast, op-tensor (and its descriptor), set, scale
// and layout transform. All walk arbitrary strides; an output is never read when its beta is 0.
#include "cudnn/cudnn_api.h"
#include "cudnn/launch.h"
#include "cudnn/objects.h"
#include "cudnn/status.h"
#include "cudnn/tensor_view.h"

#include <cmath>
#include <limits>

using namespace cudnn;

namespace {

// Strides of `in` broadcast to `out`'s dims: each dim equal, or 1 (stride 0). BAD_PARAM otherwise.
Status broadcastStrides(const TensorObj& in, const TensorObj& out, const char* inName, const char* outName,
                        int* strides) {
    if (in.nbDims != out.nbDims) {
        return failure(CUDNN_STATUS_BAD_PARAM, "%s has %d dimensions, %s %d", inName, in.nbDims, outName, out.nbDims);
    }
    for (int i = 0; i < in.nbDims; i++) {
        if (in.dims[i] == out.dims[i]) {
            strides[i] = in.strides[i];
        } else if (in.dims[i] == 1) {
            strides[i] = 0;
        } else {
            return failure(CUDNN_STATUS_BAD_PARAM, "%s %s cannot be broadcast to %s %s (dimension %d)", inName,
                           describe(in).c_str(), outName, describe(out).c_str(), i);
        }
    }
    return success();
}

Status sameType(const TensorObj& a, const TensorObj& b, const char* an, const char* bn) {
    if (a.dataType != b.dataType) {
        return failure(CUDNN_STATUS_BAD_PARAM, "%s is %s but %s is %s", an, dataTypeName(a.dataType), bn,
                       dataTypeName(b.dataType));
    }
    return success();
}

Status addTensor(cudnnHandle_t handle, const void* alpha, cudnnTensorDescriptor_t aDesc, const void* A,
                 const void* beta, cudnnTensorDescriptor_t cDesc, void* C) {
    Launch L("cudnnAddTensor");
    CUDNN_TRY(L.begin(handle));
    TensorObj at, ct;
    CUDNN_TRY(readObject(aDesc, "aDesc", &at));
    CUDNN_TRY(readObject(cDesc, "cDesc", &ct));
    float a = 0, b = 0;
    CUDNN_TRY(hostScalar(alpha, "alpha", &a));
    CUDNN_TRY(hostScalar(beta, "beta", &b));
    if (!A || !C) return failure(CUDNN_STATUS_BAD_PARAM, "A or C is NULL");
    int aStrides[CUDNN_DIM_MAX];
    CUDNN_TRY(broadcastStrides(at, ct, "A", "C", aStrides));
    CUDNN_TRY(sameType(at, ct, "A", "C"));
    if (ct.nbDims > 5) {
        return failure(CUDNN_STATUS_NOT_SUPPORTED, "cudnnAddTensor supports up to 5 dimensions, not %d", ct.nbDims);
    }
    CUDNN_TRY(requireFloat(ct, "C"));
    CUDNN_TRY(requireNonOverlapping(ct, "C"));
    CUDNN_TRY(L.tensorRange(A, at, "A"));
    CUDNN_TRY(L.tensorRange(C, ct, "C"));
    const int* strides[3] = {ct.strides, aStrides, nullptr};
    Walk walk = makeWalk(ct.dims, ct.nbDims, strides, 2);
    const float* af = static_cast<const float*>(A);
    float* cf = static_cast<float*>(C);
    return L.enqueue([walk, af, cf, a, b] {
        forEachElement(walk, [&](long long oc, long long oa, long long) { cf[oc] = blend(a, af[oa], b, cf + oc); });
    });
}

float applyOp(const OpTensorObj& op, float x, float y) {
    bool propagate = op.nanOpt == CUDNN_PROPAGATE_NAN;
    switch (op.op) {
        case CUDNN_OP_TENSOR_ADD: return x + y;
        case CUDNN_OP_TENSOR_MUL: return x * y;
        case CUDNN_OP_TENSOR_MIN:
            if (propagate && (std::isnan(x) || std::isnan(y))) return std::numeric_limits<float>::quiet_NaN();
            return std::fmin(x, y);
        case CUDNN_OP_TENSOR_MAX:
            if (propagate && (std::isnan(x) || std::isnan(y))) return std::numeric_limits<float>::quiet_NaN();
            return std::fmax(x, y);
        case CUDNN_OP_TENSOR_SQRT: return std::sqrt(x);
        case CUDNN_OP_TENSOR_NOT: return 1.0f - x;
    }
    return x;
}

bool unary(cudnnOpTensorOp_t op) { return op == CUDNN_OP_TENSOR_SQRT || op == CUDNN_OP_TENSOR_NOT; }

// C = op(alpha1 * A, alpha2 * B) + beta * C; B broadcasts, A matches C; SQRT and NOT ignore B.
Status opTensor(cudnnHandle_t handle, cudnnOpTensorDescriptor_t opDesc, const void* alpha1,
                cudnnTensorDescriptor_t aDesc, const void* A, const void* alpha2, cudnnTensorDescriptor_t bDesc,
                const void* B, const void* beta, cudnnTensorDescriptor_t cDesc, void* C) {
    Launch L("cudnnOpTensor");
    CUDNN_TRY(L.begin(handle));
    OpTensorObj op;
    TensorObj at, bt, ct;
    CUDNN_TRY(readObject(opDesc, "opTensorDesc", &op));
    CUDNN_TRY(readObject(aDesc, "aDesc", &at));
    CUDNN_TRY(readObject(cDesc, "cDesc", &ct));
    bool isUnary = unary(op.op);
    if (!isUnary) CUDNN_TRY(readObject(bDesc, "bDesc", &bt));
    float a1 = 0, a2 = 0, b = 0;
    CUDNN_TRY(hostScalar(alpha1, "alpha1", &a1));
    CUDNN_TRY(hostScalar(alpha2, "alpha2", &a2));
    CUDNN_TRY(hostScalar(beta, "beta", &b));
    if (!A || !C || (!isUnary && !B)) return failure(CUDNN_STATUS_BAD_PARAM, "A, B or C is NULL");
    if (!sameDims(at, ct)) {
        return failure(CUDNN_STATUS_BAD_PARAM, "A %s and C %s differ in dimensions", describe(at).c_str(),
                       describe(ct).c_str());
    }
    CUDNN_TRY(sameType(at, ct, "A", "C"));
    int bStrides[CUDNN_DIM_MAX] = {};
    if (!isUnary) {
        CUDNN_TRY(broadcastStrides(bt, ct, "B", "C", bStrides));
        CUDNN_TRY(sameType(bt, ct, "B", "C"));
    }
    CUDNN_TRY(requireFloat(ct, "C"));
    if (op.compType != CUDNN_DATA_FLOAT) {
        return failure(CUDNN_STATUS_NOT_SUPPORTED, "compute type %s: the software GPU computes in float only",
                       dataTypeName(op.compType));
    }
    CUDNN_TRY(requireNonOverlapping(ct, "C"));
    CUDNN_TRY(L.tensorRange(A, at, "A"));
    if (!isUnary) CUDNN_TRY(L.tensorRange(B, bt, "B"));
    CUDNN_TRY(L.tensorRange(C, ct, "C"));
    const int* strides[3] = {ct.strides, at.strides, isUnary ? nullptr : bStrides};
    Walk walk = makeWalk(ct.dims, ct.nbDims, strides, isUnary ? 2 : 3);
    const float* af = static_cast<const float*>(A);
    const float* bf = isUnary ? nullptr : static_cast<const float*>(B);
    float* cf = static_cast<float*>(C);
    return L.enqueue([walk, op, af, bf, cf, a1, a2, b] {
        forEachElement(walk, [&](long long oc, long long oa, long long ob) {
            float v = applyOp(op, a1 * af[oa], bf ? a2 * bf[ob] : 0.0f);
            cf[oc] = b == 0.0f ? v : v + b * cf[oc];
        });
    });
}

Status setTensor(cudnnHandle_t handle, cudnnTensorDescriptor_t yDesc, void* y, const void* valuePtr) {
    Launch L("cudnnSetTensor");
    CUDNN_TRY(L.begin(handle));
    TensorObj yt;
    CUDNN_TRY(readObject(yDesc, "yDesc", &yt));
    float value = 0;
    CUDNN_TRY(hostScalar(valuePtr, "valuePtr", &value));
    if (!y) return failure(CUDNN_STATUS_BAD_PARAM, "y is NULL");
    CUDNN_TRY(requireFloat(yt, "y"));
    CUDNN_TRY(L.tensorRange(y, yt, "y"));
    const int* strides[3] = {yt.strides, nullptr, nullptr};
    Walk walk = makeWalk(yt.dims, yt.nbDims, strides, 1);
    float* yf = static_cast<float*>(y);
    return L.enqueue([walk, yf, value] { forEachElement(walk, [&](long long o, long long, long long) { yf[o] = value; }); });
}

Status scaleTensor(cudnnHandle_t handle, cudnnTensorDescriptor_t yDesc, void* y, const void* alpha) {
    Launch L("cudnnScaleTensor");
    CUDNN_TRY(L.begin(handle));
    TensorObj yt;
    CUDNN_TRY(readObject(yDesc, "yDesc", &yt));
    float a = 0;
    CUDNN_TRY(hostScalar(alpha, "alpha", &a));
    if (!y) return failure(CUDNN_STATUS_BAD_PARAM, "y is NULL");
    CUDNN_TRY(requireFloat(yt, "y"));
    CUDNN_TRY(requireNonOverlapping(yt, "y"));
    CUDNN_TRY(L.tensorRange(y, yt, "y"));
    const int* strides[3] = {yt.strides, nullptr, nullptr};
    Walk walk = makeWalk(yt.dims, yt.nbDims, strides, 1);
    float* yf = static_cast<float*>(y);
    return L.enqueue([walk, yf, a] { forEachElement(walk, [&](long long o, long long, long long) { yf[o] *= a; }); });
}

Status transformTensor(cudnnHandle_t handle, const void* alpha, cudnnTensorDescriptor_t xDesc, const void* x,
                       const void* beta, cudnnTensorDescriptor_t yDesc, void* y) {
    Launch L("cudnnTransformTensor");
    CUDNN_TRY(L.begin(handle));
    TensorObj xt, yt;
    CUDNN_TRY(readObject(xDesc, "xDesc", &xt));
    CUDNN_TRY(readObject(yDesc, "yDesc", &yt));
    float a = 0, b = 0;
    CUDNN_TRY(hostScalar(alpha, "alpha", &a));
    CUDNN_TRY(hostScalar(beta, "beta", &b));
    if (!x || !y) return failure(CUDNN_STATUS_BAD_PARAM, "x or y is NULL");
    if (!sameDims(xt, yt)) {
        return failure(CUDNN_STATUS_BAD_PARAM, "x %s and y %s differ in dimensions", describe(xt).c_str(),
                       describe(yt).c_str());
    }
    CUDNN_TRY(sameType(xt, yt, "x", "y"));
    CUDNN_TRY(requireFloat(yt, "y"));
    CUDNN_TRY(requireNonOverlapping(yt, "y"));
    CUDNN_TRY(L.tensorRange(x, xt, "x"));
    CUDNN_TRY(L.tensorRange(y, yt, "y"));
    const int* strides[3] = {yt.strides, xt.strides, nullptr};
    Walk walk = makeWalk(yt.dims, yt.nbDims, strides, 2);
    const float* xf = static_cast<const float*>(x);
    float* yf = static_cast<float*>(y);
    return L.enqueue([walk, xf, yf, a, b] {
        forEachElement(walk, [&](long long oy, long long ox, long long) { yf[oy] = blend(a, xf[ox], b, yf + oy); });
    });
}

}  // namespace

CUDNN_API cudnnStatus_t cudnnCreateOpTensorDescriptor(cudnnOpTensorDescriptor_t* opTensorDesc) {
    if (opTensorDesc == nullptr) {
        return finish("cudnnCreateOpTensorDescriptor", failure(CUDNN_STATUS_BAD_PARAM, "opTensorDesc is NULL"));
    }
    *opTensorDesc = reinterpret_cast<cudnnOpTensorDescriptor_t>(registerObject(OpTensorObj{}));
    return CUDNN_STATUS_SUCCESS;
}

CUDNN_API cudnnStatus_t cudnnDestroyOpTensorDescriptor(cudnnOpTensorDescriptor_t opTensorDesc) {
    if (opTensorDesc == nullptr) return CUDNN_STATUS_SUCCESS;
    return finish("cudnnDestroyOpTensorDescriptor", destroyObject<OpTensorObj>(opTensorDesc, "opTensorDesc"));
}

CUDNN_API cudnnStatus_t cudnnSetOpTensorDescriptor(cudnnOpTensorDescriptor_t opTensorDesc, cudnnOpTensorOp_t opTensorOp,
                                                   cudnnDataType_t opTensorCompType,
                                                   cudnnNanPropagation_t opTensorNanOpt) {
    const char* call = "cudnnSetOpTensorDescriptor";
    OpTensorObj o;
    Status s = readObject(opTensorDesc, "opTensorDesc", &o, false);
    if (s.ok() && (int(opTensorOp) < CUDNN_OP_TENSOR_ADD || int(opTensorOp) > CUDNN_OP_TENSOR_NOT)) {
        s = failure(CUDNN_STATUS_BAD_PARAM, "invalid cudnnOpTensorOp_t %d", int(opTensorOp));
    }
    if (s.ok() && !validDataType(opTensorCompType)) {
        s = failure(CUDNN_STATUS_BAD_PARAM, "invalid compute type %d", int(opTensorCompType));
    }
    if (s.ok() && opTensorNanOpt != CUDNN_NOT_PROPAGATE_NAN && opTensorNanOpt != CUDNN_PROPAGATE_NAN) {
        s = failure(CUDNN_STATUS_BAD_PARAM, "invalid cudnnNanPropagation_t %d", int(opTensorNanOpt));
    }
    if (!s.ok()) return finish(call, s);
    o.set = true;
    o.op = opTensorOp;
    o.compType = opTensorCompType;
    o.nanOpt = opTensorNanOpt;
    return finish(call, writeObject(opTensorDesc, "opTensorDesc", o));
}

CUDNN_API cudnnStatus_t cudnnGetOpTensorDescriptor(const cudnnOpTensorDescriptor_t opTensorDesc,
                                                   cudnnOpTensorOp_t* opTensorOp, cudnnDataType_t* opTensorCompType,
                                                   cudnnNanPropagation_t* opTensorNanOpt) {
    const char* call = "cudnnGetOpTensorDescriptor";
    OpTensorObj o;
    Status s = readObject(opTensorDesc, "opTensorDesc", &o);
    if (s.ok() && (!opTensorOp || !opTensorCompType || !opTensorNanOpt)) {
        s = failure(CUDNN_STATUS_BAD_PARAM, "an output pointer is NULL");
    }
    if (!s.ok()) return finish(call, s);
    *opTensorOp = o.op;
    *opTensorCompType = o.compType;
    *opTensorNanOpt = o.nanOpt;
    return CUDNN_STATUS_SUCCESS;
}

CUDNN_API cudnnStatus_t cudnnAddTensor(cudnnHandle_t handle, const void* alpha, const cudnnTensorDescriptor_t aDesc,
                                       const void* A, const void* beta, const cudnnTensorDescriptor_t cDesc, void* C) {
    return finish("cudnnAddTensor", addTensor(handle, alpha, aDesc, A, beta, cDesc, C));
}

CUDNN_API cudnnStatus_t cudnnOpTensor(cudnnHandle_t handle, const cudnnOpTensorDescriptor_t opTensorDesc,
                                      const void* alpha1, const cudnnTensorDescriptor_t aDesc, const void* A,
                                      const void* alpha2, const cudnnTensorDescriptor_t bDesc, const void* B,
                                      const void* beta, const cudnnTensorDescriptor_t cDesc, void* C) {
    return finish("cudnnOpTensor", opTensor(handle, opTensorDesc, alpha1, aDesc, A, alpha2, bDesc, B, beta, cDesc, C));
}

CUDNN_API cudnnStatus_t cudnnSetTensor(cudnnHandle_t handle, const cudnnTensorDescriptor_t yDesc, void* y,
                                       const void* valuePtr) {
    return finish("cudnnSetTensor", setTensor(handle, yDesc, y, valuePtr));
}

CUDNN_API cudnnStatus_t cudnnScaleTensor(cudnnHandle_t handle, const cudnnTensorDescriptor_t yDesc, void* y,
                                         const void* alpha) {
    return finish("cudnnScaleTensor", scaleTensor(handle, yDesc, y, alpha));
}

CUDNN_API cudnnStatus_t cudnnTransformTensor(cudnnHandle_t handle, const void* alpha, const cudnnTensorDescriptor_t xDesc,
                                             const void* x, const void* beta, const cudnnTensorDescriptor_t yDesc,
                                             void* y) {
    return finish("cudnnTransformTensor", transformTensor(handle, alpha, xDesc, x, beta, yDesc, y));
}
