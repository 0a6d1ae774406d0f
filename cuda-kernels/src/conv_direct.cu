// Direct 2-D convolution over NCHW float32 with OIHW weights [K, C/groups, kH, kW]: the path for
// dilated, grouped and depthwise shapes, where im2col + GEMM wastes memory and cuDNN is often slow.
//
// Per axis: stride s, padding p, dilation d. Output cell (oh, ow) of channel k reads the input at
// (oh * sH - pH + r * dH, ow * sW - pW + s * dW) for kernel tap (r, s), over the C/groups input
// channels of k's group. With flip != 0 (CONVOLUTION mode) tap (r, s) uses weight element
// (kH-1-r, kW-1-s) instead of (r, s), the mathematical convolution of the first worked example.
//
// Every pass writes each output cell from exactly one thread, summing what it needs (gather):
// backward-data runs one thread per input element, backward-filter one per weight element.
//
// Output y [N, K, OH, OW], OH/OW from Conv2dParams.outputShape; groups divides C and K (depthwise
// is groups == C): output channel k reads input channels (k / (K/groups)) * (C/groups) onwards, C/groups
// of them. The bias gradient is the channel reduction of elementwise.cu with C = K, HW = OH*OW.
#include "common.cuh"

__device__ __forceinline__ int fovea_tap(int r, int k, int flip) {
    return flip ? k - 1 - r : r;
}

// Forward: y = x (*) w (+ bias[k]); bias [K] nullable (address 0). One thread per output
// element. W = N*K*OH*OW.
extern "C" __global__ void fovea_conv2d_direct_forward(const float* x, const float* w, const float* bias, float* y,
                                                       int N, int C, int H, int W, int K, int kH, int kW, int OH,
                                                       int OW, int sH, int sW, int pH, int pW, int dH, int dW,
                                                       int groups, int flip) {
    int cg = C / groups;
    int kg = K / groups;
    long long total = (long long)N * K * OH * OW;
    FOVEA_GRID_LOOP(o, total) {
        int ow = (int)(o % OW);
        int oh = (int)((o / OW) % OH);
        int k = (int)((o / ((long long)OW * OH)) % K);
        long long n = o / ((long long)OW * OH * K);
        int g = k / kg;
        int h0 = oh * sH - pH;
        int w0 = ow * sW - pW;
        float sum = 0.0f;
        for (int c = 0; c < cg; c++) {
            const float* xp = x + ((n * C) + (long long)g * cg + c) * H * W;
            const float* wp = w + ((long long)k * cg + c) * kH * kW;
            for (int r = 0; r < kH; r++) {
                int h = h0 + r * dH;
                if (h < 0 || h >= H) {
                    continue;
                }
                const float* wr = wp + fovea_tap(r, kH, flip) * kW;
                for (int s = 0; s < kW; s++) {
                    int ww = w0 + s * dW;
                    if (ww < 0 || ww >= W) {
                        continue;
                    }
                    sum += xp[h * W + ww] * wr[fovea_tap(s, kW, flip)];
                }
            }
        }
        y[o] = bias != 0 ? sum + bias[k] : sum;
    }
}

// Gradient with respect to x: one thread per input element gathers dy * w over the output
// cells and taps that read it. W = N*C*H*W.
extern "C" __global__ void fovea_conv2d_direct_backward_data(const float* dy, const float* w, float* dx, int N,
                                                             int C, int H, int W, int K, int kH, int kW, int OH,
                                                             int OW, int sH, int sW, int pH, int pW, int dH,
                                                             int dW, int groups, int flip) {
    int cg = C / groups;
    int kg = K / groups;
    long long total = (long long)N * C * H * W;
    FOVEA_GRID_LOOP(i, total) {
        int iw = (int)(i % W);
        int ih = (int)((i / W) % H);
        int c = (int)((i / ((long long)W * H)) % C);
        long long n = i / ((long long)W * H * C);
        int g = c / cg;
        int cl = c - g * cg;
        float sum = 0.0f;
        for (int kl = 0; kl < kg; kl++) {
            int k = g * kg + kl;
            const float* dyp = dy + (n * K + k) * OH * OW;
            const float* wp = w + ((long long)k * cg + cl) * kH * kW;
            for (int r = 0; r < kH; r++) {
                // ih = oh * sH - pH + r * dH must hold for a whole output row oh.
                int th = ih + pH - r * dH;
                if (th < 0 || th % sH != 0) {
                    continue;
                }
                int oh = th / sH;
                if (oh >= OH) {
                    continue;
                }
                const float* wr = wp + fovea_tap(r, kH, flip) * kW;
                for (int s = 0; s < kW; s++) {
                    int tw = iw + pW - s * dW;
                    if (tw < 0 || tw % sW != 0) {
                        continue;
                    }
                    int ow = tw / sW;
                    if (ow >= OW) {
                        continue;
                    }
                    sum += dyp[oh * OW + ow] * wr[fovea_tap(s, kW, flip)];
                }
            }
        }
        dx[i] = sum;
    }
}

// Gradient with respect to w: one thread per weight element, summing dy * x over N, OH, OW.
// W = K*(C/groups)*kH*kW.
extern "C" __global__ void fovea_conv2d_direct_backward_filter(const float* dy, const float* x, float* dw, int N,
                                                               int C, int H, int W, int K, int kH, int kW, int OH,
                                                               int OW, int sH, int sW, int pH, int pW, int dH,
                                                               int dW, int groups, int flip) {
    int cg = C / groups;
    int kg = K / groups;
    long long total = (long long)K * cg * kH * kW;
    FOVEA_GRID_LOOP(j, total) {
        int sw = (int)(j % kW);
        int rw = (int)((j / kW) % kH);
        int cl = (int)((j / ((long long)kW * kH)) % cg);
        int k = (int)(j / ((long long)kW * kH * cg));
        // The tap that weight element (rw, sw) serves.
        int r = fovea_tap(rw, kH, flip);
        int s = fovea_tap(sw, kW, flip);
        int c = (k / kg) * cg + cl;
        float sum = 0.0f;
        for (long long n = 0; n < N; n++) {
            const float* xp = x + (n * C + c) * H * W;
            const float* dyp = dy + (n * K + k) * OH * OW;
            for (int oh = 0; oh < OH; oh++) {
                int h = oh * sH - pH + r * dH;
                if (h < 0 || h >= H) {
                    continue;
                }
                for (int ow = 0; ow < OW; ow++) {
                    int ww = ow * sW - pW + s * dW;
                    if (ww < 0 || ww >= W) {
                        continue;
                    }
                    sum += dyp[oh * OW + ow] * xp[h * W + ww];
                }
            }
        }
        dw[j] = sum;
    }
}
