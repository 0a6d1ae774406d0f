package dev.fovea.backend.cuda;

import dev.fovea.primitives.Activation;
import dev.fovea.primitives.ConvGeometry;
import dev.fovea.primitives.Pool2dParams;
import dev.fovea.primitives.PoolKind;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Decides per op and shape which GPU implementation runs: cuDNN where it is installed and known to
 * do well, Fovea's own kernels where cuDNN has no such op (min pooling, leaky ReLU) or is slow
 * (depthwise convolution, dilated convolution with a short reduction per output), im2col + cuBLAS
 * for the remaining convolutions when cuDNN is missing. Each distinct decision is recorded once, with its reason, and passed to a listener
 * (`fovea train --verbose` prints them).
 */
public final class Router {
    /**
     * cuDNN rejects batch-norm epsilons below CUDNN_BN_MIN_EPSILON, which cuDNN 8 defines as 0.0
     * (cuDNN 7's was 1e-5): every epsilon a BatchNormParams allows goes to cuDNN.
     */
    static final double CUDNN_BN_MIN_EPSILON = 0.0;

    private final boolean cudnn;
    private final Consumer<String> listener;
    private final Map<String, Route> decisions = new LinkedHashMap<>();

    /**
     * @param cudnnAvailable whether cuDNN loaded
     * @param listener       receives "op shape: engine (reason)" the first time each decision is made
     */
    public Router(boolean cudnnAvailable, Consumer<String> listener) {
        this.cudnn = cudnnAvailable;
        this.listener = listener;
    }

    /**
     * The smallest reduction per output, (C/groups)*kH*kW multiply-adds, for which a dilated
     * convolution goes to a GEMM (cuDNN's implicit GEMM, which handles dilation, or im2col + cuBLAS
     * without cuDNN) rather than Fovea's direct kernel. The direct kernel gives each output one
     * thread that walks its whole reduction, reading every input and weight from memory: right when
     * the reduction is short (it needs no workspace and no column buffer) but with no data reuse, so
     * beyond a few dozen taps a GEMM, which reuses each loaded input and weight tile across a block of
     * outputs, does better. A judgement from the two algorithms' memory traffic, not a measurement:
     * no GPU has timed both sides yet.
     */
    static final int DILATED_GEMM_MIN_REDUCTION = 64;

    public Route conv2d(ConvGeometry g) {
        Route r;
        long reduction = (long) g.wDims()[1] * g.wDims()[2] * g.wDims()[3];
        boolean longDilated = g.dilated() && reduction >= DILATED_GEMM_MIN_REDUCTION;
        String dilatedReason = "dilated, " + reduction + " multiply-adds per output "
                + (longDilated ? ">= " : "< ") + DILATED_GEMM_MIN_REDUCTION + ": ";
        if (!cudnn) {
            if (g.groups() > 1) {
                r = new Route(Route.Engine.KERNEL, "cuDNN is not installed; direct kernel for "
                        + (g.dilated() ? "dilated " : "") + "grouped convolution");
            } else if (g.dilated() && !longDilated) {
                r = new Route(Route.Engine.KERNEL, "cuDNN is not installed; " + dilatedReason
                        + "the direct kernel, where a GEMM would have little to reuse");
            } else {
                r = new Route(Route.Engine.IM2COL_CUBLAS, "cuDNN is not installed; im2col + cuBLAS GEMM"
                        + (g.dilated() ? " (" + dilatedReason + "a GEMM reuses its operands)" : ""));
            }
        } else if (g.depthwise()) {
            r = new Route(Route.Engine.KERNEL, "depthwise (groups = input channels): the direct kernel beats cuDNN's grouped path");
        } else if (g.dilated() && !longDilated) {
            r = new Route(Route.Engine.KERNEL, dilatedReason + "the direct kernel, one thread per output and no"
                    + " workspace, where a GEMM would have little to reuse");
        } else if (longDilated) {
            r = new Route(Route.Engine.CUDNN, dilatedReason + "cuDNN's implicit GEMM reuses its operands"
                    + (g.groups() > 1 ? " (with cuDNN group count)" : ""));
        } else {
            r = new Route(Route.Engine.CUDNN, g.groups() > 1 ? "grouped convolution with cuDNN group count" : "cuDNN convolution");
        }
        return record("conv2d " + g.describe(), r);
    }

    public Route pool2d(Pool2dParams p) {
        Route r;
        if (p.kind() == PoolKind.MIN) {
            r = new Route(Route.Engine.KERNEL, "cuDNN has no min pooling");
        } else if (p.kind() == PoolKind.MAX) {
            // cuDNN's backward recomputes the winner and may pick another of tied maxima (or NaNs)
            // than the forward rule the reference and PyTorch follow; the kernel stores the winners.
            r = new Route(Route.Engine.KERNEL, "max pooling keeps its winners' indices (PyTorch's tie and NaN rule)");
        } else if (!cudnn) {
            r = new Route(Route.Engine.KERNEL, "cuDNN is not installed");
        } else {
            r = new Route(Route.Engine.CUDNN, "cuDNN pooling");
        }
        return record(p.kind().opName() + " " + p, r);
    }

    /** @param valuesPerChannel N*H*W, the number of values each channel's statistics are taken over */
    public Route batchNorm(double eps, long valuesPerChannel) {
        Route r;
        if (!cudnn) {
            r = new Route(Route.Engine.KERNEL, "cuDNN is not installed");
        } else if (eps < CUDNN_BN_MIN_EPSILON) {
            r = new Route(Route.Engine.KERNEL, "eps " + eps + " is below cuDNN's minimum " + CUDNN_BN_MIN_EPSILON);
        } else if (valuesPerChannel < 2) {
            r = new Route(Route.Engine.KERNEL, "one value per channel: the unbiased running variance is defined by"
                    + " Fovea's kernel, not cuDNN");
        } else {
            r = new Route(Route.Engine.CUDNN, "cuDNN spatial batch norm");
        }
        return record("batch_norm eps " + eps + (valuesPerChannel < 2 ? " single value per channel" : ""), r);
    }

    public Route activation(Activation kind) {
        Route r;
        if (!cudnn) {
            r = new Route(Route.Engine.KERNEL, "cuDNN is not installed");
        } else if (!CudnnOps.hasActivationMode(kind)) {
            r = new Route(Route.Engine.KERNEL, "cuDNN 8 has no " + kind.opName() + (kind.approximate().equals("none")
                    ? "" : " (approximate='" + kind.approximate() + "')"));
        } else if (kind == Activation.RELU) {
            // cuDNN documents no gradient for a NaN input; PyTorch passes it (and its forward passes -0).
            r = new Route(Route.Engine.KERNEL, "PyTorch's ReLU at NaN and -0, which cuDNN does not document");
        } else {
            r = new Route(Route.Engine.CUDNN, "cuDNN activation");
        }
        return record(kind.opName(), r);
    }

    public Route softmax(boolean log) {
        Route r = cudnn ? new Route(Route.Engine.CUDNN, "cuDNN softmax, accurate algorithm")
                : new Route(Route.Engine.KERNEL, "cuDNN is not installed");
        return record(log ? "log_softmax" : "softmax", r);
    }

    private synchronized Route record(String key, Route r) {
        if (decisions.putIfAbsent(key, r) == null) {
            listener.accept(key + ": " + r);
        }
        return r;
    }

    /** Every decision made so far, in order, as "op shape: engine (reason)". */
    public synchronized List<String> decisions() {
        List<String> out = new ArrayList<>();
        decisions.forEach((k, r) -> out.add(k + ": " + r));
        return out;
    }
}
