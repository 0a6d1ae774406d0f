// Convolution through the software cuDNN: the course's worked examples in both modes, every
// algorithm of every pass against plain reference loops (written here, in double) over randomised
// shapes with groups, dilation, stride, padding, non-packed strides, NHWC filters and alpha/beta,
// the adjoint identities and finite differences for the backward passes, (non-)determinism as the
// perf results declare it, workspace rules, the heuristic ranking, the timed search, bias backward,
// the fused bias-activation forward, argument errors and descriptor lifetimes.
#include "cudnn/cudnn_testing.h"

#include <algorithm>
#include <chrono>
#include <functional>
#include <memory>

using namespace ct;

namespace {

const float kNaN = std::nanf("");

// One workspace for the whole program: the driver poisons and watches freed memory, so tests
// allocate big buffers once.
constexpr size_t kWorkspaceBytes = size_t(64) << 20;
Buf* gWorkspace = nullptr;

// ---- an independent reference ----------------------------------------------------------------

struct Layout {  // dims and element strides of a host copy of a device tensor
    int d[4];
    long long s[4];
    long long at(int a, int b, int c, int e) const { return a * s[0] + b * s[1] + c * s[2] + e * s[3]; }
    size_t extent() const { return size_t(1 + (d[0] - 1) * s[0] + (d[1] - 1) * s[1] + (d[2] - 1) * s[2] + (d[3] - 1) * s[3]); }
    static Layout packed(int a, int b, int c, int e) { return Layout{{a, b, c, e}, {(long long)b * c * e, (long long)c * e, e, 1}}; }
    static Layout nhwc(int a, int b, int c, int e) { return Layout{{a, b, c, e}, {(long long)b * c * e, 1, (long long)e * b, b}}; }
};

struct Problem {
    int N, C, H, W, K, R, S, G;
    int ph, pw, sh, sw, dh, dw;
    cudnnConvolutionMode_t mode;
    int P() const { return (H + 2 * ph - ((R - 1) * dh + 1)) / sh + 1; }
    int Q() const { return (W + 2 * pw - ((S - 1) * dw + 1)) / sw + 1; }
    int Cg() const { return C / G; }
    int Kg() const { return K / G; }
};

// Filter element (k, c, r, s) of a KCRS (nhwc=false) or KRSC filter, as stored.
double wAt(const std::vector<float>& w, const Problem& p, bool nhwc, int k, int c, int r, int s) {
    int cg = p.Cg();
    long long i = nhwc ? ((long long)(k * p.R + r) * p.S + s) * cg + c : ((long long)(k * cg + c) * p.R + r) * p.S + s;
    return w[size_t(i)];
}

// The tap (r, s) of the filter as the cross-correlation applies it.
void tap(const Problem& p, int r, int s, int* rr, int* ss) {
    *rr = p.mode == CUDNN_CONVOLUTION ? p.R - 1 - r : r;
    *ss = p.mode == CUDNN_CONVOLUTION ? p.S - 1 - s : s;
}

std::vector<double> refForward(const Problem& p, const std::vector<float>& x, const Layout& lx,
                               const std::vector<float>& w, bool wNhwc) {
    int P = p.P(), Q = p.Q();
    std::vector<double> y(size_t(p.N) * p.K * P * Q, 0.0);
    for (int n = 0; n < p.N; n++)
        for (int k = 0; k < p.K; k++)
            for (int oh = 0; oh < P; oh++)
                for (int ow = 0; ow < Q; ow++) {
                    double sum = 0.0;
                    int g = k / p.Kg();
                    for (int c = 0; c < p.Cg(); c++)
                        for (int r = 0; r < p.R; r++)
                            for (int s = 0; s < p.S; s++) {
                                int h = oh * p.sh - p.ph + r * p.dh, v = ow * p.sw - p.pw + s * p.dw;
                                if (h < 0 || h >= p.H || v < 0 || v >= p.W) continue;
                                int rr, ss;
                                tap(p, r, s, &rr, &ss);
                                sum += wAt(w, p, wNhwc, k, c, rr, ss) * x[size_t(lx.at(n, g * p.Cg() + c, h, v))];
                            }
                    y[((size_t(n) * p.K + k) * P + oh) * Q + ow] = sum;
                }
    return y;
}

// Scatter form (the transpose written out), independent of how the library gathers.
std::vector<double> refBackwardData(const Problem& p, const std::vector<float>& dy, const Layout& ldy,
                                    const std::vector<float>& w, bool wNhwc) {
    std::vector<double> dx(size_t(p.N) * p.C * p.H * p.W, 0.0);
    for (int n = 0; n < p.N; n++)
        for (int k = 0; k < p.K; k++)
            for (int oh = 0; oh < p.P(); oh++)
                for (int ow = 0; ow < p.Q(); ow++) {
                    double g = dy[size_t(ldy.at(n, k, oh, ow))];
                    int grp = k / p.Kg();
                    for (int c = 0; c < p.Cg(); c++)
                        for (int r = 0; r < p.R; r++)
                            for (int s = 0; s < p.S; s++) {
                                int h = oh * p.sh - p.ph + r * p.dh, v = ow * p.sw - p.pw + s * p.dw;
                                if (h < 0 || h >= p.H || v < 0 || v >= p.W) continue;
                                int rr, ss;
                                tap(p, r, s, &rr, &ss);
                                dx[((size_t(n) * p.C + grp * p.Cg() + c) * p.H + h) * p.W + v] +=
                                    g * wAt(w, p, wNhwc, k, c, rr, ss);
                            }
                }
    return dx;
}

// Filter gradient in the filter's own layout.
std::vector<double> refBackwardFilter(const Problem& p, const std::vector<float>& x, const Layout& lx,
                                      const std::vector<float>& dy, const Layout& ldy, bool wNhwc) {
    std::vector<double> dw(size_t(p.K) * p.Cg() * p.R * p.S, 0.0);
    for (int n = 0; n < p.N; n++)
        for (int k = 0; k < p.K; k++)
            for (int oh = 0; oh < p.P(); oh++)
                for (int ow = 0; ow < p.Q(); ow++) {
                    double g = dy[size_t(ldy.at(n, k, oh, ow))];
                    int grp = k / p.Kg();
                    for (int c = 0; c < p.Cg(); c++)
                        for (int r = 0; r < p.R; r++)
                            for (int s = 0; s < p.S; s++) {
                                int h = oh * p.sh - p.ph + r * p.dh, v = ow * p.sw - p.pw + s * p.dw;
                                if (h < 0 || h >= p.H || v < 0 || v >= p.W) continue;
                                int rr, ss;
                                tap(p, r, s, &rr, &ss);
                                long long i = wNhwc ? ((long long)(k * p.R + rr) * p.S + ss) * p.Cg() + c
                                                    : ((long long)(k * p.Cg() + c) * p.R + rr) * p.S + ss;
                                dw[size_t(i)] += g * x[size_t(lx.at(n, grp * p.Cg() + c, h, v))];
                            }
                }
    return dw;
}

// Reads the strided device tensor back in packed NCHW order.
std::vector<float> packedOf(const std::vector<float>& v, const Layout& l) {
    std::vector<float> out;
    for (int a = 0; a < l.d[0]; a++)
        for (int b = 0; b < l.d[1]; b++)
            for (int c = 0; c < l.d[2]; c++)
                for (int e = 0; e < l.d[3]; e++) out.push_back(v[size_t(l.at(a, b, c, e))]);
    return out;
}

// expected = alpha * ref + beta * prior (prior in packed order).
std::vector<double> blended(const std::vector<double>& ref, float alpha, float beta, const std::vector<float>& prior) {
    std::vector<double> out(ref.size());
    for (size_t i = 0; i < ref.size(); i++) out[i] = alpha * ref[i] + (beta == 0.0f ? 0.0 : beta * double(prior[i]));
    return out;
}

std::unique_ptr<Tensor> tensorFor(const Layout& l) {
    return std::make_unique<Tensor>(std::vector<int>{l.d[0], l.d[1], l.d[2], l.d[3]},
                                    std::vector<int>{int(l.s[0]), int(l.s[1]), int(l.s[2]), int(l.s[3])});
}

size_t fwdWorkspace(cudnnHandle_t h, cudnnTensorDescriptor_t x, cudnnFilterDescriptor_t w, cudnnConvolutionDescriptor_t c,
                    cudnnTensorDescriptor_t y, int algo) {
    size_t bytes = 0;
    cudnnGetConvolutionForwardWorkspaceSize(h, x, w, c, y, cudnnConvolutionFwdAlgo_t(algo), &bytes);
    return bytes;
}

const int kFwdAlgos[] = {CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM, CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM,
                         CUDNN_CONVOLUTION_FWD_ALGO_GEMM, CUDNN_CONVOLUTION_FWD_ALGO_WINOGRAD_NONFUSED};
const int kDataAlgos[] = {CUDNN_CONVOLUTION_BWD_DATA_ALGO_0, CUDNN_CONVOLUTION_BWD_DATA_ALGO_1};
const int kFilterAlgos[] = {CUDNN_CONVOLUTION_BWD_FILTER_ALGO_0, CUDNN_CONVOLUTION_BWD_FILTER_ALGO_1,
                            CUDNN_CONVOLUTION_BWD_FILTER_ALGO_3};

// ---- worked examples -------------------------------------------------------------------------

// Runs a single-image convolution with every forward algorithm that supports it; exact results
// expected (small integers) except Winograd (close).
void example(const Gpu& gpu, const Handle& h, const char* name, int C, int H, int W, int K, int R, int S,
             const std::vector<float>& x, const std::vector<float>& w, int pad, int stride,
             cudnnConvolutionMode_t mode, const std::vector<float>& expected) {
    Problem p{1, C, H, W, K, R, S, 1, pad, pad, stride, stride, 1, 1, mode};
    Tensor xd(1, C, H, W), yd(1, K, p.P(), p.Q());
    Filter wd(K, C, R, S);
    Conv cd(pad, pad, stride, stride, 1, 1, mode);
    Buf xb(x), wb(w), yb(expected.size());
    Buf& ws = *gWorkspace;
    int algos = 0;
    for (int algo : kFwdAlgos) {
        size_t need = 0;
        cudnnStatus_t st = cudnnGetConvolutionForwardWorkspaceSize(h, xd, wd, cd, yd, cudnnConvolutionFwdAlgo_t(algo), &need);
        if (st == CUDNN_STATUS_NOT_SUPPORTED) continue;
        yb.put(std::vector<float>(expected.size(), kNaN));
        CT_OK(cudnnConvolutionForward(h, &kOne, xd, xb.vp(), wd, wb.vp(), cd, cudnnConvolutionFwdAlgo_t(algo), ws.vp(),
                                      1 << 22, &kZero, yd, yb.vp()));
        gpu.sync();
        bool winograd = algo == CUDNN_CONVOLUTION_FWD_ALGO_WINOGRAD_NONFUSED;
        close(yb.get(), expected, winograd ? 1e-3 : 0.0, winograd ? 1e-5 : 0.0, name);
        algos++;
    }
    ok("%s: %d forward algorithms", name, algos);
}

void workedExamples(const Gpu& gpu, const Handle& h) {
    std::vector<float> x = {6, 3, 4, 6, 2, 7, 4, 4, 6, 1, 2, 6, 2, 2, 7, 4, 3, 7, 7, 2, 5, 4, 1, 7, 3,
                            5, 5, 1, 7, 3, 4, 0, 3, 1, 5, 4, 3, 0, 0, 2, 2, 6, 1, 7, 3, 3, 7, 6, 5, 5,
                            6, 5, 2, 3, 6, 3, 7, 0, 2, 4, 2, 6, 4, 0, 6, 1, 3, 0, 3, 5, 1, 1, 0, 1, 4};
    std::vector<float> w = {-1, 1,  1, 1,  1, 2, 0,  -2, 1, -1, 1,  -1, -1, 1,  2, -1, -1, 1,
                            -1, -1, 1, 1,  -2, 2, 2, -1, 2,                                      // filter 0
                            -1, -2, 1, 1,  1, 2, -2, 2,  2, -2, -2, -2, -2, 1,  0, 0,  -2, 0,
                            0,  -2, 0, 2,  -1, -1, -2, 1, -2};                                   // filter 1
    // Example 1 (bias b0 = 1, b1 = 0 removed: cuDNN's convolution adds no bias), flipped kernel.
    std::vector<float> v = {0,   34,  39,  23,  35,  -12, 27,  48,  7,   28,  -2,  20,  28,  28,  5,   -1,  27,
                            41,  39,  17,  -6,  15,  34,  18,  35,  -24, -18, -16, -7,  -8,  -10, -43, -12, -12,
                            -6,  -26, -3,  -60, -10, -16, -60, -20, -27, -45, 4,   -8,  -3,  5,   17,  28};
    std::vector<float> conv = v;
    for (int i = 0; i < 25; i++) conv[size_t(i)] -= 1.0f;
    example(gpu, h, "example 1: 3-channel 5x5, pad 1, CUDNN_CONVOLUTION (flipped)", 3, 5, 5, 2, 3, 3, x, w, 1, 1,
            CUDNN_CONVOLUTION, conv);
    std::vector<float> corr = {23, 14,  51,  31,  -12, 47,  -9,  32,  58,  -33, 56,  -13, 16,  27,  -20, 41,  14,
                               29, 32,  -18, 36,  32,  31,  37,  -13, 9,   20,  3,   12,  -23, -34, -30, -12, -47,
                               -20, -9, -37, 8,   -34, -40, 3,   -31, -14, 13,  -49, -9,  -14, -26, -45, -38};
    for (int i = 0; i < 25; i++) corr[size_t(i)] -= 1.0f;
    example(gpu, h, "example 1: the same with CUDNN_CROSS_CORRELATION", 3, 5, 5, 2, 3, 3, x, w, 1, 1,
            CUDNN_CROSS_CORRELATION, corr);
    // Per-channel partial sums: channel 0 of x with channel 0 of filter 0, flipped.
    std::vector<float> x0(x.begin(), x.begin() + 25), w00(w.begin(), w.begin() + 9);
    example(gpu, h, "example 1: partial sums of filter 0, channel 0", 1, 5, 5, 1, 3, 3, x0, w00, 1, 1,
            CUDNN_CONVOLUTION, {12, 26, 18, 25, 21, -5, 28, 19, 4, 24, -5, 11, 15, 17, 24, 4, 16, 20, 26, 14, 1, 13, 5, 5, 20});
    example(gpu, h, "example 2: no padding shrinks 5x5 to 3x3", 1, 5, 5, 1, 3, 3,
            {7, 2, 3, 3, 8, 4, 5, 3, 8, 4, 3, 3, 2, 8, 4, 2, 8, 7, 2, 7, 5, 4, 4, 5, 4}, {1, 0, -1, 1, 0, -1, 1, 0, -1}, 0,
            1, CUDNN_CROSS_CORRELATION, {6, -9, -8, -3, -2, -3, -3, 0, -2});
    example(gpu, h, "example 3: same padding, sharpen", 1, 5, 5, 1, 3, 3,
            {60, 113, 56, 139, 85, 73, 121, 54, 84, 128, 131, 99, 70, 129, 127, 80, 57, 115, 69, 134, 104, 126, 123, 95,
             130},
            {0, -1, 0, -1, 5, -1, 0, -1, 0}, 1, 1, CUDNN_CROSS_CORRELATION,
            {114, 328, -26, 470, 158, 53, 266, -61, -30, 344, 403, 116, -47, 295, 244, 108, -135, 256, -128, 344, 314,
             346, 279, 153, 421});
    std::vector<float> img7 = {1, 9, 8, 4, 4, 5, 7, 4, 8, 6, 7, 9, 1, 7, 4, 0, 5, 9, 3, 8, 4, 7, 3, 5, 9, 0,
                               5, 4, 7, 4, 1, 1, 8, 1, 2, 7, 6, 6, 9, 8, 7, 6, 3, 6, 3, 5, 4, 2, 7};
    std::vector<float> sharpen = {0, -1, 0, -1, 5, -1, 0, -1, 0};
    example(gpu, h, "example 5: stride 2", 1, 7, 7, 1, 3, 3, img7, sharpen, 0, 2, CUDNN_CROSS_CORRELATION,
            {21, 7, -24, -1, 30, 12, 7, 25, 18});
    example(gpu, h, "example 5: stride 1", 1, 7, 7, 1, 3, 3, img7, sharpen, 0, 1, CUDNN_CROSS_CORRELATION,
            {21, 2, 7, 30, -24, -20, 5, 21, -11, 27, -1, 7, 30, -25, 12, 3, -11, -22, 30, -17, 7, 11, 25, 12, 18});
    // Example 4 in floats: one output.
    Tensor xd(1, 1, 3, 3), yd(1, 1, 1, 1);
    Filter wd(1, 1, 3, 3);
    Conv cd(0, 0, 1, 1, 1, 1, CUDNN_CROSS_CORRELATION);
    Buf xb({189.59f, 194.95f, 190.90f, 172.70f, 185.25f, 193.31f, 175.50f, 168.63f, 186.22f});
    Buf wb({-1, 0, 1, -1, 0, 1, -1, 0, 1}), yb(1);
    CT_OK(cudnnConvolutionForward(h, &kOne, xd, xb.vp(), wd, wb.vp(), cd, CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM,
                                  nullptr, 0, &kZero, yd, yb.vp()));
    gpu.sync();
    close(yb.get(), std::vector<double>{32.64}, 1e-3, 0, "example 4");
    ok("example 4: vertical edge on a grey-level patch = 32.64");

    // Example 1 through the fused call: y = relu(conv + bias), and identity with PRECOMP.
    Tensor x1(1, 3, 5, 5), y1(1, 2, 5, 5), bd(1, 2, 1, 1);
    Filter w1(2, 3, 3, 3);
    Conv c1(1, 1, 1, 1, 1, 1, CUDNN_CONVOLUTION);
    cudnnActivationDescriptor_t act;
    cudnnCreateActivationDescriptor(&act);
    Buf xb1(x), wb1(w), bias({1, 0}), yb1(50);
    Buf& ws = *gWorkspace;
    size_t need = fwdWorkspace(h, x1, w1, c1, y1, CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM);
    std::vector<float> relu = v;
    for (float& e : relu) e = std::max(e, 0.0f);
    for (cudnnActivationMode_t mode : {CUDNN_ACTIVATION_RELU, CUDNN_ACTIVATION_IDENTITY}) {
        cudnnSetActivationDescriptor(act, mode, CUDNN_NOT_PROPAGATE_NAN, 0.0);
        yb1.put(std::vector<float>(50, kNaN));  // z aliases y with alpha2 = 0: z must not be read
        CT_OK(cudnnConvolutionBiasActivationForward(h, &kOne, x1, xb1.vp(), w1, wb1.vp(), c1,
                                                    CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM, ws.vp(), need,
                                                    &kZero, y1, yb1.vp(), bd, bias.vp(), act, y1, yb1.vp()));
        gpu.sync();
        close(yb1.get(), mode == CUDNN_ACTIVATION_RELU ? relu : v, 0, 0, "bias + activation forward, example 1");
    }
    // z term: y = relu(conv + 2 * z + bias) with z = y's previous contents (in place).
    cudnnSetActivationDescriptor(act, CUDNN_ACTIVATION_RELU, CUDNN_PROPAGATE_NAN, 0.0);
    std::vector<float> z(50);
    for (int i = 0; i < 50; i++) z[size_t(i)] = float(i % 7 - 3);
    yb1.put(z);
    float two = 2.0f;
    CT_OK(cudnnConvolutionBiasActivationForward(h, &kOne, x1, xb1.vp(), w1, wb1.vp(), c1,
                                                CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM, nullptr, 0, &two, y1,
                                                yb1.vp(), bd, bias.vp(), act, y1, yb1.vp()));
    gpu.sync();
    std::vector<float> withZ(50);
    for (int i = 0; i < 50; i++) withZ[size_t(i)] = std::max(v[size_t(i)] + 2 * z[size_t(i)], 0.0f);
    close(yb1.get(), withZ, 0, 0, "bias + activation forward with z aliasing y");
    status(cudnnConvolutionBiasActivationForward(h, &kOne, x1, xb1.vp(), w1, wb1.vp(), c1,
                                                 CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM, nullptr, 0, &kZero, y1,
                                                 yb1.vp(), bd, bias.vp(),
                                                 (cudnnSetActivationDescriptor(act, CUDNN_ACTIVATION_IDENTITY,
                                                                               CUDNN_PROPAGATE_NAN, 0.0),
                                                  act),
                                                 y1, yb1.vp()),
           CUDNN_STATUS_NOT_SUPPORTED, "identity activation with IMPLICIT_GEMM");
    cudnnSetActivationDescriptor(act, CUDNN_ACTIVATION_TANH, CUDNN_PROPAGATE_NAN, 0.0);
    status(cudnnConvolutionBiasActivationForward(h, &kOne, x1, xb1.vp(), w1, wb1.vp(), c1,
                                                 CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM, nullptr, 0, &kZero, y1,
                                                 yb1.vp(), bd, bias.vp(), act, y1, yb1.vp()),
           CUDNN_STATUS_NOT_SUPPORTED, "tanh activation in the fused call");
    cudnnDestroyActivationDescriptor(act);
    ok("cudnnConvolutionBiasActivationForward: example 1 with bias and ReLU / identity, the z term in place");
}

// ---- randomised shapes against the reference ---------------------------------------------------

struct Case {
    const char* name;
    Problem p;
    bool xPadded;   // x with padding between rows and images
    bool yNhwc;     // y (and dy) in NHWC order
    bool wNhwc;     // the filter in KRSC order
};

Layout xLayout(const Case& c) {
    const Problem& p = c.p;
    if (!c.xPadded) return Layout::packed(p.N, p.C, p.H, p.W);
    long long sw = 1, sh = p.W + 3, sc = sh * (p.H + 1), sn = sc * p.C + 5;
    return Layout{{p.N, p.C, p.H, p.W}, {sn, sc, sh, sw}};
}

Layout yLayout(const Case& c) {
    return c.yNhwc ? Layout::nhwc(c.p.N, c.p.K, c.p.P(), c.p.Q()) : Layout::packed(c.p.N, c.p.K, c.p.P(), c.p.Q());
}

void randomCase(const Gpu& gpu, const Handle& h, const Case& cs, std::mt19937& rng) {
    const Problem& p = cs.p;
    Layout lx = xLayout(cs), ly = yLayout(cs);
    auto xd = tensorFor(lx), yd = tensorFor(ly);
    Filter wd(p.K, p.Cg(), p.R, p.S, cs.wNhwc ? CUDNN_TENSOR_NHWC : CUDNN_TENSOR_NCHW);
    Conv cd(p.ph, p.pw, p.sh, p.sw, p.dh, p.dw, p.mode, p.G);
    int n0, k0, h0, w0;
    CT_OK(cudnnGetConvolution2dForwardOutputDim(cd, *xd, wd, &n0, &k0, &h0, &w0));
    CT_EXPECT(h0 == p.P() && w0 == p.Q(), "%s: output dims %d %d, expected %d %d", cs.name, h0, w0, p.P(), p.Q());
    std::vector<float> x = random(lx.extent(), rng), w = random(size_t(p.K) * p.Cg() * p.R * p.S, rng);
    std::vector<float> dy = random(ly.extent(), rng);
    Buf xb(x), wb(w), dyb(dy), yb(ly.extent()), dxb(lx.extent()), dwb(w.size());
    size_t wsBytes = kWorkspaceBytes;
    Buf& ws = *gWorkspace;
    double terms = double(p.Cg()) * p.R * p.S;
    double atol = 2e-6 * std::max(16.0, terms), rtol = 1e-5;

    std::vector<double> refY = refForward(p, x, lx, w, cs.wNhwc);
    std::vector<double> refDx = refBackwardData(p, dy, ly, w, cs.wNhwc);
    std::vector<double> refDw = refBackwardFilter(p, x, lx, dy, ly, cs.wNhwc);
    const float alpha = 0.75f, beta = 0.5f;

    int ran = 0;
    for (int algo : kFwdAlgos) {
        size_t need = 0;
        if (cudnnGetConvolutionForwardWorkspaceSize(h, *xd, wd, cd, *yd, cudnnConvolutionFwdAlgo_t(algo), &need) !=
            CUDNN_STATUS_SUCCESS) {
            continue;
        }
        double tol = algo == CUDNN_CONVOLUTION_FWD_ALGO_WINOGRAD_NONFUSED ? 4 : 1;
        // beta = 0 over NaN: the prior output must not be read.
        std::vector<float> prior(ly.extent(), kNaN);
        yb.put(prior);
        CT_OK(cudnnConvolutionForward(h, &kOne, *xd, xb.vp(), wd, wb.vp(), cd, cudnnConvolutionFwdAlgo_t(algo), ws.vp(),
                                      need, &kZero, *yd, yb.vp()));
        gpu.sync();
        std::string what = std::string(cs.name) + " forward algo " + std::to_string(algo);
        close(packedOf(yb.get(), ly), refY, atol * tol, rtol * tol, what.c_str());
        // alpha and beta over a prior output.
        prior = random(ly.extent(), rng);
        yb.put(prior);
        CT_OK(cudnnConvolutionForward(h, &alpha, *xd, xb.vp(), wd, wb.vp(), cd, cudnnConvolutionFwdAlgo_t(algo), ws.vp(),
                                      wsBytes, &beta, *yd, yb.vp()));
        gpu.sync();
        close(packedOf(yb.get(), ly), blended(refY, alpha, beta, packedOf(prior, ly)), atol * tol, rtol * tol,
              (what + " alpha/beta").c_str());
        ran++;
    }
    for (int algo : kDataAlgos) {
        std::vector<float> prior(lx.extent(), kNaN);
        dxb.put(prior);
        CT_OK(cudnnConvolutionBackwardData(h, &kOne, wd, wb.vp(), *yd, dyb.vp(), cd, cudnnConvolutionBwdDataAlgo_t(algo),
                                           nullptr, 0, &kZero, *xd, dxb.vp()));
        gpu.sync();
        std::string what = std::string(cs.name) + " backward data algo " + std::to_string(algo);
        double t = double(p.Kg()) * p.R * p.S;
        close(packedOf(dxb.get(), lx), refDx, 2e-6 * std::max(16.0, t), rtol, what.c_str());
        prior = random(lx.extent(), rng);
        dxb.put(prior);
        CT_OK(cudnnConvolutionBackwardData(h, &alpha, wd, wb.vp(), *yd, dyb.vp(), cd, cudnnConvolutionBwdDataAlgo_t(algo),
                                           ws.vp(), wsBytes, &beta, *xd, dxb.vp()));
        gpu.sync();
        close(packedOf(dxb.get(), lx), blended(refDx, alpha, beta, packedOf(prior, lx)), 2e-6 * std::max(16.0, t), rtol,
              (what + " alpha/beta").c_str());
        ran++;
    }
    for (int algo : kFilterAlgos) {
        size_t need = 0;
        CT_OK(cudnnGetConvolutionBackwardFilterWorkspaceSize(h, *xd, *yd, cd, wd, cudnnConvolutionBwdFilterAlgo_t(algo),
                                                             &need));
        std::vector<float> prior(w.size(), kNaN);
        dwb.put(prior);
        CT_OK(cudnnConvolutionBackwardFilter(h, &kOne, *xd, xb.vp(), *yd, dyb.vp(), cd,
                                             cudnnConvolutionBwdFilterAlgo_t(algo), ws.vp(), need, &kZero, wd, dwb.vp()));
        gpu.sync();
        std::string what = std::string(cs.name) + " backward filter algo " + std::to_string(algo);
        double t = double(p.N) * p.P() * p.Q();
        close(dwb.get(), refDw, 2e-6 * std::max(16.0, t), rtol, what.c_str());
        prior = random(w.size(), rng);
        dwb.put(prior);
        CT_OK(cudnnConvolutionBackwardFilter(h, &alpha, *xd, xb.vp(), *yd, dyb.vp(), cd,
                                             cudnnConvolutionBwdFilterAlgo_t(algo), ws.vp(), wsBytes, &beta, wd,
                                             dwb.vp()));
        gpu.sync();
        close(dwb.get(), blended(refDw, alpha, beta, prior), 2e-6 * std::max(16.0, t), rtol,
              (what + " alpha/beta").c_str());
        ran++;
    }
    ok("%s: %d algorithm runs match the reference (beta 0 over NaN, alpha 0.75 / beta 0.5)", cs.name, ran);
}

// <conv(x), dy> = <x, conv^T(dy)> = <w, dW(x, dy)>: the backward passes are the forward's adjoints.
void adjointAndFiniteDifferences(const Gpu& gpu, const Handle& h, std::mt19937& rng) {
    Problem p{2, 6, 9, 7, 4, 3, 2, 2, 1, 1, 2, 1, 2, 1, CUDNN_CONVOLUTION};
    Tensor xd(p.N, p.C, p.H, p.W), yd(p.N, p.K, p.P(), p.Q());
    Filter wd(p.K, p.Cg(), p.R, p.S);
    Conv cd(p.ph, p.pw, p.sh, p.sw, p.dh, p.dw, p.mode, p.G);
    size_t nx = size_t(p.N) * p.C * p.H * p.W, ny = size_t(p.N) * p.K * p.P() * p.Q(), nw = size_t(p.K) * p.Cg() * p.R * p.S;
    std::vector<float> x = random(nx, rng), w = random(nw, rng), dy = random(ny, rng);
    Buf xb(x), wb(w), dyb(dy), yb(ny), dxb(nx), dwb(nw);
    Buf& ws = *gWorkspace;
    auto forward = [&](const std::vector<float>& xv, const std::vector<float>& wv) {
        xb.put(xv);
        wb.put(wv);
        cudnnConvolutionForward(h, &kOne, xd, xb.vp(), wd, wb.vp(), cd, CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM, nullptr,
                                0, &kZero, yd, yb.vp());
        gpu.sync();
        std::vector<float> y = yb.get();
        double loss = 0;
        for (size_t i = 0; i < ny; i++) loss += double(y[i]) * dy[i];
        return loss;
    };
    double yDotDy = forward(x, w);
    CT_OK(cudnnConvolutionBackwardData(h, &kOne, wd, wb.vp(), yd, dyb.vp(), cd, CUDNN_CONVOLUTION_BWD_DATA_ALGO_1, nullptr,
                                       0, &kZero, xd, dxb.vp()));
    CT_OK(cudnnConvolutionBackwardFilter(h, &kOne, xd, xb.vp(), yd, dyb.vp(), cd, CUDNN_CONVOLUTION_BWD_FILTER_ALGO_1,
                                         ws.vp(), 16 << 20, &kZero, wd, dwb.vp()));
    gpu.sync();
    std::vector<float> dx = dxb.get(), dw = dwb.get();
    double xDotDx = 0, wDotDw = 0;
    for (size_t i = 0; i < nx; i++) xDotDx += double(x[i]) * dx[i];
    for (size_t i = 0; i < nw; i++) wDotDw += double(w[i]) * dw[i];
    CT_EXPECT(std::fabs(yDotDy - xDotDx) < 1e-4 * std::fabs(yDotDy) + 1e-3, "<y,dy> %.8g vs <x,dx> %.8g", yDotDy, xDotDx);
    CT_EXPECT(std::fabs(yDotDy - wDotDw) < 1e-4 * std::fabs(yDotDy) + 1e-3, "<y,dy> %.8g vs <w,dw> %.8g", yDotDy, wDotDw);
    // Central differences of L = <conv(x, w), dy> at a few inputs and weights.
    const float eps = 1e-2f;
    for (int trial = 0; trial < 6; trial++) {
        size_t i = size_t(rng() % nx);
        std::vector<float> xp = x, xm = x;
        xp[i] += eps;
        xm[i] -= eps;
        double fd = (forward(xp, w) - forward(xm, w)) / (2.0 * eps);
        CT_EXPECT(std::fabs(fd - dx[i]) < 2e-3 * std::max(1.0, std::fabs(fd)), "finite difference dx[%zu] %.6g vs %.6g", i,
                  fd, dx[i]);
        size_t j = size_t(rng() % nw);
        std::vector<float> wp = w, wm = w;
        wp[j] += eps;
        wm[j] -= eps;
        fd = (forward(x, wp) - forward(x, wm)) / (2.0 * eps);
        CT_EXPECT(std::fabs(fd - dw[j]) < 2e-3 * std::max(1.0, std::fabs(fd)), "finite difference dw[%zu] %.6g vs %.6g", j,
                  fd, dw[j]);
    }
    ok("backward passes are the forward's adjoints; central differences agree at 12 points");
}

// ---- determinism as declared ------------------------------------------------------------------

void determinism(const Gpu& gpu, const Handle& h, std::mt19937& rng) {
    Problem p{6, 16, 12, 12, 32, 3, 3, 1, 1, 1, 1, 1, 1, 1, CUDNN_CROSS_CORRELATION};
    Tensor xd(p.N, p.C, p.H, p.W), yd(p.N, p.K, p.P(), p.Q());
    Filter wd(p.K, p.C, p.R, p.S);
    Conv cd(1, 1, 1, 1, 1, 1, p.mode);
    size_t nx = size_t(p.N) * p.C * p.H * p.W, ny = size_t(p.N) * p.K * p.P() * p.Q(), nw = size_t(p.K) * p.C * 9;
    Buf xb(random(nx, rng)), wb(random(nw, rng)), dyb(random(ny, rng)), out(std::max(nx, std::max(ny, nw)));
    Buf& ws = *gWorkspace;
    auto runs = [&](std::function<void()> run, size_t n) {
        std::vector<std::vector<float>> results;
        for (int i = 0; i < 6; i++) {
            run();
            gpu.sync();
            std::vector<float> r = out.get();
            r.resize(n);
            results.push_back(r);
        }
        bool allEqual = true;
        for (auto& r : results) allEqual = allEqual && bitEqual(r, results[0]);
        return allEqual;
    };
    // The heuristic's determinism flags, per algorithm.
    cudnnConvolutionBwdDataAlgoPerf_t dperf[8];
    cudnnConvolutionBwdFilterAlgoPerf_t fperf[8];
    int nd = 0, nf = 0;
    CT_OK(cudnnGetConvolutionBackwardDataAlgorithm_v7(h, wd, yd, cd, xd, 8, &nd, dperf));
    CT_OK(cudnnGetConvolutionBackwardFilterAlgorithm_v7(h, xd, yd, cd, wd, 8, &nf, fperf));
    for (int i = 0; i < nd; i++) {
        if (dperf[i].status != CUDNN_STATUS_SUCCESS) continue;
        int algo = dperf[i].algo;
        bool same = runs([&] { cudnnConvolutionBackwardData(h, &kOne, wd, wb.vp(), yd, dyb.vp(), cd, dperf[i].algo,
                                                            nullptr, 0, &kZero, xd, out.vp()); }, nx);
        bool det = dperf[i].determinism == CUDNN_DETERMINISTIC;
        CT_EXPECT(same == det, "backward data algo %d: 6 runs %s but declared %s", algo, same ? "identical" : "differ",
                  det ? "deterministic" : "non-deterministic");
    }
    for (int i = 0; i < nf; i++) {
        if (fperf[i].status != CUDNN_STATUS_SUCCESS) continue;
        int algo = fperf[i].algo;
        bool same = runs([&] { cudnnConvolutionBackwardFilter(h, &kOne, xd, xb.vp(), yd, dyb.vp(), cd, fperf[i].algo,
                                                              ws.vp(), 32 << 20, &kZero, wd, out.vp()); }, nw);
        bool det = fperf[i].determinism == CUDNN_DETERMINISTIC;
        CT_EXPECT(same == det, "backward filter algo %d: 6 runs %s but declared %s", algo, same ? "identical" : "differ",
                  det ? "deterministic" : "non-deterministic");
    }
    // Forward: all deterministic; Winograd close to, but not bit-equal with, direct summation.
    std::vector<float> direct, winograd;
    for (int algo : kFwdAlgos) {
        bool same = runs([&] { cudnnConvolutionForward(h, &kOne, xd, xb.vp(), wd, wb.vp(), cd, cudnnConvolutionFwdAlgo_t(algo),
                                                       ws.vp(), 32 << 20, &kZero, yd, out.vp()); }, ny);
        CT_EXPECT(same, "forward algo %d is not deterministic", algo);
        std::vector<float> r = out.get();
        r.resize(ny);
        if (algo == CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM) direct = r;
        if (algo == CUDNN_CONVOLUTION_FWD_ALGO_WINOGRAD_NONFUSED) winograd = r;
    }
    CT_EXPECT(!bitEqual(direct, winograd), "Winograd results are bit-identical to direct summation");
    close(winograd, direct, 1e-4, 1e-4, "Winograd vs direct summation");
    ok("determinism: deterministic algorithms repeat bit for bit, ALGO_0/ALGO_3 vary between calls, as declared; "
       "Winograd is close but not bit-equal");
}

// ---- algorithm queries, workspace rules, search ------------------------------------------------

void queries(const Gpu& gpu, const Handle& h, std::mt19937& rng) {
    Tensor xd(3, 8, 10, 10), yd(3, 16, 10, 10), y5(3, 16, 8, 8);
    Filter wd(16, 8, 3, 3), w5(16, 8, 5, 5);
    Conv cd(1, 1, 1, 1, 1, 1, CUDNN_CROSS_CORRELATION), c5(1, 1, 1, 1, 1, 1, CUDNN_CROSS_CORRELATION);
    int count = 0;
    CT_OK(cudnnGetConvolutionForwardAlgorithmMaxCount(h, &count));
    CT_EXPECT(count == 8, "forward max count %d", count);
    CT_OK(cudnnGetConvolutionBackwardDataAlgorithmMaxCount(h, &count));
    CT_EXPECT(count == 6, "backward data max count %d", count);
    CT_OK(cudnnGetConvolutionBackwardFilterAlgorithmMaxCount(h, &count));
    CT_EXPECT(count == 7, "backward filter max count %d", count);

    cudnnConvolutionFwdAlgoPerf_t perf[16];
    int n = 0;
    CT_OK(cudnnGetConvolutionForwardAlgorithm_v7(h, xd, wd, cd, yd, 16, &n, perf));
    CT_EXPECT(n == 8, "the heuristic lists all 8 forward algorithms (%d)", n);
    const int want[] = {7, 1, 0, 2};
    for (int i = 0; i < 4; i++) {
        CT_EXPECT(perf[i].algo == want[i] && perf[i].status == CUDNN_STATUS_SUCCESS, "forward heuristic entry %d: algo %d status %d",
                  i, perf[i].algo, perf[i].status);
        CT_EXPECT(perf[i].memory == fwdWorkspace(h, xd, wd, cd, yd, perf[i].algo), "memory of entry %d", i);
        CT_EXPECT(perf[i].determinism == CUDNN_DETERMINISTIC && perf[i].mathType == CUDNN_FMA_MATH,
                  "determinism / math type of entry %d", i);
    }
    for (int i = 4; i < 8; i++) {
        CT_EXPECT(perf[i].status == CUDNN_STATUS_NOT_SUPPORTED, "forward heuristic entry %d supported?", i);
    }
    CT_EXPECT(perf[1].memory > 0 && perf[2].memory == 0 && perf[3].memory > 0, "workspace: PRECOMP table, none, im2col");
    CT_OK(cudnnGetConvolutionForwardAlgorithm_v7(h, xd, w5, c5, y5, 2, &n, perf));
    CT_EXPECT(n == 2 && perf[0].algo == 1 && perf[1].algo == 0, "5x5 filter: Winograd is not offered first");
    CT_OK(cudnnGetConvolutionForwardAlgorithm_v7(h, xd, w5, c5, y5, 16, &n, perf));
    bool winogradListed = false;
    for (int i = 3; i < n; i++) {
        winogradListed = winogradListed || (perf[i].algo == CUDNN_CONVOLUTION_FWD_ALGO_WINOGRAD_NONFUSED &&
                                            perf[i].status == CUDNN_STATUS_NOT_SUPPORTED);
    }
    CT_EXPECT(n == 8 && perf[2].algo == 2 && winogradListed, "5x5 filter: Winograd listed after the supported ones");
    size_t bytes = 0;
    status(cudnnGetConvolutionForwardWorkspaceSize(h, xd, w5, c5, y5, CUDNN_CONVOLUTION_FWD_ALGO_WINOGRAD_NONFUSED, &bytes),
           CUDNN_STATUS_NOT_SUPPORTED, "Winograd workspace for a 5x5 filter");
    status(cudnnGetConvolutionForwardWorkspaceSize(h, xd, wd, cd, yd, CUDNN_CONVOLUTION_FWD_ALGO_FFT, &bytes),
           CUDNN_STATUS_NOT_SUPPORTED, "FFT workspace");
    status(cudnnGetConvolutionForwardWorkspaceSize(h, xd, wd, cd, yd, cudnnConvolutionFwdAlgo_t(8), &bytes),
           CUDNN_STATUS_BAD_PARAM, "algorithm 8");
    status(cudnnGetConvolutionForwardAlgorithm_v7(h, xd, wd, cd, yd, 0, &n, perf), CUDNN_STATUS_BAD_PARAM,
           "requestedAlgoCount 0");

    cudnnConvolutionBwdDataAlgoPerf_t dperf[8];
    CT_OK(cudnnGetConvolutionBackwardDataAlgorithm_v7(h, wd, yd, cd, xd, 8, &n, dperf));
    CT_EXPECT(n == 6 && dperf[0].algo == 0 && dperf[0].determinism == CUDNN_NON_DETERMINISTIC && dperf[1].algo == 1 &&
                  dperf[1].determinism == CUDNN_DETERMINISTIC && dperf[2].status == CUDNN_STATUS_NOT_SUPPORTED,
              "backward data heuristic: ALGO_0 (non-deterministic), ALGO_1, then unsupported");
    cudnnConvolutionBwdFilterAlgoPerf_t fperf[8];
    CT_OK(cudnnGetConvolutionBackwardFilterAlgorithm_v7(h, xd, yd, cd, wd, 8, &n, fperf));
    CT_EXPECT(n == 7 && fperf[0].algo == 0 && fperf[1].algo == 1 && fperf[2].algo == 3 &&
                  fperf[0].determinism == CUDNN_NON_DETERMINISTIC && fperf[1].determinism == CUDNN_DETERMINISTIC &&
                  fperf[2].determinism == CUDNN_NON_DETERMINISTIC && fperf[2].memory > 0 && fperf[0].memory == 0 &&
                  fperf[3].status == CUDNN_STATUS_NOT_SUPPORTED,
              "backward filter heuristic: ALGO_0, ALGO_1, ALGO_3, then unsupported");

    // Every algorithm checks that it was given the workspace it declares.
    size_t nx = 3 * 8 * 100, ny = 3 * 16 * 100, nw = 16 * 8 * 9;
    Buf xb(random(nx, rng)), wb(random(nw, rng)), yb(ny), dyb(random(ny, rng)), dxb(nx), dwb(nw);
    Buf& ws = *gWorkspace;
    for (int algo : {1, 2, 7}) {
        size_t need = fwdWorkspace(h, xd, wd, cd, yd, algo);
        status(cudnnConvolutionForward(h, &kOne, xd, xb.vp(), wd, wb.vp(), cd, cudnnConvolutionFwdAlgo_t(algo), ws.vp(),
                                       need - 1, &kZero, yd, yb.vp()),
               CUDNN_STATUS_BAD_PARAM, "forward with one byte less workspace than declared");
        status(cudnnConvolutionForward(h, &kOne, xd, xb.vp(), wd, wb.vp(), cd, cudnnConvolutionFwdAlgo_t(algo), nullptr,
                                       need, &kZero, yd, yb.vp()),
               CUDNN_STATUS_BAD_PARAM, "forward with a NULL workspace");
    }
    size_t need3 = fperf[2].memory;
    status(cudnnConvolutionBackwardFilter(h, &kOne, xd, xb.vp(), yd, dyb.vp(), cd, CUDNN_CONVOLUTION_BWD_FILTER_ALGO_3,
                                          ws.vp(), need3 - 4, &kZero, wd, dwb.vp()),
           CUDNN_STATUS_BAD_PARAM, "backward filter ALGO_3 with too little workspace");
    CT_OK(cudnnConvolutionForward(h, &kOne, xd, xb.vp(), wd, wb.vp(), cd, CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM, nullptr,
                                  0, &kZero, yd, yb.vp()));
    status(cudnnConvolutionForward(h, &kOne, xd, xb.vp(), wd, wb.vp(), cd, CUDNN_CONVOLUTION_FWD_ALGO_FFT, ws.vp(), 8 << 20,
                                   &kZero, yd, yb.vp()),
           CUDNN_STATUS_NOT_SUPPORTED, "forward with FFT");
    status(cudnnConvolutionBackwardData(h, &kOne, wd, wb.vp(), yd, dyb.vp(), cd, CUDNN_CONVOLUTION_BWD_DATA_ALGO_WINOGRAD,
                                        ws.vp(), 8 << 20, &kZero, xd, dxb.vp()),
           CUDNN_STATUS_NOT_SUPPORTED, "backward data with WINOGRAD");
    gpu.sync();
    std::vector<double> ref = refForward(Problem{3, 8, 10, 10, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1, CUDNN_CROSS_CORRELATION},
                                         xb.get(), Layout::packed(3, 8, 10, 10), wb.get(), false);

    // The timed search: runs what fits, ALLOC_FAILED for what does not, sorted by time.
    size_t gemmNeed = fwdWorkspace(h, xd, wd, cd, yd, CUDNN_CONVOLUTION_FWD_ALGO_GEMM);
    int fitting = 0;
    for (int algo : kFwdAlgos) fitting += fwdWorkspace(h, xd, wd, cd, yd, algo) < gemmNeed ? 1 : 0;
    yb.put(std::vector<float>(ny, kNaN));
    CT_OK(cudnnFindConvolutionForwardAlgorithmEx(h, xd, xb.vp(), wd, wb.vp(), cd, yd, yb.vp(), 16, &n, perf, ws.vp(),
                                                 gemmNeed - 1));
    CT_EXPECT(n == 8, "find returns %d entries", n);
    int succeeded = 0;
    float last = -1;
    bool sorted = true, gemmFailed = false;
    for (int i = 0; i < n; i++) {
        if (perf[i].status == CUDNN_STATUS_SUCCESS) {
            succeeded++;
            sorted = sorted && perf[i].time >= last && i < fitting;
            last = perf[i].time;
        }
        if (perf[i].algo == CUDNN_CONVOLUTION_FWD_ALGO_GEMM) gemmFailed = perf[i].status == CUDNN_STATUS_ALLOC_FAILED;
    }
    CT_EXPECT(succeeded == fitting, "find: %d algorithms ran, %d fit the workspace", succeeded, fitting);
    CT_EXPECT(sorted, "find: successful entries first, by time");
    CT_EXPECT(gemmFailed, "find: GEMM without its workspace is CUDNN_STATUS_ALLOC_FAILED");
    close(yb.get(), ref, 1e-4, 1e-5, "find leaves a correct result in y");
    cudnnConvolutionBwdDataAlgoPerf_t dfind[8];
    CT_OK(cudnnFindConvolutionBackwardDataAlgorithmEx(h, wd, wb.vp(), yd, dyb.vp(), cd, xd, dxb.vp(), 8, &n, dfind, nullptr,
                                                      0));
    CT_EXPECT(n == 6 && dfind[0].status == CUDNN_STATUS_SUCCESS && dfind[1].status == CUDNN_STATUS_SUCCESS &&
                  dfind[2].status == CUDNN_STATUS_NOT_SUPPORTED && dfind[0].time <= dfind[1].time,
              "backward data find");
    cudnnConvolutionBwdFilterAlgoPerf_t ffind[8];
    CT_OK(cudnnFindConvolutionBackwardFilterAlgorithmEx(h, xd, xb.vp(), yd, dyb.vp(), cd, wd, dwb.vp(), 8, &n, ffind,
                                                        ws.vp(), 8 << 20));
    CT_EXPECT(n == 7 && ffind[2].status == CUDNN_STATUS_SUCCESS && ffind[0].time <= ffind[1].time &&
                  ffind[1].time <= ffind[2].time,
              "backward filter find: three algorithms, by time");
    ok("queries: max counts, heuristic order and fields, workspace sizes and checks, timed search");
}

// ---- argument errors, bias backward, lifetimes ---------------------------------------------------

void errorsAndLifetimes(const Gpu& gpu, const Handle& h, std::mt19937& rng) {
    Tensor xd(2, 4, 6, 6), yd(2, 3, 6, 6), yBad(2, 3, 5, 6), xDouble;
    Filter wd(3, 4, 3, 3), wBadC(3, 3, 3, 3);
    Conv cd(1, 1, 1, 1, 1, 1, CUDNN_CROSS_CORRELATION);
    cudnnSetTensor4dDescriptor(xDouble, CUDNN_TENSOR_NCHW, CUDNN_DATA_DOUBLE, 2, 4, 6, 6);
    std::vector<float> x = random(2 * 4 * 36, rng), w = random(3 * 4 * 9, rng);
    Buf xb(x), wb(w), yb(2 * 3 * 36);
    auto fwd = [&](cudnnTensorDescriptor_t xdsc, cudnnFilterDescriptor_t wdsc, cudnnTensorDescriptor_t ydsc,
                   const void* alpha) {
        return cudnnConvolutionForward(h, alpha, xdsc, xb.vp(), wdsc, wb.vp(), cd, CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM,
                                       nullptr, 0, &kZero, ydsc, yb.vp());
    };
    status(fwd(xd, wBadC, yd, &kOne), CUDNN_STATUS_BAD_PARAM, "filter channels differ from x's");
    status(fwd(xd, wd, yBad, &kOne), CUDNN_STATUS_BAD_PARAM, "y dims differ from the output dims");
    status(fwd(xDouble, wd, yd, &kOne), CUDNN_STATUS_BAD_PARAM, "x double, w and y float");
    status(fwd(xd, wd, yd, nullptr), CUDNN_STATUS_BAD_PARAM, "alpha NULL");
    status(cudnnConvolutionForward(h, &kOne, xd, xb.vp(), wd, wb.vp(), cd, cudnnConvolutionFwdAlgo_t(-1), nullptr, 0, &kZero,
                                   yd, yb.vp()),
           CUDNN_STATUS_BAD_PARAM, "algorithm -1");
    {
        Tensor xdd, ydd;
        Filter wdd(3, 4, 3, 3);
        cudnnSetTensor4dDescriptor(xdd, CUDNN_TENSOR_NCHW, CUDNN_DATA_DOUBLE, 2, 4, 6, 6);
        cudnnSetTensor4dDescriptor(ydd, CUDNN_TENSOR_NCHW, CUDNN_DATA_DOUBLE, 2, 3, 6, 6);
        cudnnSetFilter4dDescriptor(wdd, CUDNN_DATA_DOUBLE, CUDNN_TENSOR_NCHW, 3, 4, 3, 3);
        status(fwd(xdd, wdd, ydd, &kOne), CUDNN_STATUS_NOT_SUPPORTED, "double convolution");
    }
    cudnnTensorDescriptor_t gone;
    cudnnCreateTensorDescriptor(&gone);
    cudnnDestroyTensorDescriptor(gone);
    status(fwd(gone, wd, yd, &kOne), CUDNN_STATUS_BAD_PARAM, "a destroyed x descriptor");

    // Descriptors destroyed and alpha/beta changed right after the call: the queued work is unaffected.
    std::vector<double> ref = refForward(Problem{2, 4, 6, 6, 3, 3, 3, 1, 1, 1, 1, 1, 1, 1, CUDNN_CROSS_CORRELATION}, x,
                                         Layout::packed(2, 4, 6, 6), w, false);
    {
        Tensor x2(2, 4, 6, 6), y2(2, 3, 6, 6);
        Filter w2(3, 4, 3, 3);
        Conv c2(1, 1, 1, 1, 1, 1, CUDNN_CROSS_CORRELATION);
        float alpha = 2.0f, beta = 0.0f;
        CT_OK(cudnnConvolutionForward(h, &alpha, x2, xb.vp(), w2, wb.vp(), c2, CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM,
                                      nullptr, 0, &beta, y2, yb.vp()));
        alpha = 100.0f;
        beta = std::nanf("");
    }  // descriptors destroyed here, before the work runs
    gpu.sync();
    close(yb.get(), blended(ref, 2.0f, 0.0f, {}), 1e-4, 1e-5, "result after destroying descriptors before the sync");

    // Below compute capability 8.0, tensor-op math changes nothing: full FP32, bit for bit.
    {
        Conv tensorOps(1, 1, 1, 1, 1, 1, CUDNN_CROSS_CORRELATION, 1, CUDNN_TENSOR_OP_MATH);
        Buf y2(2 * 3 * 36);
        CT_OK(cudnnConvolutionForward(h, &kOne, xd, xb.vp(), wd, wb.vp(), cd, CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM,
                                      nullptr, 0, &kZero, yd, yb.vp()));
        CT_OK(cudnnConvolutionForward(h, &kOne, xd, xb.vp(), wd, wb.vp(), tensorOps,
                                      CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM, nullptr, 0, &kZero, yd, y2.vp()));
        gpu.sync();
        CT_EXPECT(bitEqual(yb.get(), y2.get()), "TENSOR_OP_MATH on compute capability 7.5 differs from FMA_MATH");
    }

    // Bias backward: db = alpha * sum over n, h, w of dy + beta * db.
    std::vector<float> dy = random(2 * 3 * 36, rng);
    Tensor db(1, 3, 1, 1);
    Buf dyb(dy), dbb({1.0f, 2.0f, 3.0f});
    float a = 0.5f, b = 2.0f;
    CT_OK(cudnnConvolutionBackwardBias(h, &a, yd, dyb.vp(), &b, db, dbb.vp()));
    gpu.sync();
    std::vector<double> want(3);
    for (int k = 0; k < 3; k++) {
        double s = 0;
        for (int n = 0; n < 2; n++)
            for (int i = 0; i < 36; i++) s += dy[size_t((n * 3 + k) * 36 + i)];
        want[size_t(k)] = 0.5 * s + 2.0 * (k + 1);
    }
    close(dbb.get(), want, 1e-5, 1e-5, "bias backward");
    Tensor dbBad(1, 3, 2, 1);
    status(cudnnConvolutionBackwardBias(h, &a, yd, dyb.vp(), &b, dbBad, dbb.vp()), CUDNN_STATUS_BAD_PARAM,
           "bias backward with db not 1xKx1x1");
    ok("argument errors (BAD_PARAM / NOT_SUPPORTED), descriptor lifetime, tensor-op math below 8.0, bias backward");
}

// The shapes of the digit detector (course example 13), one training step, timed.
void digitDetectorTiming(const Gpu& gpu, const Handle& h, std::mt19937& rng) {
    int N = 64;
    Tensor x1(N, 1, 28, 28), y1(N, 32, 26, 26), y2(N, 64, 24, 24);
    Filter w1(32, 1, 3, 3), w2(64, 32, 3, 3);
    Conv cd(0, 0, 1, 1, 1, 1, CUDNN_CROSS_CORRELATION);
    Buf xb(random(size_t(N) * 784, rng)), w1b(random(288, rng)), w2b(random(64 * 288, rng));
    Buf a1(size_t(N) * 32 * 676), a2(size_t(N) * 64 * 576), d2(random(size_t(N) * 64 * 576, rng)), d1(size_t(N) * 32 * 676);
    Buf dw1(288), dw2(64 * 288);
    Buf& ws = *gWorkspace;
    cudnnConvolutionFwdAlgoPerf_t fp[8];
    int n = 0;
    cudnnGetConvolutionForwardAlgorithm_v7(h, y1, w2, cd, y2, 8, &n, fp);
    for (int algo : kFwdAlgos) {
        auto t0 = std::chrono::steady_clock::now();
        cudnnConvolutionForward(h, &kOne, y1, a1.vp(), w2, w2b.vp(), cd, cudnnConvolutionFwdAlgo_t(algo), ws.vp(), 64 << 20,
                                &kZero, y2, a2.vp());
        gpu.sync();
        double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
        std::printf("     conv2 forward (64x32x26x26 -> 64x64x24x24) algo %d: %.1f ms\n", algo, ms);
    }
    double total = 0;
    auto timed = [&](const char* what, std::function<void()> run) {
        auto t0 = std::chrono::steady_clock::now();
        run();
        gpu.sync();
        double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
        total += ms;
        std::printf("     %-44s %7.1f ms\n", what, ms);
    };
    timed("conv1 forward (PRECOMP)", [&] {
        cudnnConvolutionForward(h, &kOne, x1, xb.vp(), w1, w1b.vp(), cd, CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM,
                                ws.vp(), kWorkspaceBytes, &kZero, y1, a1.vp());
    });
    timed("conv2 forward (PRECOMP)", [&] {
        cudnnConvolutionForward(h, &kOne, y1, a1.vp(), w2, w2b.vp(), cd, CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM,
                                ws.vp(), kWorkspaceBytes, &kZero, y2, a2.vp());
    });
    for (int algo : kFilterAlgos) {
        std::string what = "conv2 backward filter algo " + std::to_string(algo);
        timed(what.c_str(), [&] {
            cudnnConvolutionBackwardFilter(h, &kOne, y1, a1.vp(), y2, d2.vp(), cd, cudnnConvolutionBwdFilterAlgo_t(algo),
                                           ws.vp(), kWorkspaceBytes, &kZero, w2, dw2.vp());
        });
    }
    for (int algo : kDataAlgos) {
        std::string what = "conv2 backward data algo " + std::to_string(algo);
        timed(what.c_str(), [&] {
            cudnnConvolutionBackwardData(h, &kOne, w2, w2b.vp(), y2, d2.vp(), cd, cudnnConvolutionBwdDataAlgo_t(algo),
                                         nullptr, 0, &kZero, y1, d1.vp());
        });
    }
    timed("conv1 backward filter algo 0", [&] {
        cudnnConvolutionBackwardFilter(h, &kOne, x1, xb.vp(), y1, d1.vp(), cd, CUDNN_CONVOLUTION_BWD_FILTER_ALGO_0, nullptr,
                                       0, &kZero, w1, dw1.vp());
    });
    std::printf("     digit-detector convolutions of %d images, all of the above: %.1f ms\n", N, total);
    checks()++;
    ok("timing printed");
}

}  // namespace

