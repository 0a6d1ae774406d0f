// libcublas.so.11 of the software GPU: handles, streams, modes and the single-precision GEMM family
// Fovea uses, column-major with transposes, leading dimensions, strides, alpha and beta as
// NVIDIA's cuBLAS documentation defines them. Values of the enumerations are those of cublas_api.h;
// the declarations are ours. Every other cuBLAS symbol is a generated stub (CUBLAS_STATUS_NOT_SUPPORTED).
#include "../softgpu.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#define CUBLAS_API extern "C" __attribute__((visibility("default")))

typedef int cublasStatus_t;
enum {
    CUBLAS_STATUS_SUCCESS = 0,
    CUBLAS_STATUS_NOT_INITIALIZED = 1,
    CUBLAS_STATUS_ALLOC_FAILED = 3,
    CUBLAS_STATUS_INVALID_VALUE = 7,
    CUBLAS_STATUS_ARCH_MISMATCH = 8,
    CUBLAS_STATUS_MAPPING_ERROR = 11,
    CUBLAS_STATUS_EXECUTION_FAILED = 13,
    CUBLAS_STATUS_INTERNAL_ERROR = 14,
    CUBLAS_STATUS_NOT_SUPPORTED = 15,
    CUBLAS_STATUS_LICENSE_ERROR = 16,
};
enum { CUBLAS_OP_N = 0, CUBLAS_OP_T = 1, CUBLAS_OP_C = 2 };
enum { CUBLAS_POINTER_MODE_HOST = 0, CUBLAS_POINTER_MODE_DEVICE = 1 };
enum { CUBLAS_ATOMICS_NOT_ALLOWED = 0, CUBLAS_ATOMICS_ALLOWED = 1 };
enum {
    CUBLAS_DEFAULT_MATH = 0,
    CUBLAS_TENSOR_OP_MATH = 1,
    CUBLAS_PEDANTIC_MATH = 2,
    CUBLAS_TF32_TENSOR_OP_MATH = 3,
    CUBLAS_MATH_DISALLOW_REDUCED_PRECISION_REDUCTION = 16,
};
enum { MAJOR_VERSION = 0, MINOR_VERSION = 1, PATCH_LEVEL = 2 };

// The cuBLAS 11 of CUDA 11.8 reports 11.11.3; the software GPU reports its own version in that format.
constexpr int VERSION_MAJOR = 11;
constexpr int VERSION_MINOR = 11;
constexpr int VERSION_PATCH = 0;

struct cublasContext {
    void* context;  // the driver context current at cublasCreate
    void* stream = nullptr;
    int pointerMode = CUBLAS_POINTER_MODE_HOST;
    int mathMode = CUBLAS_DEFAULT_MATH;
    int atomics = CUBLAS_ATOMICS_NOT_ALLOWED;
};
typedef cublasContext* cublasHandle_t;

namespace {

std::mutex handlesMutex;
std::set<cublasHandle_t> handles;

bool valid(cublasHandle_t h) {
    std::lock_guard<std::mutex> l(handlesMutex);
    return h != nullptr && handles.count(h) != 0;
}

void report(const std::string& m) {
    softgpu_report(m.c_str());
}

// TF32 keeps 10 of float's 23 mantissa bits (round to nearest even), as Ampere's tensor cores read FP32.
inline float roundTf32(float v) {
    uint32_t b;
    std::memcpy(&b, &v, 4);
    if ((b & 0x7F800000u) != 0x7F800000u) {
        b += 0xFFFu + ((b >> 13) & 1u);
        b &= 0xFFFFE000u;
    }
    std::memcpy(&v, &b, 4);
    return v;
}

bool useTf32(cublasHandle_t h) {
    int ordinal = 0;
    int major = 0;
    int minor = 0;
    if (softgpu_context_device(h->context, &ordinal, &major, &minor) != SOFTGPU_SUCCESS) return false;
    return major >= 8 && (h->mathMode & 0xF) == CUBLAS_TF32_TENSOR_OP_MATH;
}

// Elements spanned by a column-major rows x cols matrix with leading dimension ld.
long long extent(long long rows, long long cols, long long ld) {
    return rows == 0 || cols == 0 ? 0 : (cols - 1) * ld + rows;
}

// One batch of GEMMs as queued work: C_b = alpha op(A_b) op(B_b) + beta C_b.
struct Gemm {
    int transA, transB, m, n, k;
    const float* a;
    long long lda, strideA;
    const float* b;
    long long ldb, strideB;
    float* c;
    long long ldc, strideC;
    int batch;
    float alpha, beta;
    const float* alphaDevice;  // pointer mode device: read when the work runs
    const float* betaDevice;
    bool tf32;

