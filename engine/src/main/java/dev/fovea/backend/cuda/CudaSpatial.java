package dev.fovea.backend.cuda;

import dev.fovea.backend.PoolOutput;
import dev.fovea.primitives.AdaptivePool2dParams;
import dev.fovea.primitives.Pad2dParams;
import dev.fovea.primitives.PoolKind;
import dev.fovea.primitives.Resampling2d;
import dev.fovea.primitives.Upsample2dParams;
import dev.fovea.tensor.DType;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;

import static dev.fovea.backend.cuda.CudaDevice.ptr;

/**
 * The {@link Resampling2d} family (adaptive pooling, upsampling, padding) for {@link CudaBackend}, all
 * on Fovea's spatial kernels (cuDNN has none of them); {@link #forward} and {@link #backward} pick
 * the member's kernels. The parameter records check shapes and compute the float scales the
 * upsampling kernels map coordinates with, so the kernels pick PyTorch's source cells.
 */
final class CudaSpatial {
    static final KernelRef ADAPTIVE_AVGPOOL_FORWARD = KernelRef.of("spatial", "fovea_adaptive_avgpool2d_forward");
    static final KernelRef ADAPTIVE_MAXPOOL_FORWARD = KernelRef.of("spatial", "fovea_adaptive_maxpool2d_forward");
    static final KernelRef ADAPTIVE_AVGPOOL_BACKWARD = KernelRef.of("spatial", "fovea_adaptive_avgpool2d_backward");
    static final KernelRef ADAPTIVE_MAXPOOL_BACKWARD = KernelRef.of("spatial", "fovea_adaptive_maxpool2d_backward");
    static final KernelRef UPSAMPLE_NEAREST_FORWARD = KernelRef.of("spatial", "fovea_upsample_nearest_forward");
    static final KernelRef UPSAMPLE_BILINEAR_FORWARD = KernelRef.of("spatial", "fovea_upsample_bilinear_forward");
    static final KernelRef UPSAMPLE_NEAREST_BACKWARD = KernelRef.of("spatial", "fovea_upsample_nearest_backward");
    static final KernelRef UPSAMPLE_BILINEAR_BACKWARD = KernelRef.of("spatial", "fovea_upsample_bilinear_backward");
    static final KernelRef PAD_FORWARD = KernelRef.of("spatial", "fovea_pad2d_forward");
    static final KernelRef PAD_BACKWARD = KernelRef.of("spatial", "fovea_pad2d_backward");
    /** Adaptive average pooling to 1x1 takes the pooling module's whole-plane kernels. */
    static final KernelRef GLOBAL_AVGPOOL_FORWARD = KernelRef.of("pooling", "fovea_global_avgpool2d_forward");
    static final KernelRef GLOBAL_AVGPOOL_BACKWARD = KernelRef.of("pooling", "fovea_global_avgpool2d_backward");

    private final CudaDevice dev;

    CudaSpatial(CudaDevice dev) {
        this.dev = dev;
    }

    /** {@link dev.fovea.backend.Backend#resample2d} on the device. */
    PoolOutput forward(Tensor input, Resampling2d p) {
        return p.match(new Resampling2d.Cases<>() {
            @Override
            public PoolOutput adaptivePool(AdaptivePool2dParams a) {
                return adaptivePool2d(input, a);
            }

            @Override
            public PoolOutput upsample(Upsample2dParams u) {
                return new PoolOutput(upsample2d(input, u), null);
            }

            @Override
            public PoolOutput pad(Pad2dParams q) {
                return new PoolOutput(pad2d(input, q), null);
            }
        });
    }

