// Support for the cuDNN test programs (test/cudnn_*.cpp): a device context through the driver API,
// device buffers, descriptor helpers, checks that count and print. Included by tests only; the
// library does not use it. Expected values in the tests come from worked examples, hand
// computation and plain reference loops in the tests themselves, never from the library's code.
#ifndef FOVEA_SOFTGPU_CUDNN_TESTING_H
#define FOVEA_SOFTGPU_CUDNN_TESTING_H

#include "cudnn/cudnn_api.h"

#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

// The driver API functions the tests use, with their documented signatures.
extern "C" {
int cuInit(unsigned int flags);
int cuDeviceGet(int* device, int ordinal);
int cuDevicePrimaryCtxRetain(void** pctx, int dev);
int cuCtxSetCurrent(void* ctx);
int cuMemAlloc_v2(unsigned long long* dptr, size_t bytesize);
int cuMemFree_v2(unsigned long long dptr);
int cuMemcpyHtoD_v2(unsigned long long dstDevice, const void* srcHost, size_t byteCount);
int cuMemcpyDtoH_v2(void* dstHost, unsigned long long srcDevice, size_t byteCount);
int cuStreamCreate(void** phStream, unsigned int flags);
int cuStreamSynchronize(void* hStream);
int cuStreamDestroy_v2(void* hStream);
}

