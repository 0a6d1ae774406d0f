// im2col and col2im for the convolution path that needs only cuBLAS (no cuDNN installed).
//
// For each image n of x [N, C, H, W], col[n] is a [C * kH * kW, OH * OW] row-major matrix whose
// row (c, r, s) holds, for every output cell, the input value under kernel tap (r, s) of channel c
// (0 where the tap lands in padding). Then y[n] = w [K, C*kH*kW] x col[n] is one GEMM per image
// (or one strided-batched GEMM), per group when groups > 1 (group g uses rows g*(C/groups)*kH*kW
// onwards). With flip != 0 (CONVOLUTION mode) row (c, r, s) reads tap (kH-1-r, kW-1-s) so the
// weights need no flipping.
//
// col2im is the adjoint: dx[n, c, h, w] = sum of the col[n] entries that read (h, w). It runs one
// thread per input element and gathers, so it overwrites dx deterministically and needs no atomics.
//
// col holds the images one after another (N*C*kH*kW*OH*OW floats); with groups > 1 group g also uses
// weight rows from g*(K/groups). Backward: dcol[n] = w^T x dy[n], then col2im; dw = sum_n dy[n] x
// col[n]^T as one strided-batched GEMM per chunk of images into per-image partial weight gradients
// [images, K, C*kH*kW], then fovea_sum_slices(partials, dw, images, K*C*kH*kW, accumulate = not the
// first chunk). Pass N = 1 and offset pointers to work image by image.
#include "common.cuh"

// col[n] for each image (the layout above). W = N*C*kH*kW*OH*OW.
extern "C" __global__ void fovea_im2col(const float* x, float* col, int N, int C, int H, int W, int kH, int kW,
                                        int OH, int OW, int sH, int sW, int pH, int pW, int dH, int dW, int flip) {
    long long rows = (long long)C * kH * kW;
    long long cols = (long long)OH * OW;
    long long total = (long long)N * rows * cols;
    FOVEA_GRID_LOOP(j, total) {
        int ow = (int)(j % OW);
        int oh = (int)((j / OW) % OH);
        long long row = (j / cols) % rows;
        long long n = j / (cols * rows);
        int s = (int)(row % kW);
        int r = (int)((row / kW) % kH);
        long long c = row / ((long long)kW * kH);
        if (flip) {
            r = kH - 1 - r;
            s = kW - 1 - s;
        }
        int h = oh * sH - pH + r * dH;
        int w = ow * sW - pW + s * dW;
        float v = 0.0f;
        if (h >= 0 && h < H && w >= 0 && w < W) {
            v = x[((n * C + c) * H + h) * W + w];
        }
        col[j] = v;
    }
}

// The adjoint of im2col: one thread per input element gathers (overwrites dx). W = N*C*H*W.
extern "C" __global__ void fovea_col2im(const float* col, float* dx, int N, int C, int H, int W, int kH, int kW,
                                        int OH, int OW, int sH, int sW, int pH, int pW, int dH, int dW, int flip) {
    long long rows = (long long)C * kH * kW;
    long long cols = (long long)OH * OW;
    long long total = (long long)N * C * H * W;
    FOVEA_GRID_LOOP(i, total) {
        int w = (int)(i % W);
        int h = (int)((i / W) % H);
        long long c = (i / ((long long)W * H)) % C;
        long long n = i / ((long long)W * H * C);
        const float* cp = col + n * rows * cols;
        float sum = 0.0f;
        for (int r = 0; r < kH; r++) {
            int th = h + pH - r * dH;
            if (th < 0 || th % sH != 0 || th / sH >= OH) {
                continue;
            }
            int oh = th / sH;
            for (int s = 0; s < kW; s++) {
                int tw = w + pW - s * dW;
                if (tw < 0 || tw % sW != 0 || tw / sW >= OW) {
                    continue;
                }
                int ow = tw / sW;
                int rr = flip ? kH - 1 - r : r;
                int ss = flip ? kW - 1 - s : s;
                long long row = (c * kH + rr) * kW + ss;
                sum += cp[row * cols + (long long)oh * OW + ow];
            }
        }
        dx[i] = sum;
    }
}
