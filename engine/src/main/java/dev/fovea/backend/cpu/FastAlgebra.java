package dev.fovea.backend.cpu;

import dev.fovea.primitives.BinaryOp;
import dev.fovea.primitives.StridedLayout;

/**
 * The fast CPU forms of the tensor-algebra primitives, over {@link StridedLayout}s: the work is cut
 * into rows of the innermost merged dim, rows are spread over the threads, and each row runs a loop
 * specialised for its operands' inner strides (1 or 0), which the JIT vectorises. A same-shape map is
 * one flat row; {@code [N,C,H,W] op [N,C,1,1]} is N*C rows of H*W against one value each. Every
 * element is computed by the reference's float expression, so maps, broadcasts and permutes give
 * its bits; sums add in double per output value, in a fixed order.
 */
final class FastAlgebra {
    /** Elements per task: small enough to spread a feature map over the threads, large enough to pay for a task. */
    private static final int GRAIN = 1 << 14;

    private FastAlgebra() {
    }

    /** z = a op b over {@code l} (operands 0: a, 1: b; z contiguous in the layout's order). */
    static void binary(CpuThreads threads, BinaryOp op, float[] a, float[] b, float[] z, StridedLayout l) {
        int[] dims = l.dims();
        int inner = dims[dims.length - 1];
        int sa = l.strides()[0][dims.length - 1];
        int sb = l.strides()[1][dims.length - 1];
        forRows(threads, inner == 0 ? 0 : z.length / inner, inner, (from, to) -> {
            for (int r = from; r < to; r++) {
                row(op, a, rowOffset(r, dims, l.strides()[0]), sa, b, rowOffset(r, dims, l.strides()[1]), sb,
                        z, r * inner, inner);
            }
        });
    }

    private static void row(BinaryOp op, float[] a, int ao, int sa, float[] b, int bo, int sb, float[] z, int zo,
                            int len) {
        if (sa == 1 && sb == 1) {
            switch (op) {
                case ADD -> {
                    for (int j = 0; j < len; j++) {
                        z[zo + j] = a[ao + j] + b[bo + j];
                    }
                }
                case SUB -> {
                    for (int j = 0; j < len; j++) {
                        z[zo + j] = a[ao + j] - b[bo + j];
                    }
                }
                case MUL -> {
                    for (int j = 0; j < len; j++) {
                        z[zo + j] = a[ao + j] * b[bo + j];
                    }
                }
                case DIV -> {
                    for (int j = 0; j < len; j++) {
                        z[zo + j] = a[ao + j] / b[bo + j];
                    }
                }
            }
        } else if (sa == 1 && sb == 0) {
            float v = b[bo];
            switch (op) {
                case ADD -> {
                    for (int j = 0; j < len; j++) {
                        z[zo + j] = a[ao + j] + v;
                    }
                }
                case SUB -> {
                    for (int j = 0; j < len; j++) {
                        z[zo + j] = a[ao + j] - v;
                    }
                }
                case MUL -> {
                    for (int j = 0; j < len; j++) {
                        z[zo + j] = a[ao + j] * v;
                    }
                }
                case DIV -> {
                    for (int j = 0; j < len; j++) {
                        z[zo + j] = a[ao + j] / v;
                    }
                }
            }
        } else if (sa == 0 && sb == 1) {
            float v = a[ao];
            switch (op) {
                case ADD -> {
                    for (int j = 0; j < len; j++) {
                        z[zo + j] = v + b[bo + j];
                    }
                }
                case SUB -> {
                    for (int j = 0; j < len; j++) {
                        z[zo + j] = v - b[bo + j];
                    }
                }
                case MUL -> {
                    for (int j = 0; j < len; j++) {
                        z[zo + j] = v * b[bo + j];
                    }
                }
                case DIV -> {
                    for (int j = 0; j < len; j++) {
                        z[zo + j] = v / b[bo + j];
                    }
                }
            }
        } else {
            for (int j = 0; j < len; j++) {
                z[zo + j] = op.apply(a[ao + j * sa], b[bo + j * sb]);
            }
        }
    }

