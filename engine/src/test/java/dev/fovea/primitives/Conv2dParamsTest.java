package dev.fovea.primitives;

import dev.fovea.tensor.Shape;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Conv2dParamsTest {

    @Test
    void sixFiveByFiveFiltersOnA32x32RgbImageGive28x28x6() {
        // seed-examples §9: 32x32x3 image, 6 filters 5x5x3, no padding, stride 1 -> 28x28x6.
        Shape out = Conv2dParams.defaults().outputShape(Shape.of(1, 3, 32, 32), Shape.of(6, 3, 5, 5), Shape.of(6));
        assertEquals(Shape.of(1, 6, 28, 28), out);
    }

    @Test
    void dilatedKernelExtent() {
        // seed-examples §9: K_eff = K + (K-1)(D-1); K=3, D=2 -> 5.
        assertEquals(5, Conv2dParams.effectiveKernel(3, 2));
        assertEquals(3, Conv2dParams.effectiveKernel(3, 1));
    }

    @Test
    void outputSizeFormulaForPaddingAndStride() {
        // W_out = (W - K + 2P)/S + 1: same padding keeps 5, stride 2 on 7 with K=3 gives 3.
        assertEquals(5, Conv2dParams.outputSize(5, 3, 1, 1, 1));
        assertEquals(3, Conv2dParams.outputSize(5, 3, 1, 0, 1));
        assertEquals(3, Conv2dParams.outputSize(7, 3, 2, 0, 1));
    }

    @Test
    void groupsMustDivideChannels() {
        var e = assertThrows(IllegalArgumentException.class, () ->
                Conv2dParams.defaults().withGroups(2).outputShape(Shape.of(1, 3, 8, 8), Shape.of(4, 1, 3, 3), null));
        assertTrue(e.getMessage().startsWith("conv2d: groups"), e.getMessage());
        assertTrue(e.getMessage().contains("[1, 3, 8, 8]"), e.getMessage());
    }

    @Test
    void kernelLargerThanPaddedInputIsRejected() {
        var e = assertThrows(IllegalArgumentException.class, () ->
                Conv2dParams.of(1, 1).outputShape(Shape.of(1, 1, 2, 2), Shape.of(1, 1, 5, 5), null));
        assertTrue(e.getMessage().contains("conv2d: kernel"), e.getMessage());
        assertTrue(e.getMessage().contains("4x4"), e.getMessage());
    }

    @Test
    void negativeParametersAreRejectedByName() {
        var e = assertThrows(IllegalArgumentException.class, () -> new Conv2dParams(1, 1, -1, 0, 1, 1, 1, null));
        assertTrue(e.getMessage().startsWith("conv2d: padding"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Shape.of(2, -3));
    }
}
