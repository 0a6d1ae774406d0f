package dev.fovea.softgpu.ptx;

import dev.fovea.backend.Backend;
import dev.fovea.backend.BatchNormOutput;
import dev.fovea.backend.DropoutOutput;
import dev.fovea.backend.Grads;
import dev.fovea.backend.PoolOutput;
import dev.fovea.backend.cpu.ReferenceBackend;
import dev.fovea.kernels.ArgmaxCase;
import dev.fovea.kernels.TensorCase;
import dev.fovea.kernels.SpatialCase;
import dev.fovea.primitives.Activation;
import dev.fovea.primitives.AdaptivePool2dParams;
import dev.fovea.primitives.BatchNormParams;
import dev.fovea.primitives.BinaryOp;
import dev.fovea.primitives.Conv2dParams;
import dev.fovea.primitives.ConvMode;
import dev.fovea.primitives.DropoutParams;
import dev.fovea.primitives.LossKind;
import dev.fovea.primitives.Pool2dParams;
import dev.fovea.primitives.PoolKind;
import dev.fovea.optim.AdaDelta;
import dev.fovea.optim.AdaGrad;
import dev.fovea.optim.Adam;
import dev.fovea.optim.OptimizerConfig;
import dev.fovea.optim.RmsProp;
import dev.fovea.optim.Sgd;
import dev.fovea.softgpu.ptx.KernelSuite.Out;
import dev.fovea.softgpu.ptx.KernelSuite.Route;
import dev.fovea.softgpu.ptx.KernelSuite.Run;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.testing.ActivationTolerance;
import dev.fovea.testing.Arrays2;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.IntFunction;

/**
 * The cases of {@link KernelSuite}: every entry point of every committed module on small random
 * shapes (seeded, so a failure reproduces), against the CPU reference backend
 * (dev.fovea.backend.cpu.ReferenceBackend), the engine's optimizers (dev.fovea.optim), or, where no
 * reference op is a single kernel, the layout im2col.cu documents written out in Java.
 *
 * <p>Tolerances, each for a stated reason: 0 where the kernel evaluates the reference's own float
 * expression (selection in pooling, copies, the ReLU family, dropout, bias add, the gradients
 * through the forward output); where nvcc contracted a*b + c into fma.rn (axpy) the PTX must give
 * the fused result exactly (Math.fma) and the source route, built without contraction, the unfused
 * one; the float summation bound (terms + 1) * 2^-24 * sum|terms| for sums (convolutions, pooling
 * averages, reductions), since the kernels sum in float in their own order where the reference sums
 * in double; abs 1e-7 + rel 2e-6 for values through expf/tanhf (CUDA's expf is built from
 * ex2.approx.ftz, which the ISA allows 2 ulp; glibc's expf/tanhf are within 1 ulp; the formula adds
 * a few float roundings); abs 1e-6 + rel 1e-5 for softmax and losses (sums of exponentials plus
 * logf) and the optimizers (five steps of float state against double).
 */
final class KernelCases {
    private static final Backend REF = new ReferenceBackend();
    /** global_avg_pool2d's reference: adaptive average pooling to one cell per plane. */
    private static final AdaptivePool2dParams WHOLE_PLANE = new AdaptivePool2dParams(PoolKind.AVG, 1, 1);

    private KernelCases() {
    }

    static void addAll(KernelSuite s) {
        pooling(s);
        convolution(s);
        im2col(s);
        elementwise(s);
        sumSlices(s);
        loss(s);
        optimizers(s);
        batchNorm(s);
        tensor(s);
        spatial(s);
    }

    // ---- pooling --------------------------------------------------------------------------------

    static void pooling(KernelSuite s) {
        SplittableRandom r = new SplittableRandom(1201);
        for (PoolKind kind : List.of(PoolKind.MIN, PoolKind.MAX)) {
            List<Pool2dParams> params = new ArrayList<>(List.of(Pool2dParams.of(kind, 2), Pool2dParams.of(kind, 3, 1, 1),
                    Pool2dParams.of(kind, 3, 2, 1), new Pool2dParams(kind, 2, 2, 3, 3, 0, 0, true)));
            while (params.size() < 7) {
                int kh = 1 + r.nextInt(4);
                int kw = 1 + r.nextInt(4);
                params.add(new Pool2dParams(kind, kh, kw, 1 + r.nextInt(3), 1 + r.nextInt(3), r.nextInt(kh / 2 + 1),
                        r.nextInt(kw / 2 + 1), true));
            }
            String fwd = kind == PoolKind.MIN ? "fovea_minpool2d_forward" : "fovea_maxpool2d_forward";
            String bwd = kind == PoolKind.MIN ? "fovea_minpool2d_backward" : "fovea_maxpool2d_backward";
            int caseNo = 0;
            for (Pool2dParams p : params) {
                int n = 1 + r.nextInt(2);
                int c = 1 + r.nextInt(3);
                int h = Math.max(1, p.kernelH() - 2 * p.padH()) + r.nextInt(6);
                int w = Math.max(1, p.kernelW() - 2 * p.padW()) + r.nextInt(6);
                boolean nans = caseNo++ % 3 == 2;
                Shape xs = Shape.of(n, c, h, w);
                // Small integers, so windows hold ties; NaN in some cases.
                float[] x = new float[xs.size()];
                for (int i = 0; i < x.length; i++) {
                    x[i] = nans && r.nextInt(10) == 0 ? Float.NaN : r.nextInt(4) - 1;
                }
                Tensor xt = Tensor.of(xs, x);
                PoolOutput ref = REF.pool2d(xt, p);
                Shape ys = ref.output().shape();
                Object[] geometry = {n, c, h, w, ys.dim(2), ys.dim(3), p.kernelH(), p.kernelW(), p.strideH(),
                        p.strideW(), p.padH(), p.padW()};
                String what = fwd + " x" + xs + " " + p + (nans ? " NaN" : "");
                float[] y = REF.download(ref.output());
                int[] idx = REF.downloadInts(ref.indices());
                Run f = s.launch(fwd, ys.size(), Map.of("x", x), Map.of("y", new Out(ys.size()), "idx",
                        new Out(ys.size())), args(new Object[] {"x", "y", "idx"}, geometry));
                s.check(fwd, what, (res, route) -> {
                    for (int j = 0; j < f.configs(); j++) {
                        Compare.exact(what + " values (" + route + ", " + KernelSuite.label(j) + ")", y, f.floats(res, "y", j));
                        Compare.exact(what + " indices (" + route + ", " + KernelSuite.label(j) + ")", idx,
                                f.ints(res, "idx", j));
                    }
                });
                float[] dy = Arrays2.random(ys.size(), r.nextLong());
                float[] dx = REF.download(REF.pool2dBackward(Tensor.of(ys, dy), xt, ref, p));
                Run b = s.launch(bwd, xs.size(), Map.of("dy", dy, "idx", idx), Map.of("dx", new Out(xs.size())),
                        args(new Object[] {"dy", "idx", "dx"}, geometry));
                // At most ceil(k/s)^2 gradients of magnitude < 1 summed in float, the reference in double.
                s.close(bwd, bwd + " x" + xs + " " + p, b, "dx", dx, 1e-5, 0);
            }
        }
        int seed = 0;
        for (Pool2dParams base : List.of(Pool2dParams.of(PoolKind.AVG, 2), Pool2dParams.of(PoolKind.AVG, 3, 1, 1),
                Pool2dParams.of(PoolKind.AVG, 3, 2, 1), new Pool2dParams(PoolKind.AVG, 3, 2, 2, 1, 1, 0, true))) {
            for (boolean include : new boolean[] {true, false}) {
                Pool2dParams p = base.withCountIncludePad(include);
                seed++;
                Shape xs = Shape.of(2, 2, Math.max(1, p.kernelH() - 2 * p.padH()) + seed % 5,
                        Math.max(1, p.kernelW() - 2 * p.padW()) + seed % 4);
                float[] x = Arrays2.random(xs.size(), seed);
                Tensor xt = Tensor.of(xs, x);
                PoolOutput fwd = REF.pool2d(xt, p);
                Shape ys = fwd.output().shape();
                Object[] geometry = {xs.dim(0), xs.dim(1), xs.dim(2), xs.dim(3), ys.dim(2), ys.dim(3), p.kernelH(),
                        p.kernelW(), p.strideH(), p.strideW(), p.padH(), p.padW(), include ? 1 : 0};
                String what = "avg pool x" + xs + " " + p;
                Run f = s.launch("fovea_avgpool2d_forward", ys.size(), Map.of("x", x), Map.of("y", new Out(ys.size())),
                        args(new Object[] {"x", "y"}, geometry));
                s.bound("fovea_avgpool2d_forward", what, f, "y", REF.download(fwd.output()),
                        REF.download(REF.pool2d(Tensor.of(xs, Compare.abs(x)), p).output()), p.kernelH() * p.kernelW() + 1);
                float[] dy = Arrays2.random(ys.size(), seed + 1000);
                Run b = s.launch("fovea_avgpool2d_backward", xs.size(), Map.of("dy", dy), Map.of("dx", new Out(xs.size())),
                        args(new Object[] {"dy", "dx"}, geometry));
                s.bound("fovea_avgpool2d_backward", what + " backward", b, "dx",
                        REF.download(REF.pool2dBackward(Tensor.of(ys, dy), xt, fwd, p)),
                        REF.download(REF.pool2dBackward(Tensor.of(ys, Compare.abs(dy)), xt, fwd, p)),
                        p.kernelH() * p.kernelW() + 1);
            }
        }
        Shape xs = Shape.of(3, 5, 4, 7);
        float[] x = Arrays2.random(xs.size(), 77);
        Run g = s.launch("fovea_global_avgpool2d_forward", 15, Map.of("x", x), Map.of("y", new Out(15)), "x", "y", 15, 28);
        s.bound("fovea_global_avgpool2d_forward", "global average " + xs, g, "y",
                REF.download(REF.resample2d(Tensor.of(xs, x), WHOLE_PLANE).output()),
                REF.download(REF.resample2d(Tensor.of(xs, Compare.abs(x)), WHOLE_PLANE).output()), 29);
        float[] dy = Arrays2.random(15, 78);
        Run gb = s.launch("fovea_global_avgpool2d_backward", xs.size(), Map.of("dy", dy), Map.of("dx", new Out(xs.size())),
                "dy", "dx", 15, 28);
        // One division per element: within 1 ulp of the reference's double-then-round.
        s.close("fovea_global_avgpool2d_backward", "global average backward " + xs, gb, "dx",
                REF.download(REF.resample2dBackward(Tensor.of(Shape.of(3, 5, 1, 1), dy), xs, null, WHOLE_PLANE)), 0,
                1.2e-7);
    }

