// The software cuDNN's library-level behaviour: versions and error strings, enum values and perf
// struct layout as JCudnn 11.7.0 expects them, the handle's binding to a context and stream,
// descriptor set/get round trips, and the detection of destroyed, doubly destroyed and foreign
// handles and descriptors.
#include "cudnn/cudnn_testing.h"

#include <cstddef>

using namespace ct;

static void versions() {
    CT_EXPECT(cudnnGetVersion() == 8400, "cudnnGetVersion is %zu, expected 8400", cudnnGetVersion());
    CT_EXPECT(cudnnGetCudartVersion() == 11070, "cudnnGetCudartVersion is %zu", cudnnGetCudartVersion());
    CT_EXPECT(std::strcmp(cudnnGetErrorString(CUDNN_STATUS_BAD_PARAM), "CUDNN_STATUS_BAD_PARAM") == 0,
              "error string of BAD_PARAM");
    CT_EXPECT(std::strcmp(cudnnGetErrorString(CUDNN_STATUS_NOT_SUPPORTED), "CUDNN_STATUS_NOT_SUPPORTED") == 0,
              "error string of NOT_SUPPORTED");
    CT_EXPECT(cudnnGetErrorString(cudnnStatus_t(77)) != nullptr, "error string of an unknown status is not NULL");
    int v = 0;
    CT_OK(cudnnGetProperty(MAJOR_VERSION, &v));
    CT_EXPECT(v == 8, "major version %d", v);
    CT_OK(cudnnGetProperty(MINOR_VERSION, &v));
    CT_EXPECT(v == 4, "minor version %d", v);
    CT_OK(cudnnOpsInferVersionCheck());
    CT_OK(cudnnCnnTrainVersionCheck());
    ok("versions 8400 / 11070, properties 8.4, error strings");
}

// Values from `javap -constants` on jcudnn-11.7.0.jar and offsets of the cuDNN 8 perf struct.
static void abi() {
    static_assert(CUDNN_STATUS_EXECUTION_FAILED == 8 && CUDNN_STATUS_NOT_SUPPORTED == 9 &&
                  CUDNN_STATUS_VERSION_MISMATCH == 14);
    static_assert(CUDNN_CONVOLUTION_FWD_ALGO_WINOGRAD_NONFUSED == 7 && CUDNN_CONVOLUTION_FWD_ALGO_COUNT == 8);
    static_assert(CUDNN_CONVOLUTION_BWD_DATA_ALGO_WINOGRAD_NONFUSED == 5 && CUDNN_CONVOLUTION_BWD_DATA_ALGO_COUNT == 6);
    static_assert(CUDNN_CONVOLUTION_BWD_FILTER_ALGO_3 == 3 && CUDNN_CONVOLUTION_BWD_FILTER_ALGO_FFT_TILING == 6 &&
                  CUDNN_CONVOLUTION_BWD_FILTER_ALGO_COUNT == 7);
    static_assert(CUDNN_FMA_MATH == 3 && CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION == 2);
    static_assert(CUDNN_POOLING_MAX_DETERMINISTIC == 3 && CUDNN_POOLING_AVERAGE_COUNT_EXCLUDE_PADDING == 2);
    static_assert(CUDNN_ACTIVATION_IDENTITY == 5 && CUDNN_ACTIVATION_SWISH == 6 && CUDNN_ACTIVATION_ELU == 4);
    static_assert(CUDNN_SOFTMAX_LOG == 2 && CUDNN_SOFTMAX_MODE_CHANNEL == 1);
    static_assert(CUDNN_BATCHNORM_SPATIAL_PERSISTENT == 2 && CUDNN_TENSOR_NHWC == 1 && CUDNN_DATA_INT64 == 10);
    static_assert(CUDNN_OP_TENSOR_NOT == 5 && CUDNN_CROSS_CORRELATION == 1 && CUDNN_PROPAGATE_NAN == 1);
    static_assert(offsetof(cudnnConvolutionFwdAlgoPerf_t, status) == 4);
    static_assert(offsetof(cudnnConvolutionFwdAlgoPerf_t, time) == 8);
    static_assert(offsetof(cudnnConvolutionFwdAlgoPerf_t, memory) == 16);
    static_assert(offsetof(cudnnConvolutionFwdAlgoPerf_t, determinism) == 24);
    static_assert(offsetof(cudnnConvolutionFwdAlgoPerf_t, mathType) == 28);
    static_assert(sizeof(cudnnConvolutionFwdAlgoPerf_t) == 48);
    static_assert(sizeof(cudnnConvolutionBwdDataAlgoPerf_t) == 48 && sizeof(cudnnConvolutionBwdFilterAlgoPerf_t) == 48);
    checks()++;
    ok("enum values match jcuda.jcudnn constants; perf structs have cuDNN 8's 48-byte layout");
}

