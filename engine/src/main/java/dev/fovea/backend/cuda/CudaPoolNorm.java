package dev.fovea.backend.cuda;

import dev.fovea.backend.BatchNormOutput;
import dev.fovea.backend.Grads;
import dev.fovea.backend.PoolOutput;
import dev.fovea.primitives.BatchNormParams;
import dev.fovea.primitives.Pool2dParams;
import dev.fovea.primitives.PoolKind;
import dev.fovea.tensor.DType;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import jcuda.driver.CUdeviceptr;

import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;

import static dev.fovea.backend.cuda.CudaDevice.ptr;

/**
 * Pooling and batch normalisation for {@link CudaBackend}: cuDNN where the router says so, Fovea's
 * pooling and batch-norm kernels otherwise (always for min pooling).
 */
final class CudaPoolNorm {
    static final KernelRef AVGPOOL_FORWARD = KernelRef.of("pooling", "fovea_avgpool2d_forward");
    static final KernelRef MINPOOL_FORWARD = KernelRef.of("pooling", "fovea_minpool2d_forward");
    static final KernelRef MAXPOOL_FORWARD = KernelRef.of("pooling", "fovea_maxpool2d_forward");
    static final KernelRef MINPOOL_BACKWARD = KernelRef.of("pooling", "fovea_minpool2d_backward");
    static final KernelRef MAXPOOL_BACKWARD = KernelRef.of("pooling", "fovea_maxpool2d_backward");
    static final KernelRef AVGPOOL_BACKWARD = KernelRef.of("pooling", "fovea_avgpool2d_backward");
    static final KernelRef BATCHNORM_PLANE_STATS = KernelRef.of("batchnorm", "fovea_batchnorm_plane_stats");
    static final KernelRef BATCHNORM_COMBINE_STATS = KernelRef.of("batchnorm", "fovea_batchnorm_combine_stats");
    static final KernelRef BATCHNORM_APPLY = KernelRef.of("batchnorm", "fovea_batchnorm_apply");
    static final KernelRef BATCHNORM_INFERENCE = KernelRef.of("batchnorm", "fovea_batchnorm_inference");
    static final KernelRef BATCHNORM_BACKWARD_DATA = KernelRef.of("batchnorm", "fovea_batchnorm_backward_data");
    static final KernelRef BATCHNORM_RUNNING_INVSTD = KernelRef.of("batchnorm", "fovea_batchnorm_running_invstd");
    static final KernelRef BATCHNORM_PLANE_GRADS = KernelRef.of("batchnorm", "fovea_batchnorm_plane_grads");

    private final CudaDevice dev;
    private final Router router;
    private final CudnnOps cudnnOps;
    /** eps of each batch-norm forward cuDNN ran, keyed by its saved 1/std tensor, for the matching backward. */
    private final Map<Tensor, Double> cudnnBatchNormEps = Collections.synchronizedMap(new WeakHashMap<>());

    CudaPoolNorm(CudaDevice dev, Router router, CudnnOps cudnnOps) {
        this.dev = dev;
        this.router = router;
        this.cudnnOps = cudnnOps;
    }

    // ---- pooling ----------------------------------------------------------------------------

    /** The 12 geometry arguments of the pooling kernels, in the order of pooling.cu's parameters. */
    private static Object[] poolGeometry(Shape in, Shape out, Pool2dParams p) {
        return new Object[]{in.dim(0), in.dim(1), in.dim(2), in.dim(3), out.dim(2), out.dim(3), p.kernelH(), p.kernelW(),
                p.strideH(), p.strideW(), p.padH(), p.padW()};
    }