    // ---- spatial resampling: adaptive pooling, upsample, pad --------------------------------------

    /** spatial.ptx: the cases and tolerances the CPU emulation uses too ({@link SpatialCase}). */
    static void spatial(KernelSuite s) {
        for (SpatialCase c : SpatialCase.all()) {
            Map<String, Object> written = new LinkedHashMap<>();
            c.outputs().forEach((name, expected) -> written.put(name,
                    new Out(expected instanceof int[] i ? i.length : ((float[]) expected).length)));
            Run run = s.launch(c.entry(), c.work(), c.inputs(), written, c.args());
            s.check(c.entry(), c.what(), (res, route) -> {
                for (int j = 0; j < run.configs(); j++) {
                    String what = c.entry() + " " + c.what() + " (" + route + ", " + KernelSuite.label(j) + ") ";
                    for (Map.Entry<String, Object> e : c.outputs().entrySet()) {
                        if (e.getValue() instanceof int[] i) {
                            Compare.exact(what + e.getKey(), i, run.ints(res, e.getKey(), j));
                        } else {
                            Compare.close(what + e.getKey(), (float[]) e.getValue(), run.floats(res, e.getKey(), j),
                                    c.abs(), c.rel());
                        }
                    }
                }
            });
        }
    }

    // ---- convolution ----------------------------------------------------------------------------

    record ConvCase(int n, int c, int h, int w, int k, int kh, int kw, Conv2dParams p, boolean bias, long seed) {
        Shape xs() {
            return Shape.of(n, c, h, w);
        }

        Shape ws() {
            return Shape.of(k, c / p.groups(), kh, kw);
        }

        Shape ys() {
            return p.outputShape(xs(), ws(), null);
        }

        Object[] geometry() {
            Shape ys = ys();
            return new Object[] {n, c, h, w, k, kh, kw, ys.dim(2), ys.dim(3), p.strideH(), p.strideW(), p.padH(),
                    p.padW(), p.dilationH(), p.dilationW(), p.groups(), p.mode() == ConvMode.CONVOLUTION ? 1 : 0};
        }

        @Override
        public String toString() {
            return "x" + xs() + " w" + ws() + " " + p + (bias ? " +bias" : "");
        }
    }

    static List<ConvCase> convCases() {
        List<ConvCase> cases = new ArrayList<>();
        cases.add(new ConvCase(2, 4, 6, 6, 4, 3, 3, new Conv2dParams(1, 1, 1, 1, 1, 1, 4, null), true, 1));
        cases.add(new ConvCase(1, 3, 7, 6, 6, 3, 3, new Conv2dParams(2, 2, 1, 1, 1, 1, 3, null), false, 2));
        cases.add(new ConvCase(1, 2, 8, 8, 3, 3, 3, new Conv2dParams(1, 1, 2, 2, 2, 2, 1, null), true, 3));
        cases.add(new ConvCase(1, 6, 5, 6, 4, 3, 3, new Conv2dParams(1, 1, 1, 1, 1, 1, 2, ConvMode.CONVOLUTION), true, 4));
        SplittableRandom r = new SplittableRandom(1207);
        while (cases.size() < 9) {
            int groups = 1 + r.nextInt(3);
            int c = groups * (1 + r.nextInt(2));
            int k = groups * (1 + r.nextInt(2));
            int kh = 1 + r.nextInt(3);
            int kw = 1 + r.nextInt(3);
            Conv2dParams p = new Conv2dParams(1 + r.nextInt(3), 1 + r.nextInt(3), r.nextInt(3), r.nextInt(3),
                    1 + r.nextInt(2), 1 + r.nextInt(2), groups,
                    r.nextBoolean() ? ConvMode.CROSS_CORRELATION : ConvMode.CONVOLUTION);
            int h = Math.max(1, Conv2dParams.effectiveKernel(kh, p.dilationH()) - 2 * p.padH()) + r.nextInt(4);
            int w = Math.max(1, Conv2dParams.effectiveKernel(kw, p.dilationW()) - 2 * p.padW()) + r.nextInt(4);
            cases.add(new ConvCase(1 + r.nextInt(2), c, h, w, k, kh, kw, p, r.nextBoolean(), r.nextLong()));
        }
        return cases;
    }

