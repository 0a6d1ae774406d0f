// Algorithm queries: counts, workspace sizes, the heuristic ranking (Get*_v7) and the timed search
// (Find*Ex).
//
// The heuristic lists every algorithm of the pass (as many as requested), the ones that run this
// shape first, in this fixed order, then the rest with CUDNN_STATUS_NOT_SUPPORTED:
//   forward:         WINOGRAD_NONFUSED (where it applies), IMPLICIT_PRECOMP_GEMM, IMPLICIT_GEMM, GEMM,
//                    then DIRECT, FFT, FFT_TILING, WINOGRAD
//   backward data:   ALGO_0 (non-deterministic), ALGO_1, then FFT, FFT_TILING, WINOGRAD, WINOGRAD_NONFUSED
//   backward filter: ALGO_0 (non-deterministic), ALGO_1, ALGO_3, then FFT, WINOGRAD, WINOGRAD_NONFUSED,
//                    FFT_TILING
// Leading with Winograd and the non-deterministic algorithms, as NVIDIA's heuristics often do, makes
// a caller that takes the first entry meet inexact and run-to-run varying results; a caller that
// needs determinism must look at the determinism field. time is -1 (not measured), memory the
// workspace the algorithm checks for, mathType the descriptor's.
//
// Find*Ex runs every algorithm that fits the caller's workspace on the caller's buffers (an
// algorithm needing more gets CUDNN_STATUS_ALLOC_FAILED), waits for the stream, and sorts the
// successful ones by measured time.
#include "cudnn/conv_api_common.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <functional>
#include <memory>
#include <vector>

// The driver API call that waits for a stream (libcuda.so.1, which this library links).
extern "C" int cuStreamSynchronize(void* stream);

using namespace cudnn;