    /** {@link dev.fovea.backend.Backend#resample2dBackward} on the device. */
    Tensor backward(Tensor gradOutput, Shape inputShape, Tensor indices, Resampling2d p) {
        return p.match(new Resampling2d.Cases<>() {
            @Override
            public Tensor adaptivePool(AdaptivePool2dParams a) {
                return adaptivePool2dBackward(gradOutput, inputShape, indices, a);
            }

            @Override
            public Tensor upsample(Upsample2dParams u) {
                return upsample2dBackward(gradOutput, inputShape, u);
            }

            @Override
            public Tensor pad(Pad2dParams q) {
                return pad2dBackward(gradOutput, inputShape, q);
            }
        });
    }

    /** N, C, H, W, OH, OW: the first six size arguments of every spatial kernel. */
    private static Object[] sizes(Shape in, Shape out, Object... tail) {
        Object[] all = new Object[6 + tail.length];
        all[0] = in.dim(0);
        all[1] = in.dim(1);
        all[2] = in.dim(2);
        all[3] = in.dim(3);
        all[4] = out.dim(2);
        all[5] = out.dim(3);
        System.arraycopy(tail, 0, all, 6, tail.length);
        return all;
    }

    private static Object[] args(Object[] pointers, Object[] rest) {
        Object[] all = new Object[pointers.length + rest.length];
        System.arraycopy(pointers, 0, all, 0, pointers.length);
        System.arraycopy(rest, 0, all, pointers.length, rest.length);
        return all;
    }

    /**
     * Average pooling to 1x1 (global_avg_pool2d) runs on pooling.cu's global kernels: the same float
     * sum in the same order and the same division, so the same bits, without the window arithmetic
     * (64-bit divisions) the adaptive kernels do per cell.
     */
    private static boolean wholePlane(AdaptivePool2dParams p) {
        return p.kind() == PoolKind.AVG && p.outH() == 1 && p.outW() == 1;
    }

    private PoolOutput adaptivePool2d(Tensor input, AdaptivePool2dParams p) {
        Shape out = p.outputShape(input.shape());
        String ctx = p.opName() + " input " + input.shape() + " " + p;
        Tensor y = dev.tensor(out, ctx);
        if (wholePlane(p)) {
            int planes = out.dim(0) * out.dim(1);
            dev.kernels.launch(GLOBAL_AVGPOOL_FORWARD, planes, ctx, ptr(input), ptr(y), planes,
                    input.shape().dim(2) * input.shape().dim(3));
            return new PoolOutput(y, null);
        }
        if (p.kind() == PoolKind.AVG) {
            dev.kernels.launch(ADAPTIVE_AVGPOOL_FORWARD, out.size(), ctx,
                    args(new Object[]{ptr(input), ptr(y)}, sizes(input.shape(), out)));
            return new PoolOutput(y, null);
        }
        Tensor idx = new Tensor(out, dev.allocate(DType.INT32, out.size(), ctx));
        dev.kernels.launch(ADAPTIVE_MAXPOOL_FORWARD, out.size(), ctx,
                args(new Object[]{ptr(input), ptr(y), ptr(idx)}, sizes(input.shape(), out)));
        return new PoolOutput(y, idx);
    }

    private Tensor adaptivePool2dBackward(Tensor gradOutput, Shape inputShape, Tensor indices, AdaptivePool2dParams p) {
        Shape out = p.outputShape(inputShape);
        String op = p.opName() + " backward";
        CudaChecks.shape(op, "grad_output", gradOutput, out);
        String ctx = op + " input " + inputShape + " " + p;
        if (p.kind() == PoolKind.MAX) {
            if (indices == null) {
                throw new IllegalArgumentException(op + ": no indices given; pass the indices of this backend's"
                        + " resample2d forward");
            }
            CudaChecks.shape(op, "indices", indices, out);
        }
        Tensor dx = dev.tensor(inputShape, ctx);
        if (wholePlane(p)) {
            dev.kernels.launch(GLOBAL_AVGPOOL_BACKWARD, inputShape.size(), ctx, ptr(gradOutput), ptr(dx),
                    out.dim(0) * out.dim(1), inputShape.dim(2) * inputShape.dim(3));
        } else if (p.kind() == PoolKind.AVG) {
            dev.kernels.launch(ADAPTIVE_AVGPOOL_BACKWARD, inputShape.size(), ctx,
                    args(new Object[]{ptr(gradOutput), ptr(dx)}, sizes(inputShape, out)));
        } else {
            dev.kernels.launch(ADAPTIVE_MAXPOOL_BACKWARD, inputShape.size(), ctx,
                    args(new Object[]{ptr(gradOutput), ptr(indices), ptr(dx)}, sizes(inputShape, out)));
        }
        return dx;
    }

