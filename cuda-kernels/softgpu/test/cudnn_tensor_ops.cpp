// Element-wise tensor operations through the software cuDNN: add with broadcast, op-tensor
// (ADD, MUL, MIN, MAX with NaN options, SQRT, NOT), set and scale on strided tensors (gaps left
// alone), layout transforms, alpha/beta with beta 0 never reading the output.
#include "cudnn/cudnn_testing.h"

using namespace ct;

namespace {

const float kNaN = std::nanf("");

struct OpDesc {
    cudnnOpTensorDescriptor_t d = nullptr;
    OpDesc(cudnnOpTensorOp_t op, cudnnNanPropagation_t nan) {
        cudnnCreateOpTensorDescriptor(&d);
        status(cudnnSetOpTensorDescriptor(d, op, CUDNN_DATA_FLOAT, nan), CUDNN_STATUS_SUCCESS, "set op tensor");
    }
    ~OpDesc() { cudnnDestroyOpTensorDescriptor(d); }
    operator cudnnOpTensorDescriptor_t() const { return d; }
};

void addTensor(const Gpu& gpu, const Handle& h, std::mt19937& rng) {
    // Bias 1xCx1x1 into NxCxHxW: C = alpha * bias + beta * C.
    Tensor c(2, 3, 2, 2), bias(1, 3, 1, 1), full(2, 3, 2, 2), perImage(2, 1, 1, 1), bad(1, 2, 1, 1);
    std::vector<float> cv = random(24, rng), bv = {1, 2, 3}, fv = random(24, rng), nv = {10, 20};
    Buf cb(cv), bb(bv), fb(fv), nb(nv);
    float alpha = 2.0f, beta = 0.5f;
    CT_OK(cudnnAddTensor(h, &alpha, bias, bb.vp(), &beta, c, cb.vp()));
    gpu.sync();
    std::vector<double> want(24);
    for (int i = 0; i < 24; i++) want[size_t(i)] = 2.0 * bv[size_t(i / 4 % 3)] + 0.5 * cv[size_t(i)];
    close(cb.get(), want, 1e-6, 1e-6, "add bias 1x3x1x1");
    cb.put(std::vector<float>(24, kNaN));
    CT_OK(cudnnAddTensor(h, &kOne, full, fb.vp(), &kZero, c, cb.vp()));
    gpu.sync();
    close(cb.get(), fv, 0, 0, "add full tensor with beta 0 over NaN");
    cb.put(cv);
    CT_OK(cudnnAddTensor(h, &kOne, perImage, nb.vp(), &kOne, c, cb.vp()));
    gpu.sync();
    for (int i = 0; i < 24; i++) want[size_t(i)] = nv[size_t(i / 12)] + double(cv[size_t(i)]);
    close(cb.get(), want, 1e-6, 1e-6, "add 2x1x1x1 broadcast over C, H, W");
    status(cudnnAddTensor(h, &kOne, bad, bb.vp(), &kOne, c, cb.vp()), CUDNN_STATUS_BAD_PARAM, "2 channels into 3");
    ok("cudnnAddTensor: bias broadcast, full add, per-image broadcast, alpha/beta, bad broadcast");
}

void opTensor(const Gpu& gpu, const Handle& h, std::mt19937& rng) {
    Tensor t(2, 3, 1, 2), b1(1, 3, 1, 1);
    std::vector<float> a = random(12, rng, 0.1f, 2), b = {0.5f, kNaN, -1}, prior = random(12, rng);
    a[3] = kNaN;  // element (0, 1, 0, 1) meets B's NaN channel too
    Buf ab(a), bb(b), cb(12);
    float a1 = 2.0f, a2 = 3.0f, beta = 0.25f;
    struct Op {
        cudnnOpTensorOp_t op;
        cudnnNanPropagation_t nan;
    };
    for (Op o : {Op{CUDNN_OP_TENSOR_ADD, CUDNN_PROPAGATE_NAN}, Op{CUDNN_OP_TENSOR_MUL, CUDNN_PROPAGATE_NAN},
                 Op{CUDNN_OP_TENSOR_MIN, CUDNN_PROPAGATE_NAN}, Op{CUDNN_OP_TENSOR_MIN, CUDNN_NOT_PROPAGATE_NAN},
                 Op{CUDNN_OP_TENSOR_MAX, CUDNN_PROPAGATE_NAN}, Op{CUDNN_OP_TENSOR_MAX, CUDNN_NOT_PROPAGATE_NAN},
                 Op{CUDNN_OP_TENSOR_SQRT, CUDNN_PROPAGATE_NAN}, Op{CUDNN_OP_TENSOR_NOT, CUDNN_PROPAGATE_NAN}}) {
        OpDesc d(o.op, o.nan);
        cb.put(prior);
        bool unary = o.op == CUDNN_OP_TENSOR_SQRT || o.op == CUDNN_OP_TENSOR_NOT;
        CT_OK(cudnnOpTensor(h, d, &a1, t, ab.vp(), &a2, b1, unary ? nullptr : bb.vp(), &beta, t, cb.vp()));
        gpu.sync();
        std::vector<double> want(12);
        for (int i = 0; i < 12; i++) {
            double x = 2.0 * a[size_t(i)], y = 3.0 * b[size_t(i / 2 % 3)], v = 0;
            bool anyNan = std::isnan(x) || std::isnan(y);
            switch (o.op) {
                case CUDNN_OP_TENSOR_ADD: v = x + y; break;
                case CUDNN_OP_TENSOR_MUL: v = x * y; break;
                case CUDNN_OP_TENSOR_MIN: v = o.nan == CUDNN_PROPAGATE_NAN && anyNan ? NAN : std::fmin(x, y); break;
                case CUDNN_OP_TENSOR_MAX: v = o.nan == CUDNN_PROPAGATE_NAN && anyNan ? NAN : std::fmax(x, y); break;
                case CUDNN_OP_TENSOR_SQRT: v = std::sqrt(x); break;
                case CUDNN_OP_TENSOR_NOT: v = 1 - x; break;
            }
            want[size_t(i)] = v + 0.25 * prior[size_t(i)];
        }
        std::string name = "op tensor " + std::to_string(int(o.op)) + " nan " + std::to_string(int(o.nan));
        close(cb.get(), want, 1e-6, 1e-6, name.c_str());
    }
    Tensor other(2, 2, 1, 2);
    OpDesc add(CUDNN_OP_TENSOR_ADD, CUDNN_PROPAGATE_NAN);
    status(cudnnOpTensor(h, add, &a1, other, ab.vp(), &a2, b1, bb.vp(), &beta, t, cb.vp()), CUDNN_STATUS_BAD_PARAM,
           "A not of C's dims");
    ok("cudnnOpTensor: ADD, MUL, MIN/MAX with and without NaN propagation, SQRT and NOT (B ignored), B broadcast, "
       "alpha1/alpha2/beta");
}

void setScaleTransform(const Gpu& gpu, const Handle& h, std::mt19937& rng) {
    // A 2x2x2x3 tensor with gaps: strides 20, 9, 4, 1 (extent 36). Gap elements must keep their value.
    Tensor gapped({2, 2, 2, 3}, {20, 9, 4, 1});
    std::vector<float> init(36);
    for (int i = 0; i < 36; i++) init[size_t(i)] = float(1000 + i);
    Buf g(init);
    float value = 7.5f;
    CT_OK(cudnnSetTensor(h, gapped, g.vp(), &value));
    gpu.sync();
    std::vector<float> got = g.get();
    std::vector<bool> addressed(36, false);
    for (int a = 0; a < 2; a++)
        for (int b = 0; b < 2; b++)
            for (int c = 0; c < 2; c++)
                for (int d = 0; d < 3; d++) addressed[size_t(a * 20 + b * 9 + c * 4 + d)] = true;
    bool right = true;
    for (int i = 0; i < 36; i++) right = right && got[size_t(i)] == (addressed[size_t(i)] ? 7.5f : float(1000 + i));
    CT_EXPECT(right, "cudnnSetTensor sets exactly the addressed elements");
    float scale = -2.0f;
    CT_OK(cudnnScaleTensor(h, gapped, g.vp(), &scale));
    gpu.sync();
    got = g.get();
    right = true;
    for (int i = 0; i < 36; i++) right = right && got[size_t(i)] == (addressed[size_t(i)] ? -15.0f : float(1000 + i));
    CT_EXPECT(right, "cudnnScaleTensor scales exactly the addressed elements");

    // NCHW -> NHWC -> NCHW with alpha / beta.
    Tensor nchw(2, 3, 4, 5), nhwc(2, 3, 4, 5, CUDNN_TENSOR_NHWC);
    std::vector<float> x = random(120, rng), prior = random(120, rng);
    Buf xb(x), yb(std::vector<float>(120, kNaN)), back(prior);
    CT_OK(cudnnTransformTensor(h, &kOne, nchw, xb.vp(), &kZero, nhwc, yb.vp()));
    float alpha = 3.0f, beta = 1.0f;
    CT_OK(cudnnTransformTensor(h, &alpha, nhwc, yb.vp(), &beta, nchw, back.vp()));
    gpu.sync();
    std::vector<float> y = yb.get();
    bool layout = true;
    for (int n = 0; n < 2; n++)
        for (int c = 0; c < 3; c++)
            for (int hh = 0; hh < 4; hh++)
                for (int w = 0; w < 5; w++)
                    layout = layout && y[size_t(((n * 4 + hh) * 5 + w) * 3 + c)] == x[size_t(((n * 3 + c) * 4 + hh) * 5 + w)];
    CT_EXPECT(layout, "NCHW to NHWC transform");
    std::vector<double> want(120);
    for (size_t i = 0; i < 120; i++) want[i] = 3.0 * x[i] + prior[i];
    close(back.get(), want, 1e-6, 1e-6, "NHWC back to NCHW with alpha 3, beta 1");
    Tensor other(2, 3, 5, 4);
    status(cudnnTransformTensor(h, &kOne, nchw, xb.vp(), &kZero, other, yb.vp()), CUDNN_STATUS_BAD_PARAM,
           "transform between different dims");
    ok("cudnnSetTensor / cudnnScaleTensor on a tensor with gaps, cudnnTransformTensor NCHW <-> NHWC");
}

}  // namespace

int main() {
    Gpu gpu;
    Handle h(gpu);
    std::mt19937 rng(9);
    addTensor(gpu, h, rng);
    opTensor(gpu, h, rng);
    setScaleTransform(gpu, h, rng);
    return finish("cudnn_tensor_ops");
}