    static void convolution(KernelSuite s) {
        for (ConvCase c : convCases()) {
            float[] x = Arrays2.random(c.xs().size(), c.seed());
            float[] w = Arrays2.random(c.ws().size(), c.seed() + 1);
            float[] b = c.bias() ? Arrays2.random(c.k(), c.seed() + 2) : null;
            float[] dy = Arrays2.random(c.ys().size(), c.seed() + 3);
            Map<String, float[]> in = new HashMap<>(Map.of("x", x, "w", w, "dy", dy));
            if (b != null) {
                in.put("b", b);
            }
            Run f = s.launch("fovea_conv2d_direct_forward", c.ys().size(), in, Map.of("y", new Out(c.ys().size())),
                    args(new Object[] {"x", "w", b == null ? null : "b", "y"}, c.geometry()));
            s.bound("fovea_conv2d_direct_forward", "forward " + c, f, "y", conv(x, w, b, c),
                    conv(Compare.abs(x), Compare.abs(w), b == null ? null : Compare.abs(b), c), c.ws().size() / c.k() + 1);
            Grads g = backward(dy, x, w, c);
            Run d = s.launch("fovea_conv2d_direct_backward_data", c.xs().size(), Map.of("dy", dy, "w", w),
                    Map.of("dx", new Out(c.xs().size())), args(new Object[] {"dy", "w", "dx"}, c.geometry()));
            s.bound("fovea_conv2d_direct_backward_data", "backward data " + c, d, "dx", REF.download(g.input()),
                    REF.download(backward(Compare.abs(dy), x, Compare.abs(w), c).input()),
                    (c.k() / c.p().groups()) * c.kh() * c.kw());
            Run wf = s.launch("fovea_conv2d_direct_backward_filter", c.ws().size(), Map.of("dy", dy, "x", x),
                    Map.of("dw", new Out(c.ws().size())), args(new Object[] {"dy", "x", "dw"}, c.geometry()));
            s.bound("fovea_conv2d_direct_backward_filter", "backward filter " + c, wf, "dw", REF.download(g.weight()),
                    REF.download(backward(Compare.abs(dy), Compare.abs(x), w, c).weight()), c.ys().size() / c.k());
            if (c.bias()) {
                int hw = c.ys().dim(2) * c.ys().dim(3);
                channelSums(s, "bias gradient " + c, dy, c.n(), c.k(), hw, REF.download(g.bias()),
                        REF.download(backward(Compare.abs(dy), x, w, c).bias()));
            }
        }
    }

    /**
     * A bias gradient as the backend's Reductions.channelSums takes it: the sum of each (n, c) plane
     * (fovea_sum_chunks), then each channel's N partials added in order (fovea_sum_slices).
     */
    private static void channelSums(KernelSuite s, String what, float[] dy, int n, int k, int hw, float[] expected,
                                    float[] absSum) {
        Map<String, String> inputs = Map.of("dy", s.buffer(dy));
        List<Map<String, String>> runs = new ArrayList<>();
        for (int[] config : new int[][] {{3, 7}, {2, 32}}) {
            Map<String, String> mine = new LinkedHashMap<>();
            mine.put("partials", s.buffer(new Out(n * k)));
            mine.put("db", s.buffer(new Out(k)));
            s.launchWith("fovea_sum_chunks", config[0], config[1], inputs, mine, "dy", "partials", n * k * hw, hw, 1f);
            s.launchWith("fovea_sum_slices", config[0], config[1], inputs, mine, "partials", "db", n, k, 0);
            runs.add(mine);
        }
        s.check("fovea_sum_slices", what, (r, route) -> {
            for (int j = 0; j < runs.size(); j++) {
                Compare.withinBound(what + " (" + route + ", " + KernelSuite.label(j) + ")", expected,
                        r.floats(runs.get(j).get("db")), absSum, n * hw + 1);
            }
        });
    }

    private static float[] conv(float[] x, float[] w, float[] b, ConvCase c) {
        return REF.download(REF.conv2d(Tensor.of(c.xs(), x), Tensor.of(c.ws(), w),
                b == null ? null : Tensor.of(Shape.of(c.k()), b), c.p()));
    }

    private static Grads backward(float[] dy, float[] x, float[] w, ConvCase c) {
        return REF.conv2dBackward(Tensor.of(c.ys(), dy), Tensor.of(c.xs(), x), Tensor.of(c.ws(), w), c.bias(), true,
                c.p());
    }

    // ---- im2col / col2im: no reference op is one kernel; the layout of im2col.cu in Java --------

    static void im2col(KernelSuite s) {
        for (ConvCase c : convCases()) {
            Shape ys = c.ys();
            int oh = ys.dim(2);
            int ow = ys.dim(3);
            int rows = c.c() * c.kh() * c.kw();
            int colSize = c.n() * rows * oh * ow;
            float[] x = Arrays2.random(c.xs().size(), c.seed());
            Object[] geometry = {c.n(), c.c(), c.h(), c.w(), c.kh(), c.kw(), oh, ow, c.p().strideH(), c.p().strideW(),
                    c.p().padH(), c.p().padW(), c.p().dilationH(), c.p().dilationW(),
                    c.p().mode() == ConvMode.CONVOLUTION ? 1 : 0};
            // col[n][(ch, r, s)][oy * OW + ox] = x[n][ch][oy*sH - pH + r'*dH][ox*sW - pW + s'*dW] or 0 in
            // padding, with (r', s') = (r, s), or (kH-1-r, kW-1-s) when flipped.
            float[] col = new float[colSize];
            float[] dcol = Arrays2.random(colSize, c.seed() + 5);
            double[] dx = new double[c.xs().size()];
            double[] dxAbs = new double[c.xs().size()];
            boolean flip = c.p().mode() == ConvMode.CONVOLUTION;
            for (int n = 0; n < c.n(); n++) {
                for (int ch = 0; ch < c.c(); ch++) {
                    for (int r = 0; r < c.kh(); r++) {
                        for (int q = 0; q < c.kw(); q++) {
                            int tr = flip ? c.kh() - 1 - r : r;
                            int tq = flip ? c.kw() - 1 - q : q;
                            int row = (ch * c.kh() + r) * c.kw() + q;
                            for (int oy = 0; oy < oh; oy++) {
                                for (int ox = 0; ox < ow; ox++) {
                                    int iy = oy * c.p().strideH() - c.p().padH() + tr * c.p().dilationH();
                                    int ix = ox * c.p().strideW() - c.p().padW() + tq * c.p().dilationW();
                                    int at = ((n * rows + row) * oh + oy) * ow + ox;
                                    if (iy >= 0 && iy < c.h() && ix >= 0 && ix < c.w()) {
                                        int xi = ((n * c.c() + ch) * c.h() + iy) * c.w() + ix;
                                        col[at] = x[xi];
                                        dx[xi] += dcol[at];
                                        dxAbs[xi] += Math.abs(dcol[at]);
                                    }
                                }
                            }
                        }
                    }
                }
            }
            Run i = s.launch("fovea_im2col", colSize, Map.of("x", x), Map.of("col", new Out(colSize)),
                    args(new Object[] {"x", "col"}, geometry));
            s.close("fovea_im2col", "im2col " + c, i, "col", col, 0, 0);
            Run b = s.launch("fovea_col2im", c.xs().size(), Map.of("dcol", dcol), Map.of("dx", new Out(c.xs().size())),
                    args(new Object[] {"dcol", "dx"}, geometry));
            s.bound("fovea_col2im", "col2im " + c, b, "dx", toFloats(dx), toFloats(dxAbs), c.kh() * c.kw());
        }
    }

