package dev.fovea.primitives;

import dev.fovea.tensor.Shape;

import java.util.Arrays;

/**
 * An output index space with one stride array per operand, with adjacent dims merged wherever every
 * operand walks them as one (a stride equal to the next dim's stride times its size) and size-1
 * dims dropped. The fast backends' broadcasting maps, sums and permutes index through this, so that
 * a same-shape map is one flat loop, {@code [N,C,H,W] * [N,C,1,1]} is rows of H*W against one value
 * per row, and a GPU kernel's fixed number of dims covers any rank that does not interleave more.
 *
 * @param dims    the merged sizes, outermost first (at least one; {@code [1]} for a single element)
 * @param strides per operand, its element stride along each merged dim (0 where it is broadcast)
 */
public record StridedLayout(int[] dims, int[][] strides) {

    /** Merges {@code dims} for the operands' {@code strides} (each as long as {@code dims}). */
    public static StridedLayout of(int[] dims, int[]... strides) {
        // At least one slot: a scalar (rank 0) is the one-element layout [1].
        int[] md = new int[Math.max(1, dims.length)];
        int[][] ms = new int[strides.length][md.length];
        int rank = 0;
        for (int d = dims.length - 1; d >= 0; d--) {
            if (dims[d] == 1) {
                continue;
            }
            boolean merge = rank > 0;
            for (int k = 0; merge && k < strides.length; k++) {
                merge = (long) strides[k][d] == (long) ms[k][rank - 1] * md[rank - 1];
            }
            if (merge) {
                md[rank - 1] *= dims[d];
            } else {
                md[rank] = dims[d];
                for (int k = 0; k < strides.length; k++) {
                    ms[k][rank] = strides[k][d];
                }
                rank++;
            }
        }
        if (rank == 0) {
            md[0] = 1;
            rank = 1;
        }
        // Built innermost first; stored outermost first.
        int[] outDims = new int[rank];
        int[][] outStrides = new int[strides.length][rank];
        for (int i = 0; i < rank; i++) {
            outDims[i] = md[rank - 1 - i];
            for (int k = 0; k < strides.length; k++) {
                outStrides[k][i] = ms[k][rank - 1 - i];
            }
        }
        return new StridedLayout(outDims, outStrides);
    }

    /** The row-major element strides of a contiguous tensor of shape {@code s}. */
    public static int[] contiguous(Shape s) {
        int[] strides = new int[s.rank()];
        int stride = 1;
        for (int i = s.rank() - 1; i >= 0; i--) {
            strides[i] = stride;
            stride *= s.dim(i);
        }
        return strides;
    }

    public int rank() {
        return dims.length;
    }

    /** Operand {@code k}'s strides, left-padded with zeros (and the dims with ones) to {@code rank}: a kernel's fixed form. */
    public int[] paddedStrides(int k, int rank) {
        int[] s = new int[rank];
        System.arraycopy(strides[k], 0, s, rank - dims.length, dims.length);
        return s;
    }

    /** The dims left-padded with ones to {@code rank}. */
    public int[] paddedDims(int rank) {
        int[] d = new int[rank];
        Arrays.fill(d, 1);
        System.arraycopy(dims, 0, d, rank - dims.length, dims.length);
        return d;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StridedLayout l && Arrays.equals(dims, l.dims) && Arrays.deepEquals(strides, l.strides);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(dims) + Arrays.deepHashCode(strides);
    }

    @Override
    public String toString() {
        return Arrays.toString(dims) + " strides " + Arrays.deepToString(strides);
    }
}
