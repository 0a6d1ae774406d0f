package dev.fovea.backend.cpu;

import dev.fovea.primitives.BinaryOp;
import dev.fovea.primitives.Broadcast;
import dev.fovea.primitives.Permutation;
import dev.fovea.tensor.Shape;

/**
 * Reference broadcasting maps, sums to a shape, broadcasts and permutes: one plain loop over the
 * output (or, for sums, the input) elements, each turning its flat index into an offset with the
 * other tensor's strides. Sums accumulate in double, as the rest of the reference does.
 */
final class RefAlgebra {
    private RefAlgebra() {
    }

    static float[] binary(BinaryOp op, float[] a, Shape as, float[] b, Shape bs, Shape out) {
        if (as.equals(bs)) {
            // Same shapes (a residual add): one flat loop, as fast as add was before broadcasting.
            float[] z = new float[a.length];
            for (int i = 0; i < z.length; i++) {
                z[i] = op.apply(a[i], b[i]);
            }
            return z;
        }
        int[] dims = out.toArray();
        int[] sa = Broadcast.strides(as, out);
        int[] sb = Broadcast.strides(bs, out);
        float[] z = new float[out.size()];
        for (int i = 0; i < z.length; i++) {
            z[i] = op.apply(a[offset(i, dims, sa)], b[offset(i, dims, sb)]);
        }
        return z;
    }

    /** {@code scale} times the sum of {@code x} (shape {@code xs}) over the dims {@code target} stretches. */
    static float[] sumTo(float[] x, Shape xs, Shape target, float scale) {
        int[] dims = xs.toArray();
        int[] st = Broadcast.strides(target, xs);
        double[] acc = new double[target.size()];
        for (int i = 0; i < x.length; i++) {
            acc[offset(i, dims, st)] += x[i];
        }
        float[] y = new float[acc.length];
        for (int j = 0; j < y.length; j++) {
            y[j] = (float) (acc[j] * scale);
        }
        return y;
    }

    static float[] broadcastTo(float[] x, Shape xs, Shape out) {
        int[] dims = out.toArray();
        int[] sx = Broadcast.strides(xs, out);
        float[] y = new float[out.size()];
        for (int i = 0; i < y.length; i++) {
            y[i] = x[offset(i, dims, sx)];
        }
        return y;
    }

    /** Output dim {@code i} is input dim {@code axes[i]}; {@code axes} already checked. */
    static float[] permute(float[] x, Shape xs, int[] axes, Shape out) {
        int[] dims = out.toArray();
        int[] sx = Permutation.inputStrides(xs, axes);
        float[] y = new float[out.size()];
        for (int i = 0; i < y.length; i++) {
            y[i] = x[offset(i, dims, sx)];
        }
        return y;
    }

    /** The offset, under {@code strides}, of the element at row-major flat index {@code index} of a tensor of {@code dims}. */
    static int offset(int index, int[] dims, int[] strides) {
        int off = 0;
        int rest = index;
        for (int d = dims.length - 1; d >= 0; d--) {
            off += rest % dims[d] * strides[d];
            rest /= dims[d];
        }
        return off;
    }
}
