package dev.fovea.ops;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AttrsTest {

    @Test
    void pairAcceptsOneIntForBothAxesOrAnHwPair() {
        Attrs a = Attrs.of("conv2d", Map.of("stride", 2, "padding", List.of(1, 0), "dilation", 3L));
        assertArrayEquals(new int[] {2, 2}, a.pair("stride", new int[] {1, 1}));
        assertArrayEquals(new int[] {1, 0}, a.pair("padding", new int[] {0, 0}));
        assertArrayEquals(new int[] {3, 3}, a.pair("dilation", new int[] {1, 1}));
    }

    @Test
    void absentAttributesTakeTheirDefaults() {
        Attrs a = Attrs.none("batch_norm");
        assertArrayEquals(new int[] {1, 1}, a.pair("stride", new int[] {1, 1}));
        assertEquals(0.1, a.real("momentum", 0.1));
        assertFalse(a.bool("training", false));
        assertEquals("mean", a.string("reduction", "mean"));
        assertEquals(7L, a.longInteger("seed", 7L));
    }

    /** As in PyTorch (stride=2.0 is a TypeError): a float read from a file is not coerced to an integer. */
    @Test
    void integersMustBeIntegersNotFloatsOfAnyValue() {
        Attrs a = Attrs.of("conv2d", Map.of("groups", 2.0, "stride", 1.5, "dilation", 2L, "padding", List.of(1, 2.0)));
        assertEquals("conv2d: attribute 'groups' must be an integer, got 2.0",
                assertThrows(IllegalArgumentException.class, () -> a.integer("groups")).getMessage());
        assertEquals("conv2d: attribute 'stride' must be an integer, got 1.5",
                assertThrows(IllegalArgumentException.class, () -> a.integer("stride")).getMessage());
        assertEquals("conv2d: attribute 'padding' must be an integer, got 2.0",
                assertThrows(IllegalArgumentException.class, () -> a.pair("padding", new int[] {0, 0})).getMessage());
        assertEquals(2, a.integer("dilation"));
        assertEquals("conv2d: attribute 'x' must be an integer, got 4294967296",
                assertThrows(IllegalArgumentException.class,
                        () -> Attrs.of("conv2d", Map.of("x", 1L << 32)).integer("x")).getMessage());
    }

    @Test
    void wrongTypesNameTheOpTheAttributeAndTheValue() {
        Attrs a = Attrs.of("conv2d", Map.of("padding", List.of(1, 2, 3), "mode", 4, "groups", "two"));
        var pair = assertThrows(IllegalArgumentException.class, () -> a.pair("padding", new int[] {0, 0}));
        assertEquals("conv2d: attribute 'padding' must be an integer or a pair [h, w] of integers, got [1, 2, 3]",
                pair.getMessage());
        var string = assertThrows(IllegalArgumentException.class, () -> a.string("mode", "x"));
        assertEquals("conv2d: attribute 'mode' must be a string, got 4", string.getMessage());
        var integer = assertThrows(IllegalArgumentException.class, () -> a.integer("groups"));
        assertEquals("conv2d: attribute 'groups' must be an integer, got \"two\"", integer.getMessage());
        var bool = assertThrows(IllegalArgumentException.class,
                () -> Attrs.of("dropout", Map.of("training", "yes")).bool("training", true));
        assertEquals("dropout: attribute 'training' must be true or false, got \"yes\"", bool.getMessage());
    }

    @Test
    void requiredAttributeMissingIsNamed() {
        var e = assertThrows(IllegalArgumentException.class, () -> Attrs.none("max_pool2d").requirePair("kernel_size"));
        assertEquals("max_pool2d: attribute 'kernel_size' is required", e.getMessage());
    }

    @Test
    void unknownAttributeSuggestsTheNearestAndListsTheValidOnes() {
        Attrs a = Attrs.of("conv2d", Map.of("strides", 2));
        var e = assertThrows(IllegalArgumentException.class,
                () -> a.requireOnly(List.of("stride", "padding", "dilation", "groups", "mode")));
        assertEquals("conv2d: unknown attribute 'strides' (did you mean 'stride'?); valid attributes: "
                + "stride, padding, dilation, groups, mode", e.getMessage());
        var far = assertThrows(IllegalArgumentException.class,
                () -> Attrs.of("relu", Map.of("inplace", true)).requireOnly(List.of()));
        assertEquals("relu: unknown attribute 'inplace'; valid attributes: none", far.getMessage());
    }

    @Test
    void nullValuesAreRejected() {
        java.util.HashMap<String, Object> m = new java.util.HashMap<>();
        m.put("dim", null);
        var e = assertThrows(IllegalArgumentException.class, () -> Attrs.of("softmax", m));
        assertTrue(e.getMessage().contains("'dim' is null"), e.getMessage());
    }
    /** Binding checks every given value against the op's declared kind, before the op reads any of them. */
    @Test
    void bindingChecksEachValueAgainstItsDeclaredKind() {
        var stride = assertThrows(IllegalArgumentException.class, () -> Ops.get("conv2d").bind(Map.of("stride", "2")));
        assertEquals("conv2d: attribute 'stride' must be an integer or a pair [h, w] of integers, got \"2\"",
                stride.getMessage());
        var scale = assertThrows(IllegalArgumentException.class,
                () -> Ops.get("upsample").bind(Map.of("size", 4, "scale_factor", "x")));
        assertEquals("upsample: attribute 'scale_factor' must be a number or a pair [h, w] of numbers, got \"x\"",
                scale.getMessage());
        var keepdim = assertThrows(IllegalArgumentException.class, () -> Ops.get("sum").bind(Map.of("keepdim", 1)));
        assertEquals("sum: attribute 'keepdim' must be true or false, got 1", keepdim.getMessage());
        var missing = assertThrows(IllegalArgumentException.class, () -> Ops.get("pad").bind(Map.of("mode", "reflect")));
        assertEquals("pad: attribute 'padding' is required", missing.getMessage());
        var unknown = assertThrows(IllegalArgumentException.class, () -> Ops.get("max_pool2d").bind(
                Map.of("kernel_size", 2, "count_include_pad", true)));
        assertEquals("max_pool2d: unknown attribute 'count_include_pad'; valid attributes: kernel_size, stride, padding",
                unknown.getMessage());
    }

    /** An absent attribute takes the default its op declares: one place states it. */
    @Test
    void absentAttributesTakeTheDeclaredDefault() {
        assertArrayEquals(new int[] {1, 1}, Attrs.none("conv2d").pair("dilation"));
        assertEquals("cross_correlation", Attrs.none("conv2d").string("mode"));
        assertEquals(0.5, Attrs.none("dropout").real("p"));
        assertEquals(0L, Attrs.none("dropout").longInteger("seed"));
        assertEquals(0.01, Attrs.none("leaky_relu").real("negative_slope"));
        assertEquals(0, Attrs.none("concat").integer("dim"));
        assertFalse(Attrs.none("batch_norm").bool("training"));
        assertEquals(3, Attrs.of("concat", Map.of("dim", 3)).integer("dim"));
        // kernel_size is required and pooling's stride defaults to it: neither has a declared value to fall back on.
        assertThrows(IllegalStateException.class, () -> Attrs.none("max_pool2d").pair("stride"));
    }

    /** Every declared default passes its own declaration's check: a default of the wrong kind would fail at first use. */
    @Test
    void declaredDefaultsAreOfTheirDeclaredKind() {
        int defaults = 0;
        for (OpDef def : Ops.all()) {
            for (Attribute a : def.attributes()) {
                if (a.byDefault() != null) {
                    Attrs.of(def.name(), Map.of(a.name(), a.byDefault())).check(List.of(a));
                    defaults++;
                }
            }
        }
        assertTrue(defaults > 20, "defaults checked: " + defaults);
    }
}
