package dev.fovea.backend.cuda;

import dev.fovea.primitives.Conv2dParams;
import dev.fovea.primitives.ConvGeometry;
import dev.fovea.primitives.ConvMode;
import dev.fovea.primitives.Pool2dParams;
import dev.fovea.primitives.PoolKind;
import dev.fovea.tensor.Shape;
import jcuda.jcublas.cublasMath;
import jcuda.jcudnn.cudnnConvolutionMode;
import jcuda.jcudnn.cudnnMathType;
import jcuda.jcudnn.cudnnPoolingMode;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** cuDNN descriptor parameters, pooling modes and algorithm-cache keys derived from Fovea's op parameters. */
class CudnnMappingTest {

    @Test
    void convGeometryCarriesShapesAndParameters() {
        Conv2dParams p = new Conv2dParams(2, 1, 1, 2, 1, 3, 2, ConvMode.CROSS_CORRELATION);
        ConvGeometry g = ConvGeometry.of(Shape.of(4, 6, 11, 13), Shape.of(8, 3, 3, 2), p);
        assertArrayEquals(new int[]{4, 6, 11, 13}, g.xDims());
        assertArrayEquals(new int[]{8, 3, 3, 2}, g.wDims());
        // H: floor((11 + 2 - 3) / 2) + 1 = 6; W: effective kernel 2 + 1*2 = 4, floor((13 + 4 - 4) / 1) + 1 = 14.
        assertArrayEquals(new int[]{4, 8, 6, 14}, g.yDims());
        assertEquals(1, g.padH());
        assertEquals(2, g.padW());
        assertEquals(2, g.strideH());
        assertEquals(1, g.strideW());
        assertEquals(1, g.dilationH());
        assertEquals(3, g.dilationW());
        assertEquals(2, g.groups());
        assertEquals(cudnnConvolutionMode.CUDNN_CROSS_CORRELATION, Cudnn.mode(g));
        assertTrue(g.dilated());
        assertFalse(g.depthwise());
        assertEquals(4L * 8 * 6 * 14 * 3 * 3 * 2, g.macs());
    }

    @Test
    void convolutionModeMapsToCudnnConvolution() {
        ConvGeometry g = ConvGeometry.of(Shape.of(1, 1, 5, 5), Shape.of(1, 1, 3, 3),
                Conv2dParams.defaults().withMode(ConvMode.CONVOLUTION));
        assertEquals(cudnnConvolutionMode.CUDNN_CONVOLUTION, Cudnn.mode(g));
        assertTrue(g.describe().endsWith("groups 1, convolution"), g.describe());
    }

    @Test
    void depthwiseIsOneGroupPerInputChannel() {
        assertTrue(ConvGeometry.of(Shape.of(2, 16, 8, 8), Shape.of(32, 1, 3, 3),
                Conv2dParams.of(1, 1).withGroups(16)).depthwise());
        assertFalse(ConvGeometry.of(Shape.of(2, 16, 8, 8), Shape.of(16, 4, 3, 3),
                Conv2dParams.of(1, 1).withGroups(4)).depthwise());
    }

    @Test
    void invalidConvolutionIsRejectedBeforeReachingCudnn() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ConvGeometry.of(
                Shape.of(1, 3, 8, 8), Shape.of(4, 1, 3, 3), Conv2dParams.defaults().withGroups(2)));
        assertTrue(e.getMessage().contains("groups"), e.getMessage());
    }

    @Test
    void tensorCoreMathOnlyWhenAsked() {
        assertEquals(cudnnMathType.CUDNN_FMA_MATH, Cudnn.mathType(false));
        assertEquals(cudnnMathType.CUDNN_TENSOR_OP_MATH, Cudnn.mathType(true));
        assertEquals(cublasMath.CUBLAS_DEFAULT_MATH, CudaDevice.cublasMathMode(false));
        assertEquals(cublasMath.CUBLAS_TF32_TENSOR_OP_MATH, CudaDevice.cublasMathMode(true));
    }

    @Test
    void poolingModes() {
        Pool2dParams max = Pool2dParams.of(PoolKind.MAX, 2);
        assertEquals(cudnnPoolingMode.CUDNN_POOLING_MAX, PoolModes.cudnnMode(max, false));
        assertEquals(cudnnPoolingMode.CUDNN_POOLING_MAX_DETERMINISTIC, PoolModes.cudnnMode(max, true));
        Pool2dParams avg = Pool2dParams.of(PoolKind.AVG, 3, 1, 1);
        assertEquals(cudnnPoolingMode.CUDNN_POOLING_AVERAGE_COUNT_INCLUDE_PADDING, PoolModes.cudnnMode(avg, false));
        assertEquals(cudnnPoolingMode.CUDNN_POOLING_AVERAGE_COUNT_EXCLUDE_PADDING,
                PoolModes.cudnnMode(avg.withCountIncludePad(false), true));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PoolModes.cudnnMode(Pool2dParams.of(PoolKind.MIN, 2), false));
        assertTrue(e.getMessage().startsWith("min_pool2d: cuDNN has no min pooling"), e.getMessage());
    }

    @Test
    void algorithmKeysSeparateEverythingTheChoiceDependsOn() {
        Shape x = Shape.of(8, 16, 32, 32);
        Shape w = Shape.of(32, 16, 3, 3);
        Conv2dParams p = Conv2dParams.of(1, 1);
        AlgoKey base = new AlgoKey(AlgoKey.ConvPass.FORWARD, x, w, p, false, false);
        assertEquals(base, new AlgoKey(AlgoKey.ConvPass.FORWARD, Shape.of(8, 16, 32, 32), Shape.of(32, 16, 3, 3),
                Conv2dParams.of(1, 1), false, false));
        assertNotEquals(base, new AlgoKey(AlgoKey.ConvPass.BACKWARD_DATA, x, w, p, false, false));
        assertNotEquals(base, new AlgoKey(AlgoKey.ConvPass.FORWARD, Shape.of(16, 16, 32, 32), w, p, false, false));
        assertNotEquals(base, new AlgoKey(AlgoKey.ConvPass.FORWARD, x, w, Conv2dParams.of(2, 1), false, false));
        assertNotEquals(base, new AlgoKey(AlgoKey.ConvPass.FORWARD, x, w, p, true, false));
        assertNotEquals(base, new AlgoKey(AlgoKey.ConvPass.FORWARD, x, w, p, false, true));

        Map<AlgoKey, String> cache = new HashMap<>();
        cache.put(base, "IMPLICIT_PRECOMP_GEMM");
        assertEquals("IMPLICIT_PRECOMP_GEMM",
                cache.get(new AlgoKey(AlgoKey.ConvPass.FORWARD, x, w, Conv2dParams.of(1, 1), false, false)));
        assertTrue(base.toString().startsWith("conv2d forward input [8, 16, 32, 32] weight [32, 16, 3, 3]"), base.toString());
    }
}