    private static Object[] args(Object[] head, Object[] geometry, Object... tail) {
        Object[] all = new Object[head.length + geometry.length + tail.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(geometry, 0, all, head.length, geometry.length);
        System.arraycopy(tail, 0, all, head.length + geometry.length, tail.length);
        return all;
    }

    PoolOutput pool2d(Tensor input, Pool2dParams p) {
        Shape out = p.outputShape(input.shape());
        String ctx = p.kind().opName() + " input " + input.shape() + " " + p;
        Tensor y = dev.tensor(out, ctx);
        if (router.pool2d(p).engine() == Route.Engine.CUDNN) {
            cudnnOps.poolForward(p, input.shape().toArray(), out.toArray(), ptr(input), ptr(y), ctx);
            return new PoolOutput(y, null);
        }
        Object[] geometry = poolGeometry(input.shape(), out, p);
        if (p.kind() == PoolKind.AVG) {
            dev.kernels.launch(AVGPOOL_FORWARD, out.size(), ctx,
                    args(new Object[]{ptr(input), ptr(y)}, geometry, p.countIncludePad() ? 1 : 0));
            return new PoolOutput(y, null);
        }
        Tensor idx = new Tensor(out, dev.allocate(DType.INT32, out.size(), ctx));
        dev.kernels.launch(p.kind() == PoolKind.MIN ? MINPOOL_FORWARD : MAXPOOL_FORWARD, out.size(), ctx,
                args(new Object[]{ptr(input), ptr(y), ptr(idx)}, geometry));
        return new PoolOutput(y, idx);
    }

    Tensor pool2dBackward(Tensor gradOutput, Tensor input, PoolOutput forward, Pool2dParams p) {
        Shape out = p.outputShape(input.shape());
        String op = p.kind().opName() + " backward";
        CudaChecks.shape(op, "grad_output", gradOutput, out);
        String ctx = op + " input " + input.shape() + " " + p;
        Tensor dx = dev.tensor(input.shape(), ctx);
        Object[] geometry = poolGeometry(input.shape(), out, p);
        if (p.kind() != PoolKind.AVG && forward.indices() != null) {
            // The forward pass ran a Fovea kernel and stored the winners: gather through them.
            dev.kernels.launch(p.kind() == PoolKind.MIN ? MINPOOL_BACKWARD : MAXPOOL_BACKWARD,
                    input.size(), ctx, args(new Object[]{ptr(gradOutput), ptr(forward.indices()), ptr(dx)}, geometry));
        } else if (router.pool2d(p).engine() == Route.Engine.CUDNN) {
            cudnnOps.poolBackward(p, input.shape().toArray(), out.toArray(), ptr(input), ptr(forward.output()),
                    ptr(gradOutput), ptr(dx), ctx);
        } else if (p.kind() == PoolKind.AVG) {
            dev.kernels.launch(AVGPOOL_BACKWARD, input.size(), ctx,
                    args(new Object[]{ptr(gradOutput), ptr(dx)}, geometry, p.countIncludePad() ? 1 : 0));
        } else {
            throw new IllegalArgumentException(op + ": the forward result carries no indices; pass the PoolOutput"
                    + " of this backend's pool2d");
        }
        return dx;
    }

    // ---- normalisation ----------------------------------------------------------------------

    /** Spatial size per channel: H*W for [N, C, H, W], 1 for [N, C]. */
    private static int spatial(Shape x) {
        return x.product(2, x.rank());
    }

    BatchNormOutput batchNormTraining(Tensor input, Tensor gamma, Tensor beta, Tensor runningMean,
                                      Tensor runningVar, BatchNormParams p) {
        int c = CudaChecks.batchNorm(input.shape(), gamma.shape(), beta.shape(), runningMean.shape(), runningVar.shape());
        int n = input.shape().dim(0);
        int hw = spatial(input.shape());
        String ctx = "batch_norm training input " + input.shape();
        Tensor y = dev.tensor(input.shape(), ctx);
        Tensor mean = dev.tensor(Shape.of(c), ctx);
        Tensor invStd = dev.tensor(Shape.of(c), ctx);
        if (router.batchNorm(p.eps(), (long) n * hw).engine() == Route.Engine.CUDNN) {
            cudnnOps.batchNormTraining(n, c, hw, ptr(input), ptr(y), ptr(gamma), ptr(beta), p.momentum(),
                    ptr(runningMean), ptr(runningVar), p.eps(), ptr(mean), ptr(invStd), ctx);
            cudnnBatchNormEps.put(invStd, p.eps());
        } else {
            // Two deterministic passes: (mean, M2) per (n, c) plane, then per channel their combination.
            int planes = Math.multiplyExact(n, c);
            try (Tensor partials = dev.tensor(Shape.of(Math.multiplyExact(2, planes)), ctx + " (plane statistics)")) {
                CUdeviceptr planeMean = ptr(partials);
                CUdeviceptr planeM2 = Reductions.offset(planeMean, planes);
                dev.kernels.launch(BATCHNORM_PLANE_STATS, planes, ctx, ptr(input), planeMean, planeM2, planes, hw);
                dev.kernels.launch(BATCHNORM_COMBINE_STATS, c, ctx, planeMean, planeM2, ptr(mean), ptr(invStd),
                        ptr(runningMean), ptr(runningVar), n, c, hw, (float) p.eps(), (float) p.momentum());
            }
            dev.kernels.launch(BATCHNORM_APPLY, input.size(), ctx, ptr(input), ptr(mean), ptr(invStd), ptr(gamma),
                    ptr(beta), ptr(y), n, c, hw);
        }
        return new BatchNormOutput(y, mean, invStd);
    }

    Tensor batchNormInference(Tensor input, Tensor gamma, Tensor beta, Tensor runningMean,
                              Tensor runningVar, BatchNormParams p) {
        int c = CudaChecks.batchNorm(input.shape(), gamma.shape(), beta.shape(), runningMean.shape(), runningVar.shape());
        int n = input.shape().dim(0);
        int hw = spatial(input.shape());
        String ctx = "batch_norm inference input " + input.shape();
        Tensor y = dev.tensor(input.shape(), ctx);
        if (router.batchNorm(p.eps(), (long) n * hw).engine() == Route.Engine.CUDNN) {
            cudnnOps.batchNormInference(n, c, hw, ptr(input), ptr(y), ptr(gamma), ptr(beta), ptr(runningMean),
                    ptr(runningVar), p.eps(), ctx);
        } else {
            dev.kernels.launch(BATCHNORM_INFERENCE, input.size(), ctx, ptr(input), ptr(gamma), ptr(beta),
                    ptr(runningMean), ptr(runningVar), ptr(y), n, c, hw, (float) p.eps());
        }
        return y;
    }

    Grads batchNormBackward(Tensor gradOutput, Tensor input, Tensor gamma, BatchNormOutput forward) {
        CudaChecks.shape("batch_norm backward", "grad_output", gradOutput, input.shape());
        int c = gamma.size();
        int n = input.shape().dim(0);
        int hw = spatial(input.shape());
        String ctx = "batch_norm backward input " + input.shape();
        Tensor dx = dev.tensor(input.shape(), ctx);
        Tensor dgamma = dev.tensor(gamma.shape(), ctx);
        Tensor dbeta = dev.tensor(gamma.shape(), ctx);
        Double eps = cudnnBatchNormEps.get(forward.savedInvStd());
        if (eps != null) {
            cudnnOps.batchNormBackward(n, c, hw, ptr(input), ptr(gradOutput), ptr(dx), ptr(gamma), ptr(dgamma),
                    ptr(dbeta), eps, ptr(forward.savedMean()), ptr(forward.savedInvStd()), ctx);
        } else {
            batchNormParamGrads(gradOutput, input, forward.savedMean(), forward.savedInvStd(), dgamma, dbeta, n, c, hw,
                    ctx);
            dev.kernels.launch(BATCHNORM_BACKWARD_DATA, input.size(), ctx, ptr(gradOutput), ptr(input), ptr(gamma),
                    ptr(forward.savedMean()), ptr(forward.savedInvStd()), ptr(dgamma), ptr(dbeta), ptr(dx), n, c, hw);
        }
        return new Grads(dx, dgamma, dbeta);
    }

    /**
     * Backward of batch norm with the running statistics. cuDNN's batch-norm backward is for training
     * mode only, so this always takes Fovea's kernels: invStd = 1/sqrt(runningVar + eps) per channel,
     * the parameter gradients as in training with x_hat = (x - runningMean) invStd, and
     * dx = gamma (dy - 0) invStd + 0 by the forward's apply kernel with a zero mean and shift.
     */
    Grads batchNormInferenceBackward(Tensor gradOutput, Tensor input, Tensor gamma, Tensor runningMean,
                                     Tensor runningVar, BatchNormParams p) {
        CudaChecks.shape("batch_norm backward", "grad_output", gradOutput, input.shape());
        int c = CudaChecks.batchNorm(input.shape(), gamma.shape(), gamma.shape(), runningMean.shape(), runningVar.shape());
        int n = input.shape().dim(0);
        int hw = spatial(input.shape());
        String ctx = "batch_norm backward (running statistics) input " + input.shape();
        Tensor dx = dev.tensor(input.shape(), ctx);
        Tensor dgamma = dev.tensor(gamma.shape(), ctx);
        Tensor dbeta = dev.tensor(gamma.shape(), ctx);
        try (Tensor invStd = dev.tensor(Shape.of(c), ctx); Tensor zero = dev.tensor(Shape.of(c), ctx)) {
            dev.zero(ptr(zero), (long) c * Float.BYTES, ctx);
            dev.kernels.launch(BATCHNORM_RUNNING_INVSTD, c, ctx, ptr(runningVar), ptr(invStd), c, (float) p.eps());
            batchNormParamGrads(gradOutput, input, runningMean, invStd, dgamma, dbeta, n, c, hw, ctx);
            dev.kernels.launch(BATCHNORM_APPLY, input.size(), ctx, ptr(gradOutput), ptr(zero), ptr(invStd),
                    ptr(gamma), ptr(zero), ptr(dx), n, c, hw);
        }
        return new Grads(dx, dgamma, dbeta);
    }

    /**
     * dbeta = sum(dy) and dgamma = sum(dy * x_hat) per channel, in two deterministic passes: both
     * sums per (n, c) plane, then each channel's N plane sums added in order.
     */
    private void batchNormParamGrads(Tensor dy, Tensor x, Tensor mean, Tensor invStd, Tensor dgamma, Tensor dbeta,
                                     int n, int c, int hw, String ctx) {
        int planes = Math.multiplyExact(n, c);
        if (n == 1) {
            // One plane per channel: pass 1 writes the sums themselves.
            dev.kernels.launch(BATCHNORM_PLANE_GRADS, planes, ctx, ptr(dy), ptr(x), ptr(mean), ptr(invStd),
                    ptr(dbeta), ptr(dgamma), planes, c, hw);
            return;
        }
        try (Tensor partials = dev.tensor(Shape.of(Math.multiplyExact(2, planes)), ctx + " (plane sums)")) {
            CUdeviceptr planeDy = ptr(partials);
            CUdeviceptr planeDyXhat = Reductions.offset(planeDy, planes);
            dev.kernels.launch(BATCHNORM_PLANE_GRADS, planes, ctx, ptr(dy), ptr(x), ptr(mean), ptr(invStd),
                    planeDy, planeDyXhat, planes, c, hw);
            Reductions.sumSlices(dev, planeDy, ptr(dbeta), n, c, false, ctx);
            Reductions.sumSlices(dev, planeDyXhat, ptr(dgamma), n, c, false, ctx);
        }
    }
}