int main() {
    setenv("FOVEA_SOFTGPU_CC", "7.5", 1);  // Turing: no TF32 (cudnn_conv_tf32 covers Ampere)
    Gpu gpu;
    Handle h(gpu);
    Buf workspace(kWorkspaceBytes / sizeof(float));
    gWorkspace = &workspace;
    std::mt19937 rng(20261202);
    workedExamples(gpu, h);
    const Case cases[] = {
        {"3x3 pad 1 (Winograd applies)", {2, 3, 7, 6, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1, CUDNN_CROSS_CORRELATION}, false, false, false},
        {"groups 2, stride (2,3), dilation (1,2), conv mode", {3, 4, 9, 8, 6, 3, 2, 2, 2, 1, 2, 3, 1, 2, CUDNN_CONVOLUTION}, false, false, false},
        {"groups 3, dilation 2, asymmetric padding", {2, 6, 5, 5, 6, 3, 3, 3, 0, 2, 1, 1, 2, 1, CUDNN_CROSS_CORRELATION}, false, false, false},
        {"depthwise 8 groups, conv mode, Winograd", {1, 8, 10, 11, 8, 3, 3, 8, 1, 1, 1, 1, 1, 1, CUDNN_CONVOLUTION}, false, false, false},
        {"1x1 stride 2", {2, 3, 6, 7, 5, 1, 1, 1, 0, 0, 2, 2, 1, 1, CUDNN_CROSS_CORRELATION}, false, false, false},
        {"5x5 pad 2", {3, 5, 12, 12, 7, 5, 5, 1, 2, 2, 1, 1, 1, 1, CUDNN_CROSS_CORRELATION}, false, false, false},
        {"padded x strides, NHWC y, KRSC filter, groups 2, conv mode", {2, 4, 6, 5, 6, 3, 3, 2, 1, 1, 1, 1, 1, 1, CUDNN_CONVOLUTION}, true, true, true},
        {"padded x strides, stride 2, dilation 2, NHWC y", {2, 4, 11, 9, 4, 2, 3, 1, 1, 2, 2, 2, 2, 2, CUDNN_CROSS_CORRELATION}, true, true, false},
        {"large reductions and many tiles", {2, 40, 20, 20, 36, 3, 3, 1, 1, 1, 1, 1, 1, 1, CUDNN_CONVOLUTION}, false, false, false},
        {"groups 4 with 9 output channels per group", {2, 8, 9, 9, 36, 3, 3, 4, 1, 1, 1, 1, 1, 1, CUDNN_CROSS_CORRELATION}, false, true, true},
    };
    for (const Case& c : cases) randomCase(gpu, h, c, rng);
    adjointAndFiniteDifferences(gpu, h, rng);
    determinism(gpu, h, rng);
    queries(gpu, h, rng);
    errorsAndLifetimes(gpu, h, rng);
    digitDetectorTiming(gpu, h, rng);
    return finish("cudnn_conv");
}
