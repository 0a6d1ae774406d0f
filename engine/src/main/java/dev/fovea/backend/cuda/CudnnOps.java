package dev.fovea.backend.cuda;

import dev.fovea.primitives.Activation;
import dev.fovea.primitives.Pool2dParams;
import jcuda.driver.CUdeviceptr;
import jcuda.jcudnn.JCudnn;
import jcuda.jcudnn.cudnnActivationMode;
import jcuda.jcudnn.cudnnBatchNormMode;
import jcuda.jcudnn.cudnnSoftmaxAlgorithm;
import jcuda.jcudnn.cudnnSoftmaxMode;

import java.util.EnumMap;
import java.util.Map;

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

    /** Whether a tensor of these dims holds nothing: cuDNN refuses zero-sized descriptors, and there is no work. */
    private static boolean empty(int... dims) {
        for (int d : dims) {
            if (d == 0) {
                return true;
            }
        }
        return false;
    }

    void poolForward(Pool2dParams p, int[] xDims, int[] yDims, CUdeviceptr x, CUdeviceptr y, String context) {
        if (empty(yDims)) {
            return;
        }
        try (Cudnn.PoolDesc pd = pool(p, context);
             Cudnn.TensorDesc xd = new Cudnn.TensorDesc(xDims, context);
             Cudnn.TensorDesc yd = new Cudnn.TensorDesc(yDims, context)) {
            dev.cudnn("cudnnPoolingForward", context,
                    h -> JCudnn.cudnnPoolingForward(h, pd.d, Cudnn.ONE, xd.d, x, Cudnn.ZERO, yd.d, y));
        }
    }

    void poolBackward(Pool2dParams p, int[] xDims, int[] yDims, CUdeviceptr x, CUdeviceptr y, CUdeviceptr dy,
                      CUdeviceptr dx, String context) {
        if (empty(xDims)) {
            return;
        }
        if (empty(yDims)) {
            // No window covers any input: the gradient is zero (cuDNN would refuse the empty output).
            dev.zero(dx, 4L * xDims[0] * xDims[1] * xDims[2] * xDims[3], context);
            return;
        }
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

    /**
     * The cuDNN modes of the activations cuDNN has (a map, not a switch: any other activation,
     * including a new one, has no mode and runs on Fovea's generic kernels).
     */
    private static final Map<Activation, Integer> CUDNN_MODES = new EnumMap<>(Map.of(
            Activation.RELU, cudnnActivationMode.CUDNN_ACTIVATION_RELU,
            Activation.SIGMOID, cudnnActivationMode.CUDNN_ACTIVATION_SIGMOID,
            Activation.TANH, cudnnActivationMode.CUDNN_ACTIVATION_TANH));

    static boolean hasActivationMode(Activation kind) {
        return CUDNN_MODES.containsKey(kind);
    }

    static int activationMode(Activation kind) {
        Integer mode = CUDNN_MODES.get(kind);
        if (mode == null) {
            throw new IllegalArgumentException(kind.opName() + ": cuDNN has no such activation mode");
        }
        return mode;
    }

    void activationForward(Activation kind, int n, CUdeviceptr x, CUdeviceptr y, String context) {
        if (n == 0) {
            return;
        }
        try (Cudnn.ActivationDesc ad = new Cudnn.ActivationDesc(activationMode(kind), context);
             Cudnn.TensorDesc d = new Cudnn.TensorDesc(n, 1, 1, 1, context)) {
            dev.cudnn("cudnnActivationForward", context,
                    h -> JCudnn.cudnnActivationForward(h, ad.d, Cudnn.ONE, d.d, x, Cudnn.ZERO, d.d, y));
        }
    }

    void activationBackward(Activation kind, int n, CUdeviceptr x, CUdeviceptr y, CUdeviceptr dy, CUdeviceptr dx,
                            String context) {
        if (n == 0) {
            return;
        }
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
        if (empty(outer, d, inner)) {
            return;
        }
        try (Cudnn.TensorDesc td = new Cudnn.TensorDesc(outer, d, inner, 1, context)) {
            dev.cudnn("cudnnSoftmaxForward", context, h -> JCudnn.cudnnSoftmaxForward(h, softmaxAlgorithm(log),
                    cudnnSoftmaxMode.CUDNN_SOFTMAX_MODE_CHANNEL, Cudnn.ONE, td.d, x, Cudnn.ZERO, td.d, y));
        }
    }

    void softmaxBackward(boolean log, int outer, int d, int inner, CUdeviceptr y, CUdeviceptr dy, CUdeviceptr dx,
                         String context) {
        if (empty(outer, d, inner)) {
            return;
        }
        try (Cudnn.TensorDesc td = new Cudnn.TensorDesc(outer, d, inner, 1, context)) {
            dev.cudnn("cudnnSoftmaxBackward", context, h -> JCudnn.cudnnSoftmaxBackward(h, softmaxAlgorithm(log),
                    cudnnSoftmaxMode.CUDNN_SOFTMAX_MODE_CHANNEL, Cudnn.ONE, td.d, y, td.d, dy, Cudnn.ZERO, td.d, dx));
        }
    }
}
