package dev.fovea.backend.cpu;

import dev.fovea.backend.Backend;
import dev.fovea.backend.PoolOutput;
import dev.fovea.primitives.Pool2dParams;
import dev.fovea.primitives.PoolKind;
import dev.fovea.tensor.Shape;
import dev.fovea.testing.GradCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static dev.fovea.testing.Arrays2.random;

/**
 * Finite-difference checks of pooling backward on the reference backend over seeded random shapes
 * (kernel, stride and padding per axis, odd sizes, batch above one). Max and min are checked on
 * inputs whose values are all distinct and at least 0.05 apart, so the finite-difference step
 * (GradCheck.STEP = 0.01) never changes which cell wins a window.
 */
class RefPoolGradientTest {
    private final Backend be = new ReferenceBackend();

    static Stream<Arguments> cases() {
        SplittableRandom r = new SplittableRandom(7);
        List<Arguments> cases = new ArrayList<>();
        for (PoolKind kind : PoolKind.values()) {
            for (boolean includePad : new boolean[] {true, false}) {
                if (kind != PoolKind.AVG && !includePad) {
                    continue;
                }
                for (int i = 0; i < 8; i++) {
                    int kh = 1 + r.nextInt(3);
                    int kw = 1 + r.nextInt(3);
                    var p = new Pool2dParams(kind, kh, kw, 1 + r.nextInt(3), 1 + r.nextInt(3),
                            r.nextInt(kh / 2 + 1), r.nextInt(kw / 2 + 1), includePad);
                    Shape xs = Shape.of(1 + r.nextInt(3), 1 + r.nextInt(3), kh + r.nextInt(5), kw + r.nextInt(5));
                    cases.add(Arguments.of(xs, p));
                }
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void backwardMatchesFiniteDifferences(Shape xs, Pool2dParams p) {
        float[] x = p.kind() == PoolKind.AVG ? random(xs.size(), xs.hashCode()) : distinct(xs.size(), xs.hashCode());
        Shape ys = p.outputShape(xs);
        float[] dy = random(ys.size(), p.hashCode());
        PoolOutput forward = be.pool2d(be.upload(xs, x), p);
        float[] dx = be.download(be.pool2dBackward(be.upload(ys, dy), be.upload(xs, x), forward, p));
        GradCheck.check(p.kind().opName(), x, xv -> be.download(be.pool2d(be.upload(xs, xv), p).output()), dy, dx);
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
