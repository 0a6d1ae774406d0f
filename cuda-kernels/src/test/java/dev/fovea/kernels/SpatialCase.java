package dev.fovea.kernels;

import dev.fovea.backend.Backend;
import dev.fovea.backend.PoolOutput;
import dev.fovea.backend.cpu.ReferenceBackend;
import dev.fovea.primitives.AdaptivePool2dParams;
import dev.fovea.primitives.Pad2dParams;
import dev.fovea.primitives.PadMode;
import dev.fovea.primitives.PoolKind;
import dev.fovea.primitives.Upsample2dParams;
import dev.fovea.primitives.UpsampleMode;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.testing.Arrays2;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * One launch of a spatial.cu kernel with its inputs and the reference backend's expected outputs,
 * shared by the CPU emulation ({@code SpatialEmulationTest}) and the PTX interpreter's cases. The
 * cases cover sizes that do not divide (adaptive windows that overlap or upsize), the nearest
 * special cases (same size, double size) and scale factors that give them, bilinear with and without
 * align_corners (one output cell: scale 0), downsampling, every pad mode with reflect at its limit,
 * and, for adaptive max pooling, small integers (ties) and NaN.
 *
 * <p>Tolerances: 0 where the kernel selects or copies (max pooling values and indices, nearest,
 * pad forward); abs 1e-6 + rel 1e-6 for bilinear forward (four products of weights in [0, 1] and
 * values in [-1, 1] in float, the reference in double); 1e-5 absolute for averages and gradients,
 * sums of at most a few dozen terms below 1 in float where the reference sums in double.
 *
 * @param outputs written buffers by name: their expected values, float[] or int[]
 */