namespace {

struct Pass {
    int count;
    std::vector<int> order;
    bool (*supported)(const ConvShape&, int, std::string*);
    size_t (*workspace)(const ConvShape&, int);
    bool (*deterministic)(int);
    const char* (*name)(int);
};

const Pass kForward{CUDNN_CONVOLUTION_FWD_ALGO_COUNT,
                    {CUDNN_CONVOLUTION_FWD_ALGO_WINOGRAD_NONFUSED, CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM,
                     CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM, CUDNN_CONVOLUTION_FWD_ALGO_GEMM,
                     CUDNN_CONVOLUTION_FWD_ALGO_DIRECT, CUDNN_CONVOLUTION_FWD_ALGO_FFT,
                     CUDNN_CONVOLUTION_FWD_ALGO_FFT_TILING, CUDNN_CONVOLUTION_FWD_ALGO_WINOGRAD},
                    forwardSupported,
                    forwardWorkspace,
                    forwardDeterministic,
                    forwardAlgoName};

const Pass kBackwardData{CUDNN_CONVOLUTION_BWD_DATA_ALGO_COUNT,
                         {CUDNN_CONVOLUTION_BWD_DATA_ALGO_0, CUDNN_CONVOLUTION_BWD_DATA_ALGO_1,
                          CUDNN_CONVOLUTION_BWD_DATA_ALGO_FFT, CUDNN_CONVOLUTION_BWD_DATA_ALGO_FFT_TILING,
                          CUDNN_CONVOLUTION_BWD_DATA_ALGO_WINOGRAD, CUDNN_CONVOLUTION_BWD_DATA_ALGO_WINOGRAD_NONFUSED},
                         backwardDataSupported,
                         backwardDataWorkspace,
                         backwardDataDeterministic,
                         backwardDataAlgoName};

const Pass kBackwardFilter{
    CUDNN_CONVOLUTION_BWD_FILTER_ALGO_COUNT,
    {CUDNN_CONVOLUTION_BWD_FILTER_ALGO_0, CUDNN_CONVOLUTION_BWD_FILTER_ALGO_1, CUDNN_CONVOLUTION_BWD_FILTER_ALGO_3,
     CUDNN_CONVOLUTION_BWD_FILTER_ALGO_FFT, CUDNN_CONVOLUTION_BWD_FILTER_ALGO_WINOGRAD,
     CUDNN_CONVOLUTION_BWD_FILTER_ALGO_WINOGRAD_NONFUSED, CUDNN_CONVOLUTION_BWD_FILTER_ALGO_FFT_TILING},
    backwardFilterSupported,
    backwardFilterWorkspace,
    backwardFilterDeterministic,
    backwardFilterAlgoName};

struct Candidate {
    int algo;
    cudnnStatus_t status;
    float time;
    size_t memory;
    bool deterministic;
};

// Supported algorithms first, in the pass's order, then the others.
std::vector<Candidate> rank(const Pass& p, const ConvShape& s) {
    std::vector<Candidate> yes, no;
    for (int algo : p.order) {
        bool ok = p.supported(s, algo, nullptr);
        Candidate c{algo, ok ? CUDNN_STATUS_SUCCESS : CUDNN_STATUS_NOT_SUPPORTED, -1.0f, ok ? p.workspace(s, algo) : 0,
                    p.deterministic(algo)};
        (ok ? yes : no).push_back(c);
    }
    yes.insert(yes.end(), no.begin(), no.end());
    return yes;
}

template <class Perf>
void writePerf(const std::vector<Candidate>& c, int requested, int* returned, Perf* perf, cudnnMathType_t math) {
    int n = std::min<int>(requested, int(c.size()));
    for (int i = 0; i < n; i++) {
        Perf r;
        std::memset(&r, 0, sizeof r);
        r.algo = decltype(r.algo)(c[i].algo);
        r.status = c[i].status;
        r.time = c[i].time;
        r.memory = c[i].memory;
        r.determinism = c[i].deterministic ? CUDNN_DETERMINISTIC : CUDNN_NON_DETERMINISTIC;
        r.mathType = math;
        perf[i] = r;
    }
    *returned = n;
}

Status checkRequest(int requested, const int* returned, const void* perf) {
    if (returned == nullptr || perf == nullptr) {
        return failure(CUDNN_STATUS_BAD_PARAM, "returnedAlgoCount or perfResults is NULL");
    }
    if (requested < 1) return failure(CUDNN_STATUS_BAD_PARAM, "requestedAlgoCount is %d", requested);
    return success();
}

template <class Perf>
Status heuristic(const Pass& p, cudnnHandle_t handle, cudnnTensorDescriptor_t xDesc, cudnnFilterDescriptor_t wDesc,
                 cudnnConvolutionDescriptor_t convDesc, cudnnTensorDescriptor_t yDesc, const char* xName,
                 const char* wName, const char* yName, int requested, int* returned, Perf* perf) {
    if (returned) *returned = 0;  // the JNI glue copies back *returned entries, even on failure
    HandleObj h;
    CUDNN_TRY(readObject(handle, "handle", &h));
    ConvDescs d;
    ConvShape s;
    CUDNN_TRY(readConv(h, xDesc, wDesc, convDesc, yDesc, xName, wName, yName, &d, &s));
    CUDNN_TRY(checkRequest(requested, returned, perf));
    writePerf(rank(p, s), requested, returned, perf, d.conv.mathType);
    return success();
}

// Runs the algorithms of a Find*Ex call: run(algo) executes one inside the queued work.
template <class Perf>
Status find(const Pass& p, const Launch& L, const ConvShape& s, const ConvDescs& d, int requested, int* returned,
            Perf* perf, const void* workspace, size_t workspaceBytes, std::function<void(int)> run) {
    std::vector<Candidate> all = rank(p, s);
    std::vector<int> runnable;
    for (Candidate& c : all) {
        if (c.status != CUDNN_STATUS_SUCCESS) continue;
        if (c.memory > workspaceBytes || (c.memory > 0 && workspace == nullptr)) {
            c.status = CUDNN_STATUS_ALLOC_FAILED;
        } else {
            runnable.push_back(c.algo);
        }
    }
    auto times = std::make_shared<std::vector<float>>(p.count, -1.0f);
    CUDNN_TRY(L.enqueue([runnable, run, times] {
        for (int algo : runnable) {
            auto t0 = std::chrono::steady_clock::now();
            run(algo);
            auto t1 = std::chrono::steady_clock::now();
            (*times)[algo] = std::chrono::duration<float, std::milli>(t1 - t0).count();
        }
    }));
    // Find*Ex blocks until the timings are in, as NVIDIA's does.
    int rc = cuStreamSynchronize(L.handle().stream);
    if (rc != 0) {
        return failure(CUDNN_STATUS_EXECUTION_FAILED, "the stream failed while timing the algorithms (CUresult %d)", rc);
    }
    for (Candidate& c : all) {
        if (c.status == CUDNN_STATUS_SUCCESS) c.time = (*times)[c.algo];
    }
    auto group = [](const Candidate& c) {
        return c.status == CUDNN_STATUS_SUCCESS ? 0 : c.status == CUDNN_STATUS_ALLOC_FAILED ? 1 : 2;
    };
    std::stable_sort(all.begin(), all.end(), [&](const Candidate& a, const Candidate& b) {
        if (group(a) != group(b)) return group(a) < group(b);
        return group(a) == 0 && a.time < b.time;
    });
    writePerf(all, requested, returned, perf, d.conv.mathType);
    return success();
}

template <class Algo>
Status workspaceSize(const Pass& p, cudnnHandle_t handle, cudnnTensorDescriptor_t xDesc, cudnnFilterDescriptor_t wDesc,
                     cudnnConvolutionDescriptor_t convDesc, cudnnTensorDescriptor_t yDesc, const char* xName,
                     const char* wName, const char* yName, Algo algo, size_t* sizeInBytes) {
    HandleObj h;
    CUDNN_TRY(readObject(handle, "handle", &h));
    ConvDescs d;
    ConvShape s;
    CUDNN_TRY(readConv(h, xDesc, wDesc, convDesc, yDesc, xName, wName, yName, &d, &s));
    if (sizeInBytes == nullptr) return failure(CUDNN_STATUS_BAD_PARAM, "sizeInBytes is NULL");
    CUDNN_TRY(checkAlgo(int(algo), p.count, p.supported, s));
    *sizeInBytes = p.workspace(s, int(algo));
    return success();
}

Status maxCount(cudnnHandle_t handle, int* count, int value) {
    HandleObj h;
    CUDNN_TRY(readObject(handle, "handle", &h));
    if (count == nullptr) return failure(CUDNN_STATUS_BAD_PARAM, "count is NULL");
    *count = value;
    return success();
}

}  // namespace