namespace ct {

inline int& failures() {
    static int f = 0;
    return f;
}
inline int& checks() {
    static int c = 0;
    return c;
}

inline void fail(const char* fmt, ...) {
    va_list args;
    va_start(args, fmt);
    std::fprintf(stdout, "FAIL ");
    std::vfprintf(stdout, fmt, args);
    std::fprintf(stdout, "\n");
    std::fflush(stdout);
    va_end(args);
    failures()++;
}

inline void ok(const char* fmt, ...) {
    va_list args;
    va_start(args, fmt);
    std::fprintf(stdout, "ok   ");
    std::vfprintf(stdout, fmt, args);
    std::fprintf(stdout, "\n");
    std::fflush(stdout);
    va_end(args);
}

#define CT_EXPECT(cond, ...)                     \
    do {                                         \
        ::ct::checks()++;                        \
        if (!(cond)) ::ct::fail(__VA_ARGS__);    \
    } while (0)

// Exact status expectation.
inline bool status(cudnnStatus_t got, cudnnStatus_t want, const char* what) {
    checks()++;
    if (got != want) {
        fail("%s: got %s (%d), expected %s (%d)", what, cudnnGetErrorString(got), int(got), cudnnGetErrorString(want),
             int(want));
        return false;
    }
    return true;
}

#define CT_OK(call) ::ct::status((call), CUDNN_STATUS_SUCCESS, #call)

inline void driver(int rc, const char* what) {
    if (rc != 0) {
        std::fprintf(stdout, "FAIL driver call %s returned %d\n", what, rc);
        std::exit(1);
    }
}

// |got - want| <= atol + rtol * |want| everywhere (NaN only where want is NaN). Returns the worst error.
inline double close(const std::vector<float>& got, const std::vector<double>& want, double atol, double rtol,
                    const char* what) {
    checks()++;
    double worst = 0.0;
    if (got.size() != want.size()) {
        fail("%s: %zu values, expected %zu", what, got.size(), want.size());
        return INFINITY;
    }
    for (size_t i = 0; i < got.size(); i++) {
        double g = got[i], w = want[i];
        if (std::isnan(w) || std::isnan(g)) {
            if (std::isnan(w) != std::isnan(g)) {
                fail("%s: element %zu is %g, expected %g", what, i, g, w);
                return INFINITY;
            }
            continue;
        }
        if (std::isinf(w) || std::isinf(g)) {
            if (g != w) {
                fail("%s: element %zu is %g, expected %g", what, i, g, w);
                return INFINITY;
            }
            continue;
        }
        double err = std::fabs(g - w);
        if (err > atol + rtol * std::fabs(w)) {
            fail("%s: element %zu is %.9g, expected %.9g (error %.3g)", what, i, g, w, err);
            return err;
        }
        worst = std::max(worst, err);
    }
    return worst;
}

inline double close(const std::vector<float>& got, const std::vector<float>& want, double atol, double rtol,
                    const char* what) {
    return close(got, std::vector<double>(want.begin(), want.end()), atol, rtol, what);
}

inline bool bitEqual(const std::vector<float>& a, const std::vector<float>& b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

// The device, its primary context current on this thread, and a stream.
struct Gpu {
    void* ctx = nullptr;
    void* stream = nullptr;

    Gpu() {
        driver(cuInit(0), "cuInit");
        int dev = 0;
        driver(cuDeviceGet(&dev, 0), "cuDeviceGet");
        driver(cuDevicePrimaryCtxRetain(&ctx, dev), "cuDevicePrimaryCtxRetain");
        driver(cuCtxSetCurrent(ctx), "cuCtxSetCurrent");
        driver(cuStreamCreate(&stream, 0), "cuStreamCreate");
    }
    void sync() const { driver(cuStreamSynchronize(stream), "cuStreamSynchronize"); }
};

// A device buffer of floats (new device memory holds whatever the driver fills it with).
struct Buf {
    unsigned long long p = 0;
    size_t count = 0;

    explicit Buf(size_t n) : count(n) { driver(cuMemAlloc_v2(&p, std::max<size_t>(n, 1) * sizeof(float)), "cuMemAlloc"); }
    explicit Buf(const std::vector<float>& v) : Buf(v.size()) { put(v); }
    Buf(const Buf&) = delete;
    Buf& operator=(const Buf&) = delete;
    ~Buf() { cuMemFree_v2(p); }

    void put(const std::vector<float>& v) { driver(cuMemcpyHtoD_v2(p, v.data(), v.size() * sizeof(float)), "HtoD"); }
    std::vector<float> get() const {
        std::vector<float> v(count);
        driver(cuMemcpyDtoH_v2(v.data(), p, count * sizeof(float)), "DtoH");
        return v;
    }
    float* ptr() const { return reinterpret_cast<float*>(p); }
    void* vp() const { return reinterpret_cast<void*>(p); }
};

// Descriptors that destroy themselves.
struct Tensor {
    cudnnTensorDescriptor_t d = nullptr;
    Tensor() { cudnnCreateTensorDescriptor(&d); }
    Tensor(int n, int c, int h, int w, cudnnTensorFormat_t f = CUDNN_TENSOR_NCHW) : Tensor() {
        status(cudnnSetTensor4dDescriptor(d, f, CUDNN_DATA_FLOAT, n, c, h, w), CUDNN_STATUS_SUCCESS, "set tensor");
    }
    Tensor(const std::vector<int>& dims, const std::vector<int>& strides) : Tensor() {
        status(cudnnSetTensorNdDescriptor(d, CUDNN_DATA_FLOAT, int(dims.size()), dims.data(), strides.data()),
               CUDNN_STATUS_SUCCESS, "set Nd tensor");
    }
    Tensor(const Tensor&) = delete;
    ~Tensor() { cudnnDestroyTensorDescriptor(d); }
    operator cudnnTensorDescriptor_t() const { return d; }
};

struct Filter {
    cudnnFilterDescriptor_t d = nullptr;
    Filter(int k, int c, int h, int w, cudnnTensorFormat_t f = CUDNN_TENSOR_NCHW) {
        cudnnCreateFilterDescriptor(&d);
        status(cudnnSetFilter4dDescriptor(d, CUDNN_DATA_FLOAT, f, k, c, h, w), CUDNN_STATUS_SUCCESS, "set filter");
    }
    Filter(const Filter&) = delete;
    ~Filter() { cudnnDestroyFilterDescriptor(d); }
    operator cudnnFilterDescriptor_t() const { return d; }
};

struct Conv {
    cudnnConvolutionDescriptor_t d = nullptr;
    Conv(int ph, int pw, int sh, int sw, int dh, int dw, cudnnConvolutionMode_t mode, int groups = 1,
         cudnnMathType_t math = CUDNN_FMA_MATH) {
        cudnnCreateConvolutionDescriptor(&d);
        status(cudnnSetConvolution2dDescriptor(d, ph, pw, sh, sw, dh, dw, mode, CUDNN_DATA_FLOAT), CUDNN_STATUS_SUCCESS,
               "set convolution");
        status(cudnnSetConvolutionGroupCount(d, groups), CUDNN_STATUS_SUCCESS, "set group count");
        status(cudnnSetConvolutionMathType(d, math), CUDNN_STATUS_SUCCESS, "set math type");
    }
    Conv(const Conv&) = delete;
    ~Conv() { cudnnDestroyConvolutionDescriptor(d); }
    operator cudnnConvolutionDescriptor_t() const { return d; }
};

struct Handle {
    cudnnHandle_t h = nullptr;
    explicit Handle(const Gpu& gpu) {
        status(cudnnCreate(&h), CUDNN_STATUS_SUCCESS, "cudnnCreate");
        status(cudnnSetStream(h, gpu.stream), CUDNN_STATUS_SUCCESS, "cudnnSetStream");
    }
    Handle(const Handle&) = delete;
    ~Handle() { cudnnDestroy(h); }
    operator cudnnHandle_t() const { return h; }
};

inline std::vector<float> random(size_t n, std::mt19937& rng, float lo = -1.0f, float hi = 1.0f) {
    std::uniform_real_distribution<float> u(lo, hi);
    std::vector<float> v(n);
    for (float& x : v) x = u(rng);
    return v;
}

// Small integers: sums of products are exact in float, so results compare exactly.
inline std::vector<float> randomInts(size_t n, std::mt19937& rng, int lo = -3, int hi = 3) {
    std::uniform_int_distribution<int> u(lo, hi);
    std::vector<float> v(n);
    for (float& x : v) x = float(u(rng));
    return v;
}

inline const float kOne = 1.0f;
inline const float kZero = 0.0f;

// Prints the summary line and gives the exit status.
inline int finish(const char* program) {
    if (failures() == 0) {
        std::printf("%s: all %d checks passed\n", program, checks());
        return 0;
    }
    std::printf("%s: %d of %d checks FAILED\n", program, failures(), checks());
    return 1;
}

}  // namespace ct

#endif
