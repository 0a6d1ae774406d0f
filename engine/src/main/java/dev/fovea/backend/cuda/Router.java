package dev.fovea.backend.cuda;

import dev.fovea.ops.Activation;
import dev.fovea.ops.Pool2dParams;
import dev.fovea.ops.PoolKind;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Decides per op and shape which GPU implementation runs: cuDNN where it is installed and known to
 * do well, Fovea's own kernels where cuDNN has no such op (min pooling, leaky ReLU) or is slow
 * (depthwise and dilated convolution), im2col + cuBLAS for the remaining convolutions when cuDNN is
 * missing. Each distinct decision is recorded once, with its reason, and passed to a listener
 * (`fovea train --verbose` prints them).
 */
public final class Router {
    /** cuDNN rejects batch-norm epsilons below CUDNN_BN_MIN_EPSILON. */
    static final double CUDNN_BN_MIN_EPSILON = 1e-5;

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

    public Route conv2d(ConvGeometry g) {
        Route r;
        if (!cudnn) {
            r = g.groups() == 1 && !g.dilated()
                    ? new Route(Route.Engine.IM2COL_CUBLAS, "cuDNN is not installed; im2col + cuBLAS GEMM")
                    : new Route(Route.Engine.KERNEL, "cuDNN is not installed; direct kernel for "
                    + (g.dilated() ? "dilated" : "grouped") + " convolution");
        } else if (g.depthwise()) {
            r = new Route(Route.Engine.KERNEL, "depthwise (groups = input channels): the direct kernel beats cuDNN's grouped path");
        } else if (g.dilated()) {
            r = new Route(Route.Engine.KERNEL, "dilated: the direct kernel avoids cuDNN's slow dilated algorithms");
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
        } else if (kind == Activation.LEAKY_RELU) {
            r = new Route(Route.Engine.KERNEL, "cuDNN 8 has no leaky ReLU");
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