    void run() const {
        float al = alphaDevice != nullptr ? *alphaDevice : alpha;
        float be = betaDevice != nullptr ? *betaDevice : beta;
        for (int bi = 0; bi < batch; bi++) {
            one(a + bi * strideA, b + bi * strideB, c + bi * strideC, al, be);
        }
    }

    // Column j of C is sum over l of op(A)[:, l] * op(B)[l, j], summed in order of l: deterministic
    // whatever the thread count. op(A) is packed column-major so the inner loop is contiguous.
    void one(const float* A, const float* B, float* C, float al, float be) const {
        std::vector<float> packed;
        const float* opA = A;
        long long ldA = lda;
        if (transA != CUBLAS_OP_N || tf32) {
            packed.resize((size_t)m * k);
            for (long long l = 0; l < k; l++) {
                for (long long i = 0; i < m; i++) {
                    float v = transA == CUBLAS_OP_N ? A[i + l * lda] : A[l + i * lda];
                    packed[(size_t)(i + l * m)] = tf32 ? roundTf32(v) : v;
                }
            }
            opA = packed.data();
            ldA = m;
        }
        struct Job {
            const Gemm* g;
            const float* opA;
            long long ldA;
            const float* B;
            float* C;
            float al, be;
        } job{this, opA, ldA, B, C, al, be};
        softgpu::parallel_for(n, 4, [&job](long long j0, long long j1) {
            const Gemm& g = *job.g;
            std::vector<float> acc((size_t)g.m);
            for (long long j = j0; j < j1; j++) {
                std::fill(acc.begin(), acc.end(), 0.0f);
                if (job.al != 0.0f) {
                    for (long long l = 0; l < g.k; l++) {
                        float bv = g.transB == CUBLAS_OP_N ? job.B[l + j * g.ldb] : job.B[j + l * g.ldb];
                        if (g.tf32) bv = roundTf32(bv);
                        const float* col = job.opA + l * job.ldA;
                        for (long long i = 0; i < g.m; i++) {
                            acc[(size_t)i] += col[i] * bv;
                        }
                    }
                }
                float* cj = job.C + j * g.ldc;
                for (long long i = 0; i < g.m; i++) {
                    // beta == 0: C is not read (it may hold NaN), as cuBLAS documents.
                    cj[i] = job.be == 0.0f ? job.al * acc[(size_t)i] : job.al * acc[(size_t)i] + job.be * cj[i];
                }
            }
        });
    }
};

cublasStatus_t queueGemm(cublasHandle_t h, const char* call, Gemm g) {
    if (!valid(h)) {
        report(std::string(call) + ": not a live cuBLAS handle (destroyed, or never created)");
        return CUBLAS_STATUS_NOT_INITIALIZED;
    }
    bool opsValid = (g.transA == CUBLAS_OP_N || g.transA == CUBLAS_OP_T || g.transA == CUBLAS_OP_C) &&
                    (g.transB == CUBLAS_OP_N || g.transB == CUBLAS_OP_T || g.transB == CUBLAS_OP_C);
    long long rowsA = g.transA == CUBLAS_OP_N ? g.m : g.k;
    long long colsA = g.transA == CUBLAS_OP_N ? g.k : g.m;
    long long rowsB = g.transB == CUBLAS_OP_N ? g.k : g.n;
    long long colsB = g.transB == CUBLAS_OP_N ? g.n : g.k;
    if (!opsValid || g.m < 0 || g.n < 0 || g.k < 0 || g.batch < 0 || g.lda < std::max(1LL, rowsA) ||
        g.ldb < std::max(1LL, rowsB) || g.ldc < std::max(1LL, (long long)g.m)) {
        report(std::string(call) + ": invalid arguments (m=" + std::to_string(g.m) + " n=" + std::to_string(g.n) +
               " k=" + std::to_string(g.k) + " lda=" + std::to_string(g.lda) + " ldb=" + std::to_string(g.ldb) +
               " ldc=" + std::to_string(g.ldc) + " batch=" + std::to_string(g.batch) + ")");
        return CUBLAS_STATUS_INVALID_VALUE;
    }
    if (g.m == 0 || g.n == 0 || g.batch == 0) {
        return CUBLAS_STATUS_SUCCESS;
    }
    // What the work will touch, checked now against live device memory.
    auto span = [&](long long single, long long stride) {
        return (single + (g.batch - 1) * std::max(0LL, stride)) * (long long)sizeof(float);
    };
    bool readsAB = g.k > 0;
    if ((readsAB && (softgpu_check_range(h->context, g.a, (size_t)span(extent(rowsA, colsA, g.lda), g.strideA), call, "A") ||
                     softgpu_check_range(h->context, g.b, (size_t)span(extent(rowsB, colsB, g.ldb), g.strideB), call, "B"))) ||
        softgpu_check_range(h->context, g.c, (size_t)span(extent(g.m, g.n, g.ldc), g.strideC), call, "C") ||
        (g.alphaDevice != nullptr && softgpu_check_range(h->context, g.alphaDevice, 4, call, "alpha")) ||
        (g.betaDevice != nullptr && softgpu_check_range(h->context, g.betaDevice, 4, call, "beta"))) {
        return CUBLAS_STATUS_EXECUTION_FAILED;
    }
    if (!readsAB) {
        g.alpha = 0.0f;  // an empty sum: C = beta C
        g.alphaDevice = nullptr;
    }
    g.tf32 = useTf32(h);
    if (softgpu_library_allocation_fails(call)) {
        return CUBLAS_STATUS_ALLOC_FAILED;
    }
    int rc = softgpu::enqueue(h->stream, call, [g] { g.run(); });
    if (rc != SOFTGPU_SUCCESS) {
        report(std::string(call) + ": could not queue the work (driver error " + std::to_string(rc) +
               "); is the handle's context current on this thread?");
        return CUBLAS_STATUS_EXECUTION_FAILED;
    }
    softgpu_count_library_call(SOFTGPU_LIBRARY_CUBLAS);
    return CUBLAS_STATUS_SUCCESS;
}

Gemm gemm(cublasHandle_t h, int transa, int transb, int m, int n, int k, const float* alpha, const float* A, int lda,
          long long strideA, const float* B, int ldb, long long strideB, const float* beta, float* C, int ldc,
          long long strideC, int batch) {
    Gemm g{transa, transb, m, n, k, A, lda, strideA, B, ldb, strideB, C, ldc, strideC, batch, 0, 0, nullptr, nullptr,
           false};
    if (h != nullptr && valid(h) && h->pointerMode == CUBLAS_POINTER_MODE_DEVICE) {
        g.alphaDevice = alpha;
        g.betaDevice = beta;
    } else {
        // Host scalars are read now: they live in caller memory that is released after the call.
        g.alpha = alpha != nullptr ? *alpha : 0.0f;
        g.beta = beta != nullptr ? *beta : 0.0f;
    }
    return g;
}

}  // namespace

