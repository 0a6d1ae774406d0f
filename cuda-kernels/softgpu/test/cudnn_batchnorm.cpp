// Batch normalisation through the software cuDNN: a hand-computed case (course example 10), the
// derived parameter descriptor, training / inference / backward against plain reference loops in
// both spatial and per-activation modes (4-D and 5-D, NHWC, alpha/beta), the running-statistics
// update with the unbiased variance, the optional outputs, recomputation without saved statistics,
// finite differences, and the documented argument errors.
#include "cudnn/cudnn_testing.h"

#include <memory>

using namespace ct;

namespace {

const float kNaN = std::nanf("");

struct Shape {
    std::vector<int> dims;  // N, C, spatial...
    bool perActivation;
    long long count() const {
        long long n = 1;
        for (int d : dims) n *= d;
        return n;
    }
    long long spatial() const {
        long long s = 1;
        for (size_t i = 2; i < dims.size(); i++) s *= dims[i];
        return s;
    }
    long long features() const { return perActivation ? dims[1] * spatial() : dims[1]; }
    // Feature of packed NCHW element i.
    long long feature(long long i) const {
        long long s = spatial(), c = i / s % dims[1];
        return perActivation ? c * s + i % s : c;
    }
    std::vector<int> paramDims() const {
        std::vector<int> d = dims;
        d[0] = 1;
        for (size_t i = 2; i < d.size(); i++) d[i] = perActivation ? dims[i] : 1;
        return d;
    }
};

std::vector<int> packedStrides(const std::vector<int>& dims) {
    std::vector<int> s(dims.size());
    int v = 1;
    for (size_t i = dims.size(); i-- > 0;) {
        s[i] = v;
        v *= dims[i];
    }
    return s;
}

struct Stats {
    std::vector<double> mean, var;  // biased
};

Stats refStats(const Shape& s, const std::vector<float>& x) {
    Stats st{std::vector<double>(size_t(s.features())), std::vector<double>(size_t(s.features()))};
    std::vector<double> cnt(size_t(s.features()));
    for (long long i = 0; i < s.count(); i++) {
        st.mean[size_t(s.feature(i))] += x[size_t(i)];
        cnt[size_t(s.feature(i))]++;
    }
    for (size_t f = 0; f < st.mean.size(); f++) st.mean[f] /= cnt[f];
    for (long long i = 0; i < s.count(); i++) {
        double d = x[size_t(i)] - st.mean[size_t(s.feature(i))];
        st.var[size_t(s.feature(i))] += d * d;
    }
    for (size_t f = 0; f < st.var.size(); f++) st.var[f] /= cnt[f];
    return st;
}

struct Bn {
    const Gpu& gpu;
    const Handle& h;
    Shape s;
    std::unique_ptr<Tensor> xd, pd;
    cudnnBatchNormMode_t mode;

