// Generic strided kernels for the tensor-algebra ops (KERNELS.md, tensor.ptx): broadcasting binary
// maps, sums to a shape and strided copies (broadcasts and permutes). The host merges dims
// (dev.fovea.primitives.StridedLayout) and passes FOVEA_DIMS sizes, outermost first, padded at the front
// with size 1, and per operand its element stride along each (0 where it is broadcast). One thread
// per output element turns its flat index into offsets, stopping at the first coordinate above
// which all are 0 (so padded and outer dims cost nothing); a sum is one thread per output value
// adding its inputs in row-major order, so every result is deterministic and no atomics are needed.
// More than FOVEA_DIMS merged dims is an error on the host. A same-shape add keeps fovea_add.
#include "common.cuh"

#define FOVEA_DIMS 6

// dev.fovea.primitives.BinaryOp#code()
#define FOVEA_BINARY_ADD 0
#define FOVEA_BINARY_SUB 1
#define FOVEA_BINARY_MUL 2
#define FOVEA_BINARY_DIV 3

__device__ __forceinline__ float fovea_binary_apply(float a, float b, int op) {
    switch (op) {
        case FOVEA_BINARY_ADD:
            return a + b;
        case FOVEA_BINARY_SUB:
            return a - b;
        case FOVEA_BINARY_MUL:
            return a * b;
        case FOVEA_BINARY_DIV:
            return a / b;
        default:
            return __int_as_float(0x7fffffff);
    }
}

// z[i] = a[offset_a(i)] op b[offset_b(i)] over an output of n elements with dims d0..d5.
// op = dev.fovea.primitives.BinaryOp#code() (0 add, 1 sub, 2 mul, 3 div; another writes NaN).
// W = n.
extern "C" __global__ void fovea_binary(const float* a, const float* b, float* z, int n, int d0, int d1, int d2,
                                        int d3, int d4, int d5, int sa0, int sa1, int sa2, int sa3, int sa4, int sa5,
                                        int sb0, int sb1, int sb2, int sb3, int sb4, int sb5, int op) {
    const int d[FOVEA_DIMS] = {d0, d1, d2, d3, d4, d5};
    const int sa[FOVEA_DIMS] = {sa0, sa1, sa2, sa3, sa4, sa5};
    const int sb[FOVEA_DIMS] = {sb0, sb1, sb2, sb3, sb4, sb5};
    FOVEA_GRID_LOOP(i, n) {
        int rest = (int)i;
        int oa = 0;
        int ob = 0;
        for (int k = FOVEA_DIMS - 1; k >= 0 && rest != 0; k--) {
            int c = rest % d[k];
            rest /= d[k];
            oa += c * sa[k];
            ob += c * sb[k];
        }
        z[i] = fovea_binary_apply(a[oa], b[ob], op);
    }
}

// y[o] = scale * sum of the contiguous input x (dims d0..d5) over the dims whose bit is set in
// reducedMask (bit k for dim k), for each of the outN combinations of the others; each sum adds
// its reducedN inputs in row-major order.
// W = outN.
extern "C" __global__ void fovea_sum_to(const float* x, float* y, int outN, int reducedN, int reducedMask, int d0,
                                        int d1, int d2, int d3, int d4, int d5, float scale) {
    const int d[FOVEA_DIMS] = {d0, d1, d2, d3, d4, d5};
    FOVEA_GRID_LOOP(o, outN) {
        int rest = (int)o;
        int base = 0;
        int stride = 1;
        for (int k = FOVEA_DIMS - 1; k >= 0 && rest != 0; k--) {
            if ((reducedMask & (1 << k)) == 0) {
                base += rest % d[k] * stride;
                rest /= d[k];
            }
            stride *= d[k];
        }
        float acc = 0.0f;
        for (int r = 0; r < reducedN; r++) {
            int q = r;
            int off = base;
            stride = 1;
            for (int k = FOVEA_DIMS - 1; k >= 0 && q != 0; k--) {
                if ((reducedMask & (1 << k)) != 0) {
                    off += q % d[k] * stride;
                    q /= d[k];
                }
                stride *= d[k];
            }
            acc += x[off];
        }
        y[o] = acc * scale;
    }
}

// y[i] = x[offset(i)] over an output of n elements with dims d0..d5 and input strides s0..s5:
// a permute (strides permuted) or a broadcast (strides 0 on the stretched dims).
// W = n.
extern "C" __global__ void fovea_strided_copy(const float* x, float* y, int n, int d0, int d1, int d2, int d3, int d4,
                                              int d5, int s0, int s1, int s2, int s3, int s4, int s5) {
    const int d[FOVEA_DIMS] = {d0, d1, d2, d3, d4, d5};
    const int s[FOVEA_DIMS] = {s0, s1, s2, s3, s4, s5};
    FOVEA_GRID_LOOP(i, n) {
        int rest = (int)i;
        int off = 0;
        for (int k = FOVEA_DIMS - 1; k >= 0 && rest != 0; k--) {
            off += rest % d[k] * s[k];
            rest /= d[k];
        }
        y[i] = x[off];
    }
}
