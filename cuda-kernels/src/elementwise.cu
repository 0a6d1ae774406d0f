// Elementwise and per-channel kernels the executor needs so a training step keeps its activations
// on the device: fill/scale/add/axpy, activations and their gradients, PReLU, per-channel bias,
// dropout, the second pass of channel reductions, softmax along one dimension, and the strided
// block copy behind concat and split. float32 throughout; n counts elements.
// W = n unless stated.
#include "common.cuh"

// ---- basic arithmetic ----------------------------------------------------------------------

// y = value. W = n.
extern "C" __global__ void fovea_fill(float* y, int n, float value) {
    FOVEA_GRID_LOOP(i, n) {
        y[i] = value;
    }
}

// y = a * x; y may be x.
// W = n.
extern "C" __global__ void fovea_scale(const float* x, float* y, int n, float a) {
    FOVEA_GRID_LOOP(i, n) {
        y[i] = a * x[i];
    }
}

// z = x + y; z may alias x or y.
// W = n.
extern "C" __global__ void fovea_add(const float* x, const float* y, float* z, int n) {
    FOVEA_GRID_LOOP(i, n) {
        z[i] = x[i] + y[i];
    }
}

// y += a * x: gradient accumulation where a tensor feeds several nodes.
// In place (the only accumulating basic kernel). W = n.
extern "C" __global__ void fovea_axpy(const float* x, float* y, int n, float a) {
    FOVEA_GRID_LOOP(i, n) {
        y[i] += a * x[i];
    }
}

// y = x * mask, for both directions of inverted dropout: the mask holds 0 or 1/(1-p).
// W = n.
extern "C" __global__ void fovea_dropout_apply(const float* x, const float* mask, float* y, int n) {
    FOVEA_GRID_LOOP(i, n) {
        y[i] = x[i] * mask[i];
    }
}

// Philox4x32-10 (Salmon et al., SC 2011) of counter (counter, 0, 0, 0), key (k0, k1): word `lane`.
// Multiplies are written as 64-bit products so the CPU build and the GPU agree bit for bit.
__device__ __forceinline__ unsigned fovea_philox_word(unsigned long long counter, unsigned k0, unsigned k1,
                                                     int lane) {
    unsigned c0 = (unsigned)counter;
    unsigned c1 = (unsigned)(counter >> 32);
    unsigned c2 = 0;
    unsigned c3 = 0;
    for (int round = 0; round < 10; round++) {
        unsigned long long p0 = 0xD2511F53ull * c0;
        unsigned long long p1 = 0xCD9E8D57ull * c2;
        unsigned n0 = (unsigned)(p1 >> 32) ^ c1 ^ k0;
        unsigned n1 = (unsigned)p1;
        unsigned n2 = (unsigned)(p0 >> 32) ^ c3 ^ k1;
        unsigned n3 = (unsigned)p0;
        c0 = n0;
        c1 = n1;
        c2 = n2;
        c3 = n3;
        k0 += 0x9E3779B9u;
        k1 += 0xBB67AE85u;
    }
    return lane == 0 ? c0 : lane == 1 ? c1 : lane == 2 ? c2 : c3;
}

// Inverted dropout drawn on the device, the mask bit for bit dev.fovea.primitives.DropoutMask's: element i
// keeps x[i] * scale when Philox word i (counter i / 4, lane i % 4, key = the seed's two halves) is
// at least `threshold` as an unsigned number, else 0; the mask is written for the backward pass.
// Philox is Philox4x32-10. W = n.
extern "C" __global__ void fovea_dropout_forward(const float* x, float* mask, float* y, int n, int seedLo, int seedHi,
                                                 int threshold, float scale) {
    FOVEA_GRID_LOOP(i, n) {
        unsigned word = fovea_philox_word((unsigned long long)i >> 2, (unsigned)seedLo, (unsigned)seedHi, (int)(i & 3));
        float m = word >= (unsigned)threshold ? scale : 0.0f;
        mask[i] = m;
        y[i] = x[i] * m;
    }
}

// ---- activations: one generic pair of kernels; `kind` is dev.fovea.primitives.Activation#code() (the
// constant's position in that enum), `p` its number attribute (leaky ReLU's slope, ELU's alpha).
// Each case is the Java constant's formula in float, with PyTorch's choices at kinks and NaN: the
// ReLU gradient at exactly 0 is 0; ReLU passes NaN and -0 and passes the gradient where its output
// is NaN; leaky ReLU scales both by the slope for every input that is not positive, NaN included;
// where ATen's vectorised CPU kernels and their scalar tail differ (the hardswish gradient at 3 and
// at NaN, the ELU gradient at NaN) the vectorised ones'.
// An unknown kind writes NaN, so a Java constant without a case here fails every test that runs it.

