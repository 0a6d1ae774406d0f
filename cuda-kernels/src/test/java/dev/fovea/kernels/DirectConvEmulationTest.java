package dev.fovea.kernels;

import dev.fovea.backend.Backend;
import dev.fovea.backend.Grads;
import dev.fovea.backend.cpu.ReferenceBackend;
import dev.fovea.kernels.KernelEmulator.Flavour;
import dev.fovea.kernels.KernelEmulator.Result;
import dev.fovea.primitives.Conv2dParams;
import dev.fovea.primitives.ConvMode;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.testing.Arrays2;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The direct convolution kernels (forward, backward-data, backward-filter) and the bias gradient run
 * on the CPU against the reference backend, over the shapes the router sends them: depthwise,
 * grouped and dilated convolutions, with every stride/padding/dilation per axis, both modes, with
 * and without bias, odd sizes, batch > 1. Tolerance: the float summation error bound
 * (terms + 1) * 2^-24 * sum|products| per element (the kernel sums in float in its own order, the
 * reference in double).
 */
class DirectConvEmulationTest {
    private static final Backend REF = new ReferenceBackend();

    record Case(int n, int c, int h, int w, int k, int kh, int kw, Conv2dParams p, boolean bias, long seed) {
        Shape xs() {
            return Shape.of(n, c, h, w);
        }

        Shape ws() {
            return Shape.of(k, c / p.groups(), kh, kw);
        }

        Shape ys() {
            return p.outputShape(xs(), ws(), null);
        }

        /** The kernels' geometry arguments after the pointers. */
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

