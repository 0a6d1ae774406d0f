package dev.fovea.backend.cuda;

import dev.fovea.primitives.Activation;
import dev.fovea.primitives.Conv2dParams;
import dev.fovea.primitives.ConvGeometry;
import dev.fovea.primitives.Pool2dParams;
import dev.fovea.primitives.PoolKind;
import dev.fovea.tensor.Shape;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RouterTest {
    private static final ConvGeometry PLAIN = ConvGeometry.of(Shape.of(32, 64, 56, 56), Shape.of(64, 64, 3, 3),
            Conv2dParams.of(1, 1));
    private static final ConvGeometry DEPTHWISE = ConvGeometry.of(Shape.of(32, 64, 56, 56), Shape.of(64, 1, 3, 3),
            Conv2dParams.of(1, 1).withGroups(64));
    /** Dilated, 64 * 3 * 3 = 576 multiply-adds per output: a GEMM's work. */
    private static final ConvGeometry DILATED = ConvGeometry.of(Shape.of(32, 64, 56, 56), Shape.of(64, 64, 3, 3),
            Conv2dParams.of(1, 2).withDilation(2));
    /** Dilated, 3 * 3 * 3 = 27 multiply-adds per output: the direct kernel's. */
    private static final ConvGeometry DILATED_SHORT = ConvGeometry.of(Shape.of(32, 3, 56, 56), Shape.of(16, 3, 3, 3),
            Conv2dParams.of(1, 2).withDilation(2));
    /** Dilated, 7 * 3 * 3 = 63 multiply-adds per output, just below the threshold; 16 * 2 * 2 = 64, at it. */
    private static final ConvGeometry DILATED_EDGE_BELOW = ConvGeometry.of(Shape.of(2, 7, 20, 20),
            Shape.of(8, 7, 3, 3), Conv2dParams.of(1, 2).withDilation(2));
    private static final ConvGeometry DILATED_EDGE_AT = ConvGeometry.of(Shape.of(2, 16, 20, 20), Shape.of(8, 16, 2, 2),
            Conv2dParams.of(1, 1).withDilation(2));
    /** Dilated and grouped, 32 * 3 * 3 = 288 multiply-adds per output. */
    private static final ConvGeometry DILATED_GROUPED = ConvGeometry.of(Shape.of(8, 64, 28, 28),
            Shape.of(64, 32, 3, 3), Conv2dParams.of(1, 2).withDilation(2).withGroups(2));
    private static final ConvGeometry GROUPED = ConvGeometry.of(Shape.of(32, 128, 28, 28), Shape.of(128, 32, 3, 3),
            Conv2dParams.of(1, 1).withGroups(4));

    @Test
    void convolutionWithCudnn() {
        Router r = new Router(true, s -> { });
        assertEquals(Route.Engine.CUDNN, r.conv2d(PLAIN).engine());
        assertEquals(Route.Engine.CUDNN, r.conv2d(GROUPED).engine());
        Route dw = r.conv2d(DEPTHWISE);
        assertEquals(Route.Engine.KERNEL, dw.engine());
        assertTrue(dw.reason().contains("depthwise"), dw.reason());
        // Dilated: routed by the reduction per output, (C/groups)*kH*kW multiply-adds.
        Route dil = r.conv2d(DILATED);
        assertEquals(Route.Engine.CUDNN, dil.engine());
        assertTrue(dil.reason().startsWith("dilated, 576 multiply-adds per output >= 64: cuDNN's implicit GEMM"),
                dil.reason());
        Route shortDil = r.conv2d(DILATED_SHORT);
        assertEquals(Route.Engine.KERNEL, shortDil.engine());
        assertTrue(shortDil.reason().startsWith("dilated, 27 multiply-adds per output < 64: the direct kernel"),
                shortDil.reason());
        assertEquals(Route.Engine.KERNEL, r.conv2d(DILATED_EDGE_BELOW).engine());
        assertEquals(Route.Engine.CUDNN, r.conv2d(DILATED_EDGE_AT).engine());
        Route grouped = r.conv2d(DILATED_GROUPED);
        assertEquals(Route.Engine.CUDNN, grouped.engine());
        assertTrue(grouped.reason().contains("288 multiply-adds") && grouped.reason().contains("group count"),
                grouped.reason());
    }

    @Test
    void convolutionWithoutCudnn() {
        Router r = new Router(false, s -> { });
        Route plain = r.conv2d(PLAIN);
        assertEquals(Route.Engine.IM2COL_CUBLAS, plain.engine());
        assertTrue(plain.reason().contains("cuDNN is not installed"), plain.reason());
        assertEquals(Route.Engine.KERNEL, r.conv2d(GROUPED).engine());
        assertEquals(Route.Engine.KERNEL, r.conv2d(DEPTHWISE).engine());
        // Dilated with one group: im2col (which takes dilation) + GEMM for a long reduction per
        // output, the direct kernel for a short one; grouped ones stay on the direct kernel.
        Route dil = r.conv2d(DILATED);
        assertEquals(Route.Engine.IM2COL_CUBLAS, dil.engine());
        assertTrue(dil.reason().contains("dilated, 576 multiply-adds per output >= 64"), dil.reason());
        Route shortDil = r.conv2d(DILATED_SHORT);
        assertEquals(Route.Engine.KERNEL, shortDil.engine());
        assertTrue(shortDil.reason().contains("dilated, 27 multiply-adds per output < 64"), shortDil.reason());
        assertEquals(Route.Engine.KERNEL, r.conv2d(DILATED_EDGE_BELOW).engine());
        assertEquals(Route.Engine.IM2COL_CUBLAS, r.conv2d(DILATED_EDGE_AT).engine());
        assertEquals(Route.Engine.KERNEL, r.conv2d(DILATED_GROUPED).engine());
    }

    @Test
    void poolingNormActivationSoftmax() {
        Router with = new Router(true, s -> { });
        Router without = new Router(false, s -> { });
        Pool2dParams min = Pool2dParams.of(PoolKind.MIN, 2);
        assertEquals(Route.Engine.KERNEL, with.pool2d(min).engine());
        assertEquals("cuDNN has no min pooling", with.pool2d(min).reason());
        // Max pooling keeps its winners (the backward must follow the forward's tie and NaN rule).
        assertEquals(Route.Engine.KERNEL, with.pool2d(Pool2dParams.of(PoolKind.MAX, 2)).engine());
        assertEquals(Route.Engine.CUDNN, with.pool2d(Pool2dParams.of(PoolKind.AVG, 2)).engine());
        assertEquals(Route.Engine.KERNEL, without.pool2d(Pool2dParams.of(PoolKind.MAX, 2)).engine());
        assertEquals(Route.Engine.CUDNN, with.batchNorm(1e-5, 64).engine());
        // cuDNN 8's CUDNN_BN_MIN_EPSILON is 0.0: small epsilons stay on cuDNN (cuDNN 7 refused below 1e-5).
        assertEquals(Route.Engine.CUDNN, with.batchNorm(1e-7, 64).engine());
        assertTrue(with.batchNorm(1e-5, 1).reason().startsWith("one value per channel"));
        assertEquals(Route.Engine.KERNEL, without.batchNorm(1e-3, 64).engine());
        assertEquals(Route.Engine.KERNEL, with.activation(Activation.RELU).engine());
        assertEquals(Route.Engine.CUDNN, with.activation(Activation.SIGMOID).engine());
        assertEquals(Route.Engine.KERNEL, with.activation(Activation.LEAKY_RELU).engine());
        assertEquals(Route.Engine.KERNEL, without.activation(Activation.TANH).engine());
        assertEquals(Route.Engine.CUDNN, with.softmax(true).engine());
        assertEquals(Route.Engine.KERNEL, without.softmax(false).engine());
    }

    @Test
    void eachDecisionIsRecordedOnce() {
        List<String> heard = new ArrayList<>();
        Router r = new Router(true, heard::add);
        for (int i = 0; i < 3; i++) {
            r.conv2d(PLAIN);
            r.conv2d(DEPTHWISE);
            r.pool2d(Pool2dParams.of(PoolKind.MIN, 2));
        }
        assertEquals(3, heard.size(), heard.toString());
        assertEquals(heard, r.decisions());
        assertTrue(heard.get(0).startsWith("conv2d input [32, 64, 56, 56], weight [64, 64, 3, 3]"), heard.get(0));
        assertTrue(heard.get(0).endsWith(": cudnn (cuDNN convolution)"), heard.get(0));
        assertTrue(heard.get(1).contains(": kernel (depthwise"), heard.get(1));
        assertTrue(heard.get(2).startsWith("min_pool2d "), heard.get(2));
    }
}
