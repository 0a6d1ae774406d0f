package dev.fovea.backend.cuda;

import dev.fovea.primitives.BinaryOp;
import dev.fovea.primitives.Broadcast;
import dev.fovea.primitives.Permutation;
import dev.fovea.primitives.StridedLayout;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;

import java.util.Arrays;

import static dev.fovea.backend.cuda.CudaDevice.ptr;

/**
 * The tensor-algebra primitives of {@link CudaBackend} on the generic strided kernels of tensor.ptx
 * (tensor.cu): one thread per output element, each reading its operands through per-dim strides,
 * for the broadcasting maps, broadcasts and permutes; one thread per output value summing its
 * inputs in a fixed order for the sums, so results are deterministic. Dims are merged on the host
 * ({@link StridedLayout}) and passed as {@value #DIMS} sizes and strides; a same-shape add keeps
 * its flat kernel.
 */
final class CudaAlgebra {
    static final KernelRef BINARY = KernelRef.of("tensor", "fovea_binary");
    static final KernelRef SUM_TO = KernelRef.of("tensor", "fovea_sum_to");
    static final KernelRef STRIDED_COPY = KernelRef.of("tensor", "fovea_strided_copy");

    /** The dims each kernel takes, after merging; the leading ones are padded with size 1. */
    static final int DIMS = 6;

    private final CudaDevice dev;

    CudaAlgebra(CudaDevice dev) {
        this.dev = dev;
    }

    Tensor binary(BinaryOp op, Tensor a, Tensor b) {
        Shape out = CudaChecks.broadcast(op.opName(), a.shape(), b.shape());
        String ctx = op.opName() + " " + a.shape() + " and " + b.shape();
        Tensor z = dev.tensor(out, ctx);
        if (op == BinaryOp.ADD && a.shape().equals(b.shape())) {
            dev.kernels.launch(CudaPointwise.ADD, out.size(), ctx, ptr(a), ptr(b), ptr(z), out.size());
            return z;
        }
        StridedLayout l = CudaChecks.layout(ctx, StridedLayout.of(out.toArray(),
                Broadcast.strides(a.shape(), out), Broadcast.strides(b.shape(), out)), DIMS);
        Object[] args = new Object[4 + 3 * DIMS + 1];
        args[0] = ptr(a);
        args[1] = ptr(b);
        args[2] = ptr(z);
        args[3] = out.size();
        put(args, 4, l.paddedDims(DIMS));
        put(args, 4 + DIMS, l.paddedStrides(0, DIMS));
        put(args, 4 + 2 * DIMS, l.paddedStrides(1, DIMS));
        args[4 + 3 * DIMS] = op.code();
        dev.kernels.launch(BINARY, out.size(), ctx, args);
        return z;
    }

    Tensor sumTo(Tensor t, Shape target, float scale) {
        CudaChecks.reducible(t.shape(), target);
        String ctx = "sum_to " + t.shape() + " -> " + target;
        Tensor y = dev.tensor(target, ctx);
        StridedLayout l = CudaChecks.layout(ctx, StridedLayout.of(t.shape().toArray(), StridedLayout.contiguous(t.shape()),
                Broadcast.strides(target, t.shape())), DIMS);
        int[] dims = l.paddedDims(DIMS);
        int[] outStrides = l.paddedStrides(1, DIMS);
        int mask = 0;
        for (int d = 0; d < DIMS; d++) {
            if (outStrides[d] == 0 && dims[d] != 1) {
                mask |= 1 << d;
            }
        }
        int reduced = target.size() == 0 ? 0 : t.size() / target.size();
        Object[] args = new Object[5 + DIMS + 1];
        args[0] = ptr(t);
        args[1] = ptr(y);
        args[2] = target.size();
        args[3] = reduced;
        args[4] = mask;
        put(args, 5, dims);
        args[5 + DIMS] = scale;
        dev.kernels.launch(SUM_TO, target.size(), ctx, args);
        return y;
    }

    Tensor broadcastTo(Tensor t, Shape shape) {
        CudaChecks.expandable(t.shape(), shape);
        String ctx = "broadcast_to " + t.shape() + " -> " + shape;
        return gather(t, shape, Broadcast.strides(t.shape(), shape), ctx);
    }

    Tensor permute(Tensor t, int[] dims) {
        int[] axes = CudaChecks.permutation(t.shape(), dims);
        Shape out = Permutation.apply(t.shape(), axes);
        return gather(t, out, Permutation.inputStrides(t.shape(), axes), "permute " + t.shape() + " dims "
                + Arrays.toString(dims));
    }

    /** y[i] = t[offset of i under {@code strides}] for every element of {@code out}: fovea_strided_copy. */
    private Tensor gather(Tensor t, Shape out, int[] strides, String ctx) {
        Tensor y = dev.tensor(out, ctx);
        StridedLayout l = CudaChecks.layout(ctx, StridedLayout.of(out.toArray(), strides), DIMS);
        Object[] args = new Object[3 + 2 * DIMS];
        args[0] = ptr(t);
        args[1] = ptr(y);
        args[2] = out.size();
        put(args, 3, l.paddedDims(DIMS));
        put(args, 3 + DIMS, l.paddedStrides(0, DIMS));
        dev.kernels.launch(STRIDED_COPY, out.size(), ctx, args);
        return y;
    }

    private static void put(Object[] args, int at, int[] values) {
        for (int i = 0; i < values.length; i++) {
            args[at + i] = values[i];
        }
    }
}