    // ---- elementwise ----------------------------------------------------------------------------

    static void elementwise(KernelSuite s) {
        int n = 157;
        float[] x = inputs(n, 1);
        float[] y = inputs(n, 2);
        float a = -0.37f;
        float[] scaled = new float[n];
        float[] fused = new float[n];
        float[] unfused = new float[n];
        float[] filled = new float[n];
        for (int i = 0; i < n; i++) {
            scaled[i] = a * x[i];
            fused[i] = Math.fma(a, x[i], y[i]);
            unfused[i] = y[i] + a * x[i];
            filled[i] = 2.5f;
        }
        Run fill = s.launch("fovea_fill", n, Map.of(), Map.of("y", new Out(n)), "y", n, 2.5f);
        s.close("fovea_fill", "fill", fill, "y", filled, 0, 0);
        Run scale = s.launch("fovea_scale", n, Map.of("x", x), Map.of("y", new Out(n)), "x", "y", n, a);
        s.close("fovea_scale", "scale", scale, "y", scaled, 0, 0);
        Run axpy = s.launch("fovea_axpy", n, Map.of("x", x), Map.of("y", y), "x", "y", n, a);
        // nvcc contracts y + a*x into fma.rn.f32: the PTX gives the fused result, the source route
        // (g++ without contraction) the unfused one; each exactly.
        s.check("fovea_axpy", "axpy", (r, route) -> {
            for (int j = 0; j < axpy.configs(); j++) {
                Compare.exact("axpy (" + route + ", " + KernelSuite.label(j) + ")", route == Route.PTX ? fused : unfused,
                        axpy.floats(r, "y", j));
            }
        });
        float[] sum = REF.download(REF.binary(BinaryOp.ADD, Tensor.of(Shape.of(n), x), Tensor.of(Shape.of(n), y)));
        Run add = s.launch("fovea_add", n, Map.of("x", x, "y", y), Map.of("z", new Out(n)), "x", "y", "z", n);
        s.close("fovea_add", "add", add, "z", sum, 0, 0);

        float[] dy = Arrays2.random(n, 4);
        Shape sh = Shape.of(n);
        for (Activation kind : Activation.values()) {
            float p = kind.parameter() == null ? 0f : 0.2f;
            float[] out = REF.download(REF.activation(Tensor.of(sh, x), kind, p));
            float[] dx = REF.download(REF.activationBackward(Tensor.of(sh, dy), Tensor.of(sh, x), Tensor.of(sh, out),
                    kind, p));
            double[] ft = ActivationTolerance.forward(kind);
            double[] bt = ActivationTolerance.backward(kind);
            Run f = s.launch("fovea_activation_forward", n, Map.of("x", x), Map.of("y", new Out(n)), "x", "y", n,
                    kind.code(), p);
            s.close("fovea_activation_forward", kind + " forward", f, "y", out, ft[0], ft[1]);
            Run b = s.launch("fovea_activation_backward", n, Map.of("dy", dy, "x", x, "yref", out),
                    Map.of("dx", new Out(n)), "dy", "x", "yref", "dx", n, kind.code(), p);
            s.close("fovea_activation_backward", kind + " backward", b, "dx", dx, bt[0], bt[1]);
        }

        for (Shape xs : List.of(Shape.of(2, 3, 5, 7), Shape.of(5, 4))) {
            for (int slopes : new int[] {1, xs.dim(1)}) {
                int size = xs.size();
                int c = xs.dim(1);
                int inner = xs.product(2, xs.rank());
                float[] px = Arrays2.random(size, size + slopes);
                px[0] = 0f;
                float[] pw = Arrays2.random(slopes, 11);
                float[] pdy = Arrays2.random(size, 12);
                Shape ws = Shape.of(slopes);
                String what = "prelu " + xs + " slopes " + slopes;
                Grads g = REF.preluBackward(Tensor.of(xs, pdy), Tensor.of(xs, px), Tensor.of(ws, pw));
                Run f = s.launch("fovea_prelu_forward", size, Map.of("x", px, "w", pw), Map.of("y", new Out(size)),
                        "x", "w", "y", size, c, inner, slopes);
                s.close("fovea_prelu_forward", what, f, "y", REF.download(REF.prelu(Tensor.of(xs, px), Tensor.of(ws, pw))),
                        0, 0);
                Run d = s.launch("fovea_prelu_backward_data", size, Map.of("dy", pdy, "x", px, "w", pw),
                        Map.of("dx", new Out(size)), "dy", "x", "w", "dx", size, c, inner, slopes);
                s.close("fovea_prelu_backward_data", what + " data gradient", d, "dx", REF.download(g.input()), 0, 0);
                float[] absSum = new float[slopes];
                for (int i = 0; i < size; i++) {
                    if (!(px[i] > 0)) {
                        absSum[slopes == 1 ? 0 : (i / inner) % c] += Math.abs(px[i] * pdy[i]);
                    }
                }
                preluWeightGradient(s, what + " weight gradient", pdy, px, xs.dim(0), inner, slopes,
                        REF.download(g.weight()), absSum);
            }
        }

        int bn = 2;
        int bc = 5;
        int hw = 13;
        float[] by = Arrays2.random(bn * bc * hw, 20);
        float[] bias = Arrays2.random(bc, 21);
        float[] biased = by.clone();
        for (int i = 0; i < biased.length; i++) {
            biased[i] += bias[(i / hw) % bc];
        }
        Run ba = s.launch("fovea_bias_add", by.length, Map.of("b", bias), Map.of("y", by), "b", "y", bn, bc, hw);
        s.close("fovea_bias_add", "bias add", ba, "y", biased, 0, 0);

        Shape ds = Shape.of(bn, bc, hw);
        float[] dxIn = Arrays2.random(ds.size(), 22);
        DropoutOutput drop = REF.dropout(Tensor.of(ds, dxIn), new DropoutParams(0.3, true, 99));
        float[] mask = REF.download(drop.mask());
        Run da = s.launch("fovea_dropout_apply", ds.size(), Map.of("x", dxIn, "mask", mask), Map.of("y", new Out(ds.size())),
                "x", "mask", "y", ds.size());
        s.close("fovea_dropout_apply", "dropout", da, "y", REF.download(drop.output()), 0, 0);

        // Dropout drawn on the device: the mask and output bit for bit the reference's (the same
        // counter-based Philox stream), for seeds using both 32-bit halves and several p.
        int dn = 1001;
        float[] dxs = Arrays2.random(dn, 24);
        boolean drawn = Modules.entries().containsKey("fovea_dropout_forward");  // newer modules only
        for (long seed : drawn ? new long[] {99, -1L, 0x123456789ABCDEFL} : new long[0]) {
            for (double p : new double[] {0.1, 0.5, 0.9}) {
                DropoutOutput d = REF.dropout(Tensor.of(Shape.of(dn), dxs), new DropoutParams(p, true, seed));
                // The mask's parameters as the backend computes them: words below round(p * 2^32) drop.
                int threshold = (int) Math.min(Math.round(p * 4294967296.0), 0xFFFFFFFFL);
                float keep = (float) (1 / (1 - p));
                Run r = s.launch("fovea_dropout_forward", dn, Map.of("x", dxs), Map.of("mask", new Out(dn), "y", new Out(dn)),
                        "x", "mask", "y", dn, (int) seed, (int) (seed >>> 32), threshold, keep);
                String what = "dropout p=" + p + " seed=" + seed;
                s.close("fovea_dropout_forward", what + " mask", r, "mask", REF.download(d.mask()), 0, 0);
                s.close("fovea_dropout_forward", what + " output", r, "y", REF.download(d.output()), 0, 0);
            }
        }

        Shape ss = Shape.of(2, 5, 3, 4);
        float[] sx = Arrays2.random(ss.size(), 30);
        for (int i = 0; i < sx.length; i++) {
            sx[i] *= 8;
        }
        sx[1] = 80f; // large logits must not overflow
        float[] sdy = Arrays2.random(ss.size(), 31);
        for (int dim = 0; dim < ss.rank(); dim++) {
            for (boolean log : new boolean[] {false, true}) {
                int outer = ss.product(0, dim);
                int len = ss.dim(dim);
                int inner = ss.product(dim + 1, ss.rank());
                String what = (log ? "log_softmax" : "softmax") + " dim " + dim;
                float[] sy = REF.download(REF.softmax(Tensor.of(ss, sx), dim, log));
                float[] sdx = REF.download(REF.softmaxBackward(Tensor.of(ss, sdy), Tensor.of(ss, sy), dim, log));
                Run f = s.launch("fovea_softmax_forward", (long) outer * inner, Map.of("x", sx),
                        Map.of("y", new Out(ss.size())), "x", "y", outer, len, inner, log ? 1 : 0);
                s.close("fovea_softmax_forward", what, f, "y", sy, 1e-6, 1e-5);
                Run b = s.launch("fovea_softmax_backward", (long) outer * inner, Map.of("dy", sdy, "y", sy),
                        Map.of("dx", new Out(ss.size())), "dy", "y", "dx", outer, len, inner, log ? 1 : 0);
                s.close("fovea_softmax_backward", what + " backward", b, "dx", sdx, 2e-6, 1e-5);
            }
        }

        Shape base = Shape.of(2, 3, 4, 5);
        for (int dim = 0; dim < base.rank(); dim++) {
            int[] sizes = {1, 3, 2};
            List<Tensor> parts = new ArrayList<>();
            for (int i = 0; i < sizes.length; i++) {
                Shape ps = base.withDim(dim, sizes[i]);
                parts.add(Tensor.of(ps, Arrays2.random(ps.size(), 40 + i)));
            }
            float[] cat = REF.download(REF.concat(parts, dim));
            int outer = base.product(0, dim);
            int after = base.product(dim + 1, base.rank());
            int total = 6;
            // Split: one block copy per part out of the concatenation, against the reference split.
            List<Tensor> refParts = REF.split(REF.concat(parts, dim), dim, sizes);
            int offset = 0;
            for (int i = 0; i < sizes.length; i++) {
                int len = sizes[i] * after;
                float[] part = REF.download(refParts.get(i));
                Run r = s.launch("fovea_copy_blocks", (long) outer * len, Map.of("cat", cat), Map.of("part", new Out(part.length)),
                        "cat", "part", outer, len, total * after, offset * after, len, 0);
                s.close("fovea_copy_blocks", "split dim " + dim + " part " + i, r, "part", part, 0, 0);
                offset += sizes[i];
            }
        }
    }

