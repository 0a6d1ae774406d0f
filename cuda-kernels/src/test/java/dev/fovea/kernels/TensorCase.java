package dev.fovea.kernels;

import dev.fovea.backend.Backend;
import dev.fovea.backend.cpu.ReferenceBackend;
import dev.fovea.primitives.BinaryOp;
import dev.fovea.primitives.Broadcast;
import dev.fovea.primitives.Permutation;
import dev.fovea.primitives.StridedLayout;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.testing.Arrays2;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One launch of a tensor.ptx kernel with its arguments laid out as CudaAlgebra lays them out (dims
 * merged by the engine's {@link StridedLayout}, padded to 6) and its expected output from
 * {@link ReferenceBackend}: binary maps under broadcasting both ways, per channel and scalar-like;
 * sums over leading, trailing, inner, outer and all dims; broadcasts and permutes. For a sum,
 * {@code absSum} is the reference's sum of |x| (the float summation bound's scale) and {@code terms}
 * the number of terms per output; for the others both are null/0 and the output must be exact (the
 * kernel evaluates the reference's own float expression, a copy or one IEEE operation). Shared by the
 * CPU emulation and the PTX interpreter's cases.
 */
public record TensorCase(String kernel, String what, long work, Map<String, float[]> inputs, String output,
                         float[] expected, float[] absSum, int terms, Object[] args) {
    private static final Backend REF = new ReferenceBackend();
    private static final int DIMS = 6;

    /** Every case, seeded. */
    public static List<TensorCase> all() {
        List<TensorCase> cases = new ArrayList<>();
        long seed = 500;
        for (BinaryOp op : BinaryOp.values()) {
            for (Shape[] ab : List.of(new Shape[] {Shape.of(2, 3, 4), Shape.of(2, 3, 4)},
                    new Shape[] {Shape.of(2, 3, 4, 5), Shape.of(2, 3, 1, 1)},
                    new Shape[] {Shape.of(2, 1, 4), Shape.of(3, 1)},
                    new Shape[] {Shape.of(1), Shape.of(3, 5)},
                    new Shape[] {Shape.of(1, 3, 1, 5, 1, 2, 1), Shape.of(4, 1, 2, 1, 3, 1, 1)})) {
                cases.add(binary(op, ab[0], ab[1], seed++));
            }
        }
        cases.add(sumTo(Shape.of(2, 3, 4, 5), Shape.of(2, 3, 1, 1), 1f, seed++));
        cases.add(sumTo(Shape.of(2, 3, 4, 5), Shape.of(3, 1, 1), 1f, seed++));
        cases.add(sumTo(Shape.of(2, 3, 4, 5), Shape.of(1, 1, 1, 1), 0.25f, seed++));
        cases.add(sumTo(Shape.of(6, 7), Shape.of(7), -1f, seed++));
        cases.add(sumTo(Shape.of(6, 7), Shape.of(6, 1), 1f / 7, seed++));
        cases.add(sumTo(Shape.of(3, 2, 5, 2, 4), Shape.of(1, 2, 1, 2, 1), 1f, seed++));
        cases.add(sumTo(Shape.of(3, 4), Shape.of(3, 4), 2f, seed++));
        cases.add(broadcastTo(Shape.of(3, 1), Shape.of(2, 3, 4), seed++));
        cases.add(broadcastTo(Shape.of(1), Shape.of(5, 2), seed++));
        cases.add(permute(Shape.of(2, 3, 4, 5), new int[] {0, 2, 3, 1}, seed++));
        cases.add(permute(Shape.of(2, 3, 4, 5), new int[] {3, 2, 1, 0}, seed++));
        cases.add(permute(Shape.of(4, 7), new int[] {1, 0}, seed++));
        cases.add(permute(Shape.of(2, 3, 2, 3, 2, 3), new int[] {5, 3, 1, 4, 2, 0}, seed++));
        return cases;
    }

    static TensorCase binary(BinaryOp op, Shape as, Shape bs, long seed) {
        float[] a = Arrays2.random(as.size(), seed);
        float[] b = Arrays2.random(bs.size(), seed + 1000);
        if (op == BinaryOp.DIV) {
            for (int i = 0; i < b.length; i++) {
                b[i] = b[i] < 0 ? b[i] - 0.5f : b[i] + 0.5f;
            }
        }
        Shape out = Broadcast.shape(op.opName(), as, bs);
        StridedLayout l = StridedLayout.of(out.toArray(), Broadcast.strides(as, out), Broadcast.strides(bs, out));
        float[] z = REF.download(REF.binary(op, Tensor.of(as, a), Tensor.of(bs, b)));
        Object[] args = args(List.of("a", "b", "z", out.size()), l.paddedDims(DIMS), l.paddedStrides(0, DIMS),
                l.paddedStrides(1, DIMS), new int[] {op.code()});
        return new TensorCase("fovea_binary", op.opName() + " " + as + " and " + bs, out.size(),
                Map.of("a", a, "b", b), "z", z, null, 0, args);
    }

    static TensorCase sumTo(Shape xs, Shape target, float scale, long seed) {
        float[] x = Arrays2.random(xs.size(), seed);
        StridedLayout l = StridedLayout.of(xs.toArray(), StridedLayout.contiguous(xs), Broadcast.strides(target, xs));
        int[] dims = l.paddedDims(DIMS);
        int[] ys = l.paddedStrides(1, DIMS);
        int mask = 0;
        for (int d = 0; d < DIMS; d++) {
            if (ys[d] == 0 && dims[d] != 1) {
                mask |= 1 << d;
            }
        }
        int reduced = xs.size() / target.size();
        float[] y = REF.download(REF.sumTo(Tensor.of(xs, x), target, scale));
        float[] absX = x.clone();
        for (int i = 0; i < absX.length; i++) {
            absX[i] = Math.abs(absX[i]);
        }
        float[] absSum = REF.download(REF.sumTo(Tensor.of(xs, absX), target, Math.abs(scale)));
        Object[] args = args(List.of("x", "y", target.size(), reduced, mask), dims, new int[0], new int[0], new int[0]);
        Object[] withScale = java.util.Arrays.copyOf(args, args.length + 1);
        withScale[args.length] = scale;
        return new TensorCase("fovea_sum_to", "sum " + xs + " to " + target + " scale " + scale, target.size(),
                Map.of("x", x), "y", y, absSum, reduced, withScale);
    }

    static TensorCase broadcastTo(Shape xs, Shape out, long seed) {
        float[] x = Arrays2.random(xs.size(), seed);
        float[] y = REF.download(REF.broadcastTo(Tensor.of(xs, x), out));
        return copy("broadcast " + xs + " to " + out, x, out, Broadcast.strides(xs, out), y);
    }

    static TensorCase permute(Shape xs, int[] dims, long seed) {
        float[] x = Arrays2.random(xs.size(), seed);
        int[] axes = Permutation.axes("permute", xs, dims);
        int[] strides = Permutation.inputStrides(xs, axes);
        float[] y = REF.download(REF.permute(Tensor.of(xs, x), dims));
        return copy("permute " + xs + " dims " + java.util.Arrays.toString(dims), x, Permutation.apply(xs, axes),
                strides, y);
    }

    private static TensorCase copy(String what, float[] x, Shape out, int[] strides, float[] y) {
        StridedLayout l = StridedLayout.of(out.toArray(), strides);
        Object[] args = args(List.of("x", "y", out.size()), l.paddedDims(DIMS), l.paddedStrides(0, DIMS), new int[0],
                new int[0]);
        return new TensorCase("fovea_strided_copy", what, out.size(), Map.of("x", x), "y", y, null, 0, args);
    }

    private static Object[] args(List<Object> head, int[]... ints) {
        List<Object> all = new ArrayList<>(head);
        for (int[] group : ints) {
            for (int v : group) {
                all.add(v);
            }
        }
        return all.toArray();
    }

    /** The inputs as the launch helpers take them. */
    public Map<String, float[]> inputMap() {
        return new LinkedHashMap<>(inputs);
    }
}
