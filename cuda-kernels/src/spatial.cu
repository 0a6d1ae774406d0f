// Spatial resampling over NCHW float32 planes: adaptive average and max pooling, nearest and
// bilinear upsampling, constant/reflect/replicate padding.
//
// The index rules are those of the parameter records (dev.fovea.primitives.AdaptivePool2dParams,
// Upsample2dParams, Pad2dParams) and of PyTorch 1.13. Forward passes run one thread per output
// element. Backward passes run one thread per INPUT element and gather from the outputs that read
// it, so no two threads write the same cell: no atomics, and a deterministic summation order.
//
// All of them serve the one Backend#resample2d pair, which CudaSpatial dispatches on the Resampling2d
// record; average pooling to 1x1 (global_avg_pool2d) takes pooling.cu's fovea_global_avgpool2d_*
// instead: the same sums and divisions without the window arithmetic.
#include "common.cuh"

// Pad modes: the order of dev.fovea.primitives.PadMode.
#define FOVEA_PAD_CONSTANT 0
#define FOVEA_PAD_REFLECT 1
#define FOVEA_PAD_REPLICATE 2

// ---- adaptive pooling ---------------------------------------------------------------------------

// Output cell i of an axis of `out` cells covers input cells [start(i), end(i)) of `in`:
// floor(i * in / out) and ceil((i + 1) * in / out). With in and out swapped the same two functions
// give the output cells whose window holds input cell i.
__device__ __forceinline__ int fovea_adaptive_start(int i, int in, int out) {
    return (int)((long long)i * in / out);
}

__device__ __forceinline__ int fovea_adaptive_end(int i, int in, int out) {
    return (int)(((long long)(i + 1) * in + out - 1) / out);
}

// Adaptive average pooling: y = the mean of the input cells output cell (i, j) covers (above).
// W = N*C*OH*OW.
extern "C" __global__ void fovea_adaptive_avgpool2d_forward(const float* x, float* y, int N, int C, int H, int W,
                                                            int OH, int OW) {
    long long total = (long long)N * C * OH * OW;
    FOVEA_GRID_LOOP(o, total) {
        int ow = (int)(o % OW);
        int oh = (int)((o / OW) % OH);
        long long plane = o / ((long long)OW * OH);
        const float* xp = x + plane * H * W;
        int h0 = fovea_adaptive_start(oh, H, OH);
        int h1 = fovea_adaptive_end(oh, H, OH);
        int w0 = fovea_adaptive_start(ow, W, OW);
        int w1 = fovea_adaptive_end(ow, W, OW);
        float sum = 0.0f;
        for (int h = h0; h < h1; h++) {
            for (int w = w0; w < w1; w++) {
                sum += xp[h * W + w];
            }
        }
        y[o] = sum / (float)((h1 - h0) * (w1 - w0));
    }
}

// Gradient of adaptive average pooling: each input element gathers dy / window size from the
// outputs covering it.
// W = N*C*H*W.
extern "C" __global__ void fovea_adaptive_avgpool2d_backward(const float* dy, float* dx, int N, int C, int H, int W,
                                                             int OH, int OW) {
    long long total = (long long)N * C * H * W;
    FOVEA_GRID_LOOP(i, total) {
        int w = (int)(i % W);
        int h = (int)((i / W) % H);
        long long plane = i / ((long long)W * H);
        const float* dyp = dy + plane * OH * OW;
        int oh0 = fovea_adaptive_start(h, OH, H);
        int oh1 = fovea_adaptive_end(h, OH, H);
        int ow0 = fovea_adaptive_start(w, OW, W);
        int ow1 = fovea_adaptive_end(w, OW, W);
        float sum = 0.0f;
        for (int oh = oh0; oh < oh1; oh++) {
            int kh = fovea_adaptive_end(oh, H, OH) - fovea_adaptive_start(oh, H, OH);
            for (int ow = ow0; ow < ow1; ow++) {
                int kw = fovea_adaptive_end(ow, W, OW) - fovea_adaptive_start(ow, W, OW);
                sum += dyp[oh * OW + ow] / (float)(kh * kw);
            }
        }
        dx[i] = sum;
    }
}