#define FOVEA_ACT_RELU 0
#define FOVEA_ACT_LEAKY_RELU 1
#define FOVEA_ACT_SIGMOID 2
#define FOVEA_ACT_TANH 3
#define FOVEA_ACT_HARDSWISH 4
#define FOVEA_ACT_HARDSIGMOID 5
#define FOVEA_ACT_SILU 6
#define FOVEA_ACT_GELU 7
#define FOVEA_ACT_GELU_TANH 8
#define FOVEA_ACT_MISH 9
#define FOVEA_ACT_ELU 10
#define FOVEA_ACT_RELU6 11
#define FOVEA_ACT_SOFTPLUS 12
#define FOVEA_ACT_SELU 13

#define FOVEA_SQRT1_2 0.70710678118654752f
#define FOVEA_INV_SQRT_2PI 0.39894228040143268f
#define FOVEA_SQRT_2_PI 0.79788456080286536f
#define FOVEA_GELU_KAPPA 0.044715f
#define FOVEA_SOFTPLUS_THRESHOLD 20.0f
#define FOVEA_SELU_SCALE 1.0507009873554804934193349852946f
// scale * alpha, multiplied in float as ATen does.
#define FOVEA_SELU_NEGATIVE (1.6732632423543772848170429916717f * FOVEA_SELU_SCALE)

// min(max(v, 0), 6) with NaN passing through, as std::min/std::max in ATen.
__device__ __forceinline__ float fovea_relu6(float v) {
    return v < 0.0f ? 0.0f : v > 6.0f ? 6.0f : v;
}

__device__ __forceinline__ float fovea_activation(int kind, float x, float p) {
    switch (kind) {
        case FOVEA_ACT_RELU: return x < 0.0f ? 0.0f : x;
        case FOVEA_ACT_LEAKY_RELU: return x > 0.0f ? x : x * p;
        case FOVEA_ACT_SIGMOID: return fovea_sigmoid(x);
        case FOVEA_ACT_TANH: return tanhf(x);
        case FOVEA_ACT_HARDSWISH: return x * fovea_relu6(x + 3.0f) / 6.0f;
        case FOVEA_ACT_HARDSIGMOID: return fovea_relu6(x + 3.0f) / 6.0f;
        case FOVEA_ACT_SILU: return x * fovea_sigmoid(x);
        case FOVEA_ACT_GELU: return x * 0.5f * (1.0f + erff(x * FOVEA_SQRT1_2));
        case FOVEA_ACT_GELU_TANH:
            return 0.5f * x * (1.0f + tanhf(FOVEA_SQRT_2_PI * (x + FOVEA_GELU_KAPPA * x * x * x)));
        case FOVEA_ACT_MISH: return x * tanhf(log1pf(expf(x)));
        case FOVEA_ACT_ELU: return x <= 0.0f ? p * expm1f(x) : x;
        case FOVEA_ACT_RELU6: return fovea_relu6(x);
        case FOVEA_ACT_SOFTPLUS: {
            float bx = x * p;
            return bx > FOVEA_SOFTPLUS_THRESHOLD ? x : log1pf(expf(bx)) / p;
        }
        case FOVEA_ACT_SELU: return x > 0.0f ? x * FOVEA_SELU_SCALE : FOVEA_SELU_NEGATIVE * expm1f(x);
        default: return __int_as_float(0x7fffffff);
    }
}