    /** The size arguments, the float scales and, for bilinear, align_corners of an upsampling kernel. */
    private static Object[] upsampleArgs(Shape in, Shape out, Upsample2dParams p) {
        float scaleH = p.sourceScale(in.dim(2), out.dim(2), p.scaleH());
        float scaleW = p.sourceScale(in.dim(3), out.dim(3), p.scaleW());
        return switch (p.mode()) {
            case NEAREST -> sizes(in, out, scaleH, scaleW);
            case BILINEAR -> sizes(in, out, scaleH, scaleW, p.alignCorners() ? 1 : 0);
        };
    }

    private Tensor upsample2d(Tensor input, Upsample2dParams p) {
        Shape out = p.outputShape(input.shape());
        String ctx = "upsample input " + input.shape() + " " + p;
        Tensor y = dev.tensor(out, ctx);
        KernelRef k = switch (p.mode()) {
            case NEAREST -> UPSAMPLE_NEAREST_FORWARD;
            case BILINEAR -> UPSAMPLE_BILINEAR_FORWARD;
        };
        dev.kernels.launch(k, out.size(), ctx, args(new Object[]{ptr(input), ptr(y)}, upsampleArgs(input.shape(), out, p)));
        return y;
    }

    private Tensor upsample2dBackward(Tensor gradOutput, Shape inputShape, Upsample2dParams p) {
        Shape out = p.outputShape(inputShape);
        CudaChecks.shape("upsample backward", "grad_output", gradOutput, out);
        String ctx = "upsample backward input " + inputShape + " " + p;
        Tensor dx = dev.tensor(inputShape, ctx);
        KernelRef k = switch (p.mode()) {
            case NEAREST -> UPSAMPLE_NEAREST_BACKWARD;
            case BILINEAR -> UPSAMPLE_BILINEAR_BACKWARD;
        };
        dev.kernels.launch(k, inputShape.size(), ctx,
                args(new Object[]{ptr(gradOutput), ptr(dx)}, upsampleArgs(inputShape, out, p)));
        return dx;
    }

    /** spatial.cu's FOVEA_PAD_* codes follow PadMode's order (SpatialEmulationTest checks them against it). */
    private static int modeCode(Pad2dParams p) {
        return p.mode().ordinal();
    }

    private Tensor pad2d(Tensor input, Pad2dParams p) {
        Shape out = p.outputShape(input.shape());
        String ctx = "pad input " + input.shape() + " " + p;
        Tensor y = dev.tensor(out, ctx);
        dev.kernels.launch(PAD_FORWARD, out.size(), ctx, args(new Object[]{ptr(input), ptr(y)},
                sizes(input.shape(), out, p.left(), p.top(), modeCode(p), p.value())));
        return y;
    }

    private Tensor pad2dBackward(Tensor gradOutput, Shape inputShape, Pad2dParams p) {
        Shape out = p.outputShape(inputShape);
        CudaChecks.shape("pad backward", "grad_output", gradOutput, out);
        String ctx = "pad backward input " + inputShape + " " + p;
        Tensor dx = dev.tensor(inputShape, ctx);
        dev.kernels.launch(PAD_BACKWARD, inputShape.size(), ctx, args(new Object[]{ptr(gradOutput), ptr(dx)},
                sizes(inputShape, out, p.left(), p.top(), modeCode(p))));
        return dx;
    }
}