// The winner rule of max pooling (pooling.cu): row-major visit, a strictly greater value or any NaN
// replaces it, so ties go to the first cell and the last NaN wins. idx holds h * W + w in the plane.
// Adaptive max pooling: y = the window's winner, idx (int32) where it is. W = N*C*OH*OW.
extern "C" __global__ void fovea_adaptive_maxpool2d_forward(const float* x, float* y, int* idx, int N, int C, int H,
                                                            int W, int OH, int OW) {
    long long total = (long long)N * C * OH * OW;
    FOVEA_GRID_LOOP(o, total) {
        int ow = (int)(o % OW);
        int oh = (int)((o / OW) % OH);
        long long plane = o / ((long long)OW * OH);
        const float* xp = x + plane * H * W;
        int h0 = fovea_adaptive_start(oh, H, OH);
        int h1 = fovea_adaptive_end(oh, H, OH);
        int w0 = fovea_adaptive_start(ow, W, OW);
        int w1 = fovea_adaptive_end(ow, W, OW);
        int best = h0 * W + w0;
        float bestValue = xp[best];
        for (int h = h0; h < h1; h++) {
            for (int w = w0; w < w1; w++) {
                float v = xp[h * W + w];
                if (fovea_is_nan(v) || v > bestValue) {
                    best = h * W + w;
                    bestValue = v;
                }
            }
        }
        y[o] = bestValue;
        idx[o] = best;
    }
}

// Gradient of adaptive max pooling: each input element gathers dy from the outputs whose idx
// points at it.
// W = N*C*H*W.
extern "C" __global__ void fovea_adaptive_maxpool2d_backward(const float* dy, const int* idx, float* dx, int N, int C,
                                                             int H, int W, int OH, int OW) {
    long long total = (long long)N * C * H * W;
    FOVEA_GRID_LOOP(i, total) {
        int w = (int)(i % W);
        int h = (int)((i / W) % H);
        long long plane = i / ((long long)W * H);
        int here = h * W + w;
        const float* dyp = dy + plane * OH * OW;
        const int* ip = idx + plane * OH * OW;
        int oh0 = fovea_adaptive_start(h, OH, H);
        int oh1 = fovea_adaptive_end(h, OH, H);
        int ow0 = fovea_adaptive_start(w, OW, W);
        int ow1 = fovea_adaptive_end(w, OW, W);
        float sum = 0.0f;
        for (int oh = oh0; oh < oh1; oh++) {
            for (int ow = ow0; ow < ow1; ow++) {
                if (ip[oh * OW + ow] == here) {
                    sum += dyp[oh * OW + ow];
                }
            }
        }
        dx[i] = sum;
    }
}

// ---- upsampling ---------------------------------------------------------------------------------

// `scale` is Upsample2dParams.sourceScale, computed on the host: 1/scale_factor, in/out, or with
// align_corners (in-1)/(out-1), as a float.

// The input cell that nearest-mode output cell dst copies; dst * scale >= 0, so truncation is floor.
__device__ __forceinline__ int fovea_nearest_source(int dst, int in, int out, float scale) {
    if (out == in) {
        return dst;
    }
    if (out == 2 * in) {
        return dst >> 1;
    }
    return min((int)((float)dst * scale), in - 1);
}

// The bilinear taps of output cell dst: cells i0 and i1 (= i0 + 1, or i0 at the edge) with weights
// l0 = 1 - f and l1 = f. PyTorch computes the half-pixel source scale * (dst + 0.5) - 0.5 in double
// and rounds it to float; that double is exact (a 24-bit by 25-bit product, then 0.5 off), so one
// fma, which rounds the exact value once, gives the same float.
__device__ __forceinline__ void fovea_linear_taps(int dst, int in, int out, float scale, int alignCorners, int* i0,
                                                  int* i1, float* l0, float* l1) {
    if (out == in) {
        *i0 = dst;
        *i1 = dst;
        *l0 = 1.0f;
        *l1 = 0.0f;
        return;
    }
    float src = alignCorners ? scale * (float)dst : fmaf(scale, (float)dst + 0.5f, -0.5f);
    if (src < 0.0f) {
        src = 0.0f;
    }
    int lo = (int)src;
    *i0 = lo;
    *i1 = lo < in - 1 ? lo + 1 : lo;
    *l1 = src - (float)lo;
    *l0 = 1.0f - *l1;
}

