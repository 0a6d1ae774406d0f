// Batch normalisation over [N, C, HW] per channel, for GPUs without cuDNN (cuDNN's batch norm is
// the fast path). PyTorch's semantics, as dev.fovea.backend.cpu.RefNorm: biased batch variance to
// normalise, unbiased variance into the running statistics. Channel reductions run one thread per
// channel in a fixed order (deterministic, no atomics); the per-element passes one thread per
// element.
#include "common.cuh"

// Batch mean and invStd = 1 / sqrt(var + eps) per channel (two passes), and the running statistics
// updated in place: running = (1 - momentum) running + momentum batch (variance unbiased; with one
// value per channel the biased 0 is used).
extern "C" __global__ void fovea_batchnorm_stats(const float* x, float* mean, float* invStd, float* runningMean,
                                                 float* runningVar, int N, int C, int HW, float eps,
                                                 float momentum) {
    FOVEA_GRID_LOOP(c, C) {
        long long m = (long long)N * HW;
        float sum = 0.0f;
        for (long long b = 0; b < N; b++) {
            const float* p = x + (b * C + c) * HW;
            for (int j = 0; j < HW; j++) {
                sum += p[j];
            }
        }
        float mu = sum / (float)m;
        float sq = 0.0f;
        for (long long b = 0; b < N; b++) {
            const float* p = x + (b * C + c) * HW;
            for (int j = 0; j < HW; j++) {
                float d = p[j] - mu;
                sq += d * d;
            }
        }
        float var = sq / (float)m;
        float unbiased = m > 1 ? sq / (float)(m - 1) : var;
        mean[c] = mu;
        invStd[c] = 1.0f / sqrtf(var + eps);
        runningMean[c] = (1.0f - momentum) * runningMean[c] + momentum * mu;
        runningVar[c] = (1.0f - momentum) * runningVar[c] + momentum * unbiased;
    }
}

// y = gamma (x - mean) invStd + beta with the batch statistics of fovea_batchnorm_stats.
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
extern "C" __global__ void fovea_batchnorm_inference(const float* x, const float* gamma, const float* beta,
                                                     const float* runningMean, const float* runningVar, float* y,
                                                     int N, int C, int HW, float eps) {
    long long total = (long long)N * C * HW;
    FOVEA_GRID_LOOP(i, total) {
        int c = (int)((i / HW) % C);
        y[i] = (x[i] - runningMean[c]) * (gamma[c] / sqrtf(runningVar[c] + eps)) + beta[c];
    }
}

// dbeta = sum(dy), dgamma = sum(dy * x_hat) per channel, x_hat = (x - mean) invStd.
extern "C" __global__ void fovea_batchnorm_backward_params(const float* dy, const float* x, const float* mean,
                                                           const float* invStd, float* dgamma, float* dbeta,
                                                           int N, int C, int HW) {
    FOVEA_GRID_LOOP(c, C) {
        float sumDy = 0.0f;
        float sumDyXhat = 0.0f;
        for (long long b = 0; b < N; b++) {
            long long base = (b * C + c) * HW;
            for (int j = 0; j < HW; j++) {
                sumDy += dy[base + j];
                sumDyXhat += dy[base + j] * ((x[base + j] - mean[c]) * invStd[c]);
            }
        }
        dgamma[c] = sumDyXhat;
        dbeta[c] = sumDy;
    }
}

// dx = gamma invStd / m (m dy - dbeta - x_hat dgamma), m = N * HW, with the sums from
// fovea_batchnorm_backward_params.
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
