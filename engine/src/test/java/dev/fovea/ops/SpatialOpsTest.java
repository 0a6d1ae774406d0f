package dev.fovea.ops;

import dev.fovea.primitives.AdaptivePool2dParams;
import dev.fovea.primitives.Pad2dParams;
import dev.fovea.primitives.PadMode;
import dev.fovea.primitives.PoolKind;
import dev.fovea.primitives.Upsample2dParams;
import dev.fovea.primitives.UpsampleMode;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The spatial ops' attributes as their parameter records, with PyTorch's defaults, and their errors. */
class SpatialOpsTest {

    @Test
    void adaptiveOutputSizeIsOneIntOrAPair() {
        assertEquals(new AdaptivePool2dParams(PoolKind.AVG, 3, 3),
                Ops.get("adaptive_avg_pool2d").bind(Map.of("output_size", 3)).params());
        assertEquals(new AdaptivePool2dParams(PoolKind.MAX, 2, 5),
                Ops.get("adaptive_max_pool2d").bind(Map.of("output_size", List.of(2, 5))).params());
        var e = assertThrows(IllegalArgumentException.class, () -> Ops.get("adaptive_avg_pool2d").bind(Map.of()));
        assertEquals("adaptive_avg_pool2d: attribute 'output_size' is required", e.getMessage());
    }

    @Test
    void upsampleDefaultsToNearestWithoutAlignCorners() {
        assertEquals(Upsample2dParams.ofSize(UpsampleMode.NEAREST, 4, 6, false),
                Ops.get("upsample").bind(Map.of("size", List.of(4, 6))).params());
        assertEquals(Upsample2dParams.ofScale(UpsampleMode.BILINEAR, 2, 2, true),
                Ops.get("upsample").bind(Map.of("mode", "bilinear", "scale_factor", 2, "align_corners", true)).params());
        assertEquals(Upsample2dParams.ofScale(UpsampleMode.NEAREST, 1.5, 0.5, false),
                Ops.get("upsample").bind(Map.of("scale_factor", List.of(1.5, 0.5))).params());
    }

    @Test
    void upsampleTakesExactlyOneOfSizeAndScaleFactor() {
        var both = assertThrows(IllegalArgumentException.class,
                () -> Ops.get("upsample").bind(Map.of("size", 4, "scale_factor", 2.0)));
        assertEquals("upsample: give exactly one of size and scale_factor", both.getMessage());
        var none = assertThrows(IllegalArgumentException.class, () -> Ops.get("upsample").bind(Map.of()));
        assertEquals("upsample: give exactly one of size and scale_factor", none.getMessage());
        var mode = assertThrows(IllegalArgumentException.class,
                () -> Ops.get("upsample").bind(Map.of("size", 4, "mode", "bicubic")));
        assertEquals("upsample: mode 'bicubic' is not one of nearest, bilinear", mode.getMessage());
        var type = assertThrows(IllegalArgumentException.class,
                () -> Ops.get("upsample").bind(Map.of("scale_factor", "2")));
        assertEquals("upsample: attribute 'scale_factor' must be a number or a pair [h, w] of numbers, got \"2\"",
                type.getMessage());
    }

    @Test
    void padTakesFPadsOrderAndDefaultsToConstantZero() {
        assertEquals(new Pad2dParams(1, 2, 3, 4, PadMode.CONSTANT, 0),
                Ops.get("pad").bind(Map.of("padding", List.of(1, 2, 3, 4))).params());
        assertEquals(new Pad2dParams(2, 2, 2, 2, PadMode.REFLECT, 0),
                Ops.get("pad").bind(Map.of("padding", 2, "mode", "reflect")).params());
        var e = assertThrows(IllegalArgumentException.class,
                () -> Ops.get("pad").bind(Map.of("padding", List.of(1, 2))));
        assertEquals("pad: attribute 'padding' must be an integer or a list of four integers [left, right, top, bottom],"
                + " got [1, 2]", e.getMessage());
        var value = assertThrows(IllegalArgumentException.class,
                () -> Ops.get("pad").bind(Map.of("padding", 1, "mode", "replicate", "value", 1.0)));
        assertEquals("pad: value applies to constant mode only, not replicate", value.getMessage());
    }
}