    /** y[i] = x[offset of i] over {@code l} (operand 0: x): broadcasts (strides 0) and permutes. */
    static void gather(CpuThreads threads, float[] x, float[] y, StridedLayout l) {
        int[] dims = l.dims();
        int[] s = l.strides()[0];
        int inner = dims[dims.length - 1];
        int si = s[dims.length - 1];
        forRows(threads, inner == 0 ? 0 : y.length / inner, inner, (from, to) -> {
            for (int r = from; r < to; r++) {
                int xo = rowOffset(r, dims, s);
                int yo = r * inner;
                if (si == 1) {
                    System.arraycopy(x, xo, y, yo, inner);
                } else if (si == 0) {
                    java.util.Arrays.fill(y, yo, yo + inner, x[xo]);
                } else {
                    for (int j = 0; j < inner; j++) {
                        y[yo + j] = x[xo + j * si];
                    }
                }
            }
        });
    }

    /**
     * y = scale * the sum of x over the reduced dims of {@code l} (operand 0: x's strides, operand 1:
     * y's, 0 on reduced dims). One output value at a time, summed in double over its inputs in
     * row-major order, so the result does not depend on the threads.
     */
    static void sumTo(CpuThreads threads, float[] x, float[] y, StridedLayout l, float scale) {
        int[] dims = l.dims();
        int[] sx = l.strides()[0];
        int[] sy = l.strides()[1];
        int rank = dims.length;
        int keptRank = 0;
        int reducedRank = 0;
        for (int d = 0; d < rank; d++) {
            if (sy[d] == 0) {
                reducedRank++;
            } else {
                keptRank++;
            }
        }
        int[] kd = new int[keptRank];
        int[] ks = new int[keptRank];
        int[] rd = new int[Math.max(1, reducedRank)];
        int[] rs = new int[Math.max(1, reducedRank)];
        rd[0] = 1;
        for (int d = 0, k = 0, r = 0; d < rank; d++) {
            if (sy[d] == 0) {
                rd[r] = dims[d];
                rs[r++] = sx[d];
            } else {
                kd[k] = dims[d];
                ks[k++] = sx[d];
            }
        }
        int innerLen = rd[rd.length - 1];
        int innerStride = rs[rs.length - 1];
        // A sum over an empty dim has no terms: 0, times the scale (a mean's 1/0 makes it NaN, as the reference).
        int outerCount = y.length == 0 || innerLen == 0 ? 0 : x.length / y.length / innerLen;
        forRows(threads, y.length, x.length / Math.max(1, y.length), (from, to) -> {
            for (int o = from; o < to; o++) {
                int base = offset(o, kd, ks);
                double acc = 0;
                for (int q = 0; q < outerCount; q++) {
                    int at = base + outerOffset(q, rd, rs);
                    if (innerStride == 1) {
                        for (int j = 0; j < innerLen; j++) {
                            acc += x[at + j];
                        }
                    } else {
                        for (int j = 0; j < innerLen; j++) {
                            acc += x[at + j * innerStride];
                        }
                    }
                }
                y[o] = (float) (acc * scale);
            }
        });
    }

    /** Runs {@code body} over [0, rows) in chunks of about {@link #GRAIN} elements, {@code rowLength} per row. */
    private static void forRows(CpuThreads threads, int rows, int rowLength, RowRange body) {
        int perTask = Math.max(1, GRAIN / Math.max(1, rowLength));
        int tasks = Sgemm.ceilDiv(rows, perTask);
        threads.parallelFor(tasks, t -> body.run(t * perTask, Math.min(rows, (t + 1) * perTask)));
    }

    @FunctionalInterface
    private interface RowRange {
        void run(int from, int to);
    }

    /** The offset of row {@code row} (an index over every dim but the last). */
    private static int rowOffset(int row, int[] dims, int[] strides) {
        int off = 0;
        for (int d = dims.length - 2; d >= 0; d--) {
            off += row % dims[d] * strides[d];
            row /= dims[d];
        }
        return off;
    }

    /** The offset of flat index {@code i} over all of {@code dims}. */
    private static int offset(int i, int[] dims, int[] strides) {
        int off = 0;
        for (int d = dims.length - 1; d >= 0; d--) {
            off += i % dims[d] * strides[d];
            i /= dims[d];
        }
        return off;
    }

    /** The offset of index {@code q} over every reduced dim but the innermost. */
    private static int outerOffset(int q, int[] dims, int[] strides) {
        int off = 0;
        for (int d = dims.length - 2; d >= 0; d--) {
            off += q % dims[d] * strides[d];
            q /= dims[d];
        }
        return off;
    }
}