    static List<Case> cases() {
        List<Case> cases = new ArrayList<>();
        // What the router sends: depthwise 3x3 (stride 1 and 2), dilated 3x3, grouped, convolution mode.
        cases.add(new Case(2, 4, 7, 7, 4, 3, 3, new Conv2dParams(1, 1, 1, 1, 1, 1, 4, null), true, 1));
        cases.add(new Case(1, 3, 9, 8, 6, 3, 3, new Conv2dParams(2, 2, 1, 1, 1, 1, 3, null), false, 2));
        cases.add(new Case(2, 2, 9, 9, 3, 3, 3, new Conv2dParams(1, 1, 2, 2, 2, 2, 1, null), true, 3));
        cases.add(new Case(1, 6, 6, 7, 4, 3, 3, new Conv2dParams(1, 1, 1, 1, 1, 1, 2, ConvMode.CONVOLUTION), true, 4));
        cases.add(new Case(1, 1, 5, 5, 1, 3, 3, new Conv2dParams(1, 1, 0, 0, 1, 1, 1, ConvMode.CONVOLUTION), false, 5));
        SplittableRandom r = new SplittableRandom(7);
        while (cases.size() < 26) {
            int groups = 1 + r.nextInt(3);
            int c = groups * (1 + r.nextInt(3));
            int k = groups * (1 + r.nextInt(3));
            if (r.nextInt(4) == 0) {
                groups = c; // depthwise, channel multiplier k / c
                k = c * (1 + r.nextInt(2));
            }
            int kh = 1 + r.nextInt(4);
            int kw = 1 + r.nextInt(4);
            Conv2dParams p = new Conv2dParams(1 + r.nextInt(3), 1 + r.nextInt(3), r.nextInt(3), r.nextInt(3),
                    1 + r.nextInt(3), 1 + r.nextInt(3), groups,
                    r.nextBoolean() ? ConvMode.CROSS_CORRELATION : ConvMode.CONVOLUTION);
            int effH = Conv2dParams.effectiveKernel(kh, p.dilationH());
            int effW = Conv2dParams.effectiveKernel(kw, p.dilationW());
            int h = Math.max(1, effH - 2 * p.padH()) + r.nextInt(5);
            int w = Math.max(1, effW - 2 * p.padW()) + r.nextInt(5);
            cases.add(new Case(1 + r.nextInt(2), c, h, w, k, kh, kw, p, r.nextBoolean(), r.nextLong()));
        }
        return cases;
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void forwardMatchesReference(Flavour flavour) {
        KernelEmulator emu = KernelEmulator.get(flavour);
        for (Case c : cases()) {
            float[] x = Arrays2.random(c.xs().size(), c.seed);
            float[] w = Arrays2.random(c.ws().size(), c.seed + 1);
            float[] b = c.bias ? Arrays2.random(c.k, c.seed + 2) : null;
            float[] y = conv(x, w, b, c);
            float[] bound = conv(Compare.abs(x), Compare.abs(w), b == null ? null : Compare.abs(b), c);
            Map<String, float[]> shared = new HashMap<>(Map.of("x", x, "w", w));
            if (b != null) {
                shared.put("b", b);
            }
            List<Result> runs = Emulation.everyLaunch(emu, c.ys().size(), shared,
                    Map.of("y", Emulation.Out.floats(c.ys().size())), "fovea_conv2d_direct_forward",
                    args(new Object[] {"x", "w", b == null ? null : "b", "y"}, c.geometry()));
            int terms = c.ws().size() / c.k + 1;
            for (int j = 0; j < runs.size(); j++) {
                Compare.withinBound("forward " + c + " " + Emulation.launchLabel(j), y, runs.get(j).floats("y"),
                        bound, terms);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void backwardDataMatchesReference(Flavour flavour) {
        KernelEmulator emu = KernelEmulator.get(flavour);
        for (Case c : cases()) {
            float[] x = Arrays2.random(c.xs().size(), c.seed);
            float[] w = Arrays2.random(c.ws().size(), c.seed + 1);
            float[] dy = Arrays2.random(c.ys().size(), c.seed + 3);
            float[] dx = REF.download(backward(dy, x, w, c).input());
            float[] bound = REF.download(backward(Compare.abs(dy), x, Compare.abs(w), c).input());
            List<Result> runs = Emulation.everyLaunch(emu, c.xs().size(), Map.of("dy", dy, "w", w),
                    Map.of("dx", Emulation.Out.floats(c.xs().size())), "fovea_conv2d_direct_backward_data",
                    args(new Object[] {"dy", "w", "dx"}, c.geometry()));
            int terms = (c.k / c.p.groups()) * c.kh * c.kw;
            for (int j = 0; j < runs.size(); j++) {
                Compare.withinBound("backward data " + c + " " + Emulation.launchLabel(j), dx,
                        runs.get(j).floats("dx"), bound, terms);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void backwardFilterMatchesReference(Flavour flavour) {
        KernelEmulator emu = KernelEmulator.get(flavour);
        for (Case c : cases()) {
            float[] x = Arrays2.random(c.xs().size(), c.seed);
            float[] w = Arrays2.random(c.ws().size(), c.seed + 1);
            float[] dy = Arrays2.random(c.ys().size(), c.seed + 3);
            float[] dw = REF.download(backward(dy, x, w, c).weight());
            float[] bound = REF.download(backward(Compare.abs(dy), Compare.abs(x), w, c).weight());
            List<Result> runs = Emulation.everyLaunch(emu, c.ws().size(), Map.of("dy", dy, "x", x),
                    Map.of("dw", Emulation.Out.floats(c.ws().size())), "fovea_conv2d_direct_backward_filter",
                    args(new Object[] {"dy", "x", "dw"}, c.geometry()));
            int terms = c.ys().size() / c.k;
            for (int j = 0; j < runs.size(); j++) {
                Compare.withinBound("backward filter " + c + " " + Emulation.launchLabel(j), dw,
                        runs.get(j).floats("dw"), bound, terms);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void biasGradientMatchesReference(Flavour flavour) {
        KernelEmulator emu = KernelEmulator.get(flavour);
        int checked = 0;
        for (Case c : cases()) {
            if (!c.bias) {
                continue;
            }
            Shape ys = c.ys();
            float[] dy = Arrays2.random(ys.size(), c.seed + 3);
            float[] x = Arrays2.random(c.xs().size(), c.seed);
            float[] w = Arrays2.random(c.ws().size(), c.seed + 1);
            float[] db = REF.download(backward(dy, x, w, c).bias());
            float[] bound = REF.download(backward(Compare.abs(dy), x, w, c).bias());
            int hw = ys.dim(2) * ys.dim(3);
            int planes = c.n * c.k;
            // The backend's two passes: a sum per (n, k) plane, then each channel's N plane sums in
            // order; at most hw - 1 + n - 1 roundings on the way to each value.
            List<Result> runs = Emulation.everyLaunch(emu, Map.of("dy", dy),
                    Map.of("partials", Emulation.Out.floats(planes), "db", Emulation.Out.floats(c.k)),
                    List.of(new Emulation.Step("fovea_sum_chunks", planes, "dy", "partials", planes * hw, hw, 1f),
                            new Emulation.Step("fovea_sum_slices", c.k, "partials", "db", c.n, c.k, 0)));
            for (int j = 0; j < runs.size(); j++) {
                Compare.withinBound("bias gradient " + c + " " + Emulation.launchLabel(j), db,
                        runs.get(j).floats("db"), bound, hw + c.n);
            }
            checked++;
        }
        assertTrue(checked >= 5, "too few cases with bias: " + checked);
    }

    private static float[] conv(float[] x, float[] w, float[] b, Case c) {
        return REF.download(REF.conv2d(Tensor.of(c.xs(), x), Tensor.of(c.ws(), w),
                b == null ? null : Tensor.of(Shape.of(c.k), b), c.p));
    }

    private static Grads backward(float[] dy, float[] x, float[] w, Case c) {
        return REF.conv2dBackward(Tensor.of(c.ys(), dy), Tensor.of(c.xs(), x), Tensor.of(c.ws(), w), true, true, c.p);
    }

    static Object[] args(Object[] pointers, Object[] geometry) {
        Object[] all = new Object[pointers.length + geometry.length];
        System.arraycopy(pointers, 0, all, 0, pointers.length);
        System.arraycopy(geometry, 0, all, pointers.length, geometry.length);
        return all;
    }
}