CUBLAS_API cublasStatus_t cublasCreate_v2(cublasHandle_t* out) {
    if (out == nullptr) return CUBLAS_STATUS_INVALID_VALUE;
    void* ctx = softgpu_current_context();
    if (ctx == nullptr) {
        // Deliberately strict: the real library would silently pick device 0's primary context.
        report("cublasCreate: no CUDA context is current on this thread (make the device's context current first)");
        return CUBLAS_STATUS_NOT_INITIALIZED;
    }
    auto* h = new cublasContext{ctx};
    {
        std::lock_guard<std::mutex> l(handlesMutex);
        handles.insert(h);
    }
    softgpu_object_created(SOFTGPU_OBJECT_CUBLAS_HANDLE);
    *out = h;
    return CUBLAS_STATUS_SUCCESS;
}

CUBLAS_API cublasStatus_t cublasDestroy_v2(cublasHandle_t h) {
    {
        std::lock_guard<std::mutex> l(handlesMutex);
        if (h == nullptr || handles.erase(h) == 0) {
            report("cublasDestroy: not a live cuBLAS handle (destroyed twice?)");
            return CUBLAS_STATUS_NOT_INITIALIZED;
        }
    }
    softgpu_object_destroyed(SOFTGPU_OBJECT_CUBLAS_HANDLE);
    delete h;
    return CUBLAS_STATUS_SUCCESS;
}

