// Pooling through the software cuDNN: the course's worked example, padding in both average modes,
// NaN propagation, the documented tie rule of max backward (the LAST maximal cell in row-major
// window order gets the gradient), randomised shapes with overlapping windows and strided layouts
// against plain reference loops, finite differences, and argument errors.
#include "cudnn/cudnn_testing.h"

#include <algorithm>
#include <memory>

using namespace ct;

namespace {

const float kNaN = std::nanf("");

struct Pool {
    cudnnPoolingDescriptor_t d = nullptr;
    Pool(cudnnPoolingMode_t mode, cudnnNanPropagation_t nan, int wh, int ww, int ph, int pw, int sh, int sw) {
        cudnnCreatePoolingDescriptor(&d);
        status(cudnnSetPooling2dDescriptor(d, mode, nan, wh, ww, ph, pw, sh, sw), CUDNN_STATUS_SUCCESS, "set pooling");
    }
    ~Pool() { cudnnDestroyPoolingDescriptor(d); }
    operator cudnnPoolingDescriptor_t() const { return d; }
};

struct Geo {
    int N, C, H, W, wh, ww, ph, pw, sh, sw;
    int P() const { return (H + 2 * ph - wh) / sh + 1; }
    int Q() const { return (W + 2 * pw - ww) / sw + 1; }
};

bool isMax(cudnnPoolingMode_t m) { return m == CUDNN_POOLING_MAX || m == CUDNN_POOLING_MAX_DETERMINISTIC; }

// Reference forward on packed NCHW data (NaNs never win unless propagated).
std::vector<double> refForward(const Geo& g, cudnnPoolingMode_t mode, bool propagate, const std::vector<float>& x) {
    std::vector<double> y;
    for (int n = 0; n < g.N; n++)
        for (int c = 0; c < g.C; c++)
            for (int p = 0; p < g.P(); p++)
                for (int q = 0; q < g.Q(); q++) {
                    double best = -INFINITY, sum = 0;
                    int cells = 0;
                    bool nan = false;
                    for (int i = 0; i < g.wh; i++)
                        for (int j = 0; j < g.ww; j++) {
                            int h = p * g.sh - g.ph + i, w = q * g.sw - g.pw + j;
                            if (h < 0 || h >= g.H || w < 0 || w >= g.W) continue;
                            double v = x[size_t(((n * g.C + c) * g.H + h) * g.W + w)];
                            if (std::isnan(v)) nan = true;
                            else best = std::max(best, v);
                            sum += v;
                            cells++;
                        }
                    if (isMax(mode)) {
                        y.push_back(propagate && nan ? NAN : best);
                    } else {
                        int div = mode == CUDNN_POOLING_AVERAGE_COUNT_INCLUDE_PADDING ? g.wh * g.ww : cells;
                        y.push_back(sum / div);
                    }
                }
    return y;
}

// Reference backward: scatter each dy to its window (max: the last cell equal to the window max).
std::vector<double> refBackward(const Geo& g, cudnnPoolingMode_t mode, const std::vector<float>& x,
                                const std::vector<float>& dy) {
    std::vector<double> dx(size_t(g.N) * g.C * g.H * g.W, 0.0);
    size_t o = 0;
    for (int n = 0; n < g.N; n++)
        for (int c = 0; c < g.C; c++)
            for (int p = 0; p < g.P(); p++)
                for (int q = 0; q < g.Q(); q++, o++) {
                    std::vector<size_t> cells;
                    double best = -INFINITY;
                    for (int i = 0; i < g.wh; i++)
                        for (int j = 0; j < g.ww; j++) {
                            int h = p * g.sh - g.ph + i, w = q * g.sw - g.pw + j;
                            if (h < 0 || h >= g.H || w < 0 || w >= g.W) continue;
                            size_t idx = size_t(((n * g.C + c) * g.H + h) * g.W + w);
                            cells.push_back(idx);
                            best = std::max(best, double(x[idx]));
                        }
                    if (isMax(mode)) {
                        for (size_t k = cells.size(); k-- > 0;) {
                            if (x[cells[k]] == best) {
                                dx[cells[k]] += dy[o];
                                break;
                            }
                        }
                    } else {
                        int div = mode == CUDNN_POOLING_AVERAGE_COUNT_INCLUDE_PADDING ? g.wh * g.ww : int(cells.size());
                        for (size_t idx : cells) dx[idx] += double(dy[o]) / div;
                    }
                }
    return dx;
}

struct Run {
    std::vector<float> y, dx;
};

// Forward then backward through the library, with packed NCHW (or NHWC) tensors.
Run run(const Gpu& gpu, const Handle& h, const Geo& g, cudnnPoolingMode_t mode, cudnnNanPropagation_t nan,
        const std::vector<float>& x, const std::vector<float>& dy, cudnnTensorFormat_t fmt = CUDNN_TENSOR_NCHW,
        float alpha = 1.0f, float beta = 0.0f, const std::vector<float>* yPrior = nullptr,
        const std::vector<float>* dxPrior = nullptr) {
    Pool pd(mode, nan, g.wh, g.ww, g.ph, g.pw, g.sh, g.sw);
    Tensor xd(g.N, g.C, g.H, g.W, fmt), yd(g.N, g.C, g.P(), g.Q(), fmt);
    size_t ny = size_t(g.N) * g.C * g.P() * g.Q();
    Buf xb(x), yb(yPrior ? *yPrior : std::vector<float>(ny, kNaN)), dyb(dy),
        dxb(dxPrior ? *dxPrior : std::vector<float>(x.size(), kNaN));
    CT_OK(cudnnPoolingForward(h, pd, &alpha, xd, xb.vp(), &beta, yd, yb.vp()));
    gpu.sync();
    Run r;
    r.y = yb.get();
    if (alpha != 1.0f || beta != 0.0f) {  // backward needs the true pooled y
        Buf y1(ny);
        CT_OK(cudnnPoolingForward(h, pd, &kOne, xd, xb.vp(), &kZero, yd, y1.vp()));
        CT_OK(cudnnPoolingBackward(h, pd, &alpha, yd, y1.vp(), yd, dyb.vp(), xd, xb.vp(), &beta, xd, dxb.vp()));
    } else {
        CT_OK(cudnnPoolingBackward(h, pd, &alpha, yd, yb.vp(), yd, dyb.vp(), xd, xb.vp(), &beta, xd, dxb.vp()));
    }
    gpu.sync();
    r.dx = dxb.get();
    return r;
}

std::vector<float> nhwcOf(const std::vector<float>& v, int N, int C, int H, int W) {
    std::vector<float> out(v.size());
    for (int n = 0; n < N; n++)
        for (int c = 0; c < C; c++)
            for (int h = 0; h < H; h++)
                for (int w = 0; w < W; w++) out[size_t(((n * H + h) * W + w) * C + c)] = v[size_t(((n * C + c) * H + h) * W + w)];
    return out;
}

std::vector<float> nchwOf(const std::vector<float>& v, int N, int C, int H, int W) {
    std::vector<float> out(v.size());
    for (int n = 0; n < N; n++)
        for (int c = 0; c < C; c++)
            for (int h = 0; h < H; h++)
                for (int w = 0; w < W; w++) out[size_t(((n * C + c) * H + h) * W + w)] = v[size_t(((n * H + h) * W + w) * C + c)];
    return out;
}

void workedExample(const Gpu& gpu, const Handle& h) {
    std::vector<float> x = {3, 0, 1, 5, 1, 3, 5, 7, 3, 4, 4, 6, 7, 7, 1, 8, 3, 5,
                            6, 1, 7, 0, 0, 5, 0, 4, 5, 5, 7, 2, 3, 2, 0, 2, 0, 2};
    Geo g{1, 1, 6, 6, 2, 2, 0, 0, 2, 2};
    std::vector<float> dy(9, 1.0f);
    for (cudnnPoolingMode_t m : {CUDNN_POOLING_MAX, CUDNN_POOLING_MAX_DETERMINISTIC}) {
        Run r = run(gpu, h, g, m, CUDNN_PROPAGATE_NAN, x, dy);
        close(r.y, std::vector<float>{7, 5, 6, 7, 8, 5, 4, 5, 7}, 0, 0, "example 6 max");
    }
    for (cudnnPoolingMode_t m : {CUDNN_POOLING_AVERAGE_COUNT_INCLUDE_PADDING, CUDNN_POOLING_AVERAGE_COUNT_EXCLUDE_PADDING}) {
        Run r = run(gpu, h, g, m, CUDNN_PROPAGATE_NAN, x, dy);
        close(r.y, std::vector<float>{3.75f, 3.25f, 3.5f, 5.25f, 4.0f, 3.25f, 2.25f, 3.0f, 2.75f}, 0, 0, "example 6 avg");
    }
    ok("example 6: 2x2 stride 2 max and average, both max and both average modes");
}

void handCases(const Gpu& gpu, const Handle& h) {
    // 3x3 input, 2x2 window, stride 1, padding 1: the corner windows hold one cell.
    std::vector<float> x = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    Geo g{1, 1, 3, 3, 2, 2, 1, 1, 1, 1};
    std::vector<float> dy(16, 1.0f);
    Run inc = run(gpu, h, g, CUDNN_POOLING_AVERAGE_COUNT_INCLUDE_PADDING, CUDNN_PROPAGATE_NAN, x, dy);
    Run exc = run(gpu, h, g, CUDNN_POOLING_AVERAGE_COUNT_EXCLUDE_PADDING, CUDNN_PROPAGATE_NAN, x, dy);
    Run mx = run(gpu, h, g, CUDNN_POOLING_MAX, CUDNN_PROPAGATE_NAN, x, dy);
    CT_EXPECT(inc.y[0] == 0.25f && exc.y[0] == 1.0f && inc.y[1] == 0.75f && exc.y[1] == 1.5f && inc.y[5] == 3.0f,
              "padded averages: %g %g %g %g %g", inc.y[0], exc.y[0], inc.y[1], exc.y[1], inc.y[5]);
    close(mx.y, std::vector<float>{1, 2, 3, 3, 4, 5, 6, 6, 7, 8, 9, 9, 7, 8, 9, 9}, 0, 0, "padded max");
    // Each cell's gradient: the number of windows it wins (max) or its share of every window (average).
    close(mx.dx, std::vector<float>{1, 1, 2, 1, 1, 2, 2, 2, 4}, 0, 0, "padded max backward");
    close(inc.dx, std::vector<float>{1, 1, 1, 1, 1, 1, 1, 1, 1}, 0, 0, "include-padding backward: 4 windows x 1/4");
    // Exclude padding: cell (0,0) is in windows of 1, 2, 2 and 4 cells.
    CT_EXPECT(std::fabs(exc.dx[0] - (1 + 0.5 + 0.5 + 0.25)) < 1e-6, "exclude-padding backward corner %g", exc.dx[0]);

    // The tie rule: among equal maxima the LAST in row-major window order takes the gradient.
    Geo one{1, 1, 2, 2, 2, 2, 0, 0, 1, 1};
    for (cudnnPoolingMode_t m : {CUDNN_POOLING_MAX, CUDNN_POOLING_MAX_DETERMINISTIC}) {
        Run t = run(gpu, h, one, m, CUDNN_PROPAGATE_NAN, {5, 5, 5, 1}, {1});
        close(t.dx, std::vector<float>{0, 0, 1, 0}, 0, 0, "tie: the last of three equal maxima wins");
        t = run(gpu, h, one, m, CUDNN_PROPAGATE_NAN, {5, 1, 2, 5}, {1});
        close(t.dx, std::vector<float>{0, 0, 0, 1}, 0, 0, "tie: first and last cell equal");
    }

    // NaN: propagated, a NaN window gives NaN; not propagated, NaNs never win.
    std::vector<float> withNaN = {1, kNaN, 3, 2};
    Run p = run(gpu, h, one, CUDNN_POOLING_MAX, CUDNN_PROPAGATE_NAN, withNaN, {1});
    CT_EXPECT(std::isnan(p.y[0]), "PROPAGATE_NAN max of a window with a NaN is %g", p.y[0]);
    CT_EXPECT(std::isnan(p.dx[1]) == false && p.dx[1] == 1.0f && p.dx[2] == 0.0f,
              "PROPAGATE_NAN max backward: the NaN cell takes the gradient (%g %g)", p.dx[1], p.dx[2]);
    Run np = run(gpu, h, one, CUDNN_POOLING_MAX, CUDNN_NOT_PROPAGATE_NAN, withNaN, {1});
    CT_EXPECT(np.y[0] == 3.0f, "NOT_PROPAGATE_NAN max ignores the NaN: %g", np.y[0]);
    close(np.dx, std::vector<float>{0, 0, 1, 0}, 0, 0, "NOT_PROPAGATE_NAN max backward");
    Run allNan = run(gpu, h, one, CUDNN_POOLING_MAX, CUDNN_NOT_PROPAGATE_NAN, {kNaN, kNaN, kNaN, kNaN}, {1});
    CT_EXPECT(allNan.y[0] == -INFINITY, "NOT_PROPAGATE_NAN max of only NaNs is -inf: %g", allNan.y[0]);
    ok("padding (include/exclude), max tie rule (last wins, both max modes), NaN propagation");
}

void randomised(const Gpu& gpu, const Handle& h, std::mt19937& rng) {
    const Geo geos[] = {
        {2, 3, 7, 8, 3, 3, 1, 1, 2, 2},  // overlapping windows, padding
        {1, 2, 9, 6, 2, 3, 0, 1, 1, 2},  // stride 1 rows: heavy overlap
        {3, 4, 5, 5, 5, 5, 2, 2, 1, 1},  // window as big as the input
        {2, 5, 8, 8, 2, 2, 0, 0, 2, 2},  // plain 2x2
    };
    const cudnnPoolingMode_t modes[] = {CUDNN_POOLING_MAX, CUDNN_POOLING_MAX_DETERMINISTIC,
                                        CUDNN_POOLING_AVERAGE_COUNT_INCLUDE_PADDING,
                                        CUDNN_POOLING_AVERAGE_COUNT_EXCLUDE_PADDING};
    int cases = 0;
    for (const Geo& g : geos) {
        size_t nx = size_t(g.N) * g.C * g.H * g.W, ny = size_t(g.N) * g.C * g.P() * g.Q();
        // Small integers make ties common: the rule is exercised on every shape.
        std::vector<float> x = randomInts(nx, rng, -4, 4), dy = random(ny, rng);
        for (cudnnPoolingMode_t m : modes) {
            std::vector<double> ry = refForward(g, m, true, x), rdx = refBackward(g, m, x, dy);
            Run r = run(gpu, h, g, m, CUDNN_PROPAGATE_NAN, x, dy);
            close(r.y, ry, 1e-6, 1e-6, "random pooling forward");
            close(r.dx, rdx, 1e-5, 1e-5, "random pooling backward");
            // NHWC tensors, alpha / beta over priors.
            std::vector<float> yPrior = random(ny, rng), dxPrior = random(nx, rng);
            Run s = run(gpu, h, g, m, CUDNN_PROPAGATE_NAN, nhwcOf(x, g.N, g.C, g.H, g.W), nhwcOf(dy, g.N, g.C, g.P(), g.Q()),
                        CUDNN_TENSOR_NHWC, 0.5f, 2.0f, &yPrior, &dxPrior);
            std::vector<float> sy = nchwOf(s.y, g.N, g.C, g.P(), g.Q()), sdx = nchwOf(s.dx, g.N, g.C, g.H, g.W);
            std::vector<float> yp = nchwOf(yPrior, g.N, g.C, g.P(), g.Q()), dxp = nchwOf(dxPrior, g.N, g.C, g.H, g.W);
            std::vector<double> ey(ny), edx(nx);
            for (size_t i = 0; i < ny; i++) ey[i] = 0.5 * ry[i] + 2.0 * yp[i];
            for (size_t i = 0; i < nx; i++) edx[i] = 0.5 * rdx[i] + 2.0 * dxp[i];
            close(sy, ey, 1e-5, 1e-5, "NHWC pooling forward with alpha/beta");
            close(sdx, edx, 1e-5, 1e-5, "NHWC pooling backward with alpha/beta");
            cases++;
        }
    }
    // Finite differences with distinct values (max is differentiable there).
    Geo g{1, 2, 6, 6, 3, 3, 1, 1, 2, 2};
    size_t nx = size_t(g.N) * g.C * g.H * g.W, ny = size_t(g.N) * g.C * g.P() * g.Q();
    std::vector<float> x(nx), dy = random(ny, rng);
    for (size_t i = 0; i < nx; i++) x[i] = float((i * 37) % nx) * 0.25f - 4.0f;
    for (cudnnPoolingMode_t m : modes) {
        Run base = run(gpu, h, g, m, CUDNN_PROPAGATE_NAN, x, dy);
        for (int t = 0; t < 5; t++) {
            size_t i = size_t(rng() % nx);
            const float eps = 0.01f;
            auto loss = [&](float delta) {
                std::vector<float> xp = x;
                xp[i] += delta;
                Run r = run(gpu, h, g, m, CUDNN_PROPAGATE_NAN, xp, dy);
                double l = 0;
                for (size_t k = 0; k < ny; k++) l += double(r.y[k]) * dy[k];
                return l;
            };
            double fd = (loss(eps) - loss(-eps)) / (2 * eps);
            CT_EXPECT(std::fabs(fd - base.dx[i]) < 1e-3, "pooling mode %d finite difference at %zu: %g vs %g", int(m), i, fd,
                      base.dx[i]);
        }
    }
    ok("%d randomised pooling cases (NCHW and NHWC, alpha/beta, beta 0 over NaN) match the reference; "
       "finite differences agree",
       cases);
}

void errors(const Gpu& gpu, const Handle& h) {
    Pool pd(CUDNN_POOLING_MAX, CUDNN_PROPAGATE_NAN, 2, 2, 0, 0, 2, 2);
    Tensor xd(1, 2, 6, 6), yBad(1, 2, 4, 3), yOtherC(1, 3, 3, 3), y(1, 2, 3, 3);
    Buf xb(72), yb(27);
    status(cudnnPoolingForward(h, pd, &kOne, xd, xb.vp(), &kZero, yBad, yb.vp()), CUDNN_STATUS_BAD_PARAM,
           "y not the pooled size");
    status(cudnnPoolingForward(h, pd, &kOne, xd, xb.vp(), &kZero, yOtherC, yb.vp()), CUDNN_STATUS_BAD_PARAM,
           "y with other channels");
    status(cudnnPoolingForward(h, pd, nullptr, xd, xb.vp(), &kZero, y, yb.vp()), CUDNN_STATUS_BAD_PARAM, "alpha NULL");
    status(cudnnPoolingBackward(h, pd, &kOne, y, yb.vp(), yOtherC, yb.vp(), xd, xb.vp(), &kZero, xd, xb.vp()),
           CUDNN_STATUS_BAD_PARAM, "dy dims differ from y's");
    gpu.sync();
    ok("pooling argument errors -> BAD_PARAM");
}

}  // namespace

int main() {
    Gpu gpu;
    Handle h(gpu);
    std::mt19937 rng(7);
    workedExample(gpu, h);
    handCases(gpu, h);
    randomised(gpu, h, rng);
    errors(gpu, h);
    return finish("cudnn_pooling");
}