    /** Values in [-3, 3) with exact zeros of both signs (the ReLU kink) and large magnitudes. */
    private static float[] inputs(int n, long seed) {
        float[] x = Arrays2.random(n, seed);
        for (int i = 0; i < n; i++) {
            x[i] *= 3;
        }
        x[0] = 0f;
        x[1] = -0f;
        x[2] = 40f;
        x[3] = -40f;
        x[4] = 100f;
        x[5] = -100f;
        return x;
    }

    // ---- losses ---------------------------------------------------------------------------------

    static void loss(KernelSuite s) {
        int n = 203;
        int chunk = 16;
        float[] v = Arrays2.random(n, 5);
        int chunks = (n + chunk - 1) / chunk;
        float[] expected = new float[chunks];
        float[] absSum = new float[chunks];
        for (int j = 0; j < chunks; j++) {
            double sum = 0;
            for (int i = j * chunk; i < Math.min(n, (j + 1) * chunk); i++) {
                sum += v[i];
                absSum[j] += Math.abs(v[i]) * 0.5f;
            }
            expected[j] = (float) (0.5 * sum);
        }
        Run sc = s.launch("fovea_sum_chunks", chunks, Map.of("v", v), Map.of("out", new Out(chunks)), "v", "out", n,
                chunk, 0.5f);
        s.bound("fovea_sum_chunks", "sum_chunks", sc, "out", expected, absSum, chunk + 1);

        // A training step's correct count, pass 1: ties (small integers) and NaN (never the maximum).
        ArgmaxCase hitCase = ArgmaxCase.random(23, 4, 1301, 10);
        Run ah = s.launch("fovea_argmax_hits", hitCase.rows(), Map.of("x", hitCase.logits(), "t", hitCase.labels()),
                Map.of("hits", new Out(hitCase.rows())), "x", "t", "hits", hitCase.rows(), hitCase.classes());
        s.close("fovea_argmax_hits", "argmax hits", ah, "hits", hitCase.hits(), 0, 0);

        // Value checks: labels must be class indices, probabilities in [0, 1]; the first bad one is
        // reported with its index.
        record Flagged(String what, float[] values, int classes, float index, float value) {
        }
        for (Flagged f : List.of(new Flagged("labels ok", new float[] {0, 3, 9, 1}, 10, -1, 0),
                new Flagged("label out of range", new float[] {0, 3, 10, 11}, 10, 2, 10),
                new Flagged("fractional label", new float[] {1, 2.5f, 3}, 10, 1, 2.5f),
                new Flagged("NaN label", new float[] {1, Float.NaN}, 10, 1, Float.NaN),
                new Flagged("probabilities ok", new float[] {0, 0.5f, 1}, 0, -1, 0),
                new Flagged("probability above 1", new float[] {0.2f, 1.0000001f}, 0, 1, 1.0000001f),
                new Flagged("negative probability", new float[] {-0f, -1e-30f}, 0, 1, -1e-30f))) {
            Run r = s.launch("fovea_check_loss_values", 1, Map.of("v", f.values), Map.of("flag", new Out(2)), "v", "flag",
                    f.values.length, f.classes);
            s.close("fovea_check_loss_values", f.what, r, "flag", new float[] {f.index, f.value}, 0, 0);
        }

        int bs = 37;
        int classes = 10;
        float[] logits = Arrays2.random(bs * classes, 1);
        for (int i = 0; i < logits.length; i++) {
            logits[i] *= 6;
        }
        logits[3] = 90f;
        float[] labels = new float[bs];
        SplittableRandom r = new SplittableRandom(2);
        for (int i = 0; i < bs; i++) {
            labels[i] = r.nextInt(classes);
        }
        Tensor lx = Tensor.of(Shape.of(bs, classes), logits);
        Tensor lt = Tensor.of(Shape.of(bs), labels);
        float[] logP = REF.download(REF.softmax(lx, 1, true));
        float[] perSample = new float[bs];
        for (int i = 0; i < bs; i++) {
            perSample[i] = -logP[i * classes + (int) labels[i]];
        }
        Map<String, float[]> in = Map.of("x", logits, "t", labels);
        Run xf = s.launch("fovea_softmax_xent_forward", bs, in, Map.of("losses", new Out(bs)), "x", "t", "losses", bs,
                classes);
        s.close("fovea_softmax_xent_forward", "cross-entropy per sample", xf, "losses", perSample, 1e-6, 1e-5);
        mean(s, LossKind.CROSS_ENTROPY, in, bs, REF.download(REF.loss(LossKind.CROSS_ENTROPY, lx, lt))[0],
                "fovea_softmax_xent_forward", "x", "t", "losses", bs, classes);
        float grad = 0.75f;
        Run xb = s.launch("fovea_softmax_xent_backward", bs, in, Map.of("dx", new Out(bs * classes)), "x", "t", "dx", bs,
                classes, grad / bs);
        s.close("fovea_softmax_xent_backward", "cross-entropy gradient", xb, "dx",
                REF.download(REF.lossBackward(LossKind.CROSS_ENTROPY, lx, lt, grad)), 1e-7, 1e-5);

        int m = 157;
        float[] p = new float[m];
        float[] t = new float[m];
        float[] z = new float[m];
        for (int i = 0; i < m; i++) {
            p[i] = (float) r.nextDouble();
            t[i] = i % 3 == 0 ? (float) r.nextDouble() : r.nextInt(2);
            z[i] = (float) (r.nextDouble() * 16 - 8);
        }
        // The clamped corners: probabilities exactly 0 and 1 against both targets; huge logits.
        p[0] = 0f;
        t[0] = 1f;
        p[1] = 1f;
        t[1] = 0f;
        p[2] = 0f;
        t[2] = 0f;
        p[3] = 1f;
        t[3] = 1f;
        z[0] = 100f;
        z[1] = -100f;
        record Loss(LossKind kind, float[] input, String forward, String backward) {
        }
        float g = 1.5f;
        for (Loss loss : List.of(new Loss(LossKind.BINARY_CROSS_ENTROPY, p, "fovea_bce_forward", "fovea_bce_backward"),
                new Loss(LossKind.BINARY_CROSS_ENTROPY_WITH_LOGITS, z, "fovea_bce_logits_forward",
                        "fovea_bce_logits_backward"),
                new Loss(LossKind.MSE, z, "fovea_mse_forward", "fovea_mse_backward"))) {
            Tensor lxx = Tensor.of(Shape.of(m), loss.input);
            Tensor target = Tensor.of(Shape.of(m), t);
            Map<String, float[]> inputs = Map.of("x", loss.input, "t", t);
            mean(s, loss.kind, inputs, m, REF.download(REF.loss(loss.kind, lxx, target))[0], loss.forward, "x", "t",
                    "losses", m);
            Run b = s.launch(loss.backward, m, inputs, Map.of("dx", new Out(m)), "x", "t", "dx", m, g / m);
            s.close(loss.backward, loss.kind + " gradient", b, "dx",
                    REF.download(REF.lossBackward(loss.kind, lxx, target, g)), 1e-7, 1e-5);
        }
    }