// dx = dy * f'(x), given the input x and the forward output y (sigmoid and tanh use y).
__device__ __forceinline__ float fovea_activation_grad(int kind, float dy, float x, float y, float p) {
    switch (kind) {
        case FOVEA_ACT_RELU: return x <= 0.0f ? 0.0f : dy;
        case FOVEA_ACT_LEAKY_RELU: return x > 0.0f ? dy : dy * p;
        case FOVEA_ACT_SIGMOID: return dy * y * (1.0f - y);
        case FOVEA_ACT_TANH: return dy * (1.0f - y * y);
        case FOVEA_ACT_HARDSWISH: return x < -3.0f ? 0.0f : x >= 3.0f ? dy : dy * (x / 3.0f + 0.5f);
        case FOVEA_ACT_HARDSIGMOID: return x > -3.0f && x < 3.0f ? dy / 6.0f : 0.0f;
        case FOVEA_ACT_SILU: {
            float s = fovea_sigmoid(x);
            return dy * s * (1.0f + x * (1.0f - s));
        }
        case FOVEA_ACT_GELU: {
            float cdf = 0.5f * (1.0f + erff(x * FOVEA_SQRT1_2));
            float pdf = expf(-0.5f * x * x) * FOVEA_INV_SQRT_2PI;
            return dy * (cdf + x * pdf);
        }
        case FOVEA_ACT_GELU_TANH: {
            float t = tanhf(FOVEA_SQRT_2_PI * (x + FOVEA_GELU_KAPPA * x * x * x));
            float right = (1.0f - t * t) * FOVEA_SQRT_2_PI * (1.0f + 3.0f * FOVEA_GELU_KAPPA * x * x);
            return dy * (0.5f * (1.0f + t) + 0.5f * x * right);
        }
        case FOVEA_ACT_MISH: {
            float s = fovea_sigmoid(x);
            float t = tanhf(log1pf(expf(x)));
            return dy * (t + x * s * (1.0f - t * t));
        }
        case FOVEA_ACT_ELU: return x > 0.0f ? dy : dy * p * expf(x);
        case FOVEA_ACT_RELU6: return x > 0.0f && x < 6.0f ? dy : 0.0f;
        case FOVEA_ACT_SOFTPLUS: {
            float bx = x * p;
            return bx > FOVEA_SOFTPLUS_THRESHOLD ? dy : dy * fovea_sigmoid(bx);
        }
        case FOVEA_ACT_SELU: return x > 0.0f ? dy * FOVEA_SELU_SCALE : dy * FOVEA_SELU_NEGATIVE * expf(x);
        default: return __int_as_float(0x7fffffff);
    }
}

// y = f(x): kind is dev.fovea.primitives.Activation#code(), the constant's position in that enum
// (the FOVEA_ACT_* list above), p the number attribute (leaky ReLU's slope, ELU's alpha; else
// ignored); an unknown kind writes NaN. W = n.
extern "C" __global__ void fovea_activation_forward(const float* x, float* y, int n, int kind, float p) {
    FOVEA_GRID_LOOP(i, n) {
        y[i] = fovea_activation(kind, x[i], p);
    }
}

// x and y are the forward's input and output; each kind reads the one its derivative needs.
// dx = dy * f'(x) (sigmoid and tanh read y, the others x), with PyTorch's choices at kinks and
// NaN (relu: dx = x > 0 ? dy : 0); an unknown kind writes NaN. W = n.
extern "C" __global__ void fovea_activation_backward(const float* dy, const float* x, const float* y, float* dx,
                                                     int n, int kind, float p) {
    FOVEA_GRID_LOOP(i, n) {
        dx[i] = fovea_activation_grad(kind, dy[i], x[i], y[i], p);
    }
}

// ---- PReLU: slopes w[C] per channel of [N, C, inner], or one shared slope (slopes == 1) -------

// y = x > 0 ? x : w[c] * x for input [N, C, inner]; slopes = 1 (one shared w[0]) or C. W = n.
extern "C" __global__ void fovea_prelu_forward(const float* x, const float* w, float* y, int n, int C, int inner,
                                               int slopes) {
    FOVEA_GRID_LOOP(i, n) {
        float v = x[i];
        float a = w[slopes == 1 ? 0 : (int)((i / inner) % C)];
        y[i] = v > 0.0f ? v : a * v;
    }
}

// dx = x > 0 ? dy : w[c] * dy, slopes as fovea_prelu_forward. W = n.
extern "C" __global__ void fovea_prelu_backward_data(const float* dy, const float* x, const float* w, float* dx,
                                                     int n, int C, int inner, int slopes) {
    FOVEA_GRID_LOOP(i, n) {
        float a = w[slopes == 1 ? 0 : (int)((i / inner) % C)];
        dx[i] = x[i] > 0.0f ? dy[i] : a * dy[i];
    }
}

// Weight gradient, pass 1 of 2: partials[j] = sum of x * dy over the inputs of segment j,
// [j * len, min((j + 1) * len, n)), that are not positive (NaN included), in index order; one
// thread per segment. Per-channel slopes: len = inner, so segment j is plane (n, c) = (j / C, j % C),
// then fovea_sum_slices(partials, dw, N, C, 0). A shared slope: any len, then the partials summed.
// A shared slope: len = 1024, then fovea_sum_slices(partials, dw, ceil(n/1024), 1, 0).
// W = ceil(n/len).
extern "C" __global__ void fovea_prelu_weight_partials(const float* dy, const float* x, float* partials, int n,
                                                       int len) {
    long long segments = ((long long)n + len - 1) / len;
    FOVEA_GRID_LOOP(j, segments) {
        long long begin = j * len;
        long long end = begin + len < n ? begin + len : n;
        float sum = 0.0f;
        for (long long i = begin; i < end; i++) {
            float v = x[i];
            if (!(v > 0.0f)) {
                sum += v * dy[i];
            }
        }
        partials[j] = sum;
    }
}

