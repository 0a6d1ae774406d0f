package dev.fovea.kernels;

import dev.fovea.backend.Backend;
import dev.fovea.backend.PoolOutput;
import dev.fovea.backend.cpu.ReferenceBackend;
import dev.fovea.kernels.KernelEmulator.Flavour;
import dev.fovea.primitives.AdaptivePool2dParams;
import dev.fovea.primitives.Pool2dParams;
import dev.fovea.primitives.PoolKind;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.testing.Arrays2;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Average pooling (count_include_pad both ways, every kernel/stride/padding the parameter record
 * allows, odd sizes) and global average pooling on the CPU against the reference backend. The
 * kernels sum at most kH*kW (or H*W) values of magnitude <= 1 in float where the reference sums in
 * double: the float summation bound relative to the window's sum of |x|.
 */
class AvgPoolEmulationTest {
    private static final Backend REF = new ReferenceBackend();
    /** global_avg_pool2d's reference: adaptive average pooling to one cell per plane. */
    private static final AdaptivePool2dParams WHOLE_PLANE = new AdaptivePool2dParams(PoolKind.AVG, 1, 1);

    static List<Pool2dParams> params() {
        List<Pool2dParams> out = new ArrayList<>(List.of(Pool2dParams.of(PoolKind.AVG, 2),
                Pool2dParams.of(PoolKind.AVG, 3, 1, 1), Pool2dParams.of(PoolKind.AVG, 3, 2, 1)));
        SplittableRandom r = new SplittableRandom(9);
        while (out.size() < 16) {
            int kh = 1 + r.nextInt(4);
            int kw = 1 + r.nextInt(4);
            out.add(new Pool2dParams(PoolKind.AVG, kh, kw, 1 + r.nextInt(3), 1 + r.nextInt(3), r.nextInt(kh / 2 + 1),
                    r.nextInt(kw / 2 + 1), true));
        }
        return out;
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void forwardAndBackwardMatchReference(Flavour flavour) {
        KernelEmulator emu = KernelEmulator.get(flavour);
        int seed = 0;
        for (Pool2dParams base : params()) {
            for (boolean include : new boolean[] {true, false}) {
                Pool2dParams p = base.withCountIncludePad(include);
                seed++;
                Shape xs = Shape.of(2, 2, Math.max(1, p.kernelH() - 2 * p.padH()) + seed % 5,
                        Math.max(1, p.kernelW() - 2 * p.padW()) + seed % 4);
                float[] x = Arrays2.random(xs.size(), seed);
                Tensor xt = Tensor.of(xs, x);
                PoolOutput fwd = REF.pool2d(xt, p);
                Shape ys = fwd.output().shape();
                float[] dy = Arrays2.random(ys.size(), seed + 1000);
                Object[] geometry = {xs.dim(0), xs.dim(1), xs.dim(2), xs.dim(3), ys.dim(2), ys.dim(3), p.kernelH(),
                        p.kernelW(), p.strideH(), p.strideW(), p.padH(), p.padW(), include ? 1 : 0};
                String what = "avg pool x" + xs + " " + p;
                float[] y = REF.download(fwd.output());
                float[] yBound = REF.download(REF.pool2d(Tensor.of(xs, Compare.abs(x)), p).output());
                for (KernelEmulator.Result r : Emulation.everyLaunch(emu, ys.size(), Map.of("x", x),
                        Map.of("y", Emulation.Out.floats(ys.size())), "fovea_avgpool2d_forward",
                        DirectConvEmulationTest.args(new Object[] {"x", "y"}, geometry))) {
                    Compare.withinBound(what, y, r.floats("y"), yBound, p.kernelH() * p.kernelW() + 1);
                }
                float[] dx = REF.download(REF.pool2dBackward(Tensor.of(ys, dy), xt, fwd, p));
                float[] dxBound = REF.download(REF.pool2dBackward(Tensor.of(ys, Compare.abs(dy)), xt, fwd, p));
                for (KernelEmulator.Result r : Emulation.everyLaunch(emu, xs.size(), Map.of("dy", dy),
                        Map.of("dx", Emulation.Out.floats(xs.size())), "fovea_avgpool2d_backward",
                        DirectConvEmulationTest.args(new Object[] {"dy", "dx"}, geometry))) {
                    Compare.withinBound(what + " backward", dx, r.floats("dx"), dxBound,
                            p.kernelH() * p.kernelW() + 1);
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void globalAverage(Flavour flavour) {
        KernelEmulator emu = KernelEmulator.get(flavour);
        Shape xs = Shape.of(3, 5, 7, 9);
        int planes = 15;
        int hw = 63;
        float[] x = Arrays2.random(xs.size(), 1);
        float[] y = REF.download(REF.resample2d(Tensor.of(xs, x), WHOLE_PLANE).output());
        float[] bound = REF.download(REF.resample2d(Tensor.of(xs, Compare.abs(x)), WHOLE_PLANE).output());
        for (KernelEmulator.Result r : Emulation.everyLaunch(emu, planes, Map.of("x", x),
                Map.of("y", Emulation.Out.floats(planes)), "fovea_global_avgpool2d_forward", "x", "y", planes, hw)) {
            Compare.withinBound("global average", y, r.floats("y"), bound, hw + 1);
        }
        float[] dy = Arrays2.random(planes, 2);
        float[] dx = REF.download(REF.resample2dBackward(Tensor.of(Shape.of(3, 5, 1, 1), dy), xs, null, WHOLE_PLANE));
        // One division per element: 1 ulp of the reference's double-then-round.
        Emulation.check(emu, "global average backward", Map.of("dy", dy), "dx", null, dx, 0, 1.2e-7,
                "fovea_global_avgpool2d_backward", "dy", "dx", planes, hw);
    }
}
