package dev.fovea.backend.cuda;

import dev.fovea.primitives.ConvGeometry;

import jcuda.driver.CUdeviceptr;
import jcuda.jcudnn.JCudnn;
import jcuda.jcudnn.cudnnConvolutionBwdDataAlgo;
import jcuda.jcudnn.cudnnConvolutionBwdDataAlgoPerf;
import jcuda.jcudnn.cudnnConvolutionBwdFilterAlgo;
import jcuda.jcudnn.cudnnConvolutionBwdFilterAlgoPerf;
import jcuda.jcudnn.cudnnConvolutionFwdAlgo;
import jcuda.jcudnn.cudnnConvolutionFwdAlgoPerf;
import jcuda.jcudnn.cudnnDeterminism;
import jcuda.jcudnn.cudnnStatus;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Convolution forward, backward-data and backward-filter on cuDNN. The algorithm for each
 * {@link AlgoKey} is chosen once — by cuDNN's heuristic or, with {@code cudnnSearch}, by timing
 * every candidate — and cached with its workspace size. Running out of memory for the chosen
 * algorithm's workspace is an error that names it; another algorithm is never substituted.
 */
final class CudnnConv {
    private static final int MAX_CANDIDATES = 16;

    private final CudaDevice dev;
    private final CudaOptions options;
    private final Consumer<String> log;
    private final Map<AlgoKey, AlgoSelection.Candidate> chosen = new ConcurrentHashMap<>();

    CudnnConv(CudaDevice dev, CudaOptions options, Consumer<String> log) {
        this.dev = dev;
        this.options = options;
        this.log = log;
    }

    /** The descriptors of one convolution, closed together. */
    private final class Descs implements AutoCloseable {
        final Cudnn.TensorDesc x;
        final Cudnn.FilterDesc w;
        final Cudnn.TensorDesc y;
        final Cudnn.ConvDesc conv;

        Descs(ConvGeometry g, String context) {
            x = new Cudnn.TensorDesc(g.xDims(), context);
            w = new Cudnn.FilterDesc(g.wDims(), context);
            y = new Cudnn.TensorDesc(g.yDims(), context);
            conv = new Cudnn.ConvDesc(g, options.tensorCores(), context);
        }

        @Override
        public void close() {
            conv.close();
            y.close();
            w.close();
            x.close();
        }
    }

    void forward(ConvGeometry g, AlgoKey key, CUdeviceptr x, CUdeviceptr w, CUdeviceptr y) {
        String context = key.toString();
        try (Descs d = new Descs(g, context)) {
            AlgoSelection.Candidate a = chosen.computeIfAbsent(key, k -> choose(k, rankForward(d, x, w, y, context)));
            CUdeviceptr ws = workspace(a, context);
            dev.cudnn("cudnnConvolutionForward(" + a.name() + ")", context,
                    h -> JCudnn.cudnnConvolutionForward(h, Cudnn.ONE, d.x.d, x, d.w.d, w, d.conv.d, a.algo(), ws,
                    a.workspaceBytes(), Cudnn.ZERO, d.y.d, y));
        }
    }

    void backwardData(ConvGeometry g, AlgoKey key, CUdeviceptr dy, CUdeviceptr w, CUdeviceptr dx) {
        String context = key.toString();
        try (Descs d = new Descs(g, context)) {
            AlgoSelection.Candidate a = chosen.computeIfAbsent(key, k -> choose(k, rankBackwardData(d, dy, w, dx, context)));
            CUdeviceptr ws = workspace(a, context);
            dev.cudnn("cudnnConvolutionBackwardData(" + a.name() + ")", context,
                    h -> JCudnn.cudnnConvolutionBackwardData(h, Cudnn.ONE, d.w.d, w, d.y.d, dy, d.conv.d, a.algo(), ws,
                    a.workspaceBytes(), Cudnn.ZERO, d.x.d, dx));
        }
    }

