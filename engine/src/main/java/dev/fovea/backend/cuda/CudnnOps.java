package dev.fovea.backend.cuda;

import dev.fovea.ops.Activation;
import dev.fovea.ops.Pool2dParams;
import jcuda.driver.CUdeviceptr;
import jcuda.jcudnn.JCudnn;
import jcuda.jcudnn.cudnnActivationMode;
import jcuda.jcudnn.cudnnBatchNormMode;
import jcuda.jcudnn.cudnnSoftmaxAlgorithm;
import jcuda.jcudnn.cudnnSoftmaxMode;

/**
 * Pooling, batch norm, activations and softmax on cuDNN, for the shapes the {@link Router} sends
 * here. Tensors arrive as device pointers with their NCHW dims; 2-D batch-norm input [N, C] is
 * viewed as [N, C, 1, 1], pointwise ops as [n, 1, 1, 1], softmax along a dim as [outer, D, inner, 1].
 */
final class CudnnOps {
    private final CudaDevice dev;
    private final boolean deterministic;

    CudnnOps(CudaDevice dev, boolean deterministic) {
        this.dev = dev;
        this.deterministic = deterministic;
    }

    // ---- pooling -----------------------------------------------------------------------------

    private Cudnn.PoolDesc pool(Pool2dParams p, String context) {
        return new Cudnn.PoolDesc(PoolModes.cudnnMode(p, deterministic), p.kernelH(), p.kernelW(), p.padH(), p.padW(),
                p.strideH(), p.strideW(), context);
    }

    void poolForward(Pool2dParams p, int[] xDims, int[] yDims, CUdeviceptr x, CUdeviceptr y, String context) {
        try (Cudnn.PoolDesc pd = pool(p, context);
             Cudnn.TensorDesc xd = new Cudnn.TensorDesc(xDims, context);
             Cudnn.TensorDesc yd = new Cudnn.TensorDesc(yDims, context)) {
            dev.cudnn("cudnnPoolingForward", context,
                    h -> JCudnn.cudnnPoolingForward(h, pd.d, Cudnn.ONE, xd.d, x, Cudnn.ZERO, yd.d, y));
        }
    }

    void poolBackward(Pool2dParams p, int[] xDims, int[] yDims, CUdeviceptr x, CUdeviceptr y, CUdeviceptr dy,
                      CUdeviceptr dx, String context) {
        try (Cudnn.PoolDesc pd = pool(p, context);
             Cudnn.TensorDesc xd = new Cudnn.TensorDesc(xDims, context);
             Cudnn.TensorDesc yd = new Cudnn.TensorDesc(yDims, context)) {
            dev.cudnn("cudnnPoolingBackward", context,
                    h -> JCudnn.cudnnPoolingBackward(h, pd.d, Cudnn.ONE, yd.d, y, yd.d, dy, xd.d, x, Cudnn.ZERO,
                    xd.d, dx));
        }
    }

    // ---- batch norm --------------------------------------------------------------------------

    /** Per-channel statistics over N, H and W: cuDNN's spatial mode. */
    private static final int BN_MODE = cudnnBatchNormMode.CUDNN_BATCHNORM_SPATIAL;

    void batchNormTraining(int n, int c, int hw, CUdeviceptr x, CUdeviceptr y, CUdeviceptr gamma, CUdeviceptr beta,
                           double momentum, CUdeviceptr runningMean, CUdeviceptr runningVar, double eps,
                           CUdeviceptr saveMean, CUdeviceptr saveInvStd, String context) {
        try (Cudnn.TensorDesc xd = new Cudnn.TensorDesc(n, c, hw, 1, context);
             Cudnn.TensorDesc bn = new Cudnn.TensorDesc(1, c, 1, 1, context)) {
            // cuDNN updates the running variance with the unbiased batch variance, as PyTorch does.
            dev.cudnn("cudnnBatchNormalizationForwardTraining", context,
                    h -> JCudnn.cudnnBatchNormalizationForwardTraining(h, BN_MODE, Cudnn.ONE, Cudnn.ZERO,
                    xd.d, x, xd.d, y, bn.d, gamma, beta, momentum, runningMean, runningVar, eps, saveMean, saveInvStd));
        }
    }

    void batchNormInference(int n, int c, int hw, CUdeviceptr x, CUdeviceptr y, CUdeviceptr gamma, CUdeviceptr beta,
                            CUdeviceptr runningMean, CUdeviceptr runningVar, double eps, String context) {
        try (Cudnn.TensorDesc xd = new Cudnn.TensorDesc(n, c, hw, 1, context);
             Cudnn.TensorDesc bn = new Cudnn.TensorDesc(1, c, 1, 1, context)) {
            dev.cudnn("cudnnBatchNormalizationForwardInference", context,
                    h -> JCudnn.cudnnBatchNormalizationForwardInference(h, BN_MODE, Cudnn.ONE, Cudnn.ZERO,
                    xd.d, x, xd.d, y, bn.d, gamma, beta, runningMean, runningVar, eps));
        }
    }