static void handleWithoutContext() {
    cudnnHandle_t h = nullptr;
    status(cudnnCreate(&h), CUDNN_STATUS_NOT_INITIALIZED, "cudnnCreate with no current context");
    status(cudnnCreate(nullptr), CUDNN_STATUS_BAD_PARAM, "cudnnCreate(NULL)");
    ok("cudnnCreate without a current context: NOT_INITIALIZED (stricter than NVIDIA, reported)");
}

static void handles(const Gpu& gpu) {
    cudnnHandle_t h = nullptr;
    CT_OK(cudnnCreate(&h));
    cudaStream_t s = reinterpret_cast<cudaStream_t>(1);
    CT_OK(cudnnGetStream(h, &s));
    CT_EXPECT(s == nullptr, "a new handle uses the default stream");
    CT_OK(cudnnSetStream(h, gpu.stream));
    CT_OK(cudnnGetStream(h, &s));
    CT_EXPECT(s == gpu.stream, "cudnnGetStream returns the stream set");
    status(cudnnSetStream(h, reinterpret_cast<cudaStream_t>(0x1234560)), CUDNN_STATUS_BAD_PARAM,
           "cudnnSetStream with a made-up stream");
    CT_OK(cudnnSetStream(h, nullptr));
    CT_OK(cudnnDestroy(h));
    status(cudnnDestroy(h), CUDNN_STATUS_BAD_PARAM, "cudnnDestroy twice");
    status(cudnnSetStream(h, gpu.stream), CUDNN_STATUS_BAD_PARAM, "cudnnSetStream on a destroyed handle");
    status(cudnnDestroy(nullptr), CUDNN_STATUS_BAD_PARAM, "cudnnDestroy(NULL)");
    status(cudnnDestroy(reinterpret_cast<cudnnHandle_t>(0x7777)), CUDNN_STATUS_BAD_PARAM, "cudnnDestroy(made up)");
    ok("handle: stream set/get, double destroy, use after destroy, made-up handles -> BAD_PARAM");
}