    void backwardFilter(ConvGeometry g, AlgoKey key, CUdeviceptr x, CUdeviceptr dy, CUdeviceptr dw) {
        String context = key.toString();
        try (Descs d = new Descs(g, context)) {
            AlgoSelection.Candidate a = chosen.computeIfAbsent(key,
                    k -> choose(k, rankBackwardFilter(d, x, dy, dw, context)));
            CUdeviceptr ws = workspace(a, context);
            dev.cudnn("cudnnConvolutionBackwardFilter(" + a.name() + ")", context,
                    h -> JCudnn.cudnnConvolutionBackwardFilter(h, Cudnn.ONE, d.x.d, x, d.y.d, dy, d.conv.d, a.algo(),
                    ws, a.workspaceBytes(), Cudnn.ZERO, d.w.d, dw));
        }
    }

    private CUdeviceptr workspace(AlgoSelection.Candidate a, String context) {
        return dev.workspace.acquire(a.workspaceBytes(), context + " with cuDNN algorithm " + a.name());
    }

    private AlgoSelection.Candidate choose(AlgoKey key, List<AlgoSelection.Candidate> ranked) {
        AlgoSelection.Choice c = AlgoSelection.pick(ranked, options.deterministic(), options.directAlgorithms(),
                dev.workspace.capBytes(), options.cudnnSearch());
        if (c.chosen() == null) {
            throw new IllegalStateException(key + ": no cuDNN algorithm is usable: " + c.refusal()
                    + (options.deterministic() ? " (running without --deterministic allows more algorithms)" : ""));
        }
        log.accept(key + ": cuDNN algorithm " + c.chosen().name() + " (" + c.how() + ")");
        return c.chosen();
    }

    /** The workspace a timed search may use: the cap, but no more than the device can spare. */
    private long searchWorkspaceBytes() {
        long free = dev.allocator.freeBytes();
        long cap = dev.workspace.capBytes();
        return free < 0 ? cap : Math.min(cap, free / 10 * 9);
    }

    private List<AlgoSelection.Candidate> rankForward(Descs d, CUdeviceptr x, CUdeviceptr w, CUdeviceptr y,
                                                      String context) {
        cudnnConvolutionFwdAlgoPerf[] perf = new cudnnConvolutionFwdAlgoPerf[MAX_CANDIDATES];
        for (int i = 0; i < perf.length; i++) {
            perf[i] = new cudnnConvolutionFwdAlgoPerf();
        }
        int[] n = {0};
        if (options.cudnnSearch()) {
            long bytes = searchWorkspaceBytes();
            CUdeviceptr ws = dev.workspace.acquire(bytes, context + " (timed algorithm search)");
            dev.cudnn("cudnnFindConvolutionForwardAlgorithmEx", context,
                    h -> JCudnn.cudnnFindConvolutionForwardAlgorithmEx(h, d.x.d, x, d.w.d, w, d.conv.d, d.y.d, y,
                    perf.length, n, perf, ws, bytes));
        } else {
            dev.cudnn("cudnnGetConvolutionForwardAlgorithm_v7", context,
                    h -> JCudnn.cudnnGetConvolutionForwardAlgorithm_v7(h, d.x.d, d.w.d, d.conv.d, d.y.d,
                    perf.length, n, perf));
        }
        List<AlgoSelection.Candidate> out = new ArrayList<>();
        for (int i = 0; i < n[0]; i++) {
            cudnnConvolutionFwdAlgoPerf p = perf[i];
            long[] ws = {p.memory};
            boolean ok = p.status == cudnnStatus.CUDNN_STATUS_SUCCESS
                    && JCudnn.cudnnGetConvolutionForwardWorkspaceSize(dev.cudnnHandle(), d.x.d, d.w.d, d.conv.d, d.y.d, p.algo,
                    ws) == cudnnStatus.CUDNN_STATUS_SUCCESS;
            out.add(new AlgoSelection.Candidate(p.algo, cudnnConvolutionFwdAlgo.stringFor(p.algo), ok, p.time,
                    Math.max(ws[0], p.memory), p.determinism == cudnnDeterminism.CUDNN_DETERMINISTIC));
        }
        return out;
    }

