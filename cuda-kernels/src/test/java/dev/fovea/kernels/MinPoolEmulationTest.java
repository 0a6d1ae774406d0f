package dev.fovea.kernels;

import dev.fovea.backend.Backend;
import dev.fovea.backend.PoolOutput;
import dev.fovea.backend.cpu.ReferenceBackend;
import dev.fovea.kernels.KernelEmulator.Flavour;
import dev.fovea.kernels.KernelEmulator.Result;
import dev.fovea.primitives.Pool2dParams;
import dev.fovea.primitives.PoolKind;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.testing.Arrays2;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The min- and max-pooling kernels (argument stored forward, gather backward) run on the CPU against
 * the reference backend, over random geometries (every kernel/stride/padding combination the
 * parameter record allows, odd sizes, gaps where stride > kernel), with values drawn from a tiny
 * set so windows hold ties, and NaNs in some cases. Forward values and indices must match exactly
 * (pooling only selects); the backward sums at most ceil(k/s)^2 gradients of magnitude <= 1 in
 * float where the reference sums in double, hence 1e-5 absolute.
 */
class MinPoolEmulationTest {
    private static final Backend REF = new ReferenceBackend();

    record Case(int n, int c, int h, int w, Pool2dParams p, boolean nans, long seed) {
        @Override
        public String toString() {
            return "x[" + n + "," + c + "," + h + "," + w + "] k" + p.kernelH() + "x" + p.kernelW() + " s"
                    + p.strideH() + "x" + p.strideW() + " p" + p.padH() + "x" + p.padW() + (nans ? " NaN" : "");
        }
    }

    static Stream<Arguments> kindsAndFlavours() {
        List<Arguments> out = new ArrayList<>();
        for (PoolKind kind : List.of(PoolKind.MIN, PoolKind.MAX)) {
            for (Flavour f : Flavour.values()) {
                out.add(Arguments.of(kind, f));
            }
        }
        return out.stream();
    }