CUDNN_API cudnnStatus_t cudnnGetConvolutionForwardAlgorithmMaxCount(cudnnHandle_t handle, int* count) {
    return finish("cudnnGetConvolutionForwardAlgorithmMaxCount",
                  maxCount(handle, count, CUDNN_CONVOLUTION_FWD_ALGO_COUNT));
}

CUDNN_API cudnnStatus_t cudnnGetConvolutionBackwardDataAlgorithmMaxCount(cudnnHandle_t handle, int* count) {
    return finish("cudnnGetConvolutionBackwardDataAlgorithmMaxCount",
                  maxCount(handle, count, CUDNN_CONVOLUTION_BWD_DATA_ALGO_COUNT));
}

CUDNN_API cudnnStatus_t cudnnGetConvolutionBackwardFilterAlgorithmMaxCount(cudnnHandle_t handle, int* count) {
    return finish("cudnnGetConvolutionBackwardFilterAlgorithmMaxCount",
                  maxCount(handle, count, CUDNN_CONVOLUTION_BWD_FILTER_ALGO_COUNT));
}

CUDNN_API cudnnStatus_t cudnnGetConvolutionForwardAlgorithm_v7(cudnnHandle_t handle, const cudnnTensorDescriptor_t srcDesc,
                                                               const cudnnFilterDescriptor_t filterDesc,
                                                               const cudnnConvolutionDescriptor_t convDesc,
                                                               const cudnnTensorDescriptor_t destDesc,
                                                               int requestedAlgoCount, int* returnedAlgoCount,
                                                               cudnnConvolutionFwdAlgoPerf_t* perfResults) {
    return finish("cudnnGetConvolutionForwardAlgorithm_v7",
                  heuristic(kForward, handle, srcDesc, filterDesc, convDesc, destDesc, "src", "filter", "dest",
                            requestedAlgoCount, returnedAlgoCount, perfResults));
}

CUDNN_API cudnnStatus_t cudnnGetConvolutionBackwardDataAlgorithm_v7(
    cudnnHandle_t handle, const cudnnFilterDescriptor_t filterDesc, const cudnnTensorDescriptor_t diffDesc,
    const cudnnConvolutionDescriptor_t convDesc, const cudnnTensorDescriptor_t gradDesc, int requestedAlgoCount,
    int* returnedAlgoCount, cudnnConvolutionBwdDataAlgoPerf_t* perfResults) {
    return finish("cudnnGetConvolutionBackwardDataAlgorithm_v7",
                  heuristic(kBackwardData, handle, gradDesc, filterDesc, convDesc, diffDesc, "grad", "filter", "diff",
                            requestedAlgoCount, returnedAlgoCount, perfResults));
}

CUDNN_API cudnnStatus_t cudnnGetConvolutionBackwardFilterAlgorithm_v7(
    cudnnHandle_t handle, const cudnnTensorDescriptor_t srcDesc, const cudnnTensorDescriptor_t diffDesc,
    const cudnnConvolutionDescriptor_t convDesc, const cudnnFilterDescriptor_t gradDesc, int requestedAlgoCount,
    int* returnedAlgoCount, cudnnConvolutionBwdFilterAlgoPerf_t* perfResults) {
    return finish("cudnnGetConvolutionBackwardFilterAlgorithm_v7",
                  heuristic(kBackwardFilter, handle, srcDesc, gradDesc, convDesc, diffDesc, "src", "grad", "diff",
                            requestedAlgoCount, returnedAlgoCount, perfResults));
}

