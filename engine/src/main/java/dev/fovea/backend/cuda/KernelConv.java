package dev.fovea.backend.cuda;

import dev.fovea.primitives.ConvGeometry;
import dev.fovea.primitives.ConvMode;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import jcuda.Sizeof;
import jcuda.driver.CUdeviceptr;

/**
 * Convolution without cuDNN: Fovea's direct kernels (dilated, grouped and depthwise shapes, and any
 * shape when asked) and im2col + cuBLAS GEMM (the other shapes when cuDNN is not installed). The
 * im2col buffer is filled for a chunk of images at a time so its size stays bounded.
 */
final class KernelConv {
    static final KernelRef CONV_DIRECT_FORWARD = KernelRef.of("conv_direct", "fovea_conv2d_direct_forward");
    static final KernelRef CONV_DIRECT_BACKWARD_DATA = KernelRef.of("conv_direct", "fovea_conv2d_direct_backward_data");
    static final KernelRef CONV_DIRECT_BACKWARD_FILTER = KernelRef.of("conv_direct", "fovea_conv2d_direct_backward_filter");
    static final KernelRef IM2COL = KernelRef.of("im2col", "fovea_im2col");
    static final KernelRef COL2IM = KernelRef.of("im2col", "fovea_col2im");

    /** The most floats one im2col chunk may hold (256 MiB). */
    static final long COL_LIMIT = 64L << 20;

    private final CudaDevice dev;
    /** The most floats a chunk's buffers may hold: {@link #COL_LIMIT}, smaller in tests to force chunking. */
    private final long colLimit;

    KernelConv(CudaDevice dev) {
        this(dev, COL_LIMIT);
    }

    KernelConv(CudaDevice dev, long colLimit) {
        this.dev = dev;
        this.colLimit = colLimit;
    }

    /** The 17 geometry arguments every direct kernel takes, in the order of conv_direct.cu's parameters. */
    private static Object[] geometry(ConvGeometry g) {
        int[] x = g.xDims();
        int[] w = g.wDims();
        int[] y = g.yDims();
        return new Object[]{x[0], x[1], x[2], x[3], w[0], w[2], w[3], y[2], y[3], g.strideH(), g.strideW(),
                g.padH(), g.padW(), g.dilationH(), g.dilationW(), g.groups(), flip(g)};
    }

    private static int flip(ConvGeometry g) {
        return g.mode() == ConvMode.CONVOLUTION ? 1 : 0;
    }

    private static Object[] concat(Object[] pointers, Object[] ints) {
        Object[] all = new Object[pointers.length + ints.length];
        System.arraycopy(pointers, 0, all, 0, pointers.length);
        System.arraycopy(ints, 0, all, pointers.length, ints.length);
        return all;
    }

    // ---- direct kernels ----------------------------------------------------------------------

    void directForward(ConvGeometry g, CUdeviceptr x, CUdeviceptr w, CUdeviceptr bias, CUdeviceptr y, String context) {
        int[] yd = g.yDims();
        dev.kernels.launch(CONV_DIRECT_FORWARD, (long) yd[0] * yd[1] * yd[2] * yd[3], context,
                concat(new Object[]{x, w, bias, y}, geometry(g)));
    }

    void directBackwardData(ConvGeometry g, CUdeviceptr dy, CUdeviceptr w, CUdeviceptr dx, String context) {
        int[] xd = g.xDims();
        dev.kernels.launch(CONV_DIRECT_BACKWARD_DATA, (long) xd[0] * xd[1] * xd[2] * xd[3], context,
                concat(new Object[]{dy, w, dx}, geometry(g)));
    }

    void directBackwardFilter(ConvGeometry g, CUdeviceptr dy, CUdeviceptr x, CUdeviceptr dw, String context) {
        int[] wd = g.wDims();
        dev.kernels.launch(CONV_DIRECT_BACKWARD_FILTER, (long) wd[0] * wd[1] * wd[2] * wd[3], context,
                concat(new Object[]{dy, x, dw}, geometry(g)));
    }

    // ---- im2col + cuBLAS ---------------------------------------------------------------------

    /** Images per im2col chunk for this geometry (forward and data gradient). */
    static int chunk(ConvGeometry g) {
        return chunk(g, COL_LIMIT);
    }

    static int chunk(ConvGeometry g, long limit) {
        return imagesUnder(g, colRows(g) * outPixels(g), limit);
    }

    /**
     * Images per chunk of the weight gradient: its im2col buffer and the images' partial weight
     * gradients together hold at most {@code limit} floats.
     */
    static int filterChunk(ConvGeometry g, long limit) {
        return imagesUnder(g, colRows(g) * outPixels(g) + (long) g.cout() * colRows(g), limit);
    }

    private static int imagesUnder(ConvGeometry g, long floatsPerImage, long limit) {
        return (int) Math.max(1, Math.min(g.n(), limit / Math.max(1, floatsPerImage)));
    }

    private static long colRows(ConvGeometry g) {
        return (long) g.cin() * g.wDims()[2] * g.wDims()[3];
    }

    private static long outPixels(ConvGeometry g) {
        return (long) g.yDims()[2] * g.yDims()[3];
    }