CUBLAS_API cublasStatus_t cublasGetVersion_v2(cublasHandle_t h, int* version) {
    if (version == nullptr) return CUBLAS_STATUS_INVALID_VALUE;
    *version = VERSION_MAJOR * 10000 + VERSION_MINOR * 100 + VERSION_PATCH;
    return CUBLAS_STATUS_SUCCESS;
}

CUBLAS_API cublasStatus_t cublasGetProperty(int type, int* value) {
    if (value == nullptr) return CUBLAS_STATUS_INVALID_VALUE;
    switch (type) {
        case MAJOR_VERSION: *value = VERSION_MAJOR; return CUBLAS_STATUS_SUCCESS;
        case MINOR_VERSION: *value = VERSION_MINOR; return CUBLAS_STATUS_SUCCESS;
        case PATCH_LEVEL: *value = VERSION_PATCH; return CUBLAS_STATUS_SUCCESS;
        default: return CUBLAS_STATUS_INVALID_VALUE;
    }
}

CUBLAS_API size_t cublasGetCudartVersion() {
    return 11080;
}

CUBLAS_API const char* cublasGetStatusName(cublasStatus_t s) {
    switch (s) {
        case CUBLAS_STATUS_SUCCESS: return "CUBLAS_STATUS_SUCCESS";
        case CUBLAS_STATUS_NOT_INITIALIZED: return "CUBLAS_STATUS_NOT_INITIALIZED";
        case CUBLAS_STATUS_ALLOC_FAILED: return "CUBLAS_STATUS_ALLOC_FAILED";
        case CUBLAS_STATUS_INVALID_VALUE: return "CUBLAS_STATUS_INVALID_VALUE";
        case CUBLAS_STATUS_ARCH_MISMATCH: return "CUBLAS_STATUS_ARCH_MISMATCH";
        case CUBLAS_STATUS_MAPPING_ERROR: return "CUBLAS_STATUS_MAPPING_ERROR";
        case CUBLAS_STATUS_EXECUTION_FAILED: return "CUBLAS_STATUS_EXECUTION_FAILED";
        case CUBLAS_STATUS_INTERNAL_ERROR: return "CUBLAS_STATUS_INTERNAL_ERROR";
        case CUBLAS_STATUS_NOT_SUPPORTED: return "CUBLAS_STATUS_NOT_SUPPORTED";
        case CUBLAS_STATUS_LICENSE_ERROR: return "CUBLAS_STATUS_LICENSE_ERROR";
        default: return "CUBLAS_STATUS_UNKNOWN";
    }
}

CUBLAS_API const char* cublasGetStatusString(cublasStatus_t s) {
    return cublasGetStatusName(s);
}

CUBLAS_API cublasStatus_t cublasSetStream_v2(cublasHandle_t h, void* stream) {
    if (!valid(h)) return CUBLAS_STATUS_NOT_INITIALIZED;
    void* owner = nullptr;
    if (softgpu_stream_context(stream, &owner) != SOFTGPU_SUCCESS) {
        report("cublasSetStream: not a live stream");
        return CUBLAS_STATUS_INVALID_VALUE;
    }
    if (stream != nullptr && owner != h->context) {
        report("cublasSetStream: the stream belongs to another context than the handle");
        return CUBLAS_STATUS_INVALID_VALUE;
    }
    h->stream = stream;
    return CUBLAS_STATUS_SUCCESS;
}

