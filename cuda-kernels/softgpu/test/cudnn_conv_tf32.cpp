// TF32 on an Ampere-class software GPU (compute capability 8.6, set before cuInit): tensor-op math,
// its conversion variant and DEFAULT_MATH multiply inputs rounded to TF32 (10 mantissa bits, to
// nearest even) in all three passes; FMA_MATH keeps full FP32. The rounding expected here is
// computed independently (frexp / nearbyint), not with the library's bit trick.
#include "cudnn/cudnn_testing.h"

#include <cfenv>

using namespace ct;

namespace {

double tf32(float v) {
    int e = 0;
    double m = std::frexp(double(v), &e);          // v = m * 2^e, 0.5 <= |m| < 1
    double r = std::nearbyint(std::ldexp(m, 11));  // 11 significant bits, ties to even
    return std::ldexp(r, e - 11);
}

struct Shapes {
    int N = 2, C = 3, H = 6, W = 5, K = 4;
};

// Reference cross-correlation, 3x3, pad 1, with inputs passed through `in`.
std::vector<double> forwardRef(const Shapes& s, const std::vector<float>& x, const std::vector<float>& w,
                               double (*in)(float)) {
    std::vector<double> y(size_t(s.N) * s.K * s.H * s.W);
    for (int n = 0; n < s.N; n++)
        for (int k = 0; k < s.K; k++)
            for (int p = 0; p < s.H; p++)
                for (int q = 0; q < s.W; q++) {
                    double sum = 0;
                    for (int c = 0; c < s.C; c++)
                        for (int r = 0; r < 3; r++)
                            for (int t = 0; t < 3; t++) {
                                int hh = p - 1 + r, ww = q - 1 + t;
                                if (hh < 0 || hh >= s.H || ww < 0 || ww >= s.W) continue;
                                sum += in(w[size_t(((k * s.C + c) * 3 + r) * 3 + t)]) *
                                       in(x[size_t(((n * s.C + c) * s.H + hh) * s.W + ww)]);
                            }
                    y[size_t(((n * s.K + k) * s.H + p) * s.W + q)] = sum;
                }
    return y;
}

double exact(float v) { return v; }

}  // namespace

