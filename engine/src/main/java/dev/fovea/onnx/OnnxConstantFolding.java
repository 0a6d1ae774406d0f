package dev.fovea.onnx;

import java.util.Arrays;

/**
 * The integer tensor arithmetic PyTorch's exporter writes to build a Pad's pads or a Reshape's
 * target from constants (ConstantOfShape, Reshape, Slice with negative steps, Transpose), folded at
 * import into the constant it computes. Values are row-major {@code long}s with their dims; every
 * method returns the result's values, or throws IllegalArgumentException saying what does not fit.
 */
final class OnnxConstantFolding {
    /** Folding is for shapes and pads: larger constants are refused rather than computed. */
    static final int MAX_VALUES = 4096;

    private OnnxConstantFolding() {
    }

    /** ConstantOfShape: {@code shape} filled with {@code value}. */
    static long[] filled(long[] shape, long value) {
        long[] v = new long[(int) count(shape)];
        Arrays.fill(v, value);
        return v;
    }

    /** A Reshape target resolved against {@code dims} (0 copies a dimension, one -1 takes the rest). */
    static long[] reshaped(long[] dims, long[] target) {
        long total = count(dims);
        long[] out = new long[target.length];
        int infer = -1;
        long known = 1;
        for (int i = 0; i < target.length; i++) {
            out[i] = target[i] == 0 && i < dims.length ? dims[i] : target[i];
            if (out[i] == -1 && infer < 0) {
                infer = i;
            } else if (out[i] < 0) {
                throw new IllegalArgumentException("the shape " + Arrays.toString(target) + " has an invalid entry " + target[i]);
            } else {
                known *= out[i];
            }
        }
        if (infer >= 0 && known > 0 && total % known == 0) {
            out[infer] = total / known;
        } else if (infer >= 0 || known != total) {
            throw new IllegalArgumentException("the shape " + Arrays.toString(target) + " does not hold the "
                    + total + " values of " + Arrays.toString(dims));
        }
        return out;
    }

    /** Transpose: the values of a {@code dims} tensor with its axes in the order {@code perm}. */
    static long[] transposed(long[] values, long[] dims, long[] perm) {
        int r = dims.length;
        if (perm.length != r) {
            throw new IllegalArgumentException("perm " + Arrays.toString(perm) + " does not match rank " + r);
        }
        long[] outDims = transposedDims(dims, perm);
        long[] strides = strides(dims);
        long[] out = new long[values.length];
        long[] idx = new long[r];
        for (int o = 0; o < out.length; o++) {
            long src = 0;
            for (int i = 0; i < r; i++) {
                src += idx[i] * strides[(int) perm[i]];
            }
            out[o] = values[(int) src];
            for (int i = r - 1; i >= 0 && ++idx[i] == outDims[i]; i--) {
                idx[i] = 0;
            }
        }
        return out;
    }

    /** The dims of Transpose's result. */
    static long[] transposedDims(long[] dims, long[] perm) {
        long[] out = new long[dims.length];
        for (int i = 0; i < dims.length; i++) {
            if (perm[i] < 0 || perm[i] >= dims.length) {
                throw new IllegalArgumentException("perm " + Arrays.toString(perm) + " is not a permutation of rank " + dims.length);
            }
            out[i] = dims[(int) perm[i]];
        }
        return out;
    }

    /**
     * Slice with ONNX's rules: negative starts and ends count from the end, both are clamped to the
     * axis ([0, d] for a positive step, [-1, d - 1] for a negative one). Returns {dims, values}.
     */
    static long[][] sliced(long[] values, long[] dims, long[] starts, long[] ends, long[] axes, long[] steps) {
        int r = dims.length;
        long[] first = new long[r];
        long[] step = new long[r];
        long[] outDims = dims.clone();
        Arrays.fill(step, 1);
        for (int k = 0; k < starts.length; k++) {
            int a = (int) (axes[k] < 0 ? axes[k] + r : axes[k]);
            long d = dims[a];
            long st = steps[k];
            if (a < 0 || a >= r || st == 0) {
                throw new IllegalArgumentException("axis " + axes[k] + " with step " + st + " is invalid for rank " + r);
            }
            long s = starts[k] < 0 ? starts[k] + d : starts[k];
            long e = ends[k] < 0 ? ends[k] + d : ends[k];
            if (st > 0) {
                s = Math.max(0, Math.min(d, s));
                e = Math.max(0, Math.min(d, e));
                outDims[a] = Math.max(0, (e - s + st - 1) / st);
            } else {
                s = Math.max(-1, Math.min(d - 1, s));
                e = Math.max(-1, Math.min(d - 1, e));
                outDims[a] = Math.max(0, (s - e + -st - 1) / -st);
            }
            first[a] = s;
            step[a] = st;
        }
        long[] strides = strides(dims);
        long[] out = new long[(int) count(outDims)];
        long[] idx = new long[r];
        for (int o = 0; o < out.length; o++) {
            long src = 0;
            for (int i = 0; i < r; i++) {
                src += (first[i] + idx[i] * step[i]) * strides[i];
            }
            out[o] = values[(int) src];
            for (int i = r - 1; i >= 0 && ++idx[i] == outDims[i]; i--) {
                idx[i] = 0;
            }
        }
        return new long[][] {outDims, out};
    }

    static long count(long[] dims) {
        long n = 1;
        for (long d : dims) {
            if (d < 0 || (n *= d) > MAX_VALUES) {
                throw new IllegalArgumentException("the constant " + Arrays.toString(dims) + " is not a small shape tensor"
                        + " (at most " + MAX_VALUES + " values are folded)");
            }
        }
        return n;
    }

    private static long[] strides(long[] dims) {
        long[] s = new long[dims.length];
        long acc = 1;
        for (int i = dims.length - 1; i >= 0; i--) {
            s[i] = acc;
            acc *= dims[i];
        }
        return s;
    }
}