    /**
     * The mean loss as the backend takes it (loss.cu): per-item losses, then fovea_sum_chunks into
     * partials of 8 items, then over the partials scaled by 1/count. A float sum of `count`
     * non-negative losses is within (count + 1) 2^-24 relative of the double sum, plus expf/logf.
     */
    private static void mean(KernelSuite s, LossKind kind, Map<String, float[]> in, int count, float expected,
                             String kernel, Object... args) {
        int partials = (count + 7) / 8;
        List<Map<String, String>> runs = new ArrayList<>();
        Map<String, String> inputs = new HashMap<>();
        in.forEach((k, v) -> inputs.put(k, s.buffer(v)));
        for (int[] config : new int[][] {{3, 7}, {2, 64}}) {
            Map<String, String> mine = new LinkedHashMap<>();
            mine.put("losses", s.buffer(new Out(count)));
            mine.put("partials", s.buffer(new Out(partials)));
            mine.put("mean", s.buffer(new Out(1)));
            s.launchWith(kernel, config[0], config[1], inputs, mine, args);
            s.launchWith("fovea_sum_chunks", 1, 4, inputs, mine, "losses", "partials", count, 8, 1f);
            s.launchWith("fovea_sum_chunks", 1, 1, inputs, mine, "partials", "mean", partials, partials, 1f / count);
            runs.add(mine);
        }
        s.check(kernel, kind + " mean loss", (r, route) -> {
            for (int j = 0; j < runs.size(); j++) {
                Compare.close(kind + " mean loss (" + route + ", " + KernelSuite.label(j) + ")", new float[] {expected},
                        r.floats(runs.get(j).get("mean")), 1e-6, (count + 1) * 6e-8 + 1e-5);
            }
        });
    }

    // ---- optimizers -----------------------------------------------------------------------------

    /** A kernel's state buffers (null: passed as a null pointer) and its scalar arguments for step t. */
    record Spec(String name, String kernel, String[] states, IntFunction<Object[]> scalars, OptimizerConfig engine) {
    }

