// Activations and softmax through the software cuDNN: every activation mode forward and backward
// against its formula and against finite differences, NaN propagation of the ReLU family, the
// refused identity mode, strided and in-place tensors, alpha/beta; softmax in both modes and all
// three algorithms (the course's example 7, FAST's faithful overflow, log-softmax), backward
// against the formulas and finite differences, in the layouts the Java backend uses.
#include "cudnn/cudnn_testing.h"

#include <functional>

using namespace ct;

namespace {

const float kNaN = std::nanf("");

struct Act {
    cudnnActivationDescriptor_t d = nullptr;
    Act(cudnnActivationMode_t mode, cudnnNanPropagation_t nan, double coef, double swish = 1.0) {
        cudnnCreateActivationDescriptor(&d);
        status(cudnnSetActivationDescriptor(d, mode, nan, coef), CUDNN_STATUS_SUCCESS, "set activation");
        cudnnSetActivationDescriptorSwishBeta(d, swish);
    }
    ~Act() { cudnnDestroyActivationDescriptor(d); }
    operator cudnnActivationDescriptor_t() const { return d; }
};

double sig(double v) { return 1 / (1 + std::exp(-v)); }

double f(cudnnActivationMode_t m, double x, double coef, double sb) {
    switch (m) {
        case CUDNN_ACTIVATION_SIGMOID: return sig(x);
        case CUDNN_ACTIVATION_RELU: return x > 0 ? x : 0;
        case CUDNN_ACTIVATION_TANH: return std::tanh(x);
        case CUDNN_ACTIVATION_CLIPPED_RELU: return std::min(std::max(x, 0.0), coef);
        case CUDNN_ACTIVATION_ELU: return x > 0 ? x : coef * (std::exp(x) - 1);
        case CUDNN_ACTIVATION_SWISH: return x * sig(sb * x);
        default: return x;
    }
}

double df(cudnnActivationMode_t m, double x, double coef, double sb) {
    switch (m) {
        case CUDNN_ACTIVATION_SIGMOID: return sig(x) * (1 - sig(x));
        case CUDNN_ACTIVATION_RELU: return x > 0 ? 1 : 0;
        case CUDNN_ACTIVATION_TANH: return 1 - std::tanh(x) * std::tanh(x);
        case CUDNN_ACTIVATION_CLIPPED_RELU: return x > 0 && x < coef ? 1 : 0;
        case CUDNN_ACTIVATION_ELU: return x > 0 ? 1 : coef * std::exp(x);
        case CUDNN_ACTIVATION_SWISH: return sig(sb * x) + sb * x * sig(sb * x) * (1 - sig(sb * x));
        default: return 1;
    }
}

const cudnnActivationMode_t kModes[] = {CUDNN_ACTIVATION_SIGMOID, CUDNN_ACTIVATION_RELU, CUDNN_ACTIVATION_TANH,
                                        CUDNN_ACTIVATION_CLIPPED_RELU, CUDNN_ACTIVATION_ELU, CUDNN_ACTIVATION_SWISH};

void activations(const Gpu& gpu, const Handle& h, std::mt19937& rng) {
    const double coef = 1.5, sb = 1.3;
    // The backend's view: n values as [n, 1, 1, 1]. Values away from the kinks (finite differences).
    int n = 64;
    std::vector<float> x = random(static_cast<size_t>(n), rng, -3, 3), dy = random(static_cast<size_t>(n), rng);
    for (float& v : x) {
        if (std::fabs(v) < 0.05f) v += 0.1f;
        if (std::fabs(v - 1.5f) < 0.05f) v += 0.1f;
    }
    Tensor t(n, 1, 1, 1);
    for (cudnnActivationMode_t m : kModes) {
        Act a(m, CUDNN_PROPAGATE_NAN, coef, sb);
        Buf xb(x), yb(std::vector<float>(static_cast<size_t>(n), kNaN)), dyb(dy), dxb(std::vector<float>(static_cast<size_t>(n), kNaN));
        CT_OK(cudnnActivationForward(h, a, &kOne, t, xb.vp(), &kZero, t, yb.vp()));
        CT_OK(cudnnActivationBackward(h, a, &kOne, t, yb.vp(), t, dyb.vp(), t, xb.vp(), &kZero, t, dxb.vp()));
        gpu.sync();
        std::vector<double> ey(static_cast<size_t>(n)), edx(static_cast<size_t>(n));
        for (int i = 0; i < n; i++) {
            ey[size_t(i)] = f(m, x[size_t(i)], coef, sb);
            edx[size_t(i)] = dy[size_t(i)] * df(m, x[size_t(i)], coef, sb);
        }
        std::string name = "activation mode " + std::to_string(int(m));
        close(yb.get(), ey, 1e-6, 1e-5, (name + " forward").c_str());
        close(dxb.get(), edx, 1e-6, 1e-4, (name + " backward").c_str());
        // Finite differences of the library's own forward.
        std::vector<float> dx = dxb.get();
        for (int i = 0; i < 4; i++) {
            const float e = 1e-3f;
            std::vector<float> xp = x, xm = x;
            xp[size_t(i)] += e;
            xm[size_t(i)] -= e;
            Buf pb(xp), mb(xm), yp(static_cast<size_t>(n)), ym(static_cast<size_t>(n));
            cudnnActivationForward(h, a, &kOne, t, pb.vp(), &kZero, t, yp.vp());
            cudnnActivationForward(h, a, &kOne, t, mb.vp(), &kZero, t, ym.vp());
            gpu.sync();
            double fd = (double(yp.get()[size_t(i)]) - ym.get()[size_t(i)]) / (2 * e) * dy[size_t(i)];
            CT_EXPECT(std::fabs(fd - dx[size_t(i)]) < 2e-3, "%s finite difference at %d: %g vs %g", name.c_str(), i, fd,
                      dx[size_t(i)]);
        }
    }
    ok("activations SIGMOID, RELU, TANH, CLIPPED_RELU (ceiling 1.5), ELU (alpha 1.5), SWISH (beta 1.3): forward, "
       "backward, finite differences");

    // Strided: x with gaps, y NHWC; alpha/beta over a prior; in place (y = x).
    Tensor xs({2, 3, 4, 5}, {100, 30, 7, 1}), yn(2, 3, 4, 5, CUDNN_TENSOR_NHWC);
    std::vector<float> xv = random(200, rng, -2, 2), prior = random(120, rng);
    Act relu(CUDNN_ACTIVATION_RELU, CUDNN_PROPAGATE_NAN, 0);
    Buf xb(xv), yb(prior);
    float alpha = 2.0f, beta = -1.0f;
    CT_OK(cudnnActivationForward(h, relu, &alpha, xs, xb.vp(), &beta, yn, yb.vp()));
    gpu.sync();
    std::vector<float> got = yb.get();
    std::vector<double> want(120);
    for (int a = 0; a < 2; a++)
        for (int c = 0; c < 3; c++)
            for (int hh = 0; hh < 4; hh++)
                for (int w = 0; w < 5; w++) {
                    size_t yi = size_t(((a * 4 + hh) * 5 + w) * 3 + c);
                    want[yi] = 2.0 * std::max(0.0f, xv[size_t(a * 100 + c * 30 + hh * 7 + w)]) - prior[yi];
                }
    close(got, want, 1e-6, 1e-6, "strided relu with alpha/beta");
    Tensor packed(2, 3, 4, 5);
    Buf ip(random(120, rng, -1, 1));
    std::vector<float> before = ip.get();
    Act tanhA(CUDNN_ACTIVATION_TANH, CUDNN_PROPAGATE_NAN, 0);
    CT_OK(cudnnActivationForward(h, tanhA, &kOne, packed, ip.vp(), &kZero, packed, ip.vp()));
    gpu.sync();
    std::vector<double> wt(120);
    for (size_t i = 0; i < 120; i++) wt[i] = std::tanh(double(before[i]));
    close(ip.get(), wt, 1e-6, 1e-5, "in-place tanh");
    ok("strided / NHWC tensors with alpha and beta, in-place activation");

    // NaN: the ReLU family maps NaN to 0 unless NaNs propagate.
    Tensor four(4, 1, 1, 1);
    Buf nx({kNaN, -1, 0.5f, 3}), ny(4), ndy({1, 1, 1, 1}), ndx(4);
    for (cudnnActivationMode_t m : {CUDNN_ACTIVATION_RELU, CUDNN_ACTIVATION_CLIPPED_RELU}) {
        for (cudnnNanPropagation_t p : {CUDNN_PROPAGATE_NAN, CUDNN_NOT_PROPAGATE_NAN}) {
            Act a(m, p, 2.0);
            CT_OK(cudnnActivationForward(h, a, &kOne, four, nx.vp(), &kZero, four, ny.vp()));
            CT_OK(cudnnActivationBackward(h, a, &kOne, four, ny.vp(), four, ndy.vp(), four, nx.vp(), &kZero, four, ndx.vp()));
            gpu.sync();
            std::vector<float> y = ny.get(), dx = ndx.get();
            bool prop = p == CUDNN_PROPAGATE_NAN;
            CT_EXPECT(prop ? std::isnan(y[0]) : y[0] == 0.0f, "mode %d nan %d: f(NaN) = %g", int(m), int(p), y[0]);
            CT_EXPECT(prop ? std::isnan(dx[0]) : dx[0] == 0.0f, "mode %d nan %d: f'(NaN) = %g", int(m), int(p), dx[0]);
            CT_EXPECT(y[1] == 0 && y[2] == 0.5f && y[3] == (m == CUDNN_ACTIVATION_RELU ? 3.0f : 2.0f),
                      "mode %d: %g %g %g", int(m), y[1], y[2], y[3]);
        }
    }
    Act sg(CUDNN_ACTIVATION_SIGMOID, CUDNN_NOT_PROPAGATE_NAN, 0);
    CT_OK(cudnnActivationForward(h, sg, &kOne, four, nx.vp(), &kZero, four, ny.vp()));
    gpu.sync();
    CT_EXPECT(std::isnan(ny.get()[0]), "sigmoid(NaN) is NaN whatever the option");
    Act id(CUDNN_ACTIVATION_IDENTITY, CUDNN_PROPAGATE_NAN, 0);
    status(cudnnActivationForward(h, id, &kOne, four, nx.vp(), &kZero, four, ny.vp()), CUDNN_STATUS_BAD_PARAM,
           "identity in cudnnActivationForward (documented as fused-convolution only)");
    Tensor five(5, 1, 1, 1);
    status(cudnnActivationForward(h, sg, &kOne, four, nx.vp(), &kZero, five, ny.vp()), CUDNN_STATUS_BAD_PARAM,
           "x and y dims differ");
    ok("NaN propagation of RELU / CLIPPED_RELU (forward and backward), identity refused, dims checked");
}

// ---- softmax -----------------------------------------------------------------------------------

// Reference over packed NCHW with groups per mode.
std::vector<double> refSoftmax(const std::vector<float>& x, int N, int C, int S, cudnnSoftmaxMode_t mode,
                               cudnnSoftmaxAlgorithm_t algo) {
    std::vector<double> y(x.size());
    auto group = [&](std::vector<size_t> idx) {
        double m = -INFINITY, sum = 0;
        for (size_t i : idx) m = std::max(m, double(x[i]));
        for (size_t i : idx) sum += std::exp(x[i] - m);
        for (size_t i : idx) y[i] = algo == CUDNN_SOFTMAX_LOG ? x[i] - m - std::log(sum) : std::exp(x[i] - m) / sum;
    };
    for (int n = 0; n < N; n++) {
        if (mode == CUDNN_SOFTMAX_MODE_INSTANCE) {
            std::vector<size_t> idx;
            for (int i = 0; i < C * S; i++) idx.push_back(size_t(n * C * S + i));
            group(idx);
        } else {
            for (int s = 0; s < S; s++) {
                std::vector<size_t> idx;
                for (int c = 0; c < C; c++) idx.push_back(size_t((n * C + c) * S + s));
                group(idx);
            }
        }
    }
    return y;
}

void softmax(const Gpu& gpu, const Handle& h, std::mt19937& rng) {
    // Course example 7.
    Buf x7({-0.8f, 2.0f, 6.0f, -2.7f, 0.8f}), y7(5);
    Tensor t7(1, 5, 1, 1);
    for (cudnnSoftmaxMode_t mode : {CUDNN_SOFTMAX_MODE_CHANNEL, CUDNN_SOFTMAX_MODE_INSTANCE}) {
        for (cudnnSoftmaxAlgorithm_t algo : {CUDNN_SOFTMAX_FAST, CUDNN_SOFTMAX_ACCURATE}) {
            CT_OK(cudnnSoftmaxForward(h, algo, mode, &kOne, t7, x7.vp(), &kZero, t7, y7.vp()));
            gpu.sync();
            close(y7.get(), std::vector<double>{0.0011, 0.0179, 0.9755, 0.0002, 0.0054}, 6e-5, 0, "example 7");
        }
    }
    CT_OK(cudnnSoftmaxForward(h, CUDNN_SOFTMAX_LOG, CUDNN_SOFTMAX_MODE_CHANNEL, &kOne, t7, x7.vp(), &kZero, t7, y7.vp()));
    gpu.sync();
    CT_EXPECT(std::fabs(y7.get()[2] - (6.0 - std::log(413.5599))) < 1e-4, "log-softmax of 6.0 is 6 - ln(413.5599)");
    ok("example 7: softmax of [-0.8, 2, 6, -2.7, 0.8], both modes, FAST and ACCURATE; LOG");

    // FAST does not subtract the maximum: exp(100) overflows float, as on the GPU.
    Buf big({100.0f, 0.0f}), yb(2);
    Tensor t2(1, 2, 1, 1);
    CT_OK(cudnnSoftmaxForward(h, CUDNN_SOFTMAX_FAST, CUDNN_SOFTMAX_MODE_CHANNEL, &kOne, t2, big.vp(), &kZero, t2, yb.vp()));
    gpu.sync();
    std::vector<float> fast = yb.get();
    CT_OK(cudnnSoftmaxForward(h, CUDNN_SOFTMAX_ACCURATE, CUDNN_SOFTMAX_MODE_CHANNEL, &kOne, t2, big.vp(), &kZero, t2,
                              yb.vp()));
    gpu.sync();
    std::vector<float> acc = yb.get();
    CT_EXPECT(std::isnan(fast[0]) && fast[1] == 0.0f, "FAST overflows: %g %g", fast[0], fast[1]);
    CT_EXPECT(acc[0] == 1.0f && acc[1] < 1e-40f, "ACCURATE does not: %g %g", acc[0], acc[1]);
    ok("FAST softmax overflows like the GPU's (exp(100) in float), ACCURATE does not");

    // Random shapes: the backend's [outer, D, inner, 1] CHANNEL layout, and INSTANCE.
    struct S4 {
        int N, C, H, W;
    };
    int cases = 0;
    for (S4 s : {S4{3, 7, 4, 1}, S4{2, 5, 3, 2}, S4{4, 10, 1, 1}}) {
        for (cudnnSoftmaxMode_t mode : {CUDNN_SOFTMAX_MODE_CHANNEL, CUDNN_SOFTMAX_MODE_INSTANCE}) {
            for (cudnnSoftmaxAlgorithm_t algo : {CUDNN_SOFTMAX_FAST, CUDNN_SOFTMAX_ACCURATE, CUDNN_SOFTMAX_LOG}) {
                size_t n = size_t(s.N) * s.C * s.H * s.W;
                int S = s.H * s.W;
                Tensor t(s.N, s.C, s.H, s.W);
                std::vector<float> x = random(n, rng, -4, 4), dy = random(n, rng), dxPrior = random(n, rng);
                Buf xb(x), yb(std::vector<float>(n, kNaN)), dyb(dy), dxb(dxPrior);
                CT_OK(cudnnSoftmaxForward(h, algo, mode, &kOne, t, xb.vp(), &kZero, t, yb.vp()));
                float alpha = 0.5f, beta = 2.0f;
                CT_OK(cudnnSoftmaxBackward(h, algo, mode, &alpha, t, yb.vp(), t, dyb.vp(), &beta, t, dxb.vp()));
                gpu.sync();
                std::vector<double> ry = refSoftmax(x, s.N, s.C, S, mode, algo);
                close(yb.get(), ry, 1e-6, 1e-5, "softmax forward");
                // Backward by finite differences of the reference: d/dx_i sum_j y_j dy_j.
                std::vector<double> edx(n);
                for (size_t i = 0; i < n; i++) {
                    std::vector<float> xp = x, xm = x;
                    const float e = 1e-3f;
                    xp[i] += e;
                    xm[i] -= e;
                    std::vector<double> yp = refSoftmax(xp, s.N, s.C, S, mode, algo),
                                        ym = refSoftmax(xm, s.N, s.C, S, mode, algo);
                    double d = 0;
                    for (size_t j = 0; j < n; j++) d += (yp[j] - ym[j]) / (double(xp[i]) - double(xm[i])) * dy[j];
                    edx[i] = alpha * d + beta * dxPrior[i];
                }
                close(dxb.get(), edx, 2e-4, 1e-3, "softmax backward vs finite differences");
                cases++;
            }
        }
    }
    ok("%d softmax cases (CHANNEL / INSTANCE x FAST / ACCURATE / LOG): forward vs reference, backward vs finite "
       "differences, alpha/beta",
       cases);
}

}  // namespace

int main() {
    Gpu gpu;
    Handle h(gpu);
    std::mt19937 rng(5);
    activations(gpu, h, rng);
    softmax(gpu, h, rng);
    return finish("cudnn_activation_softmax");
}