CUBLAS_API cublasStatus_t cublasGetStream_v2(cublasHandle_t h, void** stream) {
    if (!valid(h)) return CUBLAS_STATUS_NOT_INITIALIZED;
    if (stream == nullptr) return CUBLAS_STATUS_INVALID_VALUE;
    *stream = h->stream;
    return CUBLAS_STATUS_SUCCESS;
}

CUBLAS_API cublasStatus_t cublasSetMathMode(cublasHandle_t h, int mode) {
    if (!valid(h)) return CUBLAS_STATUS_NOT_INITIALIZED;
    int base = mode & 0xF;
    if (base != CUBLAS_DEFAULT_MATH && base != CUBLAS_TENSOR_OP_MATH && base != CUBLAS_PEDANTIC_MATH &&
        base != CUBLAS_TF32_TENSOR_OP_MATH) {
        return CUBLAS_STATUS_INVALID_VALUE;
    }
    h->mathMode = mode;
    return CUBLAS_STATUS_SUCCESS;
}

CUBLAS_API cublasStatus_t cublasGetMathMode(cublasHandle_t h, int* mode) {
    if (!valid(h)) return CUBLAS_STATUS_NOT_INITIALIZED;
    if (mode == nullptr) return CUBLAS_STATUS_INVALID_VALUE;
    *mode = h->mathMode;
    return CUBLAS_STATUS_SUCCESS;
}

CUBLAS_API cublasStatus_t cublasSetPointerMode_v2(cublasHandle_t h, int mode) {
    if (!valid(h)) return CUBLAS_STATUS_NOT_INITIALIZED;
    if (mode != CUBLAS_POINTER_MODE_HOST && mode != CUBLAS_POINTER_MODE_DEVICE) return CUBLAS_STATUS_INVALID_VALUE;
    h->pointerMode = mode;
    return CUBLAS_STATUS_SUCCESS;
}

CUBLAS_API cublasStatus_t cublasGetPointerMode_v2(cublasHandle_t h, int* mode) {
    if (!valid(h)) return CUBLAS_STATUS_NOT_INITIALIZED;
    if (mode == nullptr) return CUBLAS_STATUS_INVALID_VALUE;
    *mode = h->pointerMode;
    return CUBLAS_STATUS_SUCCESS;
}

CUBLAS_API cublasStatus_t cublasSetAtomicsMode(cublasHandle_t h, int mode) {
    if (!valid(h)) return CUBLAS_STATUS_NOT_INITIALIZED;
    h->atomics = mode;
    return CUBLAS_STATUS_SUCCESS;
}

CUBLAS_API cublasStatus_t cublasGetAtomicsMode(cublasHandle_t h, int* mode) {
    if (!valid(h)) return CUBLAS_STATUS_NOT_INITIALIZED;
    if (mode == nullptr) return CUBLAS_STATUS_INVALID_VALUE;
    *mode = h->atomics;
    return CUBLAS_STATUS_SUCCESS;
}

CUBLAS_API cublasStatus_t cublasSgemm_v2(cublasHandle_t h, int transa, int transb, int m, int n, int k,
                                         const float* alpha, const float* A, int lda, const float* B, int ldb,
                                         const float* beta, float* C, int ldc) {
    return queueGemm(h, "cublasSgemm", gemm(h, transa, transb, m, n, k, alpha, A, lda, 0, B, ldb, 0, beta, C, ldc, 0, 1));
}

CUBLAS_API cublasStatus_t cublasSgemmStridedBatched(cublasHandle_t h, int transa, int transb, int m, int n, int k,
                                                    const float* alpha, const float* A, int lda, long long strideA,
                                                    const float* B, int ldb, long long strideB, const float* beta,
                                                    float* C, int ldc, long long strideC, int batch) {
    return queueGemm(h, "cublasSgemmStridedBatched",
                     gemm(h, transa, transb, m, n, k, alpha, A, lda, strideA, B, ldb, strideB, beta, C, ldc, strideC,
                          batch));
}