static void tensorDescriptors() {
    cudnnTensorDescriptor_t t;
    CT_OK(cudnnCreateTensorDescriptor(&t));
    CT_OK(cudnnSetTensor4dDescriptor(t, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, 2, 3, 4, 5));
    cudnnDataType_t dt;
    int n, c, h, w, ns, cs, hs, ws;
    CT_OK(cudnnGetTensor4dDescriptor(t, &dt, &n, &c, &h, &w, &ns, &cs, &hs, &ws));
    CT_EXPECT(dt == CUDNN_DATA_FLOAT && n == 2 && c == 3 && h == 4 && w == 5 && ns == 60 && cs == 20 && hs == 5 &&
                  ws == 1,
              "NCHW 2x3x4x5 strides %d %d %d %d", ns, cs, hs, ws);
    size_t bytes = 0;
    CT_OK(cudnnGetTensorSizeInBytes(t, &bytes));
    CT_EXPECT(bytes == 480, "size of 2x3x4x5 floats %zu", bytes);

    CT_OK(cudnnSetTensor4dDescriptor(t, CUDNN_TENSOR_NHWC, CUDNN_DATA_FLOAT, 2, 3, 4, 5));
    CT_OK(cudnnGetTensor4dDescriptor(t, &dt, &n, &c, &h, &w, &ns, &cs, &hs, &ws));
    CT_EXPECT(ns == 60 && cs == 1 && hs == 15 && ws == 3, "NHWC strides %d %d %d %d", ns, cs, hs, ws);

    CT_OK(cudnnSetTensor4dDescriptorEx(t, CUDNN_DATA_FLOAT, 2, 3, 4, 5, 100, 25, 6, 1));
    CT_OK(cudnnGetTensorSizeInBytes(t, &bytes));
    CT_EXPECT(bytes == (1 + 100 + 2 * 25 + 3 * 6 + 4) * 4, "padded tensor size %zu", bytes);

    int dims[5] = {2, 3, 4, 5, 6}, strides[5] = {360, 120, 30, 6, 1};
    CT_OK(cudnnSetTensorNdDescriptor(t, CUDNN_DATA_FLOAT, 5, dims, strides));
    int nb = 0, gd[8] = {}, gs[8] = {};
    CT_OK(cudnnGetTensorNdDescriptor(t, 8, &dt, &nb, gd, gs));
    CT_EXPECT(nb == 5 && gd[4] == 6 && gs[0] == 360 && gs[4] == 1, "Nd round trip");
    int few[2] = {};
    CT_OK(cudnnGetTensorNdDescriptor(t, 2, &dt, &nb, few, few + 0));
    CT_EXPECT(nb == 5, "nbDims is the full count when fewer are requested");
    status(cudnnGetTensor4dDescriptor(t, &dt, &n, &c, &h, &w, &ns, &cs, &hs, &ws), CUDNN_STATUS_BAD_PARAM,
           "Get4d on a 5-D descriptor");
    CT_OK(cudnnSetTensorNdDescriptorEx(t, CUDNN_TENSOR_NHWC, CUDNN_DATA_FLOAT, 4, dims));
    CT_OK(cudnnGetTensorNdDescriptor(t, 8, &dt, &nb, gd, gs));
    CT_EXPECT(gs[0] == 60 && gs[1] == 1 && gs[2] == 15 && gs[3] == 3, "NdEx NHWC strides");

    status(cudnnSetTensor4dDescriptor(t, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, 2, -3, 4, 5), CUDNN_STATUS_BAD_PARAM,
           "negative dimension");
    status(cudnnSetTensor4dDescriptor(t, CUDNN_TENSOR_NCHW, cudnnDataType_t(42), 2, 3, 4, 5), CUDNN_STATUS_BAD_PARAM,
           "invalid data type");
    status(cudnnSetTensor4dDescriptor(t, cudnnTensorFormat_t(9), CUDNN_DATA_FLOAT, 2, 3, 4, 5), CUDNN_STATUS_BAD_PARAM,
           "invalid format");
    status(cudnnSetTensor4dDescriptorEx(t, CUDNN_DATA_FLOAT, 2, 3, 4, 5, 60, 20, 5, -1), CUDNN_STATUS_BAD_PARAM,
           "negative stride");
    int nine[9] = {1, 1, 1, 1, 1, 1, 1, 1, 1};
    status(cudnnSetTensorNdDescriptor(t, CUDNN_DATA_FLOAT, 9, nine, nine), CUDNN_STATUS_NOT_SUPPORTED,
           "9 dimensions");
    status(cudnnSetTensor4dDescriptor(t, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, 65536, 65536, 2, 1),
           CUDNN_STATUS_NOT_SUPPORTED, "more than 2^31 elements");
    CT_OK(cudnnSetTensor4dDescriptor(t, CUDNN_TENSOR_NCHW, CUDNN_DATA_HALF, 2, 3, 4, 5));
    CT_OK(cudnnGetTensorSizeInBytes(t, &bytes));
    CT_EXPECT(bytes == 240, "half tensor size %zu", bytes);
    CT_OK(cudnnDestroyTensorDescriptor(t));
    status(cudnnDestroyTensorDescriptor(t), CUDNN_STATUS_BAD_PARAM, "tensor descriptor destroyed twice");
    status(cudnnGetTensorSizeInBytes(t, &bytes), CUDNN_STATUS_BAD_PARAM, "tensor descriptor used after destroy");
    CT_OK(cudnnDestroyTensorDescriptor(nullptr));

    cudnnTensorDescriptor_t unset;
    CT_OK(cudnnCreateTensorDescriptor(&unset));
    status(cudnnGetTensorSizeInBytes(unset, &bytes), CUDNN_STATUS_BAD_PARAM, "a descriptor never set");
    CT_OK(cudnnDestroyTensorDescriptor(unset));
    ok("tensor descriptors: NCHW/NHWC/explicit/Nd strides, sizes, bad dims/types/strides, double destroy");
}