    void batchNormBackward(int n, int c, int hw, CUdeviceptr x, CUdeviceptr dy, CUdeviceptr dx, CUdeviceptr gamma,
                           CUdeviceptr dgamma, CUdeviceptr dbeta, double eps, CUdeviceptr savedMean,
                           CUdeviceptr savedInvStd, String context) {
        try (Cudnn.TensorDesc xd = new Cudnn.TensorDesc(n, c, hw, 1, context);
             Cudnn.TensorDesc bn = new Cudnn.TensorDesc(1, c, 1, 1, context)) {
            dev.cudnn("cudnnBatchNormalizationBackward", context,
                    h -> JCudnn.cudnnBatchNormalizationBackward(h, BN_MODE, Cudnn.ONE, Cudnn.ZERO, Cudnn.ONE,
                    Cudnn.ZERO, xd.d, x, xd.d, dy, xd.d, dx, bn.d, gamma, dgamma, dbeta, eps, savedMean, savedInvStd));
        }
    }

    // ---- activations and softmax -------------------------------------------------------------

    static int activationMode(Activation kind) {
        return switch (kind) {
            case RELU -> cudnnActivationMode.CUDNN_ACTIVATION_RELU;
            case SIGMOID -> cudnnActivationMode.CUDNN_ACTIVATION_SIGMOID;
            case TANH -> cudnnActivationMode.CUDNN_ACTIVATION_TANH;
            case LEAKY_RELU -> throw new IllegalArgumentException("leaky_relu: cuDNN 8 has no leaky ReLU");
        };
    }

    void activationForward(Activation kind, int n, CUdeviceptr x, CUdeviceptr y, String context) {
        try (Cudnn.ActivationDesc ad = new Cudnn.ActivationDesc(activationMode(kind), context);
             Cudnn.TensorDesc d = new Cudnn.TensorDesc(n, 1, 1, 1, context)) {
            dev.cudnn("cudnnActivationForward", context,
                    h -> JCudnn.cudnnActivationForward(h, ad.d, Cudnn.ONE, d.d, x, Cudnn.ZERO, d.d, y));
        }
    }

    void activationBackward(Activation kind, int n, CUdeviceptr x, CUdeviceptr y, CUdeviceptr dy, CUdeviceptr dx,
                            String context) {
        try (Cudnn.ActivationDesc ad = new Cudnn.ActivationDesc(activationMode(kind), context);
             Cudnn.TensorDesc d = new Cudnn.TensorDesc(n, 1, 1, 1, context)) {
            dev.cudnn("cudnnActivationBackward", context,
                    h -> JCudnn.cudnnActivationBackward(h, ad.d, Cudnn.ONE, d.d, y, d.d, dy, d.d, x, Cudnn.ZERO,
                    d.d, dx));
        }
    }

    private static int softmaxAlgorithm(boolean log) {
        return log ? cudnnSoftmaxAlgorithm.CUDNN_SOFTMAX_LOG : cudnnSoftmaxAlgorithm.CUDNN_SOFTMAX_ACCURATE;
    }

    void softmaxForward(boolean log, int outer, int d, int inner, CUdeviceptr x, CUdeviceptr y, String context) {
        try (Cudnn.TensorDesc td = new Cudnn.TensorDesc(outer, d, inner, 1, context)) {
            dev.cudnn("cudnnSoftmaxForward", context, h -> JCudnn.cudnnSoftmaxForward(h, softmaxAlgorithm(log),
                    cudnnSoftmaxMode.CUDNN_SOFTMAX_MODE_CHANNEL, Cudnn.ONE, td.d, x, Cudnn.ZERO, td.d, y));
        }
    }

    void softmaxBackward(boolean log, int outer, int d, int inner, CUdeviceptr y, CUdeviceptr dy, CUdeviceptr dx,
                         String context) {
        try (Cudnn.TensorDesc td = new Cudnn.TensorDesc(outer, d, inner, 1, context)) {
            dev.cudnn("cudnnSoftmaxBackward", context, h -> JCudnn.cudnnSoftmaxBackward(h, softmaxAlgorithm(log),
                    cudnnSoftmaxMode.CUDNN_SOFTMAX_MODE_CHANNEL, Cudnn.ONE, td.d, y, td.d, dy, Cudnn.ZERO, td.d, dx));
        }
    }
}