int main() {
    setenv("FOVEA_SOFTGPU_CC", "8.6", 1);
    Gpu gpu;
    Handle h(gpu);
    CT_EXPECT(tf32(1.0f + 1.0f / 4096) == 1.0 && tf32(1.0f + 3.0f / 4096) == 1.0 + 4.0 / 4096 &&
                  tf32(1.0f + 1.0f / 1024) == 1.0 + 1.0 / 1024,
              "the test's own TF32 rounding");
    std::fesetround(FE_TONEAREST);
    Shapes s;
    std::mt19937 rng(3);
    std::vector<float> x = random(size_t(s.N) * s.C * s.H * s.W, rng), w = random(size_t(s.K) * s.C * 9, rng);
    std::vector<float> dy = random(size_t(s.N) * s.K * s.H * s.W, rng);
    Tensor xd(s.N, s.C, s.H, s.W), yd(s.N, s.K, s.H, s.W);
    Filter wd(s.K, s.C, 3, 3);
    Buf xb(x), wb(w), yb(dy.size()), dyb(dy), dxb(x.size()), dwb(w.size()), ws(1 << 20);
    std::vector<double> refTf32 = forwardRef(s, x, w, tf32), refFp32 = forwardRef(s, x, w, exact);

    for (cudnnMathType_t math : {CUDNN_TENSOR_OP_MATH, CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION, CUDNN_DEFAULT_MATH,
                                 CUDNN_FMA_MATH}) {
        Conv cd(1, 1, 1, 1, 1, 1, CUDNN_CROSS_CORRELATION, 1, math);
        bool tf = math != CUDNN_FMA_MATH;
        const std::vector<double>& want = tf ? refTf32 : refFp32;
        const std::vector<double>& other = tf ? refFp32 : refTf32;
        for (int algo : {0, 1, 2, 7}) {
            CT_OK(cudnnConvolutionForward(h, &kOne, xd, xb.vp(), wd, wb.vp(), cd, cudnnConvolutionFwdAlgo_t(algo), ws.vp(),
                                          4 << 20, &kZero, yd, yb.vp()));
            gpu.sync();
            std::vector<float> y = yb.get();
            double tol = algo == 7 ? 2e-5 : 2e-6;
            close(y, want, tol, 1e-6, "forward with the expected input rounding");
            // ... and measurably away from the other rounding.
            double far = 0;
            for (size_t i = 0; i < y.size(); i++) far = std::max(far, std::fabs(y[i] - other[i]));
            CT_EXPECT(far > 1e-4, "math type %d algo %d: results within %g of the other rounding", int(math), algo, far);
        }
        // Backward data and filter round their inputs (w and dy, x and dy) the same way.
        CT_OK(cudnnConvolutionBackwardData(h, &kOne, wd, wb.vp(), yd, dyb.vp(), cd, CUDNN_CONVOLUTION_BWD_DATA_ALGO_1,
                                           nullptr, 0, &kZero, xd, dxb.vp()));
        CT_OK(cudnnConvolutionBackwardFilter(h, &kOne, xd, xb.vp(), yd, dyb.vp(), cd, CUDNN_CONVOLUTION_BWD_FILTER_ALGO_1,
                                             ws.vp(), 4 << 20, &kZero, wd, dwb.vp()));
        gpu.sync();
        // <dx, x'> with x' = rounded x equals <dy, conv(rounded w, rounded x)> only for the matching rounding:
        // compare dw against the reference sum of rounded dy * rounded x directly.
        std::vector<float> dw = dwb.get();
        double (*in)(float) = tf ? tf32 : exact;
        std::vector<double> refDw(w.size(), 0.0);
        for (int n = 0; n < s.N; n++)
            for (int k = 0; k < s.K; k++)
                for (int p = 0; p < s.H; p++)
                    for (int q = 0; q < s.W; q++)
                        for (int c = 0; c < s.C; c++)
                            for (int r = 0; r < 3; r++)
                                for (int t = 0; t < 3; t++) {
                                    int hh = p - 1 + r, ww = q - 1 + t;
                                    if (hh < 0 || hh >= s.H || ww < 0 || ww >= s.W) continue;
                                    refDw[size_t(((k * s.C + c) * 3 + r) * 3 + t)] +=
                                        in(dy[size_t(((n * s.K + k) * s.H + p) * s.W + q)]) *
                                        in(x[size_t(((n * s.C + c) * s.H + hh) * s.W + ww)]);
                                }
        close(dw, refDw, 2e-6, 1e-6, "backward filter with the expected input rounding");
        std::vector<float> dx = dxb.get();
        std::vector<double> refDx(x.size(), 0.0);
        for (int n = 0; n < s.N; n++)
            for (int k = 0; k < s.K; k++)
                for (int p = 0; p < s.H; p++)
                    for (int q = 0; q < s.W; q++)
                        for (int c = 0; c < s.C; c++)
                            for (int r = 0; r < 3; r++)
                                for (int t = 0; t < 3; t++) {
                                    int hh = p - 1 + r, ww = q - 1 + t;
                                    if (hh < 0 || hh >= s.H || ww < 0 || ww >= s.W) continue;
                                    refDx[size_t(((n * s.C + c) * s.H + hh) * s.W + ww)] +=
                                        in(dy[size_t(((n * s.K + k) * s.H + p) * s.W + q)]) *
                                        in(w[size_t(((k * s.C + c) * 3 + r) * 3 + t)]);
                                }
        close(dx, refDx, 2e-6, 1e-6, "backward data with the expected input rounding");
        ok("compute capability 8.6, math type %d: %s inputs in forward (4 algorithms), backward data and filter", int(math),
           tf ? "TF32-rounded" : "full FP32");
    }
    return finish("cudnn_conv_tf32");
}