    static void optimizers(KernelSuite s) {
        List<Spec> specs = new ArrayList<>();
        for (double[] o : new double[][] {{0, 0, 0, 0}, {0.9, 0.1, 0, 0.01}, {0.9, 0, 1, 0.01}}) {
            double lr = 0.1;
            boolean nesterov = o[2] == 1;
            specs.add(new Spec("sgd momentum " + o[0] + " dampening " + o[1] + " nesterov " + nesterov + " wd " + o[3],
                    "fovea_sgd_update", new String[] {o[0] == 0 ? null : "buf"},
                    t -> new Object[] {(float) lr, (float) o[0], (float) o[1], (float) o[3], nesterov ? 1 : 0,
                            t == 1 ? 1 : 0},
                    new Sgd(lr, o[0], o[1], nesterov, o[3])));
        }
        for (boolean decoupled : new boolean[] {false, true}) {
            double lr = 1e-2;
            double wd = 0.01;
            specs.add(new Spec(decoupled ? "adamw" : "adam", "fovea_adam_update", new String[] {"m", "v"},
                    t -> new Object[] {(float) lr, 0.9f, 0.999f, 1e-8f, (float) wd, (float) (1 - Math.pow(0.9, t)),
                            (float) (1 - Math.pow(0.999, t)), decoupled ? 1 : 0},
                    new Adam(lr, 0.9, 0.999, 1e-8, wd, decoupled)));
        }
        specs.add(new Spec("adagrad", "fovea_adagrad_update", new String[] {"sum"},
                t -> new Object[] {(float) (0.1 / (1 + (t - 1) * 0.01)), 1e-10f, 1e-3f},
                new AdaGrad(0.1, 0.01, 1e-3, 1e-10)));
        specs.add(new Spec("rmsprop centered momentum", "fovea_rmsprop_update", new String[] {"sq", "gavg", "buf"},
                t -> new Object[] {1e-2f, 0.99f, 1e-8f, 0.01f, 0.9f},
                new RmsProp(1e-2, 0.99, 1e-8, 0.01, 0.9, true)));
        specs.add(new Spec("rmsprop plain", "fovea_rmsprop_update", new String[] {"sq", null, null},
                t -> new Object[] {1e-2f, 0.99f, 1e-8f, 0f, 0f}, new RmsProp(1e-2, 0.99, 1e-8, 0, 0, false)));
        specs.add(new Spec("adadelta", "fovea_adadelta_update", new String[] {"sq", "acc"},
                t -> new Object[] {1.0f, 0.9f, 1e-6f, 0.01f}, new AdaDelta(1.0, 0.9, 1e-6, 0.01)));
        int n = 53;
        int steps = 5;
        for (Spec spec : specs) {
            float[] w0 = Arrays2.random(n, 1);
            float[][] grads = new float[steps][];
            Map<String, String> gradients = new HashMap<>();
            for (int t = 0; t < steps; t++) {
                grads[t] = Arrays2.random(n, 100 + t);
                gradients.put("g" + (t + 1), s.buffer(grads[t]));
            }
            List<String> weights = new ArrayList<>();
            for (int[] config : new int[][] {{3, 7}, {2, 32}}) {
                Map<String, String> mine = new LinkedHashMap<>();
                mine.put("w", s.buffer(w0));
                for (String st : spec.states) {
                    if (st != null) {
                        mine.put(st, s.buffer(new float[n]));
                    }
                }
                for (int t = 1; t <= steps; t++) {
                    List<Object> a = new ArrayList<>(List.of("g" + t, "w"));
                    a.addAll(java.util.Arrays.asList(spec.states));
                    a.add(n);
                    a.addAll(List.of(spec.scalars.apply(t)));
                    s.launchWith(spec.kernel, config[0], config[1], gradients, mine, a.toArray());
                }
                weights.add(mine.get("w"));
            }
            float[] engine = w0.clone();
            float[][] state = new float[spec.engine.stateNames().size()][n];
            for (int t = 1; t <= steps; t++) {
                spec.engine.update(engine, grads[t - 1], state, t, spec.engine.lr(), 0, n);
            }
            s.check(spec.kernel, spec.name, (r, route) -> {
                for (int j = 0; j < weights.size(); j++) {
                    Compare.close(spec.name + " weights after " + steps + " steps (" + route + ", " + KernelSuite.label(j)
                            + ")", engine, r.floats(weights.get(j)), 1e-6, 1e-5);
                }
            });
        }
    }

    // ---- batch norm -----------------------------------------------------------------------------

    static void batchNorm(KernelSuite s) {
        for (Shape xs : List.of(Shape.of(3, 3, 5, 4), Shape.of(7, 5))) {
            int n = xs.dim(0);
            int c = xs.dim(1);
            int hw = xs.product(2, xs.rank());
            BatchNormParams p = new BatchNormParams(0.1, 1e-5);
            float[] x = Arrays2.random(xs.size(), c);
            for (int i = 0; i < x.length; i++) {
                x[i] = 2 * x[i] + 0.5f; // a non-zero mean, to exercise the centring
            }
            float[] gamma = Arrays2.random(c, 1);
            float[] beta = Arrays2.random(c, 2);
            float[] rm = Arrays2.random(c, 3);
            float[] rv = new float[c];
            for (int i = 0; i < c; i++) {
                rv[i] = 0.5f + i;
            }
            float[] dy = Arrays2.random(xs.size(), 4);
            Shape cs = Shape.of(c);
            Tensor refRm = Tensor.of(cs, rm.clone());
            Tensor refRv = Tensor.of(cs, rv.clone());
            Tensor xt = Tensor.of(xs, x);
            Tensor gt = Tensor.of(cs, gamma);
            BatchNormOutput fwd = REF.batchNormTraining(xt, gt, Tensor.of(cs, beta), refRm, refRv, p);
            Grads g = REF.batchNormBackward(Tensor.of(xs, dy), xt, gt, fwd);
            float[] inference = REF.download(REF.batchNormInference(xt, gt, Tensor.of(cs, beta), Tensor.of(cs, rm),
                    Tensor.of(cs, rv), p));
            Grads gr = REF.batchNormInferenceBackward(Tensor.of(xs, dy), xt, gt, Tensor.of(cs, rm), Tensor.of(cs, rv), p);
            Map<String, String> in = new HashMap<>();
            Map<String, float[]> shared = Map.of("x", x, "gamma", gamma, "beta", beta, "rm0", rm, "rv0", rv, "dy", dy,
                    "zero", new float[c]);
            shared.forEach((k, v) -> in.put(k, s.buffer(v)));
            List<Map<String, String>> runs = new ArrayList<>();
            for (int[] config : new int[][] {{3, 7}, {2, 32}}) {
                Map<String, String> mine = new LinkedHashMap<>();
                mine.put("rm", s.buffer(rm));
                mine.put("rv", s.buffer(rv));
                for (String out : List.of("mean", "invStd", "dgamma", "dbeta", "invStdR", "dgammaR", "dbetaR")) {
                    mine.put(out, s.buffer(new Out(c)));
                }
                for (String out : List.of("y", "yInf", "dx", "dxR")) {
                    mine.put(out, s.buffer(new Out(xs.size())));
                }
                for (String out : List.of("planeMean", "planeM2", "planeDy", "planeDyXhat", "planeDyR", "planeDyXhatR")) {
                    mine.put(out, s.buffer(new Out(n * c)));
                }
                s.launchWith("fovea_batchnorm_plane_stats", config[0], config[1], in, mine, "x", "planeMean", "planeM2",
                        n * c, hw);
                s.launchWith("fovea_batchnorm_combine_stats", config[0], config[1], in, mine, "planeMean", "planeM2",
                        "mean", "invStd", "rm", "rv", n, c, hw, (float) p.eps(), (float) p.momentum());
                s.launchWith("fovea_batchnorm_apply", config[0], config[1], in, mine, "x", "mean", "invStd", "gamma",
                        "beta", "y", n, c, hw);
                s.launchWith("fovea_batchnorm_inference", config[0], config[1], in, mine, "x", "gamma", "beta", "rm0",
                        "rv0", "yInf", n, c, hw, (float) p.eps());
                s.launchWith("fovea_batchnorm_plane_grads", config[0], config[1], in, mine, "dy", "x", "mean",
                        "invStd", "planeDy", "planeDyXhat", n * c, c, hw);
                s.launchWith("fovea_sum_slices", config[0], config[1], in, mine, "planeDy", "dbeta", n, c, 0);
                s.launchWith("fovea_sum_slices", config[0], config[1], in, mine, "planeDyXhat", "dgamma", n, c, 0);
                s.launchWith("fovea_batchnorm_backward_data", config[0], config[1], in, mine, "dy", "x", "gamma", "mean",
                        "invStd", "dgamma", "dbeta", "dx", n, c, hw);
                // Backward with the running statistics, as the backend composes it.
                s.launchWith("fovea_batchnorm_running_invstd", config[0], config[1], in, mine, "rv0", "invStdR", c,
                        (float) p.eps());
                s.launchWith("fovea_batchnorm_plane_grads", config[0], config[1], in, mine, "dy", "x", "rm0", "invStdR",
                        "planeDyR", "planeDyXhatR", n * c, c, hw);
                s.launchWith("fovea_sum_slices", config[0], config[1], in, mine, "planeDyR", "dbetaR", n, c, 0);
                s.launchWith("fovea_sum_slices", config[0], config[1], in, mine, "planeDyXhatR", "dgammaR", n, c, 0);
                s.launchWith("fovea_batchnorm_apply", config[0], config[1], in, mine, "dy", "zero", "invStdR", "gamma",
                        "zero", "dxR", n, c, hw);
                runs.add(mine);
            }
            // Channel reductions of up to N*HW values in float against double: abs 1e-5 + rel 1e-4.
            String what = "batch norm " + xs;
            Map<String, Map<String, float[]>> expected = new LinkedHashMap<>();
            float[] planeMean = new float[n * c];
            float[] planeM2 = new float[n * c];
            for (int q = 0; q < n * c; q++) {
                double sum = 0;
                for (int j = 0; j < hw; j++) {
                    sum += x[q * hw + j];
                }
                double mu = sum / hw;
                double m2 = 0;
                for (int j = 0; j < hw; j++) {
                    m2 += (x[q * hw + j] - mu) * (x[q * hw + j] - mu);
                }
                planeMean[q] = (float) mu;
                planeM2[q] = (float) m2;
            }
            expected.put("fovea_batchnorm_plane_stats", Map.of("planeMean", planeMean, "planeM2", planeM2));
            expected.put("fovea_batchnorm_combine_stats", Map.of("mean", REF.download(fwd.savedMean()), "invStd",
                    REF.download(fwd.savedInvStd()), "rm", REF.download(refRm), "rv", REF.download(refRv)));
            expected.put("fovea_batchnorm_apply", Map.of("y", REF.download(fwd.output())));
            expected.put("fovea_batchnorm_inference", Map.of("yInf", inference));
            expected.put("fovea_batchnorm_plane_grads", Map.of("dgamma", REF.download(g.weight()), "dbeta",
                    REF.download(g.bias())));
            expected.put("fovea_batchnorm_backward_data", Map.of("dx", REF.download(g.input())));
            float[] invStdR = new float[c];
            for (int i = 0; i < c; i++) {
                invStdR[i] = (float) (1 / Math.sqrt(rv[i] + p.eps()));
            }
            expected.put("fovea_batchnorm_running_invstd", Map.of("invStdR", invStdR, "dgammaR",
                    REF.download(gr.weight()), "dbetaR", REF.download(gr.bias()), "dxR", REF.download(gr.input())));
            expected.forEach((entry, outputs) -> s.check(entry, what, (r, route) -> {
                for (int j = 0; j < runs.size(); j++) {
                    for (Map.Entry<String, float[]> o : outputs.entrySet()) {
                        Compare.close(what + " " + o.getKey() + " (" + route + ", " + KernelSuite.label(j) + ")",
                                o.getValue(), r.floats(runs.get(j).get(o.getKey())), 1e-5, 1e-4);
                    }
                }
            }));
        }
    }

