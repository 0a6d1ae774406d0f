package dev.fovea.backend.cpu;

import dev.fovea.backend.Backend;
import dev.fovea.backend.PoolOutput;
import dev.fovea.primitives.AdaptivePool2dParams;
import dev.fovea.primitives.Pad2dParams;
import dev.fovea.primitives.PadMode;
import dev.fovea.primitives.PoolKind;
import dev.fovea.primitives.Resampling2d;
import dev.fovea.primitives.Upsample2dParams;
import dev.fovea.primitives.UpsampleMode;
import dev.fovea.tensor.Shape;
import dev.fovea.testing.GradCheck;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static dev.fovea.testing.Arrays2.assertExact;
import static dev.fovea.testing.Arrays2.random;

/**
 * Finite-difference checks of the spatial ops' backward passes on the reference backend over seeded
 * random shapes and attributes, and the fast CPU backend against the reference, bitwise, with one and
 * three threads (it runs the reference's per-plane loops). Adaptive max pooling is checked on values
 * at least 0.05 apart, so the step (GradCheck.STEP = 0.01) never changes a window's winner.
 */
class RefSpatialGradientTest {
    private final Backend ref = new ReferenceBackend();
    private static final List<Backend> FAST = List.of(new CpuBackend(1), new CpuBackend(3));

    static Stream<Arguments> cases() {
        SplittableRandom r = new SplittableRandom(11);
        List<Arguments> cases = new ArrayList<>();
        // global_avg_pool2d: average pooling to one cell per plane.
        cases.add(Arguments.of(Shape.of(3, 2, 5, 3), new AdaptivePool2dParams(PoolKind.AVG, 1, 1)));
        for (int i = 0; i < 6; i++) {
            Shape xs = Shape.of(1 + r.nextInt(2), 1 + r.nextInt(3), 1 + r.nextInt(7), 1 + r.nextInt(7));
            for (PoolKind kind : new PoolKind[] {PoolKind.AVG, PoolKind.MAX}) {
                cases.add(Arguments.of(xs, new AdaptivePool2dParams(kind, 1 + r.nextInt(6), 1 + r.nextInt(6))));
            }
            cases.add(Arguments.of(xs, Upsample2dParams.ofSize(UpsampleMode.NEAREST, 1 + r.nextInt(9), 1 + r.nextInt(9),
                    false)));
            cases.add(Arguments.of(xs, Upsample2dParams.ofScale(UpsampleMode.NEAREST, 1 + r.nextInt(3) * 0.75,
                    1 + r.nextInt(3) * 0.5, false)));
            boolean align = i % 2 == 0;
            cases.add(Arguments.of(xs, Upsample2dParams.ofSize(UpsampleMode.BILINEAR, 1 + r.nextInt(9), 1 + r.nextInt(9),
                    align)));
            cases.add(Arguments.of(xs, Upsample2dParams.ofScale(UpsampleMode.BILINEAR, 1 + r.nextInt(4) * 0.4,
                    0.8 + r.nextInt(4) * 0.7, !align)));
            for (PadMode mode : PadMode.values()) {
                int maxW = mode == PadMode.REFLECT ? xs.dim(3) : 4;
                int maxH = mode == PadMode.REFLECT ? xs.dim(2) : 4;
                cases.add(Arguments.of(xs, new Pad2dParams(r.nextInt(maxW), r.nextInt(maxW), r.nextInt(maxH),
                        r.nextInt(maxH), mode, mode == PadMode.CONSTANT ? 0.5f : 0)));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void backwardMatchesFiniteDifferencesAndTheFastBackendMatchesBitwise(Shape xs, Resampling2d p) {
        float[] x = p instanceof AdaptivePool2dParams a && a.kind() == PoolKind.MAX ? distinct(xs.size(), xs.hashCode())
                : random(xs.size(), xs.hashCode());
        Shape ys = p.outputShape(xs);
        float[] dy = random(ys.size(), p.hashCode());
        float[] dx = backward(ref, p, x, xs, dy, ys);
        GradCheck.check(p.toString(), x, xv -> forward(ref, p, xv, xs), dy, dx);
        for (Backend fast : FAST) {
            assertExact(p + " forward on " + fast.describe(), forward(ref, p, x, xs), forward(fast, p, x, xs));
            assertExact(p + " backward on " + fast.describe(), dx, backward(fast, p, x, xs, dy, ys));
        }
    }

    private static float[] forward(Backend b, Resampling2d p, float[] x, Shape xs) {
        return b.download(b.resample2d(b.upload(xs, x), p).output());
    }

    private static float[] backward(Backend b, Resampling2d p, float[] x, Shape xs, float[] dy, Shape ys) {
        PoolOutput f = b.resample2d(b.upload(xs, x), p);
        return b.download(b.resample2dBackward(b.upload(ys, dy), xs, f.indices(), p));
    }

    /** A seeded shuffle of 0, 0.05, 0.10, ... shifted to straddle zero. */
    private static float[] distinct(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = 0.05f * (i - n / 2);
        }
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            float t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
        return a;
    }
}