    Bn(const Gpu& g, const Handle& hh, const Shape& shape, cudnnBatchNormMode_t m) : gpu(g), h(hh), s(shape), mode(m) {
        xd = std::make_unique<Tensor>(s.dims, packedStrides(s.dims));
        pd = std::make_unique<Tensor>();
        status(cudnnDeriveBNTensorDescriptor(*pd, *xd, mode), CUDNN_STATUS_SUCCESS, "derive BN descriptor");
    }
};

void derive(const Gpu&, const Handle&) {
    Tensor x(2, 3, 4, 5), d;
    CT_OK(cudnnDeriveBNTensorDescriptor(d, x, CUDNN_BATCHNORM_SPATIAL));
    cudnnDataType_t t;
    int n, c, hh, w, ns, cs, hs, ws;
    CT_OK(cudnnGetTensor4dDescriptor(d, &t, &n, &c, &hh, &w, &ns, &cs, &hs, &ws));
    CT_EXPECT(n == 1 && c == 3 && hh == 1 && w == 1 && t == CUDNN_DATA_FLOAT, "spatial: 1x3x1x1");
    CT_OK(cudnnDeriveBNTensorDescriptor(d, x, CUDNN_BATCHNORM_PER_ACTIVATION));
    CT_OK(cudnnGetTensor4dDescriptor(d, &t, &n, &c, &hh, &w, &ns, &cs, &hs, &ws));
    CT_EXPECT(n == 1 && c == 3 && hh == 4 && w == 5 && cs == 20, "per activation: 1x3x4x5");
    status(cudnnDeriveBNTensorDescriptor(d, x, cudnnBatchNormMode_t(3)), CUDNN_STATUS_BAD_PARAM, "invalid mode");
    ok("cudnnDeriveBNTensorDescriptor: spatial 1xCx1x1, per-activation 1xCxHxW");
}

// Course example 10 by hand: channel 0 holds 1, 2, 3, 4 (mean 2.5, biased variance 1.25), channel 1 is constant.
void handCase(const Gpu& gpu, const Handle& h) {
    Shape s{{2, 2, 1, 2}, false};
    Bn bn(gpu, h, s, CUDNN_BATCHNORM_SPATIAL);
    // NCHW order: n0c0 = 1 2, n0c1 = 5 5, n1c0 = 3 4, n1c1 = 5 5
    Buf x({1, 2, 5, 5, 3, 4, 5, 5}), y(8), gamma({2, 1}), beta({0.5f, -1}), rm({0, 10}), rv({1, 1}), sm(2), si(2);
    double eps = 1e-5;
    CT_OK(cudnnBatchNormalizationForwardTraining(h, CUDNN_BATCHNORM_SPATIAL, &kOne, &kZero, *bn.xd, x.vp(), *bn.xd, y.vp(),
                                                 *bn.pd, gamma.vp(), beta.vp(), 0.5, rm.vp(), rv.vp(), eps, sm.vp(),
                                                 si.vp()));
    gpu.sync();
    double inv0 = 1 / std::sqrt(1.25 + eps), inv1 = 1 / std::sqrt(0 + eps);
    std::vector<double> want = {2 * (1 - 2.5) * inv0 + 0.5, 2 * (2 - 2.5) * inv0 + 0.5, -1, -1,
                                2 * (3 - 2.5) * inv0 + 0.5, 2 * (4 - 2.5) * inv0 + 0.5, -1, -1};
    close(y.get(), want, 1e-5, 1e-5, "hand case y");
    close(sm.get(), std::vector<double>{2.5, 5}, 1e-6, 1e-6, "saved mean");
    close(si.get(), std::vector<double>{inv0, inv1}, 1e-3, 1e-5, "saved inverse std = 1/sqrt(biased var + eps)");
    // running = (1 - 0.5) * old + 0.5 * batch, the variance unbiased: 1.25 * 4 / 3.
    close(rm.get(), std::vector<double>{1.25, 7.5}, 1e-6, 1e-6, "running mean");
    close(rv.get(), std::vector<double>{0.5 + 0.5 * 1.25 * 4 / 3, 0.5}, 1e-6, 1e-6, "running variance (unbiased)");
    ok("hand case: normalised values, saved mean / inverse std, running mean / unbiased running variance");
}

// Reference backward (double): dx, dgamma, dbeta from x, dy, gamma.
void refBackward(const Shape& s, const std::vector<float>& x, const std::vector<float>& dy,
                 const std::vector<float>& gamma, double eps, std::vector<double>* dx, std::vector<double>* dg,
                 std::vector<double>* db) {
    Stats st = refStats(s, x);
    size_t F = size_t(s.features());
    double M = double(s.count()) / double(F);
    dg->assign(F, 0);
    db->assign(F, 0);
    for (long long i = 0; i < s.count(); i++) {
        size_t f = size_t(s.feature(i));
        double xhat = (x[size_t(i)] - st.mean[f]) / std::sqrt(st.var[f] + eps);
        (*db)[f] += dy[size_t(i)];
        (*dg)[f] += dy[size_t(i)] * xhat;
    }
    dx->assign(size_t(s.count()), 0);
    for (long long i = 0; i < s.count(); i++) {
        size_t f = size_t(s.feature(i));
        double inv = 1 / std::sqrt(st.var[f] + eps);
        double xhat = (x[size_t(i)] - st.mean[f]) * inv;
        (*dx)[size_t(i)] = gamma[f] * inv * (dy[size_t(i)] - (*db)[f] / M - xhat * (*dg)[f] / M);
    }
}

void randomised(const Gpu& gpu, const Handle& h, std::mt19937& rng) {
    const Shape shapes[] = {{{4, 3, 5, 6}, false}, {{3, 4, 2, 3}, true}, {{2, 3, 3, 2, 4}, false}, {{5, 2, 3, 1}, true},
                            {{8, 16, 1, 1}, false}};
    int cases = 0;
    for (const Shape& s : shapes) {
        for (cudnnBatchNormMode_t mode : {CUDNN_BATCHNORM_SPATIAL, CUDNN_BATCHNORM_SPATIAL_PERSISTENT,
                                          CUDNN_BATCHNORM_PER_ACTIVATION}) {
            bool per = mode == CUDNN_BATCHNORM_PER_ACTIVATION;
            if (per != s.perActivation) continue;
            Bn bn(gpu, h, s, mode);
            size_t n = size_t(s.count()), F = size_t(s.features());
            std::vector<float> x = random(n, rng, -2, 3), g = random(F, rng, 0.5f, 1.5f), b = random(F, rng);
            std::vector<float> rm0 = random(F, rng), rv0 = random(F, rng, 0.5f, 2.0f), yPrior = random(n, rng);
            double eps = 1e-3, factor = 0.25;
            float alpha = 0.5f, beta = 1.5f;
            Buf xb(x), yb(yPrior), gb(g), bb(b), rm(rm0), rv(rv0), sm(F), si(F);
            CT_OK(cudnnBatchNormalizationForwardTraining(h, mode, &alpha, &beta, *bn.xd, xb.vp(), *bn.xd, yb.vp(), *bn.pd,
                                                         gb.vp(), bb.vp(), factor, rm.vp(), rv.vp(), eps, sm.vp(),
                                                         si.vp()));
            gpu.sync();
            Stats st = refStats(s, x);
            double M = double(n) / double(F);
            std::vector<double> ey(n), erm(F), erv(F), esi(F);
            for (size_t i = 0; i < n; i++) {
                size_t f = size_t(s.feature(static_cast<long long>(i)));
                double v = g[f] * (x[i] - st.mean[f]) / std::sqrt(st.var[f] + eps) + b[f];
                ey[i] = alpha * v + beta * yPrior[i];
            }
            for (size_t f = 0; f < F; f++) {
                erm[f] = (1 - factor) * rm0[f] + factor * st.mean[f];
                erv[f] = (1 - factor) * rv0[f] + factor * st.var[f] * M / (M - 1);
                esi[f] = 1 / std::sqrt(st.var[f] + eps);
            }
            close(yb.get(), ey, 1e-5, 1e-5, "training y");
            close(rm.get(), erm, 1e-6, 1e-5, "running mean");
            close(rv.get(), erv, 1e-6, 1e-5, "running variance");
            close(sm.get(), st.mean, 1e-6, 1e-5, "saved mean");
            close(si.get(), esi, 1e-6, 1e-5, "saved inverse std");

            // Optional outputs absent (NULL pairs), beta 0 over NaN.
            yb.put(std::vector<float>(n, kNaN));
            CT_OK(cudnnBatchNormalizationForwardTraining(h, mode, &kOne, &kZero, *bn.xd, xb.vp(), *bn.xd, yb.vp(), *bn.pd,
                                                         gb.vp(), bb.vp(), factor, nullptr, nullptr, eps, nullptr, nullptr));
            gpu.sync();
            std::vector<double> ey1(n);
            for (size_t i = 0; i < n; i++) ey1[i] = (ey[i] - beta * yPrior[i]) / alpha;
            close(yb.get(), ey1, 1e-5, 1e-5, "training y without optional outputs");

            // Inference with the running statistics.
            yb.put(std::vector<float>(n, kNaN));
            CT_OK(cudnnBatchNormalizationForwardInference(h, mode, &kOne, &kZero, *bn.xd, xb.vp(), *bn.xd, yb.vp(), *bn.pd,
                                                          gb.vp(), bb.vp(), rm.vp(), rv.vp(), eps));
            gpu.sync();
            std::vector<float> rmv = rm.get(), rvv = rv.get();
            std::vector<double> ei(n);
            for (size_t i = 0; i < n; i++) {
                size_t f = size_t(s.feature(static_cast<long long>(i)));
                ei[i] = g[f] * (x[i] - rmv[f]) / std::sqrt(double(rvv[f]) + eps) + b[f];
            }
            close(yb.get(), ei, 1e-5, 1e-5, "inference y");

            // Backward, with saved statistics and without (recomputed); alpha/beta for data and parameters.
            std::vector<float> dy = random(n, rng), dxPrior = random(n, rng), dgPrior = random(F, rng),
                               dbPrior = random(F, rng);
            std::vector<double> rdx, rdg, rdb;
            refBackward(s, x, dy, g, eps, &rdx, &rdg, &rdb);
            for (int saved = 0; saved < 2; saved++) {
                Buf dyb(dy), dxb(dxPrior), dgb(dgPrior), dbb(dbPrior);
                float ad = 0.5f, bd = 2.0f, ap = 1.5f, bp = 0.25f;
                CT_OK(cudnnBatchNormalizationBackward(h, mode, &ad, &bd, &ap, &bp, *bn.xd, xb.vp(), *bn.xd, dyb.vp(), *bn.xd,
                                                      dxb.vp(), *bn.pd, gb.vp(), dgb.vp(), dbb.vp(), eps,
                                                      saved ? sm.vp() : nullptr, saved ? si.vp() : nullptr));
                gpu.sync();
                std::vector<double> edx(n), edg(F), edb(F);
                for (size_t i = 0; i < n; i++) edx[i] = ad * rdx[i] + bd * dxPrior[i];
                for (size_t f = 0; f < F; f++) {
                    edg[f] = ap * rdg[f] + bp * dgPrior[f];
                    edb[f] = ap * rdb[f] + bp * dbPrior[f];
                }
                close(dxb.get(), edx, 2e-5, 1e-4, saved ? "backward dx (saved statistics)" : "backward dx (recomputed)");
                close(dgb.get(), edg, 2e-5, 1e-4, "backward dgamma");
                close(dbb.get(), edb, 2e-5, 1e-4, "backward dbeta");
            }
            cases++;
        }
    }
    ok("%d randomised cases (spatial, persistent, per-activation; 4-D and 5-D): training, running statistics, "
       "inference, backward with and without saved statistics, alpha/beta",
       cases);
}

// L = <y, dy>; dL/dx, dL/dgamma, dL/dbeta by central differences (in double through the library's float
// forward, so the tolerance is loose).
void finiteDifferences(const Gpu& gpu, const Handle& h, std::mt19937& rng) {
    Shape s{{3, 2, 2, 3}, false};
    Bn bn(gpu, h, s, CUDNN_BATCHNORM_SPATIAL);
    size_t n = size_t(s.count()), F = 2;
    std::vector<float> x = random(n, rng, -1, 1), g = {1.2f, 0.7f}, b = {0.1f, -0.3f}, dy = random(n, rng);
    double eps = 1e-4;
    auto loss = [&](const std::vector<float>& xv, const std::vector<float>& gv, const std::vector<float>& bv) {
        Buf xb(xv), yb(n), gb(gv), bb(bv);
        cudnnBatchNormalizationForwardTraining(h, CUDNN_BATCHNORM_SPATIAL, &kOne, &kZero, *bn.xd, xb.vp(), *bn.xd, yb.vp(),
                                               *bn.pd, gb.vp(), bb.vp(), 0.0, nullptr, nullptr, eps, nullptr, nullptr);
        gpu.sync();
        std::vector<float> y = yb.get();
        double l = 0;
        for (size_t i = 0; i < n; i++) l += double(y[i]) * dy[i];
        return l;
    };
    Buf xb(x), dyb(dy), dxb(n), gb(g), dgb(F), dbb(F);
    CT_OK(cudnnBatchNormalizationBackward(h, CUDNN_BATCHNORM_SPATIAL, &kOne, &kZero, &kOne, &kZero, *bn.xd, xb.vp(), *bn.xd,
                                          dyb.vp(), *bn.xd, dxb.vp(), *bn.pd, gb.vp(), dgb.vp(), dbb.vp(), eps, nullptr,
                                          nullptr));
    gpu.sync();
    std::vector<float> dx = dxb.get(), dg = dgb.get(), db = dbb.get();
    const float e = 1e-2f;
    for (size_t i : {size_t(0), size_t(5), size_t(11), size_t(17)}) {
        std::vector<float> xp = x, xm = x;
        xp[i] += e;
        xm[i] -= e;
        double fd = (loss(xp, g, b) - loss(xm, g, b)) / (2 * e);
        CT_EXPECT(std::fabs(fd - dx[i]) < 5e-3 * std::max(1.0, std::fabs(fd)), "dx[%zu]: fd %g vs %g", i, fd, dx[i]);
    }
    for (size_t f = 0; f < F; f++) {
        std::vector<float> gp = g, gm = g, bp = b, bm = b;
        gp[f] += e;
        gm[f] -= e;
        bp[f] += e;
        bm[f] -= e;
        double fdg = (loss(x, gp, b) - loss(x, gm, b)) / (2 * e), fdb = (loss(x, g, bp) - loss(x, g, bm)) / (2 * e);
        CT_EXPECT(std::fabs(fdg - dg[f]) < 5e-3, "dgamma[%zu]: fd %g vs %g", f, fdg, dg[f]);
        CT_EXPECT(std::fabs(fdb - db[f]) < 5e-3, "dbeta[%zu]: fd %g vs %g", f, fdb, db[f]);
    }
    ok("finite differences of training batch norm agree with backward (dx, dgamma, dbeta)");
}

// x in NHWC, y in NCHW: statistics and outputs follow each tensor's strides.
void layouts(const Gpu& gpu, const Handle& h, std::mt19937& rng) {
    int N = 3, C = 4, H = 2, W = 3;
    Tensor xn(N, C, H, W, CUDNN_TENSOR_NHWC), yc(N, C, H, W), pd;
    CT_OK(cudnnDeriveBNTensorDescriptor(pd, xn, CUDNN_BATCHNORM_SPATIAL));
    std::vector<float> x = random(size_t(N * C * H * W), rng, -2, 2), xNhwc(x.size());
    for (int n = 0; n < N; n++)
        for (int c = 0; c < C; c++)
            for (int i = 0; i < H * W; i++) xNhwc[size_t((n * H * W + i) * C + c)] = x[size_t((n * C + c) * H * W + i)];
    std::vector<float> g = {1, 2, 0.5f, 1}, b = {0, 1, -1, 0.5f};
    Buf xb(xNhwc), yb(x.size()), gb(g), bb(b), sm(4), si(4);
    CT_OK(cudnnBatchNormalizationForwardTraining(h, CUDNN_BATCHNORM_SPATIAL, &kOne, &kZero, xn, xb.vp(), yc, yb.vp(), pd,
                                                 gb.vp(), bb.vp(), 0.0, nullptr, nullptr, 1e-5, sm.vp(), si.vp()));
    gpu.sync();
    Stats st = refStats(Shape{{N, C, H, W}, false}, x);
    std::vector<double> want(x.size());
    for (size_t i = 0; i < x.size(); i++) {
        size_t c = i / size_t(H * W) % size_t(C);
        want[i] = g[c] * (x[i] - st.mean[c]) / std::sqrt(st.var[c] + 1e-5) + b[c];
    }
    close(yb.get(), want, 1e-5, 1e-5, "NHWC x, NCHW y");
    close(sm.get(), st.mean, 1e-6, 1e-5, "NHWC saved mean");
    ok("batch norm with x in NHWC and y in NCHW");
}

void errors(const Gpu& gpu, const Handle& h) {
    Shape s{{2, 3, 2, 2}, false};
    Bn bn(gpu, h, s, CUDNN_BATCHNORM_SPATIAL);
    Buf x(24), y(24), p1(3), p2(3), p3(3), p4(3), p5(3), p6(3);
    auto train = [&](double eps, void* rm, void* rv, void* sm, void* si, cudnnTensorDescriptor_t pd) {
        return cudnnBatchNormalizationForwardTraining(h, CUDNN_BATCHNORM_SPATIAL, &kOne, &kZero, *bn.xd, x.vp(), *bn.xd,
                                                      y.vp(), pd, p1.vp(), p2.vp(), 0.1, rm, rv, eps, sm, si);
    };
    std::mt19937 local(3);
    x.put(random(24, local));
    p1.put({1, 1, 1});
    p2.put({0, 0, 0});
    p3.put({0, 0, 0});
    p4.put({1, 1, 1});
    status(train(-1e-9, p3.vp(), p4.vp(), p5.vp(), p6.vp(), *bn.pd), CUDNN_STATUS_BAD_PARAM, "epsilon below 0");
    status(train(0.0, p3.vp(), p4.vp(), p5.vp(), p6.vp(), *bn.pd), CUDNN_STATUS_SUCCESS,
           "epsilon 0 (CUDNN_BN_MIN_EPSILON is 0 in cuDNN 8)");
    status(train(1e-5, p3.vp(), nullptr, p5.vp(), p6.vp(), *bn.pd), CUDNN_STATUS_BAD_PARAM,
           "running mean without running variance");
    status(train(1e-5, p3.vp(), p4.vp(), nullptr, p6.vp(), *bn.pd), CUDNN_STATUS_BAD_PARAM,
           "saved inverse variance without saved mean");
    Tensor wrong(1, 3, 2, 2);
    status(train(1e-5, p3.vp(), p4.vp(), p5.vp(), p6.vp(), wrong), CUDNN_STATUS_BAD_PARAM,
           "per-activation parameter shape in spatial mode");
    status(cudnnBatchNormalizationForwardTraining(h, cudnnBatchNormMode_t(7), &kOne, &kZero, *bn.xd, x.vp(), *bn.xd, y.vp(),
                                                  *bn.pd, p1.vp(), p2.vp(), 0.1, nullptr, nullptr, 1e-5, nullptr, nullptr),
           CUDNN_STATUS_BAD_PARAM, "invalid mode");
    status(cudnnBatchNormalizationForwardInference(h, CUDNN_BATCHNORM_SPATIAL, &kOne, &kZero, *bn.xd, x.vp(), *bn.xd,
                                                   y.vp(), *bn.pd, p1.vp(), p2.vp(), nullptr, p4.vp(), 1e-5),
           CUDNN_STATUS_BAD_PARAM, "inference without a mean");
    status(cudnnBatchNormalizationBackward(h, CUDNN_BATCHNORM_SPATIAL, &kOne, &kZero, &kOne, &kZero, *bn.xd, x.vp(), *bn.xd,
                                           y.vp(), *bn.xd, y.vp(), *bn.pd, p1.vp(), p5.vp(), p6.vp(), 1e-5, p3.vp(), nullptr),
           CUDNN_STATUS_BAD_PARAM, "backward with a saved mean but no saved inverse variance");
    gpu.sync();
    ok("epsilon >= 0 accepted, below 0 refused; NULL pairs, parameter shape, mode checked");
}

}  // namespace

int main() {
    Gpu gpu;
    Handle h(gpu);
    std::mt19937 rng(11);
    derive(gpu, h);
    handCase(gpu, h);
    randomised(gpu, h, rng);
    finiteDifferences(gpu, h, rng);
    layouts(gpu, h, rng);
    errors(gpu, h);
    return finish("cudnn_batchnorm");
}