static void filterAndConvDescriptors() {
    cudnnFilterDescriptor_t f;
    CT_OK(cudnnCreateFilterDescriptor(&f));
    CT_OK(cudnnSetFilter4dDescriptor(f, CUDNN_DATA_FLOAT, CUDNN_TENSOR_NCHW, 8, 3, 5, 5));
    cudnnDataType_t dt;
    cudnnTensorFormat_t fmt;
    int k, c, h, w;
    CT_OK(cudnnGetFilter4dDescriptor(f, &dt, &fmt, &k, &c, &h, &w));
    CT_EXPECT(k == 8 && c == 3 && h == 5 && w == 5 && fmt == CUDNN_TENSOR_NCHW, "filter round trip");
    size_t bytes;
    CT_OK(cudnnGetFilterSizeInBytes(f, &bytes));
    CT_EXPECT(bytes == 8 * 3 * 25 * 4, "filter size %zu", bytes);
    int fd[4] = {4, 2, 3, 3}, nb = 0, got[4] = {};
    CT_OK(cudnnSetFilterNdDescriptor(f, CUDNN_DATA_FLOAT, CUDNN_TENSOR_NHWC, 4, fd));
    CT_OK(cudnnGetFilterNdDescriptor(f, 4, &dt, &fmt, &nb, got));
    CT_EXPECT(nb == 4 && got[0] == 4 && got[3] == 3 && fmt == CUDNN_TENSOR_NHWC, "filter Nd round trip");
    status(cudnnSetFilter4dDescriptor(f, CUDNN_DATA_FLOAT, CUDNN_TENSOR_NCHW, 0, 3, 5, 5), CUDNN_STATUS_BAD_PARAM,
           "zero filter dimension");

    cudnnConvolutionDescriptor_t cd;
    CT_OK(cudnnCreateConvolutionDescriptor(&cd));
    CT_OK(cudnnSetConvolution2dDescriptor(cd, 1, 2, 3, 1, 2, 1, CUDNN_CONVOLUTION, CUDNN_DATA_FLOAT));
    int ph, pw, u, v, dh, dw;
    cudnnConvolutionMode_t mode;
    CT_OK(cudnnGetConvolution2dDescriptor(cd, &ph, &pw, &u, &v, &dh, &dw, &mode, &dt));
    CT_EXPECT(ph == 1 && pw == 2 && u == 3 && v == 1 && dh == 2 && dw == 1 && mode == CUDNN_CONVOLUTION,
              "convolution round trip");
    int groups = 0;
    CT_OK(cudnnGetConvolutionGroupCount(cd, &groups));
    CT_EXPECT(groups == 1, "default group count %d", groups);
    cudnnMathType_t math;
    CT_OK(cudnnGetConvolutionMathType(cd, &math));
    CT_EXPECT(math == CUDNN_DEFAULT_MATH, "default math type");
    CT_OK(cudnnSetConvolutionGroupCount(cd, 2));
    CT_OK(cudnnSetConvolutionMathType(cd, CUDNN_TENSOR_OP_MATH));
    CT_OK(cudnnSetConvolution2dDescriptor(cd, 0, 0, 1, 1, 1, 1, CUDNN_CROSS_CORRELATION, CUDNN_DATA_FLOAT));
    CT_OK(cudnnGetConvolutionGroupCount(cd, &groups));
    CT_OK(cudnnGetConvolutionMathType(cd, &math));
    CT_EXPECT(groups == 2 && math == CUDNN_TENSOR_OP_MATH, "group count and math type survive a re-set");
    status(cudnnSetConvolutionGroupCount(cd, 0), CUDNN_STATUS_BAD_PARAM, "group count 0");
    status(cudnnSetConvolutionMathType(cd, cudnnMathType_t(7)), CUDNN_STATUS_BAD_PARAM, "invalid math type");
    status(cudnnSetConvolution2dDescriptor(cd, -1, 0, 1, 1, 1, 1, CUDNN_CONVOLUTION, CUDNN_DATA_FLOAT),
           CUDNN_STATUS_BAD_PARAM, "negative padding");
    status(cudnnSetConvolution2dDescriptor(cd, 0, 0, 0, 1, 1, 1, CUDNN_CONVOLUTION, CUDNN_DATA_FLOAT),
           CUDNN_STATUS_BAD_PARAM, "zero stride");
    status(cudnnSetConvolution2dDescriptor(cd, 0, 0, 1, 1, 0, 1, CUDNN_CONVOLUTION, cudnnDataType_t(99)),
           CUDNN_STATUS_BAD_PARAM, "zero dilation");
    int pad[2] = {1, 1}, str[2] = {2, 2}, dil[2] = {1, 1};
    CT_OK(cudnnSetConvolutionNdDescriptor(cd, 2, pad, str, dil, CUDNN_CROSS_CORRELATION, CUDNN_DATA_FLOAT));
    int len = 0, gp[2], gs2[2], gd[2];
    CT_OK(cudnnGetConvolutionNdDescriptor(cd, 2, &len, gp, gs2, gd, &mode, &dt));
    CT_EXPECT(len == 2 && gs2[0] == 2 && gp[1] == 1, "Nd convolution round trip");

    // Output size: 1 + (in + 2 pad - ((k - 1) dil + 1)) / stride; groups 2: x has 2 x filter C.
    cudnnTensorDescriptor_t x;
    CT_OK(cudnnCreateTensorDescriptor(&x));
    CT_OK(cudnnSetTensor4dDescriptor(x, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, 2, 6, 11, 8));
    CT_OK(cudnnSetFilter4dDescriptor(f, CUDNN_DATA_FLOAT, CUDNN_TENSOR_NCHW, 4, 3, 3, 2));
    CT_OK(cudnnSetConvolution2dDescriptor(cd, 1, 0, 2, 3, 2, 1, CUDNN_CROSS_CORRELATION, CUDNN_DATA_FLOAT));
    int n, oc, oh, ow;
    CT_OK(cudnnGetConvolution2dForwardOutputDim(cd, x, f, &n, &oc, &oh, &ow));
    CT_EXPECT(n == 2 && oc == 4 && oh == 5 && ow == 3, "output dims %d %d %d %d, expected 2 4 5 3", n, oc, oh, ow);
    int out[4];
    CT_OK(cudnnGetConvolutionNdForwardOutputDim(cd, x, f, 4, out));
    CT_EXPECT(out[2] == 5 && out[3] == 3, "Nd output dims");
    CT_OK(cudnnSetConvolutionGroupCount(cd, 1));
    status(cudnnGetConvolution2dForwardOutputDim(cd, x, f, &n, &oc, &oh, &ow), CUDNN_STATUS_BAD_PARAM,
           "input channels not filter C x groups");
    CT_OK(cudnnSetConvolutionGroupCount(cd, 2));
    CT_OK(cudnnSetFilter4dDescriptor(f, CUDNN_DATA_FLOAT, CUDNN_TENSOR_NCHW, 4, 3, 15, 2));
    status(cudnnGetConvolution2dForwardOutputDim(cd, x, f, &n, &oc, &oh, &ow), CUDNN_STATUS_BAD_PARAM,
           "dilated filter larger than padded input");
    CT_OK(cudnnDestroyTensorDescriptor(x));
    CT_OK(cudnnDestroyConvolutionDescriptor(cd));
    status(cudnnDestroyConvolutionDescriptor(cd), CUDNN_STATUS_BAD_PARAM, "convolution descriptor destroyed twice");
    status(cudnnDestroyFilterDescriptor(reinterpret_cast<cudnnFilterDescriptor_t>(cd)), CUDNN_STATUS_BAD_PARAM,
           "a destroyed convolution descriptor passed as filter descriptor");
    CT_OK(cudnnDestroyFilterDescriptor(f));
    ok("filter and convolution descriptors: round trips, groups, math type, output dims, bad parameters");
}

