package dev.fovea.backend.cuda;

import dev.fovea.primitives.Activation;
import dev.fovea.primitives.Conv2dParams;
import dev.fovea.primitives.ConvGeometry;
import dev.fovea.tensor.Shape;
import jcuda.jcudnn.cudnnActivationMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The host-side checks and sizes the CUDA backend computes before queueing any GPU work. */
class CudaChecksTest {

    private static void fails(String message, Executable e) {
        assertEquals(message, assertThrows(IllegalArgumentException.class, e).getMessage());
    }

    @Test
    void stridedKernelsTakeSixMergedDimsAndSayWhatToDoBeyond() {
        // A 7-D permute that reverses every dim merges nothing: one dim too many for the kernels.
        int[] dims = {2, 2, 2, 2, 2, 2, 2};
        int[] strides = {1, 2, 4, 8, 16, 32, 64};
        dev.fovea.primitives.StridedLayout seven = dev.fovea.primitives.StridedLayout.of(dims, strides);
        fails("permute [2, 2, 2, 2, 2, 2, 2]: the cuda backend's strided kernels take at most 6 dims after merging the"
                + " contiguous ones, this needs 7 (" + seven + "); reshape to fewer dims or use the cpu backend",
                () -> CudaChecks.layout("permute [2, 2, 2, 2, 2, 2, 2]", seven, CudaAlgebra.DIMS));
        // The same rank with contiguous strides merges into one dim.
        assertEquals(1, CudaChecks.layout("copy", dev.fovea.primitives.StridedLayout.of(dims,
                new int[] {64, 32, 16, 8, 4, 2, 1}), CudaAlgebra.DIMS).rank());
        fails("sub: shapes [2, 3] and [2] do not broadcast: dim -1 has size 3 in the first and 2 in the second (each"
                        + " pair of sizes, aligned from the last dim, must be equal or contain a 1)",
                () -> CudaChecks.broadcast("sub", Shape.of(2, 3), Shape.of(2)));
    }

    @Test
    void shapeChecksNameOpParameterAndShapes() {
        fails("linear: weight expects 5 input features, input has 4 (input [2, 4], weight [3, 5])",
                () -> CudaChecks.linear(Shape.of(2, 4), Shape.of(3, 5), null));
        assertEquals(Shape.of(2, 3), CudaChecks.linear(Shape.of(2, 4), Shape.of(3, 4), Shape.of(3)));
        fails("batch_norm: running_var must be [3] for 3 input channels, got [4] (input [2, 3, 4, 4], weight [3],"
                        + " bias [3], running_mean [3], running_var [4])",
                () -> CudaChecks.batchNorm(Shape.of(2, 3, 4, 4), Shape.of(3), Shape.of(3), Shape.of(3), Shape.of(4)));
        assertEquals(6, CudaChecks.batchNorm(Shape.of(8, 6), Shape.of(6), Shape.of(6), Shape.of(6), Shape.of(6)));
        fails("prelu: weight has 4 slopes but the input has 3 channels (input [2, 3, 5], weight [4])",
                () -> CudaChecks.prelu(Shape.of(2, 3, 5), Shape.of(4)));
        fails("gemm: m=4 n=4 k=4 (transA=false, transB=true) needs A>=16, B>=16, C>=16 elements; got 15, 16, 16",
                () -> CudaChecks.gemm(false, true, 4, 4, 4, 15, 16, 16));
        fails("cross_entropy: target must be [4] class indices, one per input row (input [4, 10], target [3])",
                () -> CudaChecks.loss(dev.fovea.primitives.LossKind.CROSS_ENTROPY, Shape.of(4, 10), Shape.of(3)));
        fails("mse_loss: input and target shapes differ (input [4, 10], target [10, 4])",
                () -> CudaChecks.loss(dev.fovea.primitives.LossKind.MSE, Shape.of(4, 10), Shape.of(10, 4)));
    }

    @Test
    void concatAndSplitShapes() {
        assertEquals(Shape.of(2, 5, 4), CudaChecks.concat(List.of(Shape.of(2, 3, 4), Shape.of(2, 2, 4)), 1));
        assertEquals(Shape.of(2, 3, 9), CudaChecks.concat(List.of(Shape.of(2, 3, 4), Shape.of(2, 3, 5)), -1));
        fails("concat: input 1 has shape [2, 2, 5] but input 0 has [2, 3, 4]; all dimensions except dim 1 must match"
                        + " (shapes [[2, 3, 4], [2, 2, 5]])",
                () -> CudaChecks.concat(List.of(Shape.of(2, 3, 4), Shape.of(2, 2, 5)), 1));
        CudaChecks.split(Shape.of(2, 5, 4), 1, new int[]{3, 2});
        fails("split: sizes [3, 3] add up to 6 but dim 1 of input [2, 5, 4] has size 5",
                () -> CudaChecks.split(Shape.of(2, 5, 4), 1, new int[]{3, 3}));
    }

    @Test
    void activationModes() {
        assertEquals(cudnnActivationMode.CUDNN_ACTIVATION_RELU, CudnnOps.activationMode(Activation.RELU));
        assertEquals(cudnnActivationMode.CUDNN_ACTIVATION_SIGMOID, CudnnOps.activationMode(Activation.SIGMOID));
        assertEquals(cudnnActivationMode.CUDNN_ACTIVATION_TANH, CudnnOps.activationMode(Activation.TANH));
        fails("leaky_relu: cuDNN has no such activation mode", () -> CudnnOps.activationMode(Activation.LEAKY_RELU));
        fails("gelu: cuDNN has no such activation mode", () -> CudnnOps.activationMode(Activation.GELU_TANH));
    }

    @Test
    void im2colChunksBoundTheColumnBuffer() {
        // The reference network's conv2: 64 images of 32 channels, 26x26 -> 24x24 with a 3x3 kernel:
        // 288 x 576 floats per image, so all 64 fit in one chunk.
        ConvGeometry small = ConvGeometry.of(Shape.of(64, 32, 26, 26), Shape.of(64, 32, 3, 3), Conv2dParams.defaults());
        assertEquals(64, KernelConv.chunk(small));
        // 256 channels at 224x224 with a 3x3 kernel: 2304 x 50176 floats per image, 115 M > the limit: one at a time.
        ConvGeometry big = ConvGeometry.of(Shape.of(8, 256, 224, 224), Shape.of(8, 256, 3, 3), Conv2dParams.of(1, 1));
        assertEquals(1, KernelConv.chunk(big));
        ConvGeometry mid = ConvGeometry.of(Shape.of(64, 64, 56, 56), Shape.of(64, 64, 3, 3), Conv2dParams.of(1, 1));
        // 576 x 3136 floats per image: 37 images fit under 64 Mi floats, 38 would not.
        assertEquals(37, KernelConv.chunk(mid));
        assertTrue(37L * 576 * 3136 <= KernelConv.COL_LIMIT && 38L * 576 * 3136 > KernelConv.COL_LIMIT);
    }

    @Test
    void optionsValidateAndDefault() {
        CudaOptions d = CudaOptions.defaults();
        assertEquals(1024L << 20, d.workspaceCapBytes());
        assertEquals(64L << 20, d.withWorkspaceMb(64).workspaceCapBytes());
        assertTrue(d.withDeterministic(true).withCudnnSearch(true).withTensorCores(true).deterministic());
        fails("cuda: device index must be >= 0, got -1", () -> d.withDevice(-1));
        fails("cuda: --cudnn-workspace-mb must be >= 0, got -5", () -> d.withWorkspaceMb(-5));
    }
}
