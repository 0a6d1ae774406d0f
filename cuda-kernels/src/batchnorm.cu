// Batch normalisation over [N, C, HW] per channel, for GPUs without cuDNN (cuDNN's batch norm is
// the fast path). PyTorch's semantics, as dev.fovea.backend.cpu.RefNorm: biased batch variance to
// normalise, unbiased variance into the running statistics. Channel reductions run in two
// deterministic passes (no atomics, no shared memory): one thread per (n, c) plane of HW contiguous
// values, then one thread per channel combining its N plane results in the order n = 0, 1, ...;
// the per-element passes one thread per element.
//
// Training: plane_stats, combine_stats, then apply; backward: plane_grads,
// fovea_sum_slices(planeDy, dbeta, N, C, 0) and fovea_sum_slices(planeDyXhat, dgamma, N, C, 0)
// (elementwise.cu), then backward_data. Backward with the running statistics: running_invstd (below).
#include "common.cuh"

// Statistics, pass 1 of 2: the mean of each (n, c) plane of HW values and its M2 (the sum of squared
// deviations from that mean), two passes over the plane; one thread per plane, planes = N * C.
// W = planes.
extern "C" __global__ void fovea_batchnorm_plane_stats(const float* x, float* planeMean, float* planeM2, int planes,
                                                       int HW) {
    FOVEA_GRID_LOOP(p, planes) {
        const float* v = x + p * HW;
        float sum = 0.0f;
        for (int j = 0; j < HW; j++) {
            sum += v[j];
        }
        float mu = sum / (float)HW;
        float m2 = 0.0f;
        for (int j = 0; j < HW; j++) {
            float d = v[j] - mu;
            m2 += d * d;
        }
        planeMean[p] = mu;
        planeM2[p] = m2;
    }
}

// Statistics, pass 2 of 2, one thread per channel c: its N planes' (mean, M2) at [n * C + c],
// combined in the order n = 0, 1, ... with Chan, Golub and LeVeque's parallel formula (every plane
// counts HW values; after k planes, adding plane b: delta = mean_b - mean, mean += delta / (k + 1),
// M2 += M2_b + delta^2 * HW * k / (k + 1)), which never subtracts two large sums of squares. Writes
// the batch mean and invStd = 1 / sqrt(M2 / m + eps), m = N * HW, and updates the running statistics
// in place: running = (1 - momentum) running + momentum batch (variance unbiased, M2 / (m - 1); with
// one value per channel the biased 0 is used). An empty channel (m = 0) has the reference's 0/0: NaN.
// W = C.
extern "C" __global__ void fovea_batchnorm_combine_stats(const float* planeMean, const float* planeM2, float* mean,
                                                         float* invStd, float* runningMean, float* runningVar, int N,
                                                         int C, int HW, float eps, float momentum) {
    FOVEA_GRID_LOOP(c, C) {
        float mu = 0.0f;
        float m2 = 0.0f;
        for (long long k = 0; k < N; k++) {
            float delta = planeMean[k * C + c] - mu;
            float share = 1.0f / (float)(k + 1);
            mu += delta * share;
            m2 += planeM2[k * C + c] + delta * delta * ((float)HW * (float)k * share);
        }
        long long m = (long long)N * HW;
        float var = m2 / (float)m;  // 0/0 = NaN for an empty channel
        float unbiased = m > 1 ? m2 / (float)(m - 1) : var;
        mu = m > 0 ? mu : var;
        mean[c] = mu;
        invStd[c] = 1.0f / sqrtf(var + eps);
        runningMean[c] = (1.0f - momentum) * runningMean[c] + momentum * mu;
        runningVar[c] = (1.0f - momentum) * runningVar[c] + momentum * unbiased;
    }
}

// y = gamma (x - mean) invStd + beta with the batch statistics of fovea_batchnorm_combine_stats.
// W = N*C*HW.
extern "C" __global__ void fovea_batchnorm_apply(const float* x, const float* mean, const float* invStd,
                                                 const float* gamma, const float* beta, float* y, int N, int C,
                                                 int HW) {
    long long total = (long long)N * C * HW;
    FOVEA_GRID_LOOP(i, total) {
        int c = (int)((i / HW) % C);
        y[i] = gamma[c] * (x[i] - mean[c]) * invStd[c] + beta[c];
    }
}

// Inference: y = (x - runningMean) gamma / sqrt(runningVar + eps) + beta.
// W = N*C*HW.
extern "C" __global__ void fovea_batchnorm_inference(const float* x, const float* gamma, const float* beta,
                                                     const float* runningMean, const float* runningVar, float* y,
                                                     int N, int C, int HW, float eps) {
    long long total = (long long)N * C * HW;
    FOVEA_GRID_LOOP(i, total) {
        int c = (int)((i / HW) % C);
        y[i] = (x[i] - runningMean[c]) * (gamma[c] / sqrtf(runningVar[c] + eps)) + beta[c];
    }
}

// Parameter gradients, pass 1 of 2: per (n, c) plane p (c = p % C), sum(dy) and sum(dy * x_hat),
// x_hat = (x - mean[c]) invStd[c]; one thread per plane, planes = N * C. Pass 2 is
// fovea_sum_slices(planeDy, dbeta, N, C, 0) and fovea_sum_slices(planeDyXhat, dgamma, N, C, 0).
// W = planes.
extern "C" __global__ void fovea_batchnorm_plane_grads(const float* dy, const float* x, const float* mean,
                                                       const float* invStd, float* planeDy, float* planeDyXhat,
                                                       int planes, int C, int HW) {
    FOVEA_GRID_LOOP(p, planes) {
        int c = (int)(p % C);
        float mu = mean[c];
        float inv = invStd[c];
        long long base = p * HW;
        float sumDy = 0.0f;
        float sumDyXhat = 0.0f;
        for (int j = 0; j < HW; j++) {
            float g = dy[base + j];
            sumDy += g;
            sumDyXhat += g * ((x[base + j] - mu) * inv);
        }
        planeDy[p] = sumDy;
        planeDyXhat[p] = sumDyXhat;
    }
}

// dx = gamma invStd / m (m dy - dbeta - x_hat dgamma), m = N * HW, with the sums of
// fovea_batchnorm_plane_grads and fovea_sum_slices.
// W = N*C*HW.
extern "C" __global__ void fovea_batchnorm_backward_data(const float* dy, const float* x, const float* gamma,
                                                         const float* mean, const float* invStd,
                                                         const float* dgamma, const float* dbeta, float* dx, int N,
                                                         int C, int HW) {
    long long total = (long long)N * C * HW;
    float m = (float)((long long)N * HW);
    FOVEA_GRID_LOOP(i, total) {
        int c = (int)((i / HW) % C);
        float xhat = (x[i] - mean[c]) * invStd[c];
        dx[i] = gamma[c] * invStd[c] / m * (m * dy[i] - dbeta[c] - xhat * dgamma[c]);
    }
}

// Backward with the running statistics (inference mode, e.g. fine-tuning with frozen statistics),
// step 1: invStd = 1 / sqrt(runningVar + eps) per channel. The parameter gradients then follow as in
// training (fovea_batchnorm_plane_grads with runningMean and this invStd, then fovea_sum_slices),
// and dx = gamma dy invStd is fovea_batchnorm_apply of dy with a zero mean and beta.
// W = C.
extern "C" __global__ void fovea_batchnorm_running_invstd(const float* runningVar, float* invStd, int C, float eps) {
    FOVEA_GRID_LOOP(c, C) {
        invStd[c] = 1.0f / sqrtf(runningVar[c] + eps);
    }
}