static void otherDescriptors() {
    cudnnPoolingDescriptor_t p;
    CT_OK(cudnnCreatePoolingDescriptor(&p));
    CT_OK(cudnnSetPooling2dDescriptor(p, CUDNN_POOLING_AVERAGE_COUNT_EXCLUDE_PADDING, CUDNN_PROPAGATE_NAN, 3, 2, 1, 0,
                                      2, 1));
    cudnnPoolingMode_t mode;
    cudnnNanPropagation_t nan;
    int wh, ww, ph, pw, sh, sw;
    CT_OK(cudnnGetPooling2dDescriptor(p, &mode, &nan, &wh, &ww, &ph, &pw, &sh, &sw));
    CT_EXPECT(mode == CUDNN_POOLING_AVERAGE_COUNT_EXCLUDE_PADDING && nan == CUDNN_PROPAGATE_NAN && wh == 3 && ww == 2 &&
                  ph == 1 && pw == 0 && sh == 2 && sw == 1,
              "pooling round trip");
    cudnnTensorDescriptor_t x;
    CT_OK(cudnnCreateTensorDescriptor(&x));
    CT_OK(cudnnSetTensor4dDescriptor(x, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, 2, 3, 7, 5));
    int n, c, h, w;
    CT_OK(cudnnGetPooling2dForwardOutputDim(p, x, &n, &c, &h, &w));
    // h: 1 + (7 + 2 - 3) / 2 = 4, w: 1 + (5 - 2) / 1 = 4
    CT_EXPECT(n == 2 && c == 3 && h == 4 && w == 4, "pooling output %d %d %d %d", n, c, h, w);
    status(cudnnSetPooling2dDescriptor(p, CUDNN_POOLING_MAX, CUDNN_PROPAGATE_NAN, 0, 2, 0, 0, 1, 1),
           CUDNN_STATUS_BAD_PARAM, "zero window");
    status(cudnnSetPooling2dDescriptor(p, cudnnPoolingMode_t(4), CUDNN_PROPAGATE_NAN, 2, 2, 0, 0, 1, 1),
           CUDNN_STATUS_BAD_PARAM, "invalid pooling mode");
    int win[2] = {2, 2}, pad[2] = {0, 1}, str[2] = {2, 2};
    CT_OK(cudnnSetPoolingNdDescriptor(p, CUDNN_POOLING_MAX, CUDNN_NOT_PROPAGATE_NAN, 2, win, pad, str));
    int nb, gw[2], gp[2], gs[2];
    CT_OK(cudnnGetPoolingNdDescriptor(p, 2, &mode, &nan, &nb, gw, gp, gs));
    CT_EXPECT(nb == 2 && gp[1] == 1 && mode == CUDNN_POOLING_MAX, "pooling Nd round trip");
    int out[4];
    CT_OK(cudnnGetPoolingNdForwardOutputDim(p, x, 4, out));
    CT_EXPECT(out[2] == 3 && out[3] == 3, "pooling Nd output %d %d", out[2], out[3]);
    CT_OK(cudnnDestroyPoolingDescriptor(p));
    CT_OK(cudnnDestroyTensorDescriptor(x));

    cudnnActivationDescriptor_t a;
    CT_OK(cudnnCreateActivationDescriptor(&a));
    CT_OK(cudnnSetActivationDescriptor(a, CUDNN_ACTIVATION_CLIPPED_RELU, CUDNN_PROPAGATE_NAN, 6.0));
    cudnnActivationMode_t am;
    double coef = 0, beta = 0;
    CT_OK(cudnnGetActivationDescriptor(a, &am, &nan, &coef));
    CT_EXPECT(am == CUDNN_ACTIVATION_CLIPPED_RELU && coef == 6.0, "activation round trip");
    CT_OK(cudnnGetActivationDescriptorSwishBeta(a, &beta));
    CT_EXPECT(beta == 1.0, "default swish beta %g", beta);
    CT_OK(cudnnSetActivationDescriptorSwishBeta(a, 1.5));
    CT_OK(cudnnGetActivationDescriptorSwishBeta(a, &beta));
    CT_EXPECT(beta == 1.5, "swish beta");
    status(cudnnSetActivationDescriptor(a, cudnnActivationMode_t(7), CUDNN_PROPAGATE_NAN, 0), CUDNN_STATUS_BAD_PARAM,
           "invalid activation mode");
    CT_OK(cudnnDestroyActivationDescriptor(a));
    status(cudnnDestroyActivationDescriptor(a), CUDNN_STATUS_BAD_PARAM, "activation destroyed twice");

    cudnnOpTensorDescriptor_t o;
    CT_OK(cudnnCreateOpTensorDescriptor(&o));
    CT_OK(cudnnSetOpTensorDescriptor(o, CUDNN_OP_TENSOR_MAX, CUDNN_DATA_FLOAT, CUDNN_PROPAGATE_NAN));
    cudnnOpTensorOp_t op;
    cudnnDataType_t dt;
    CT_OK(cudnnGetOpTensorDescriptor(o, &op, &dt, &nan));
    CT_EXPECT(op == CUDNN_OP_TENSOR_MAX && dt == CUDNN_DATA_FLOAT && nan == CUDNN_PROPAGATE_NAN, "op-tensor round trip");
    CT_OK(cudnnDestroyOpTensorDescriptor(o));
    ok("pooling, activation and op-tensor descriptors: round trips, output dims, bad parameters, double destroy");
}

int main() {
    versions();
    abi();
    handleWithoutContext();
    Gpu gpu;
    handles(gpu);
    tensorDescriptors();
    filterAndConvDescriptors();
    otherDescriptors();
    return finish("cudnn_basics");
}
