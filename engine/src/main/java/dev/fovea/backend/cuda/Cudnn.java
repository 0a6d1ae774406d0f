package dev.fovea.backend.cuda;

import dev.fovea.primitives.ConvGeometry;

import jcuda.Pointer;
import jcuda.jcudnn.JCudnn;
import jcuda.jcudnn.cudnnActivationDescriptor;
import jcuda.jcudnn.cudnnConvolutionDescriptor;
import jcuda.jcudnn.cudnnConvolutionMode;
import jcuda.jcudnn.cudnnDataType;
import jcuda.jcudnn.cudnnFilterDescriptor;
import jcuda.jcudnn.cudnnMathType;
import jcuda.jcudnn.cudnnNanPropagation;
import jcuda.jcudnn.cudnnPoolingDescriptor;
import jcuda.jcudnn.cudnnTensorDescriptor;
import jcuda.jcudnn.cudnnTensorFormat;

/**
 * cuDNN descriptors as try-with-resources objects, created from plain dimensions. Creating one is
 * a host-side call of microseconds, so they are made per op call rather than cached.
 */
final class Cudnn {
    private Cudnn() {
    }

    /** Host scaling factors: cuDNN computes y = alpha * op(...) + beta * y. */
    static final Pointer ONE = Pointer.to(new float[]{1f});
    static final Pointer ZERO = Pointer.to(new float[]{0f});

    /**
     * The convolution math type: tensor cores (TF32 on Ampere and later) only when asked. Not
     * DEFAULT_MATH, which lets cuDNN 8 use TF32 on Ampere by itself; FMA_MATH keeps full FP32.
     */
    static int mathType(boolean tensorCores) {
        return tensorCores ? cudnnMathType.CUDNN_TENSOR_OP_MATH : cudnnMathType.CUDNN_FMA_MATH;
    }

    /**
     * Runs a descriptor's setters; if one fails, destroys the just-created descriptor before the
     * error propagates (a constructor that throws is never closed by try-with-resources).
     */
    private static void setOrDestroy(Runnable set, AutoCloseable desc) {
        try {
            set.run();
        } catch (RuntimeException e) {
            try {
                desc.close();
            } catch (Exception suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** A float32 NCHW tensor descriptor. */
    static final class TensorDesc implements AutoCloseable {
        final cudnnTensorDescriptor d = new cudnnTensorDescriptor();

        TensorDesc(int n, int c, int h, int w, String context) {
            Check.cudnn(JCudnn.cudnnCreateTensorDescriptor(d), "cudnnCreateTensorDescriptor", context);
            setOrDestroy(() -> Check.cudnn(JCudnn.cudnnSetTensor4dDescriptor(d, cudnnTensorFormat.CUDNN_TENSOR_NCHW,
                    cudnnDataType.CUDNN_DATA_FLOAT, n, c, h, w), "cudnnSetTensor4dDescriptor", context), this);
        }

        TensorDesc(int[] nchw, String context) {
            this(nchw[0], nchw[1], nchw[2], nchw[3], context);
        }

        @Override
        public void close() {
            JCudnn.cudnnDestroyTensorDescriptor(d);
        }
    }

    /** A float32 KCRS filter descriptor (C per group). */
    static final class FilterDesc implements AutoCloseable {
        final cudnnFilterDescriptor d = new cudnnFilterDescriptor();

        FilterDesc(int[] kcrs, String context) {
            Check.cudnn(JCudnn.cudnnCreateFilterDescriptor(d), "cudnnCreateFilterDescriptor", context);
            setOrDestroy(() -> Check.cudnn(JCudnn.cudnnSetFilter4dDescriptor(d, cudnnDataType.CUDNN_DATA_FLOAT,
                    cudnnTensorFormat.CUDNN_TENSOR_NCHW, kcrs[0], kcrs[1], kcrs[2], kcrs[3]),
                    "cudnnSetFilter4dDescriptor", context), this);
        }

        @Override
        public void close() {
            JCudnn.cudnnDestroyFilterDescriptor(d);
        }
    }

    /** cuDNN's mode for a geometry: CUDNN_CONVOLUTION flips the filter, which is exactly mathematical convolution. */
    static int mode(ConvGeometry g) {
        return switch (g.mode()) {
            case CONVOLUTION -> cudnnConvolutionMode.CUDNN_CONVOLUTION;
            case CROSS_CORRELATION -> cudnnConvolutionMode.CUDNN_CROSS_CORRELATION;
        };
    }

    /** The convolution descriptor for a {@link ConvGeometry}, with group count and math type. */
    static final class ConvDesc implements AutoCloseable {
        final cudnnConvolutionDescriptor d = new cudnnConvolutionDescriptor();

        ConvDesc(ConvGeometry g, boolean tensorCores, String context) {
            Check.cudnn(JCudnn.cudnnCreateConvolutionDescriptor(d), "cudnnCreateConvolutionDescriptor", context);
            setOrDestroy(() -> {
                Check.cudnn(JCudnn.cudnnSetConvolution2dDescriptor(d, g.padH(), g.padW(), g.strideH(), g.strideW(),
                        g.dilationH(), g.dilationW(), Cudnn.mode(g), cudnnDataType.CUDNN_DATA_FLOAT),
                        "cudnnSetConvolution2dDescriptor", context);
                Check.cudnn(JCudnn.cudnnSetConvolutionGroupCount(d, g.groups()), "cudnnSetConvolutionGroupCount", context);
                Check.cudnn(JCudnn.cudnnSetConvolutionMathType(d, mathType(tensorCores)), "cudnnSetConvolutionMathType",
                        context);
            }, this);
        }

        @Override
        public void close() {
            JCudnn.cudnnDestroyConvolutionDescriptor(d);
        }
    }

    static final class PoolDesc implements AutoCloseable {
        final cudnnPoolingDescriptor d = new cudnnPoolingDescriptor();

        PoolDesc(int mode, int kH, int kW, int pH, int pW, int sH, int sW, String context) {
            Check.cudnn(JCudnn.cudnnCreatePoolingDescriptor(d), "cudnnCreatePoolingDescriptor", context);
            setOrDestroy(() -> Check.cudnn(JCudnn.cudnnSetPooling2dDescriptor(d, mode,
                    cudnnNanPropagation.CUDNN_PROPAGATE_NAN, kH, kW, pH, pW, sH, sW), "cudnnSetPooling2dDescriptor",
                    context), this);
        }

        @Override
        public void close() {
            JCudnn.cudnnDestroyPoolingDescriptor(d);
        }
    }

    static final class ActivationDesc implements AutoCloseable {
        final cudnnActivationDescriptor d = new cudnnActivationDescriptor();

        ActivationDesc(int mode, String context) {
            Check.cudnn(JCudnn.cudnnCreateActivationDescriptor(d), "cudnnCreateActivationDescriptor", context);
            setOrDestroy(() -> Check.cudnn(JCudnn.cudnnSetActivationDescriptor(d, mode,
                    cudnnNanPropagation.CUDNN_PROPAGATE_NAN, 0.0), "cudnnSetActivationDescriptor", context), this);
        }

        @Override
        public void close() {
            JCudnn.cudnnDestroyActivationDescriptor(d);
        }
    }
}
