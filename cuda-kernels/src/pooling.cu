// Pooling over NCHW float32 planes: min and max (argument stored), average, global average.
//
// Semantics are those of the CPU reference (dev.fovea.backend.cpu.RefPool) and PyTorch: a window
// visits its real cells in row-major order and the winner changes on a strictly better value or on
// any NaN, so padded cells never win, ties go to the first cell, and the last NaN wins. The stored
// index is the flat position h * W + w of the winner inside its channel plane.
//
// Backward passes run one thread per INPUT element and gather from the outputs whose window covers
// it, so no two threads write the same cell: no atomics, and a deterministic summation order.
//
// Geometry arguments: input [N, C, H, W], output [N, C, OH, OW], window kH x kW, stride sH, sW,
// padding pH, pW (as Pool2dParams; OH/OW from Pool2dParams.outputShape). idx is int32, output shape.
#include "common.cuh"

// First and one-past-last output rows (or columns) whose window covers input row h:
// o * stride - pad <= h < o * stride - pad + k.
__device__ __forceinline__ void fovea_covering(int h, int k, int stride, int pad, int outSize, int* first,
                                               int* last) {
    int hp = h + pad;
    int lo = hp - k + 1;
    *first = lo <= 0 ? 0 : (lo + stride - 1) / stride;
    int hi = hp / stride + 1;
    *last = hi < outSize ? hi : outSize;
}

__device__ __forceinline__ void fovea_argpool_forward(const float* x, float* y, int* idx, int N, int C, int H,
                                                      int W, int OH, int OW, int kH, int kW, int sH, int sW,
                                                      int pH, int pW, bool isMin) {
    long long total = (long long)N * C * OH * OW;
    FOVEA_GRID_LOOP(o, total) {
        int ow = (int)(o % OW);
        int oh = (int)((o / OW) % OH);
        long long plane = o / ((long long)OW * OH);
        const float* xp = x + plane * H * W;
        int h0 = oh * sH - pH;
        int w0 = ow * sW - pW;
        int best = -1;
        float bestValue = 0.0f;
        for (int r = 0; r < kH; r++) {
            int h = h0 + r;
            if (h < 0 || h >= H) {
                continue;
            }
            for (int s = 0; s < kW; s++) {
                int w = w0 + s;
                if (w < 0 || w >= W) {
                    continue;
                }
                float v = xp[h * W + w];
                // A comparison with a NaN best is false: only a later NaN replaces it.
                bool beats = best < 0 || fovea_is_nan(v) || (isMin ? v < bestValue : v > bestValue);
                if (beats) {
                    best = h * W + w;
                    bestValue = v;
                }
            }
        }
        y[o] = bestValue;
        idx[o] = best;
    }
}

__device__ __forceinline__ void fovea_argpool_backward(const float* dy, const int* idx, float* dx, int N, int C,
                                                       int H, int W, int OH, int OW, int kH, int kW, int sH,
                                                       int sW, int pH, int pW) {
    long long total = (long long)N * C * H * W;
    FOVEA_GRID_LOOP(i, total) {
        int w = (int)(i % W);
        int h = (int)((i / W) % H);
        long long plane = i / ((long long)W * H);
        int here = h * W + w;
        int oh0, oh1, ow0, ow1;
        fovea_covering(h, kH, sH, pH, OH, &oh0, &oh1);
        fovea_covering(w, kW, sW, pW, OW, &ow0, &ow1);
        const float* dyp = dy + plane * OH * OW;
        const int* ip = idx + plane * OH * OW;
        float sum = 0.0f;
        for (int oh = oh0; oh < oh1; oh++) {
            for (int ow = ow0; ow < ow1; ow++) {
                int o = oh * OW + ow;
                if (ip[o] == here) {
                    sum += dyp[o];
                }
            }
        }
        dx[i] = sum;
    }
}

// Min pooling: y = the window's winner (smallest value, the rule above), idx = its flat h * W + w.
// W = N*C*OH*OW (one thread per output element).
extern "C" __global__ void fovea_minpool2d_forward(const float* x, float* y, int* idx, int N, int C, int H, int W,
                                                   int OH, int OW, int kH, int kW, int sH, int sW, int pH,
                                                   int pW) {
    fovea_argpool_forward(x, y, idx, N, C, H, W, OH, OW, kH, kW, sH, sW, pH, pW, true);
}

// Max pooling, as fovea_minpool2d_forward with the largest value winning.
// W = N*C*OH*OW.
extern "C" __global__ void fovea_maxpool2d_forward(const float* x, float* y, int* idx, int N, int C, int H, int W,
                                                   int OH, int OW, int kH, int kW, int sH, int sW, int pH,
                                                   int pW) {
    fovea_argpool_forward(x, y, idx, N, C, H, W, OH, OW, kH, kW, sH, sW, pH, pW, false);
}