    /**
     * PReLU's weight gradient as the backend takes it: fovea_prelu_weight_partials sums segments of
     * len values (a plane for per-channel slopes; chunks of 8 here for a shared slope, so that there
     * are several), then fovea_sum_slices adds the partials of each slope in order.
     */
    private static void preluWeightGradient(KernelSuite s, String what, float[] dy, float[] x, int batch, int inner,
                                            int slopes, float[] expected, float[] absSum) {
        int n = x.length;
        int len = slopes == 1 ? 8 : inner;
        int segments = (n + len - 1) / len;
        Map<String, String> inputs = Map.of("dy", s.buffer(dy), "x", s.buffer(x));
        List<Map<String, String>> runs = new ArrayList<>();
        for (int[] config : new int[][] {{3, 7}, {2, 32}}) {
            Map<String, String> mine = new LinkedHashMap<>();
            mine.put("partials", s.buffer(new Out(segments)));
            mine.put("dw", s.buffer(new Out(slopes)));
            s.launchWith("fovea_prelu_weight_partials", config[0], config[1], inputs, mine, "dy", "x", "partials", n,
                    len);
            s.launchWith("fovea_sum_slices", config[0], config[1], inputs, mine, "partials", "dw",
                    slopes == 1 ? segments : batch, slopes, 0);
            runs.add(mine);
        }
        s.check("fovea_prelu_weight_partials", what, (r, route) -> {
            for (int j = 0; j < runs.size(); j++) {
                Compare.withinBound(what + " (" + route + ", " + KernelSuite.label(j) + ")", expected,
                        r.floats(runs.get(j).get("dw")), absSum, n / slopes + 1);
            }
        });
    }

    // ---- tensor algebra --------------------------------------------------------------------------

    /** tensor.ptx through {@link TensorCase}: maps, broadcasts and permutes exact, sums within the float summation bound. */
    static void tensor(KernelSuite s) {
        for (TensorCase c : TensorCase.all()) {
            Run run = s.launch(c.kernel(), c.work(), c.inputMap(), Map.of(c.output(), new Out(c.expected().length)),
                    c.args());
            if (c.absSum() == null) {
                s.close(c.kernel(), c.what(), run, c.output(), c.expected(), 0, 0);
            } else {
                s.bound(c.kernel(), c.what(), run, c.output(), c.expected(), c.absSum(), c.terms());
            }
        }
    }

    /** fovea_sum_slices alone: slices added in order onto 0 or onto out, exactly as a float loop does. */
    static void sumSlices(KernelSuite s) {
        int len = 9;
        int slices = 5;
        float[] in = Arrays2.random(slices * len, 30);
        float[] start = Arrays2.random(len, 31);
        for (int accumulate : new int[] {0, 1}) {
            for (int count : new int[] {0, 1, slices}) {
                float[] want = new float[len];
                for (int j = 0; j < len; j++) {
                    float sum = accumulate == 1 ? start[j] : 0f;
                    for (int k = 0; k < count; k++) {
                        sum += in[k * len + j];
                    }
                    want[j] = sum;
                }
                Run run = s.launch("fovea_sum_slices", len, Map.of("in", in), Map.of("out", start), "in", "out", count,
                        len, accumulate);
                s.close("fovea_sum_slices", "sum_slices of " + count + (accumulate == 1 ? ", accumulating" : ""), run,
                        "out", want, 0, 0);
            }
        }
    }

    // ---- helpers --------------------------------------------------------------------------------

    static Object[] args(Object[] pointers, Object[] geometry) {
        Object[] all = new Object[pointers.length + geometry.length];
        System.arraycopy(pointers, 0, all, 0, pointers.length);
        System.arraycopy(geometry, 0, all, pointers.length, geometry.length);
        return all;
    }

    private static float[] toFloats(double[] a) {
        float[] f = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            f[i] = (float) a[i];
        }
        return f;
    }
}
