// Losses and their gradients, following PyTorch's formulas (and dev.fovea.backend.cpu.RefLoss).
//
// Forward kernels write one loss per sample (cross-entropy) or per element (the others); the mean
// is then taken on the device by fovea_sum_chunks, twice: first into partial sums of a fixed chunk,
// then over the partials, with scale = 1 / count. The chunking fixes the summation order, so the
// result is the same on every launch. Gradient kernels take scale = gradOutput / count (count = N
// for cross-entropy, the element count otherwise) and write the gradient of the mean loss.
//
// The mean: fovea_sum_chunks(losses -> partials, n, chunk = 1024, scale = 1), then
// fovea_sum_chunks(partials -> out[0], n = ceil(n/1024), chunk = that n, scale = 1/count).
#include "common.cuh"

// out[j] = scale * sum of in[j * chunk .. min((j + 1) * chunk, n)), one thread per chunk j, for
// j < ceil(n / chunk).
// Also pass 1 of the bias gradient. W = ceil(n/chunk).
extern "C" __global__ void fovea_sum_chunks(const float* in, float* out, int n, int chunk, float scale) {
    long long chunks = ((long long)n + chunk - 1) / chunk;
    FOVEA_GRID_LOOP(j, chunks) {
        long long begin = j * chunk;
        long long end = begin + chunk < n ? begin + chunk : n;
        float sum = 0.0f;
        for (long long i = begin; i < end; i++) {
            sum += in[i];
        }
        out[j] = scale * sum;
    }
}

// Checks the values a loss is defined on, in a fixed order so that "the first bad one" is well
// defined: with classes > 0, cross-entropy labels must be class indices in [0, classes); with
// classes == 0, binary cross-entropy inputs must be probabilities in [0, 1] (NaN fails both).
// flag[0] = the index of the first bad value as a float (exact below 2^24), or -1; flag[1] = that
// value. One thread (W = 1): the host reads the flag together with the loss, in one download.
// The backend writes the flag beside the loss and checks it when the loss is downloaded. W = 1.
extern "C" __global__ void fovea_check_loss_values(const float* values, float* flag, int n, int classes) {
    FOVEA_GRID_LOOP(t, 1) {
        float bad = -1.0f;
        float value = 0.0f;
        for (int i = 0; i < n; i++) {
            float v = values[i];
            bool ok = classes > 0 ? (v >= 0.0f && v < (float)classes && v == rintf(v)) : (v >= 0.0f && v <= 1.0f);
            if (!ok) {
                bad = (float)i;
                value = v;
                break;
            }
        }
        flag[0] = bad;
        flag[1] = value;
    }
}

// Accuracy, pass 1: hits[i] = 1 when the first maximum of logits[i, :] is at the class labels[i]
// names, else 0 (a later equal value does not win and NaN never compares greater, as the host's
// argmax); pass 2 is fovea_sum_chunks, so a training step reads its correct count beside its loss
// instead of downloading the logits. One thread per row.
// W = N.
extern "C" __global__ void fovea_argmax_hits(const float* logits, const float* labels, float* hits, int N, int C) {
    FOVEA_GRID_LOOP(i, N) {
        const float* x = logits + i * C;
        int best = 0;
        for (int j = 1; j < C; j++) {
            if (x[j] > x[best]) {
                best = j;
            }
        }
        hits[i] = (float)best == labels[i] ? 1.0f : 0.0f;
    }
}

// Softmax cross-entropy from logits [N, C] with class indices stored as floats in labels [N]:
// losses[i] = logsumexp(x[i, :]) - x[i, label]. One thread per sample. An out-of-range label gives
// NaN here rather than a wild read; fovea_check_loss_values reports it.
// W = N.
extern "C" __global__ void fovea_softmax_xent_forward(const float* logits, const float* labels, float* losses,
                                                      int N, int C) {
    FOVEA_GRID_LOOP(i, N) {
        const float* x = logits + i * C;
        int label = (int)labels[i];
        float m = x[0];
        for (int j = 1; j < C; j++) {
            m = fmaxf(m, x[j]);
        }
        float sum = 0.0f;
        for (int j = 0; j < C; j++) {
            sum += expf(x[j] - m);
        }
        losses[i] = (label >= 0 && label < C) ? logf(sum) + m - x[label] : __int_as_float(0x7fc00000);
    }
}

// dx[i, j] = scale * (softmax(x[i, :])[j] - (j == label ? 1 : 0)). One thread per sample.
// W = N.
extern "C" __global__ void fovea_softmax_xent_backward(const float* logits, const float* labels, float* dx,
                                                       int N, int C, float scale) {
    FOVEA_GRID_LOOP(i, N) {
        const float* x = logits + i * C;
        float* d = dx + i * C;
        int label = (int)labels[i];
        float m = x[0];
        for (int j = 1; j < C; j++) {
            m = fmaxf(m, x[j]);
        }
        float sum = 0.0f;
        for (int j = 0; j < C; j++) {
            sum += expf(x[j] - m);
        }
        for (int j = 0; j < C; j++) {
            d[j] = scale * (expf(x[j] - m) / sum - (j == label ? 1.0f : 0.0f));
        }
    }
}

// Binary cross-entropy on probabilities p: -(t log p + (1 - t) log(1 - p)), each log floored at
// -100 so p = 0 or 1 stays finite.
// W = n.
extern "C" __global__ void fovea_bce_forward(const float* p, const float* t, float* losses, int n) {
    FOVEA_GRID_LOOP(i, n) {
        float logP = fmaxf(logf(p[i]), -100.0f);
        float log1mP = fmaxf(log1pf(-p[i]), -100.0f);
        losses[i] = -(t[i] * logP + (1.0f - t[i]) * log1mP);
    }
}

// scale * (p - t) / max(p (1 - p), 1e-12).
// W = n.
extern "C" __global__ void fovea_bce_backward(const float* p, const float* t, float* dx, int n, float scale) {
    FOVEA_GRID_LOOP(i, n) {
        float v = p[i];
        dx[i] = scale * (v - t[i]) / fmaxf(v * (1.0f - v), 1e-12f);
    }
}

// Binary cross-entropy on logits x: max(x, 0) - x t + log(1 + e^-|x|), without overflow.
// W = n.
extern "C" __global__ void fovea_bce_logits_forward(const float* x, const float* t, float* losses, int n) {
    FOVEA_GRID_LOOP(i, n) {
        float v = x[i];
        losses[i] = fmaxf(v, 0.0f) - v * t[i] + log1pf(expf(-fabsf(v)));
    }
}

// scale * (sigmoid(x) - t).
// W = n.
extern "C" __global__ void fovea_bce_logits_backward(const float* x, const float* t, float* dx, int n,
                                                     float scale) {
    FOVEA_GRID_LOOP(i, n) {
        dx[i] = scale * (fovea_sigmoid(x[i]) - t[i]);
    }
}

// losses[i] = (x - t)^2. W = n.
extern "C" __global__ void fovea_mse_forward(const float* x, const float* t, float* losses, int n) {
    FOVEA_GRID_LOOP(i, n) {
        float d = x[i] - t[i];
        losses[i] = d * d;
    }
}

// scale * 2 (x - t); pass scale = gradOutput / n.
// W = n.
extern "C" __global__ void fovea_mse_backward(const float* x, const float* t, float* dx, int n, float scale) {
    FOVEA_GRID_LOOP(i, n) {
        dx[i] = 2.0f * scale * (x[i] - t[i]);
    }
}