// The first output cell whose lowest tap is at least `target`: taps never decrease along an axis,
// so a binary search over [0, out) finds it; out when there is none.
__device__ __forceinline__ int fovea_first_tap_at_least(int target, int in, int out, float scale, int bilinear,
                                                        int alignCorners) {
    int lo = 0;
    int hi = out;
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        int tap;
        if (bilinear) {
            int i1;
            float l0, l1;
            fovea_linear_taps(mid, in, out, scale, alignCorners, &tap, &i1, &l0, &l1);
        } else {
            tap = fovea_nearest_source(mid, in, out, scale);
        }
        if (tap < target) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

// Nearest upsampling: y reads min((int)(dst * scale), in - 1) per axis, except that an axis of
// the same size is copied and one of twice the size reads dst / 2 (PyTorch's special cases).
// W = N*C*OH*OW.
extern "C" __global__ void fovea_upsample_nearest_forward(const float* x, float* y, int N, int C, int H, int W,
                                                          int OH, int OW, float scaleH, float scaleW) {
    long long total = (long long)N * C * OH * OW;
    FOVEA_GRID_LOOP(o, total) {
        int ow = (int)(o % OW);
        int oh = (int)((o / OW) % OH);
        long long plane = o / ((long long)OW * OH);
        int h = fovea_nearest_source(oh, H, OH, scaleH);
        int w = fovea_nearest_source(ow, W, OW, scaleW);
        y[o] = x[plane * H * W + h * W + w];
    }
}

// Output cells copying input cell h form a run: from the first whose source is h to the first whose
// source is past it. Gradient of nearest upsampling: W = N*C*H*W.
extern "C" __global__ void fovea_upsample_nearest_backward(const float* dy, float* dx, int N, int C, int H, int W,
                                                           int OH, int OW, float scaleH, float scaleW) {
    long long total = (long long)N * C * H * W;
    FOVEA_GRID_LOOP(i, total) {
        int w = (int)(i % W);
        int h = (int)((i / W) % H);
        long long plane = i / ((long long)W * H);
        const float* dyp = dy + plane * OH * OW;
        int oh0 = fovea_first_tap_at_least(h, H, OH, scaleH, 0, 0);
        int oh1 = fovea_first_tap_at_least(h + 1, H, OH, scaleH, 0, 0);
        int ow0 = fovea_first_tap_at_least(w, W, OW, scaleW, 0, 0);
        int ow1 = fovea_first_tap_at_least(w + 1, W, OW, scaleW, 0, 0);
        float sum = 0.0f;
        for (int oh = oh0; oh < oh1; oh++) {
            for (int ow = ow0; ow < ow1; ow++) {
                sum += dyp[oh * OW + ow];
            }
        }
        dx[i] = sum;
    }
}

// Bilinear upsampling: reads the two cells around src = scale * dst (alignCorners != 0) or
// max(fma(scale, dst + 0.5, -0.5), 0), the second tap clamped to the edge; an axis of the same
// size is copied. W = N*C*OH*OW.
extern "C" __global__ void fovea_upsample_bilinear_forward(const float* x, float* y, int N, int C, int H, int W,
                                                           int OH, int OW, float scaleH, float scaleW,
                                                           int alignCorners) {
    long long total = (long long)N * C * OH * OW;
    FOVEA_GRID_LOOP(o, total) {
        int ow = (int)(o % OW);
        int oh = (int)((o / OW) % OH);
        long long plane = o / ((long long)OW * OH);
        const float* xp = x + plane * H * W;
        int h0, h1, w0, w1;
        float a0, a1, b0, b1;
        fovea_linear_taps(oh, H, OH, scaleH, alignCorners, &h0, &h1, &a0, &a1);
        fovea_linear_taps(ow, W, OW, scaleW, alignCorners, &w0, &w1, &b0, &b1);
        float top = b0 * xp[h0 * W + w0] + b1 * xp[h0 * W + w1];
        float bottom = b0 * xp[h1 * W + w0] + b1 * xp[h1 * W + w1];
        y[o] = a0 * top + a1 * bottom;
    }
}

// Gradient of bilinear upsampling. Input cell h is a tap of the output cells whose lower tap is
// h - 1 (as their upper tap) or h. The output cells that read an input cell are found by binary search (taps never decrease
// along an axis). W = N*C*H*W.
extern "C" __global__ void fovea_upsample_bilinear_backward(const float* dy, float* dx, int N, int C, int H, int W,
                                                            int OH, int OW, float scaleH, float scaleW,
                                                            int alignCorners) {
    long long total = (long long)N * C * H * W;
    FOVEA_GRID_LOOP(i, total) {
        int w = (int)(i % W);
        int h = (int)((i / W) % H);
        long long plane = i / ((long long)W * H);
        const float* dyp = dy + plane * OH * OW;
        int oh0 = fovea_first_tap_at_least(h - 1, H, OH, scaleH, 1, alignCorners);
        int oh1 = fovea_first_tap_at_least(h + 1, H, OH, scaleH, 1, alignCorners);
        int ow0 = fovea_first_tap_at_least(w - 1, W, OW, scaleW, 1, alignCorners);
        int ow1 = fovea_first_tap_at_least(w + 1, W, OW, scaleW, 1, alignCorners);
        float sum = 0.0f;
        for (int oh = oh0; oh < oh1; oh++) {
            int h0, h1;
            float a0, a1;
            fovea_linear_taps(oh, H, OH, scaleH, alignCorners, &h0, &h1, &a0, &a1);
            float a = (h0 == h ? a0 : 0.0f) + (h1 == h ? a1 : 0.0f);
            for (int ow = ow0; ow < ow1; ow++) {
                int w0, w1;
                float b0, b1;
                fovea_linear_taps(ow, W, OW, scaleW, alignCorners, &w0, &w1, &b0, &b1);
                float b = (w0 == w ? b0 : 0.0f) + (w1 == w ? b1 : 0.0f);
                sum += a * b * dyp[oh * OW + ow];
            }
        }
        dx[i] = sum;
    }
}

// ---- padding ------------------------------------------------------------------------------------

// The input cell output cell o of an axis reads (`before` padding cells ahead of `size` input
// cells), or -1 for a constant-filled cell. Reflect mirrors about the edge cell; each of its
// paddings is smaller than `size` (checked on the host), so one reflection suffices.
__device__ __forceinline__ int fovea_pad_source(int o, int size, int before, int mode) {
    int i = o - before;
    if (i >= 0 && i < size) {
        return i;
    }
    if (mode == FOVEA_PAD_CONSTANT) {
        return -1;
    }
    if (mode == FOVEA_PAD_REFLECT) {
        return i < 0 ? -i : 2 * (size - 1) - i;
    }
    return i < 0 ? 0 : size - 1;
}

// The output cells of an axis that read input cell i: the run [*lo, *hi), then *extras more, *e0
// and *e1 (reflect's mirror images). Scalars rather than an array keep the kernel in registers.
__device__ __forceinline__ void fovea_pad_readers(int i, int size, int before, int out, int mode, int* lo, int* hi,
                                                  int* extras, int* e0, int* e1) {
    *lo = i + before;
    *hi = i + before + 1;
    *extras = 0;
    *e0 = 0;
    *e1 = 0;
    if (mode == FOVEA_PAD_REPLICATE) {
        if (i == 0) {
            *lo = 0;
        }
        if (i == size - 1) {
            *hi = out;
        }
    } else if (mode == FOVEA_PAD_REFLECT) {
        int after = out - size - before;
        int left = i >= 1 && i <= before;
        int right = i <= size - 2 && size - 1 - i <= after;
        // Mirror images on the leading side, then the trailing side.
        *e0 = left ? before - i : before + 2 * (size - 1) - i;
        *e1 = before + 2 * (size - 1) - i;
        *extras = left + right;
    }
}

// Reader k of an axis: the run first, then the extras.
__device__ __forceinline__ int fovea_pad_reader(int k, int lo, int run, int e0, int e1) {
    return k < run ? lo + k : (k == run ? e0 : e1);
}

// Padding: mode 0 constant (fills value), 1 reflect (cell -1 reads cell 1; each padding smaller
// than its dimension), 2 replicate; left and top are the leading paddings, the right and bottom
// ones are OW - W - left and OH - H - top. W = N*C*OH*OW.
extern "C" __global__ void fovea_pad2d_forward(const float* x, float* y, int N, int C, int H, int W, int OH, int OW,
                                               int left, int top, int mode, float value) {
    long long total = (long long)N * C * OH * OW;
    FOVEA_GRID_LOOP(o, total) {
        int ow = (int)(o % OW);
        int oh = (int)((o / OW) % OH);
        long long plane = o / ((long long)OW * OH);
        int h = fovea_pad_source(oh, H, top, mode);
        int w = fovea_pad_source(ow, W, left, mode);
        y[o] = h < 0 || w < 0 ? value : x[plane * H * W + h * W + w];
    }
}

// Gradient of padding: each input element gathers dy from the output cells that read it.
// W = N*C*H*W.
extern "C" __global__ void fovea_pad2d_backward(const float* dy, float* dx, int N, int C, int H, int W, int OH,
                                                int OW, int left, int top, int mode) {
    long long total = (long long)N * C * H * W;
    FOVEA_GRID_LOOP(i, total) {
        int w = (int)(i % W);
        int h = (int)((i / W) % H);
        long long plane = i / ((long long)W * H);
        const float* dyp = dy + plane * OH * OW;
        int rowLo, rowHi, rowExtras, rowE0, rowE1;
        int colLo, colHi, colExtras, colE0, colE1;
        fovea_pad_readers(h, H, top, OH, mode, &rowLo, &rowHi, &rowExtras, &rowE0, &rowE1);
        fovea_pad_readers(w, W, left, OW, mode, &colLo, &colHi, &colExtras, &colE0, &colE1);
        int rowRun = rowHi - rowLo;
        int colRun = colHi - colLo;
        float sum = 0.0f;
        for (int r = 0; r < rowRun + rowExtras; r++) {
            int oh = fovea_pad_reader(r, rowLo, rowRun, rowE0, rowE1);
            for (int c = 0; c < colRun + colExtras; c++) {
                sum += dyp[oh * OW + fovea_pad_reader(c, colLo, colRun, colE0, colE1)];
            }
        }
        dx[i] = sum;
    }
}