// ---- per-channel bias of [N, C, HW] (a linear layer's [N, F] is HW = 1) ----------------------

// y[n, c, :] += b[c], in place on the convolution or GEMM output.
// Linear layers: HW = 1. W = N*C*HW.
extern "C" __global__ void fovea_bias_add(const float* b, float* y, int N, int C, int HW) {
    long long total = (long long)N * C * HW;
    FOVEA_GRID_LOOP(i, total) {
        y[i] += b[(i / HW) % C];
    }
}

// ---- channel reductions, in two deterministic passes ------------------------------------------
// A sum per channel c of [N, C, HW] runs as pass 1, one thread per (n, c) plane reducing its HW
// contiguous values into a partial [N, C] (fovea_sum_chunks with chunk = HW for plain sums, or an
// op's own partial kernel), then pass 2 below, one thread per channel adding its N partials in the
// order n = 0, 1, ...: N * C threads busy instead of C, no atomics, no shared memory, and the same
// bits under every launch configuration. The bias gradient is exactly that (HW = 1: pass 2 alone).

// out[j] = (accumulate ? out[j] : 0) + in[j] + in[len + j] + ... + in[(slices - 1) * len + j], added
// in that order; one thread per j < len. slices = 0 writes 0 (or leaves out as it is, accumulating).
// Pass 2 of every channel reduction. W = len.
extern "C" __global__ void fovea_sum_slices(const float* in, float* out, int slices, int len, int accumulate) {
    FOVEA_GRID_LOOP(j, len) {
        float sum = accumulate ? out[j] : 0.0f;
        for (long long s = 0; s < slices; s++) {
            sum += in[s * len + j];
        }
        out[j] = sum;
    }
}

// ---- softmax along one dimension of a tensor viewed as [outer, D, inner] ----------------------

// One thread per (outer, inner) line of D values; log != 0 gives log-softmax.
// W = outer*inner.
extern "C" __global__ void fovea_softmax_forward(const float* x, float* y, int outer, int D, int inner, int log) {
    long long lines = (long long)outer * inner;
    FOVEA_GRID_LOOP(l, lines) {
        long long base = (l / inner) * D * inner + l % inner;
        float m = x[base];
        for (int d = 1; d < D; d++) {
            m = fmaxf(m, x[base + (long long)d * inner]);
        }
        float sum = 0.0f;
        for (int d = 0; d < D; d++) {
            sum += expf(x[base + (long long)d * inner] - m);
        }
        float logSum = logf(sum);
        for (int d = 0; d < D; d++) {
            long long at = base + (long long)d * inner;
            float shifted = x[at] - m;
            y[at] = log ? shifted - logSum : expf(shifted) / sum;
        }
    }
}

// Gradient through the forward output y: softmax dx = y * (dy - sum(dy * y));
// log-softmax dx = dy - exp(y) * sum(dy).
// W = outer*inner.
extern "C" __global__ void fovea_softmax_backward(const float* dy, const float* y, float* dx, int outer, int D,
                                                  int inner, int log) {
    long long lines = (long long)outer * inner;
    FOVEA_GRID_LOOP(l, lines) {
        long long base = (l / inner) * D * inner + l % inner;
        float dot = 0.0f;
        for (int d = 0; d < D; d++) {
            long long at = base + (long long)d * inner;
            dot += log ? dy[at] : dy[at] * y[at];
        }
        for (int d = 0; d < D; d++) {
            long long at = base + (long long)d * inner;
            dx[at] = log ? dy[at] - expf(y[at]) * dot : y[at] * (dy[at] - dot);
        }
    }
}

// ---- concat and split ------------------------------------------------------------------------

// For b in [0, blocks): copies len floats from src + b * srcStride + srcOffset to
// dst + b * dstStride + dstOffset. Concat along dim d of inputs [outer, D_i, after] into
// [outer, sum D, after]: blocks = outer, len = D_i * after, dst stride (sum D) * after, dst offset
// (D_0 + ... + D_{i-1}) * after, src stride len, src offset 0. Split swaps the two sides.
// W = blocks*len.
extern "C" __global__ void fovea_copy_blocks(const float* src, float* dst, int blocks, int len, int srcStride,
                                             int srcOffset, int dstStride, int dstOffset) {
    long long total = (long long)blocks * len;
    FOVEA_GRID_LOOP(i, total) {
        long long b = i / len;
        long long j = i % len;
        dst[b * dstStride + dstOffset + j] = src[b * srcStride + srcOffset + j];
    }
}