    private List<AlgoSelection.Candidate> rankBackwardData(Descs d, CUdeviceptr dy, CUdeviceptr w, CUdeviceptr dx,
                                                           String context) {
        cudnnConvolutionBwdDataAlgoPerf[] perf = new cudnnConvolutionBwdDataAlgoPerf[MAX_CANDIDATES];
        for (int i = 0; i < perf.length; i++) {
            perf[i] = new cudnnConvolutionBwdDataAlgoPerf();
        }
        int[] n = {0};
        if (options.cudnnSearch()) {
            long bytes = searchWorkspaceBytes();
            CUdeviceptr ws = dev.workspace.acquire(bytes, context + " (timed algorithm search)");
            dev.cudnn("cudnnFindConvolutionBackwardDataAlgorithmEx", context,
                    h -> JCudnn.cudnnFindConvolutionBackwardDataAlgorithmEx(h, d.w.d, w, d.y.d, dy, d.conv.d,
                    d.x.d, dx, perf.length, n, perf, ws, bytes));
        } else {
            dev.cudnn("cudnnGetConvolutionBackwardDataAlgorithm_v7", context,
                    h -> JCudnn.cudnnGetConvolutionBackwardDataAlgorithm_v7(h, d.w.d, d.y.d, d.conv.d, d.x.d,
                    perf.length, n, perf));
        }
        List<AlgoSelection.Candidate> out = new ArrayList<>();
        for (int i = 0; i < n[0]; i++) {
            cudnnConvolutionBwdDataAlgoPerf p = perf[i];
            long[] ws = {p.memory};
            boolean ok = p.status == cudnnStatus.CUDNN_STATUS_SUCCESS
                    && JCudnn.cudnnGetConvolutionBackwardDataWorkspaceSize(dev.cudnnHandle(), d.w.d, d.y.d, d.conv.d, d.x.d,
                    p.algo, ws) == cudnnStatus.CUDNN_STATUS_SUCCESS;
            out.add(new AlgoSelection.Candidate(p.algo, cudnnConvolutionBwdDataAlgo.stringFor(p.algo), ok, p.time,
                    Math.max(ws[0], p.memory), p.determinism == cudnnDeterminism.CUDNN_DETERMINISTIC));
        }
        return out;
    }

    private List<AlgoSelection.Candidate> rankBackwardFilter(Descs d, CUdeviceptr x, CUdeviceptr dy, CUdeviceptr dw,
                                                             String context) {
        cudnnConvolutionBwdFilterAlgoPerf[] perf = new cudnnConvolutionBwdFilterAlgoPerf[MAX_CANDIDATES];
        for (int i = 0; i < perf.length; i++) {
            perf[i] = new cudnnConvolutionBwdFilterAlgoPerf();
        }
        int[] n = {0};
        if (options.cudnnSearch()) {
            long bytes = searchWorkspaceBytes();
            CUdeviceptr ws = dev.workspace.acquire(bytes, context + " (timed algorithm search)");
            dev.cudnn("cudnnFindConvolutionBackwardFilterAlgorithmEx", context,
                    h -> JCudnn.cudnnFindConvolutionBackwardFilterAlgorithmEx(h, d.x.d, x, d.y.d, dy, d.conv.d,
                    d.w.d, dw, perf.length, n, perf, ws, bytes));
        } else {
            dev.cudnn("cudnnGetConvolutionBackwardFilterAlgorithm_v7", context,
                    h -> JCudnn.cudnnGetConvolutionBackwardFilterAlgorithm_v7(h, d.x.d, d.y.d, d.conv.d, d.w.d,
                    perf.length, n, perf));
        }
        List<AlgoSelection.Candidate> out = new ArrayList<>();
        for (int i = 0; i < n[0]; i++) {
            cudnnConvolutionBwdFilterAlgoPerf p = perf[i];
            long[] ws = {p.memory};
            boolean ok = p.status == cudnnStatus.CUDNN_STATUS_SUCCESS
                    && JCudnn.cudnnGetConvolutionBackwardFilterWorkspaceSize(dev.cudnnHandle(), d.x.d, d.y.d, d.conv.d, d.w.d,
                    p.algo, ws) == cudnnStatus.CUDNN_STATUS_SUCCESS;
            out.add(new AlgoSelection.Candidate(p.algo, cudnnConvolutionBwdFilterAlgo.stringFor(p.algo), ok, p.time,
                    Math.max(ws[0], p.memory), p.determinism == cudnnDeterminism.CUDNN_DETERMINISTIC));
        }
        return out;
    }
}