// Gradient of min pooling: one thread per input element gathers dy from the outputs whose idx
// points at it. W = N*C*H*W.
extern "C" __global__ void fovea_minpool2d_backward(const float* dy, const int* idx, float* dx, int N, int C,
                                                    int H, int W, int OH, int OW, int kH, int kW, int sH, int sW,
                                                    int pH, int pW) {
    fovea_argpool_backward(dy, idx, dx, N, C, H, W, OH, OW, kH, kW, sH, sW, pH, pW);
}

// Gradient of max pooling, as fovea_minpool2d_backward. W = N*C*H*W.
extern "C" __global__ void fovea_maxpool2d_backward(const float* dy, const int* idx, float* dx, int N, int C,
                                                    int H, int W, int OH, int OW, int kH, int kW, int sH, int sW,
                                                    int pH, int pW) {
    fovea_argpool_backward(dy, idx, dx, N, C, H, W, OH, OW, kH, kW, sH, sW, pH, pW);
}

// The divisor of one average window: with countIncludePad the window clipped to the padded extent
// (PyTorch's rule), otherwise the number of real cells.
__device__ __forceinline__ int fovea_avg_divisor(int h0, int w0, int H, int W, int kH, int kW, int pH, int pW,
                                                 int countIncludePad) {
    int h1 = min(h0 + kH, H + pH);
    int w1 = min(w0 + kW, W + pW);
    if (countIncludePad) {
        return (h1 - h0) * (w1 - w0);
    }
    return (min(h1, H) - max(h0, 0)) * (min(w1, W) - max(w0, 0));
}

// Average pooling; the divisor as PyTorch: the window clipped to the padded extent if
// countIncludePad != 0, else its real cells. W = N*C*OH*OW.
extern "C" __global__ void fovea_avgpool2d_forward(const float* x, float* y, int N, int C, int H, int W, int OH,
                                                   int OW, int kH, int kW, int sH, int sW, int pH, int pW,
                                                   int countIncludePad) {
    long long total = (long long)N * C * OH * OW;
    FOVEA_GRID_LOOP(o, total) {
        int ow = (int)(o % OW);
        int oh = (int)((o / OW) % OH);
        long long plane = o / ((long long)OW * OH);
        const float* xp = x + plane * H * W;
        int h0 = oh * sH - pH;
        int w0 = ow * sW - pW;
        float sum = 0.0f;
        for (int h = max(h0, 0); h < min(h0 + kH, H); h++) {
            for (int w = max(w0, 0); w < min(w0 + kW, W); w++) {
                sum += xp[h * W + w];
            }
        }
        y[o] = sum / (float)fovea_avg_divisor(h0, w0, H, W, kH, kW, pH, pW, countIncludePad);
    }
}

// Gradient of average pooling, one thread per input element gathering from the windows that
// cover it, with the forward's divisors. W = N*C*H*W.
extern "C" __global__ void fovea_avgpool2d_backward(const float* dy, float* dx, int N, int C, int H, int W, int OH,
                                                    int OW, int kH, int kW, int sH, int sW, int pH, int pW,
                                                    int countIncludePad) {
    long long total = (long long)N * C * H * W;
    FOVEA_GRID_LOOP(i, total) {
        int w = (int)(i % W);
        int h = (int)((i / W) % H);
        long long plane = i / ((long long)W * H);
        int oh0, oh1, ow0, ow1;
        fovea_covering(h, kH, sH, pH, OH, &oh0, &oh1);
        fovea_covering(w, kW, sW, pW, OW, &ow0, &ow1);
        const float* dyp = dy + plane * OH * OW;
        float sum = 0.0f;
        for (int oh = oh0; oh < oh1; oh++) {
            for (int ow = ow0; ow < ow1; ow++) {
                int div = fovea_avg_divisor(oh * sH - pH, ow * sW - pW, H, W, kH, kW, pH, pW, countIncludePad);
                sum += dyp[oh * OW + ow] / (float)div;
            }
        }
        dx[i] = sum;
    }
}

// One thread per (n, c) plane of HW cells.
// Global average pooling: y[p] = the mean of plane p; planes = N*C, y is [N, C, 1, 1]. W = planes.
extern "C" __global__ void fovea_global_avgpool2d_forward(const float* x, float* y, int planes, int HW) {
    FOVEA_GRID_LOOP(p, planes) {
        const float* xp = x + p * HW;
        float sum = 0.0f;
        for (int i = 0; i < HW; i++) {
            sum += xp[i];
        }
        y[p] = sum / (float)HW;
    }
}

// Gradient of global average pooling: dx = dy of its plane / HW. W = planes*HW.
extern "C" __global__ void fovea_global_avgpool2d_backward(const float* dy, float* dx, int planes, int HW) {
    long long total = (long long)planes * HW;
    FOVEA_GRID_LOOP(i, total) {
        dx[i] = dy[i / HW] / (float)HW;
    }
}
