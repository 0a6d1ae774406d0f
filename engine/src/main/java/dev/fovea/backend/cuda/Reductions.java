package dev.fovea.backend.cuda;

import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import jcuda.Sizeof;
import jcuda.driver.CUdeviceptr;

import static dev.fovea.backend.cuda.CudaDevice.ptr;

/**
 * Sums over the batch on the GPU in two deterministic passes (KERNELS.md, "channel reductions"):
 * one thread per (n, c) plane reduces its contiguous values into a partial, then one thread per
 * channel adds its N partials in a fixed order. A GPU then runs N*C threads instead of C, and since
 * no thread's summation order depends on the launch, the result is the same bits on every run. The
 * partials come from the device's caching allocator.
 */
final class Reductions {
    static final KernelRef SUM_CHUNKS = KernelRef.of("loss", "fovea_sum_chunks");
    static final KernelRef SUM_SLICES = KernelRef.of("elementwise", "fovea_sum_slices");

    private Reductions() {
    }

    /**
     * {@code out[c] = sum over n and j of x[n, c, j]} for x {@code [n, c, hw]}: the bias gradient
     * (a linear layer's is {@code hw = 1}).
     */
    static void channelSums(CudaDevice dev, CUdeviceptr x, CUdeviceptr out, int n, int c, int hw, String context) {
        long planes = (long) n * c;
        if (planes * hw == 0) {
            // Nothing to add (an empty batch or plane): zeros, as the reference's empty sums.
            sumSlices(dev, x, out, 0, c, false, context);
        } else if (hw == 1) {
            sumSlices(dev, x, out, n, c, false, context);
        } else if (n == 1) {
            planeSums(dev, x, out, c, hw, context);
        } else {
            try (Tensor partials = dev.tensor(Shape.of((int) planes), context + " (partial sums)")) {
                planeSums(dev, x, ptr(partials), (int) planes, hw, context);
                sumSlices(dev, ptr(partials), out, n, c, false, context);
            }
        }
    }

    /** {@code out[p] = sum of x[p*hw .. (p+1)*hw)}, one thread per plane ({@code fovea_sum_chunks}). */
    private static void planeSums(CudaDevice dev, CUdeviceptr x, CUdeviceptr out, int planes, int hw, String context) {
        dev.kernels.launch(SUM_CHUNKS, planes, context, x, out, Math.multiplyExact(planes, hw), hw, 1f);
    }

    /**
     * {@code out[j] = (accumulate ? out[j] : 0) + sum over s < slices of in[s*len + j]}, the slices
     * added in order, one thread per j.
     */
    static void sumSlices(CudaDevice dev, CUdeviceptr in, CUdeviceptr out, int slices, int len, boolean accumulate, String context) {
        dev.kernels.launch(SUM_SLICES, len, context, in, out, slices, len, accumulate ? 1 : 0);
    }

    /** The address {@code floats} floats past {@code p}. */
    static CUdeviceptr offset(CUdeviceptr p, long floats) {
        return p.withByteOffset(floats * Sizeof.FLOAT);
    }
}