    private void im2col(KernelRef k, ConvGeometry g, CUdeviceptr image, CUdeviceptr col, int images, String context) {
        int[] x = g.xDims();
        int[] w = g.wDims();
        int[] y = g.yDims();
        long work = k == IM2COL ? images * colRows(g) * outPixels(g) : (long) images * x[1] * x[2] * x[3];
        dev.kernels.launch(k, work, context, image, col, images, x[1], x[2], x[3], w[2], w[3], y[2], y[3],
                g.strideH(), g.strideW(), g.padH(), g.padW(), g.dilationH(), g.dilationW(), flip(g));
    }

    private static CUdeviceptr offset(CUdeviceptr p, long floats) {
        return p.withByteOffset(floats * Sizeof.FLOAT);
    }

    private void requireOneGroup(ConvGeometry g) {
        if (g.groups() != 1) {
            throw new IllegalArgumentException("conv2d: the im2col path handles one group, got " + g.describe());
        }
    }

    void im2colForward(ConvGeometry g, CUdeviceptr x, CUdeviceptr w, CUdeviceptr y, String context) {
        requireOneGroup(g);
        int nb = chunk(g, colLimit);
        long rows = colRows(g);
        long pixels = outPixels(g);
        int k = g.cout();
        long imageSize = (long) g.xDims()[1] * g.xDims()[2] * g.xDims()[3];
        try (Tensor col = dev.tensor(Shape.of(Math.toIntExact(nb * rows * pixels)), context + " (im2col)")) {
            for (int n0 = 0; n0 < g.n(); n0 += nb) {
                int images = Math.min(nb, g.n() - n0);
                im2col(IM2COL, g, offset(x, n0 * imageSize), CudaDevice.ptr(col), images, context);
                // y[n] [K, P] = w [K, CRS] x col[n] [CRS, P]
                Blas.gemmStridedBatched(dev, false, false, k, (int) pixels, (int) rows, 1f, w, 0,
                        CudaDevice.ptr(col), rows * pixels, 0f, offset(y, (long) n0 * k * pixels), k * pixels, images, context);
            }
        }
    }

    void im2colBackwardData(ConvGeometry g, CUdeviceptr dy, CUdeviceptr w, CUdeviceptr dx, String context) {
        requireOneGroup(g);
        int nb = chunk(g, colLimit);
        long rows = colRows(g);
        long pixels = outPixels(g);
        int k = g.cout();
        long imageSize = (long) g.xDims()[1] * g.xDims()[2] * g.xDims()[3];
        try (Tensor dcol = dev.tensor(Shape.of(Math.toIntExact(nb * rows * pixels)), context + " (col2im)")) {
            for (int n0 = 0; n0 < g.n(); n0 += nb) {
                int images = Math.min(nb, g.n() - n0);
                // dcol[n] [CRS, P] = w^T [CRS, K] x dy[n] [K, P]
                Blas.gemmStridedBatched(dev, true, false, (int) rows, (int) pixels, k, 1f, w, 0,
                        offset(dy, (long) n0 * k * pixels), k * pixels, 0f, CudaDevice.ptr(dcol), rows * pixels, images, context);
                im2col(COL2IM, g, CudaDevice.ptr(dcol), offset(dx, n0 * imageSize), images, context);
            }
        }
    }

    /**
     * dw = sum over n of dy[n] x col[n]^T. Per chunk of images one strided-batched GEMM writes each
     * image's product into its own partial weight gradient, then {@code fovea_sum_slices} adds the
     * partials in image order onto dw (accumulating across chunks): O(chunks) cuBLAS calls instead of
     * one per image, and a deterministic order of summation. A chunk of one image is one GEMM into dw.
     */
    void im2colBackwardFilter(ConvGeometry g, CUdeviceptr dy, CUdeviceptr x, CUdeviceptr dw, String context) {
        requireOneGroup(g);
        int nb = filterChunk(g, colLimit);
        long rows = colRows(g);
        long pixels = outPixels(g);
        int k = g.cout();
        long weights = k * rows;
        long imageSize = (long) g.xDims()[1] * g.xDims()[2] * g.xDims()[3];
        try (Tensor col = dev.tensor(Shape.of(Math.toIntExact(nb * rows * pixels)), context + " (im2col)");
             Tensor partials = nb == 1 ? null
                     : dev.tensor(Shape.of(Math.toIntExact(nb * weights)), context + " (per-image weight gradients)")) {
            for (int n0 = 0; n0 < g.n(); n0 += nb) {
                int images = Math.min(nb, g.n() - n0);
                im2col(IM2COL, g, offset(x, n0 * imageSize), CudaDevice.ptr(col), images, context);
                if (images == 1) {
                    // dw [K, CRS] (+)= dy[n] [K, P] x col[n]^T [P, CRS]
                    Blas.gemm(dev, false, true, k, (int) rows, (int) pixels, 1f, offset(dy, (long) n0 * k * pixels),
                            CudaDevice.ptr(col), n0 == 0 ? 0f : 1f, dw, context);
                } else {
                    // partial[i] [K, CRS] = dy[n0 + i] [K, P] x col[i]^T [P, CRS], every image of the chunk at once
                    Blas.gemmStridedBatched(dev, false, true, k, (int) rows, (int) pixels, 1f, offset(dy, (long) n0 * k * pixels),
                            k * pixels, CudaDevice.ptr(col), rows * pixels, 0f, CudaDevice.ptr(partials), weights, images,
                            context);
                    Reductions.sumSlices(dev, CudaDevice.ptr(partials), dw, images, (int) weights, n0 > 0, context);
                }
            }
        }
    }
}