CUDNN_API cudnnStatus_t cudnnFindConvolutionForwardAlgorithmEx(
    cudnnHandle_t handle, const cudnnTensorDescriptor_t xDesc, const void* x, const cudnnFilterDescriptor_t wDesc,
    const void* w, const cudnnConvolutionDescriptor_t convDesc, const cudnnTensorDescriptor_t yDesc, void* y,
    int requestedAlgoCount, int* returnedAlgoCount, cudnnConvolutionFwdAlgoPerf_t* perfResults, void* workSpace,
    size_t workSpaceSizeInBytes) {
    const char* call = "cudnnFindConvolutionForwardAlgorithmEx";
    if (returnedAlgoCount) *returnedAlgoCount = 0;
    auto body = [&]() -> Status {
        Launch L(call);
        CUDNN_TRY(L.begin(handle));
        ConvDescs d;
        ConvShape s;
        CUDNN_TRY(readConv(L.handle(), xDesc, wDesc, convDesc, yDesc, "x", "w", "y", &d, &s));
        CUDNN_TRY(checkRequest(requestedAlgoCount, returnedAlgoCount, perfResults));
        if (!x || !w || !y) return failure(CUDNN_STATUS_BAD_PARAM, "x, w or y is NULL");
        CUDNN_TRY(requireNonOverlapping(d.y, "y"));
        CUDNN_TRY(L.tensorRange(x, d.x, "x"));
        CUDNN_TRY(L.range(w, filterBytes(d.w), "w"));
        CUDNN_TRY(L.tensorRange(y, d.y, "y"));
        CUDNN_TRY(L.range(workSpace, workSpaceSizeInBytes, "workSpace"));
        const float* xf = static_cast<const float*>(x);
        const float* wf = static_cast<const float*>(w);
        BlendOutput out{static_cast<float*>(y), s.y, 1.0f, 0.0f};
        return find(kForward, L, s, d, requestedAlgoCount, returnedAlgoCount, perfResults, workSpace,
                    workSpaceSizeInBytes,
                    [s, xf, wf, workSpace, out](int algo) { runForward(s, algo, xf, wf, workSpace, out); });
    };
    return finish(call, body());
}

CUDNN_API cudnnStatus_t cudnnFindConvolutionBackwardDataAlgorithmEx(
    cudnnHandle_t handle, const cudnnFilterDescriptor_t wDesc, const void* w, const cudnnTensorDescriptor_t dyDesc,
    const void* dy, const cudnnConvolutionDescriptor_t convDesc, const cudnnTensorDescriptor_t dxDesc, void* dx,
    int requestedAlgoCount, int* returnedAlgoCount, cudnnConvolutionBwdDataAlgoPerf_t* perfResults, void* workSpace,
    size_t workSpaceSizeInBytes) {
    const char* call = "cudnnFindConvolutionBackwardDataAlgorithmEx";
    if (returnedAlgoCount) *returnedAlgoCount = 0;
    auto body = [&]() -> Status {
        Launch L(call);
        CUDNN_TRY(L.begin(handle));
        ConvDescs d;
        ConvShape s;
        CUDNN_TRY(readConv(L.handle(), dxDesc, wDesc, convDesc, dyDesc, "dx", "w", "dy", &d, &s));
        CUDNN_TRY(checkRequest(requestedAlgoCount, returnedAlgoCount, perfResults));
        if (!w || !dy || !dx) return failure(CUDNN_STATUS_BAD_PARAM, "w, dy or dx is NULL");
        CUDNN_TRY(requireNonOverlapping(d.x, "dx"));
        CUDNN_TRY(L.range(w, filterBytes(d.w), "w"));
        CUDNN_TRY(L.tensorRange(dy, d.y, "dy"));
        CUDNN_TRY(L.tensorRange(dx, d.x, "dx"));
        CUDNN_TRY(L.range(workSpace, workSpaceSizeInBytes, "workSpace"));
        const float* wf = static_cast<const float*>(w);
        const float* dyf = static_cast<const float*>(dy);
        float* dxf = static_cast<float*>(dx);
        return find(kBackwardData, L, s, d, requestedAlgoCount, returnedAlgoCount, perfResults, workSpace,
                    workSpaceSizeInBytes, [s, wf, dyf, dxf, workSpace](int algo) {
                        runBackwardData(s, algo, wf, dyf, workSpace, dxf, 1.0f, 0.0f, nondeterministicSeed());
                    });
    };
    return finish(call, body());
}