    static List<Case> cases(PoolKind kind) {
        List<Case> cases = new ArrayList<>();
        // The shapes networks use: 2x2/2, 3x3/1 pad 1, 3x3/2 pad 1, a 1x1 window, gaps (stride > kernel).
        cases.add(new Case(2, 3, 8, 8, Pool2dParams.of(kind, 2), false, 1));
        cases.add(new Case(1, 2, 7, 9, Pool2dParams.of(kind, 3, 1, 1), false, 2));
        cases.add(new Case(2, 2, 9, 7, Pool2dParams.of(kind, 3, 2, 1), false, 3));
        cases.add(new Case(1, 1, 5, 5, Pool2dParams.of(kind, 1), false, 4));
        cases.add(new Case(1, 2, 9, 10, new Pool2dParams(kind, 2, 2, 3, 3, 0, 0, true), false, 5));
        cases.add(new Case(1, 2, 6, 6, Pool2dParams.of(kind, 2), true, 6));
        SplittableRandom r = new SplittableRandom(42);
        while (cases.size() < 24) {
            int kh = 1 + r.nextInt(4);
            int kw = 1 + r.nextInt(4);
            int ph = r.nextInt(kh / 2 + 1);
            int pw = r.nextInt(kw / 2 + 1);
            int h = Math.max(1, kh - 2 * ph) + r.nextInt(7);
            int w = Math.max(1, kw - 2 * pw) + r.nextInt(7);
            Pool2dParams p = new Pool2dParams(kind, kh, kw, 1 + r.nextInt(3), 1 + r.nextInt(3), ph, pw, true);
            cases.add(new Case(1 + r.nextInt(2), 1 + r.nextInt(3), h, w, p, r.nextInt(5) == 0, r.nextLong()));
        }
        return cases;
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("kindsAndFlavours")
    void forwardMatchesReference(PoolKind kind, Flavour flavour) {
        KernelEmulator emu = KernelEmulator.get(flavour);
        String kernel = kind == PoolKind.MIN ? "fovea_minpool2d_forward" : "fovea_maxpool2d_forward";
        int ties = 0;
        for (Case c : cases(kind)) {
            Shape xs = Shape.of(c.n, c.c, c.h, c.w);
            float[] x = values(xs.size(), c);
            PoolOutput ref = REF.pool2d(Tensor.of(xs, x), c.p);
            Shape ys = ref.output().shape();
            float[] y = REF.download(ref.output());
            int[] idx = REF.downloadInts(ref.indices());
            ties += countTies(x, xs, idx, ys, c.p);
            List<Result> runs = Emulation.everyLaunch(emu, ys.size(), Map.of("x", x),
                    Map.of("y", Emulation.Out.floats(ys.size()), "idx", Emulation.Out.ints(ys.size())), kernel,
                    "x", "y", "idx", c.n, c.c, c.h, c.w, ys.dim(2), ys.dim(3), c.p.kernelH(), c.p.kernelW(),
                    c.p.strideH(), c.p.strideW(), c.p.padH(), c.p.padW());
            for (int j = 0; j < runs.size(); j++) {
                String what = kernel + " " + c + " " + Emulation.launchLabel(j);
                Compare.exact(what + " values", y, runs.get(j).floats("y"));
                Compare.exact(what + " indices", idx, runs.get(j).ints("idx"));
            }
        }
        assertTrue(ties > 20, "the cases must exercise tie-breaking; windows with a tied winner: " + ties);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("kindsAndFlavours")
    void backwardMatchesReference(PoolKind kind, Flavour flavour) {
        KernelEmulator emu = KernelEmulator.get(flavour);
        String kernel = kind == PoolKind.MIN ? "fovea_minpool2d_backward" : "fovea_maxpool2d_backward";
        for (Case c : cases(kind)) {
            Shape xs = Shape.of(c.n, c.c, c.h, c.w);
            Tensor xt = Tensor.of(xs, values(xs.size(), c));
            PoolOutput fwd = REF.pool2d(xt, c.p);
            Shape ys = fwd.output().shape();
            float[] dy = Arrays2.random(ys.size(), c.seed + 1);
            float[] dx = REF.download(REF.pool2dBackward(Tensor.of(ys, dy), xt, fwd, c.p));
            List<Result> runs = Emulation.everyLaunch(emu, xs.size(),
                    Map.of("dy", dy, "idx", REF.downloadInts(fwd.indices())),
                    Map.of("dx", Emulation.Out.floats(xs.size())), kernel,
                    "dy", "idx", "dx", c.n, c.c, c.h, c.w, ys.dim(2), ys.dim(3), c.p.kernelH(), c.p.kernelW(),
                    c.p.strideH(), c.p.strideW(), c.p.padH(), c.p.padW());
            for (int j = 0; j < runs.size(); j++) {
                Compare.close(kernel + " " + c + " " + Emulation.launchLabel(j), dx, runs.get(j).floats("dx"),
                        1e-5, 0);
            }
        }
    }

    /** Small integers (many ties), and for NaN cases a NaN in roughly one cell in twelve. */
    private static float[] values(int n, Case c) {
        SplittableRandom r = new SplittableRandom(c.seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = c.nans && r.nextInt(12) == 0 ? Float.NaN : r.nextInt(4) - 1;
        }
        return x;
    }

    /** Windows where another real cell equals the winner: where "first in row-major order" decides. */
    private static int countTies(float[] x, Shape xs, int[] idx, Shape ys, Pool2dParams p) {
        int h = xs.dim(2);
        int w = xs.dim(3);
        int oh = ys.dim(2);
        int ow = ys.dim(3);
        int ties = 0;
        for (int o = 0; o < ys.size(); o++) {
            int plane = o / (oh * ow);
            int oy = o / ow % oh;
            int ox = o % ow;
            float best = x[plane * h * w + idx[o]];
            int equal = 0;
            for (int iy = Math.max(0, oy * p.strideH() - p.padH()); iy < Math.min(h, oy * p.strideH() - p.padH()
                    + p.kernelH()); iy++) {
                for (int ix = Math.max(0, ox * p.strideW() - p.padW()); ix < Math.min(w, ox * p.strideW() - p.padW()
                        + p.kernelW()); ix++) {
                    equal += x[plane * h * w + iy * w + ix] == best ? 1 : 0;
                }
            }
            ties += equal > 1 ? 1 : 0;
        }
        return ties;
    }
}
