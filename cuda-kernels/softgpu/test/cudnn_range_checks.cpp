// Every pointer the software cuDNN will touch is checked against the driver's allocations before
// anything is queued: a range past the end of an allocation, freed memory, host memory or a
// workspace smaller than claimed gives CUDNN_STATUS_EXECUTION_FAILED with the driver's report.
// The first bad range makes the context's error sticky (as a real fault would), so this program
// runs last of its kind and only checks statuses afterwards.
#include "cudnn/cudnn_testing.h"

using namespace ct;

int main() {
    setenv("FOVEA_SOFTGPU_CC", "7.5", 1);
    Gpu gpu;
    Handle h(gpu);
    Tensor xd(2, 3, 8, 8), yd(2, 4, 8, 8), small(2, 3, 8, 7);
    Filter wd(4, 3, 3, 3);
    Conv cd(1, 1, 1, 1, 1, 1, CUDNN_CROSS_CORRELATION);
    Buf x(2 * 3 * 64), xShort(2 * 3 * 64 - 1), w(4 * 27), y(2 * 4 * 64), ws(256);
    std::mt19937 rng(1);
    x.put(random(x.count, rng));
    w.put(random(w.count, rng));

    // A correct call first: nothing is wrong yet.
    CT_OK(cudnnConvolutionForward(h, &kOne, xd, x.vp(), wd, w.vp(), cd, CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM, nullptr, 0,
                                  &kZero, yd, y.vp()));
    gpu.sync();
    ok("a call on valid ranges succeeds");
    unsigned long long freed = 0;  // freed before the context is poisoned
    driver(cuMemAlloc_v2(&freed, 1024), "cuMemAlloc");
    driver(cuMemFree_v2(freed), "cuMemFree");

    status(cudnnConvolutionForward(h, &kOne, xd, xShort.vp(), wd, w.vp(), cd, CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM,
                                   nullptr, 0, &kZero, yd, y.vp()),
           CUDNN_STATUS_EXECUTION_FAILED, "x one float short of its descriptor");
    std::vector<float> host(2 * 4 * 64);
    status(cudnnConvolutionForward(h, &kOne, xd, x.vp(), wd, w.vp(), cd, CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM, nullptr, 0,
                                   &kZero, yd, host.data()),
           CUDNN_STATUS_EXECUTION_FAILED, "y in host memory");
    status(cudnnConvolutionForward(h, &kOne, xd, x.vp(), wd, w.vp(), cd, CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM, ws.vp(),
                                   4096, &kZero, yd, y.vp()),
           CUDNN_STATUS_EXECUTION_FAILED, "a workspace of 1 KiB claimed to be 4 KiB");
    Tensor t(1, 1, 16, 16);
    cudnnActivationDescriptor_t a;
    cudnnCreateActivationDescriptor(&a);
    cudnnSetActivationDescriptor(a, CUDNN_ACTIVATION_RELU, CUDNN_PROPAGATE_NAN, 0);
    status(cudnnActivationForward(h, a, &kOne, t, reinterpret_cast<void*>(freed), &kZero, t, y.vp()),
           CUDNN_STATUS_EXECUTION_FAILED, "x in freed memory");
    cudnnDestroyActivationDescriptor(a);
    ok("out-of-bounds, host, freed and overclaimed ranges -> CUDNN_STATUS_EXECUTION_FAILED with a report");
    return finish("cudnn_range_checks");
}