CUDNN_API cudnnStatus_t cudnnFindConvolutionBackwardFilterAlgorithmEx(
    cudnnHandle_t handle, const cudnnTensorDescriptor_t xDesc, const void* x, const cudnnTensorDescriptor_t dyDesc,
    const void* y, const cudnnConvolutionDescriptor_t convDesc, const cudnnFilterDescriptor_t dwDesc, void* dw,
    int requestedAlgoCount, int* returnedAlgoCount, cudnnConvolutionBwdFilterAlgoPerf_t* perfResults, void* workSpace,
    size_t workSpaceSizeInBytes) {
    const char* call = "cudnnFindConvolutionBackwardFilterAlgorithmEx";
    if (returnedAlgoCount) *returnedAlgoCount = 0;
    auto body = [&]() -> Status {
        Launch L(call);
        CUDNN_TRY(L.begin(handle));
        ConvDescs d;
        ConvShape s;
        CUDNN_TRY(readConv(L.handle(), xDesc, dwDesc, convDesc, dyDesc, "x", "dw", "dy", &d, &s));
        CUDNN_TRY(checkRequest(requestedAlgoCount, returnedAlgoCount, perfResults));
        if (!x || !y || !dw) return failure(CUDNN_STATUS_BAD_PARAM, "x, dy or dw is NULL");
        CUDNN_TRY(L.tensorRange(x, d.x, "x"));
        CUDNN_TRY(L.tensorRange(y, d.y, "dy"));
        CUDNN_TRY(L.range(dw, filterBytes(d.w), "dw"));
        CUDNN_TRY(L.range(workSpace, workSpaceSizeInBytes, "workSpace"));
        const float* xf = static_cast<const float*>(x);
        const float* dyf = static_cast<const float*>(y);
        float* dwf = static_cast<float*>(dw);
        return find(kBackwardFilter, L, s, d, requestedAlgoCount, returnedAlgoCount, perfResults, workSpace,
                    workSpaceSizeInBytes, [s, xf, dyf, dwf, workSpace](int algo) {
                        runBackwardFilter(s, algo, xf, dyf, workSpace, dwf, 1.0f, 0.0f, nondeterministicSeed());
                    });
    };
    return finish(call, body());
}

CUDNN_API cudnnStatus_t cudnnGetConvolutionForwardWorkspaceSize(cudnnHandle_t handle, const cudnnTensorDescriptor_t xDesc,
                                                                const cudnnFilterDescriptor_t wDesc,
                                                                const cudnnConvolutionDescriptor_t convDesc,
                                                                const cudnnTensorDescriptor_t yDesc,
                                                                cudnnConvolutionFwdAlgo_t algo, size_t* sizeInBytes) {
    return finish("cudnnGetConvolutionForwardWorkspaceSize",
                  workspaceSize(kForward, handle, xDesc, wDesc, convDesc, yDesc, "x", "w", "y", algo, sizeInBytes));
}

CUDNN_API cudnnStatus_t cudnnGetConvolutionBackwardDataWorkspaceSize(
    cudnnHandle_t handle, const cudnnFilterDescriptor_t wDesc, const cudnnTensorDescriptor_t dyDesc,
    const cudnnConvolutionDescriptor_t convDesc, const cudnnTensorDescriptor_t dxDesc, cudnnConvolutionBwdDataAlgo_t algo,
    size_t* sizeInBytes) {
    return finish("cudnnGetConvolutionBackwardDataWorkspaceSize",
                  workspaceSize(kBackwardData, handle, dxDesc, wDesc, convDesc, dyDesc, "dx", "w", "dy", algo,
                                sizeInBytes));
}

CUDNN_API cudnnStatus_t cudnnGetConvolutionBackwardFilterWorkspaceSize(
    cudnnHandle_t handle, const cudnnTensorDescriptor_t xDesc, const cudnnTensorDescriptor_t dyDesc,
    const cudnnConvolutionDescriptor_t convDesc, const cudnnFilterDescriptor_t gradDesc,
    cudnnConvolutionBwdFilterAlgo_t algo, size_t* sizeInBytes) {
    return finish("cudnnGetConvolutionBackwardFilterWorkspaceSize",
                  workspaceSize(kBackwardFilter, handle, xDesc, gradDesc, convDesc, dyDesc, "x", "dw", "dy", algo,
                                sizeInBytes));
}