public record SpatialCase(String entry, String what, long work, Map<String, Object> inputs,
                          Map<String, Object> outputs, Object[] args, double abs, double rel) {
    private static final Backend REF = new ReferenceBackend();

    /** Every case, seeded. */
    public static List<SpatialCase> all() {
        List<SpatialCase> out = new ArrayList<>();
        SplittableRandom r = new SplittableRandom(1409);
        int[][] adaptive = {{5, 7, 3, 4}, {6, 6, 2, 2}, {4, 3, 1, 1}, {3, 4, 5, 6}, {2, 3, 3, 5}, {7, 1, 3, 1}};
        for (int[] a : adaptive) {
            Shape xs = Shape.of(1 + r.nextInt(2), 1 + r.nextInt(3), a[0], a[1]);
            adaptiveAvg(out, xs, new AdaptivePool2dParams(PoolKind.AVG, a[2], a[3]), r.nextLong());
            adaptiveMax(out, xs, new AdaptivePool2dParams(PoolKind.MAX, a[2], a[3]), r.nextLong(), a[0] % 2 == 1);
        }
        List<Upsample2dParams> ups = new ArrayList<>();
        for (UpsampleMode mode : UpsampleMode.values()) {
            for (boolean align : mode == UpsampleMode.BILINEAR ? new boolean[] {false, true} : new boolean[] {false}) {
                ups.add(Upsample2dParams.ofSize(mode, 5, 7, align));
                ups.add(Upsample2dParams.ofSize(mode, 2, 1, align));
                ups.add(Upsample2dParams.ofScale(mode, 2, 2, align));
                ups.add(Upsample2dParams.ofScale(mode, 1.7, 0.6, align));
                ups.add(Upsample2dParams.ofScale(mode, 1.2, 2.5, align));
            }
        }
        for (Upsample2dParams p : ups) {
            upsample(out, Shape.of(1 + r.nextInt(2), 1 + r.nextInt(2), 3 + r.nextInt(3), 2 + r.nextInt(4)), p,
                    r.nextLong());
        }
        Shape padded = Shape.of(2, 2, 3, 4);
        for (Pad2dParams p : List.of(new Pad2dParams(1, 2, 0, 3, PadMode.CONSTANT, 0.5f),
                new Pad2dParams(3, 1, 2, 2, PadMode.REFLECT, 0), new Pad2dParams(0, 2, 1, 0, PadMode.REFLECT, 0),
                new Pad2dParams(3, 0, 2, 4, PadMode.REPLICATE, 0), new Pad2dParams(1, 1, 1, 1, PadMode.REPLICATE, 0))) {
            pad(out, padded, p, r.nextLong());
        }
        pad(out, Shape.of(1, 1, 1, 1), new Pad2dParams(2, 1, 1, 3, PadMode.REPLICATE, 0), 5);
        return out;
    }

    private static Object[] sizes(Shape xs, Shape ys, Object... pointersFirst) {
        Object[] a = new Object[pointersFirst.length + 6];
        System.arraycopy(pointersFirst, 0, a, 0, pointersFirst.length);
        int k = pointersFirst.length;
        a[k] = xs.dim(0);
        a[k + 1] = xs.dim(1);
        a[k + 2] = xs.dim(2);
        a[k + 3] = xs.dim(3);
        a[k + 4] = ys.dim(2);
        a[k + 5] = ys.dim(3);
        return a;
    }

    private static Object[] concat(Object[] a, Object... b) {
        Object[] all = new Object[a.length + b.length];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    private static void adaptiveAvg(List<SpatialCase> out, Shape xs, AdaptivePool2dParams p, long seed) {
        float[] x = Arrays2.random(xs.size(), seed);
        Tensor xt = Tensor.of(xs, x);
        PoolOutput fwd = REF.resample2d(xt, p);
        Shape ys = fwd.output().shape();
        String what = p + " x" + xs;
        out.add(new SpatialCase("fovea_adaptive_avgpool2d_forward", what, ys.size(), Map.of("x", x),
                Map.of("y", REF.download(fwd.output())), sizes(xs, ys, "x", "y"), 1e-5, 0));
        float[] dy = Arrays2.random(ys.size(), seed + 1);
        out.add(new SpatialCase("fovea_adaptive_avgpool2d_backward", what + " backward", xs.size(), Map.of("dy", dy),
                Map.of("dx", REF.download(REF.resample2dBackward(Tensor.of(ys, dy), xt.shape(), fwd.indices(), p))),
                sizes(xs, ys, "dy", "dx"), 1e-5, 0));
    }

    private static void adaptiveMax(List<SpatialCase> out, Shape xs, AdaptivePool2dParams p, long seed, boolean nans) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[xs.size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = nans && r.nextInt(8) == 0 ? Float.NaN : r.nextInt(4) - 1;
        }
        Tensor xt = Tensor.of(xs, x);
        PoolOutput fwd = REF.resample2d(xt, p);
        Shape ys = fwd.output().shape();
        int[] idx = REF.downloadInts(fwd.indices());
        String what = p + " x" + xs + (nans ? " NaN" : "");
        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("y", REF.download(fwd.output()));
        expected.put("idx", idx);
        out.add(new SpatialCase("fovea_adaptive_maxpool2d_forward", what, ys.size(), Map.of("x", x), expected,
                sizes(xs, ys, "x", "y", "idx"), 0, 0));
        float[] dy = Arrays2.random(ys.size(), seed + 1);
        out.add(new SpatialCase("fovea_adaptive_maxpool2d_backward", what + " backward", xs.size(),
                Map.of("dy", dy, "idx", idx),
                Map.of("dx", REF.download(REF.resample2dBackward(Tensor.of(ys, dy), xt.shape(), fwd.indices(), p))),
                sizes(xs, ys, "dy", "idx", "dx"), 1e-5, 0));
    }

    private static void upsample(List<SpatialCase> out, Shape xs, Upsample2dParams p, long seed) {
        float[] x = Arrays2.random(xs.size(), seed);
        Shape ys = p.outputShape(xs);
        float scaleH = p.sourceScale(xs.dim(2), ys.dim(2), p.scaleH());
        float scaleW = p.sourceScale(xs.dim(3), ys.dim(3), p.scaleW());
        boolean nearest = p.mode() == UpsampleMode.NEAREST;
        Object[] tail = nearest ? new Object[] {scaleH, scaleW} : new Object[] {scaleH, scaleW, p.alignCorners() ? 1 : 0};
        String kind = nearest ? "nearest" : "bilinear";
        String what = p + " x" + xs;
        out.add(new SpatialCase("fovea_upsample_" + kind + "_forward", what, ys.size(), Map.of("x", x),
                Map.of("y", REF.download(REF.resample2d(Tensor.of(xs, x), p).output())),
                concat(sizes(xs, ys, "x", "y"), tail),
                nearest ? 0 : 1e-6, nearest ? 0 : 1e-6));
        float[] dy = Arrays2.random(ys.size(), seed + 1);
        out.add(new SpatialCase("fovea_upsample_" + kind + "_backward", what + " backward", xs.size(), Map.of("dy", dy),
                Map.of("dx", REF.download(REF.resample2dBackward(Tensor.of(ys, dy), xs, null, p))),
                concat(sizes(xs, ys, "dy", "dx"), tail), 1e-5, 0));
    }

    private static void pad(List<SpatialCase> out, Shape xs, Pad2dParams p, long seed) {
        float[] x = Arrays2.random(xs.size(), seed);
        Shape ys = p.outputShape(xs);
        int mode = p.mode().ordinal();
        String what = p + " x" + xs;
        out.add(new SpatialCase("fovea_pad2d_forward", what, ys.size(), Map.of("x", x),
                Map.of("y", REF.download(REF.resample2d(Tensor.of(xs, x), p).output())),
                concat(sizes(xs, ys, "x", "y"), p.left(), p.top(), mode, p.value()), 0, 0));
        float[] dy = Arrays2.random(ys.size(), seed + 1);
        out.add(new SpatialCase("fovea_pad2d_backward", what + " backward", xs.size(), Map.of("dy", dy),
                Map.of("dx", REF.download(REF.resample2dBackward(Tensor.of(ys, dy), xs, null, p))),
                concat(sizes(xs, ys, "dy", "dx"), p.left(), p.top(), mode), 1e-5, 0));
    }
}
