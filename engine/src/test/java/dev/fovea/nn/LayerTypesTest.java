package dev.fovea.nn;

import dev.fovea.ops.Attribute;
import dev.fovea.ops.OpDef;
import dev.fovea.ops.Ops;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LayerTypesTest {
    private static final Path README = Path.of("..", "README.md");
    private static final String START = "<!-- fovea layers conv2d pad (LayerTypesTest checks this excerpt) -->";

    /** A new op is a layer type with its attributes as fields, with no edit to model files. */
    @Test
    void everyOpButTheLossesIsALayerTypeWithItsAttributesAsFields() {
        List<String> expected = new ArrayList<>();
        for (OpDef def : Ops.all()) {
            if (def.isLoss()) {
                assertNull(LayerTypes.fields(def.name()), def.name());
                continue;
            }
            expected.add(def.name());
            for (Attribute a : def.attributes()) {
                // batch norm's and dropout's training and dropout's seed are the executor's to set, per pass.
                assertEquals(!a.runtime(), LayerTypes.fields(def.name()).containsKey(a.name()), def.name() + "." + a.name());
            }
        }
        assertEquals(expected, LayerTypes.names());
        assertEquals(List.of("out_channels", "kernel_size", "stride", "padding", "dilation", "groups", "mode", "bias"),
                List.copyOf(LayerTypes.fields("conv2d").keySet()));
        assertEquals(Attribute.Kind.INTEGER, LayerTypes.fields("conv2d").get("stride").kind(),
                "a conv2d layer takes one stride for both axes");
        assertEquals(1, LayerTypes.fields("concat").get("dim").byDefault(), "a concat layer joins channels by default");
        assertEquals(List.of("momentum", "eps"), List.copyOf(LayerTypes.fields("batch_norm").keySet()));
    }

    /**
     * The README shows what {@code fovea layers conv2d pad} prints, from the generated reference (it keeps
     * no full list, which every new op would have to edit); on a mismatch the message holds the block.
     */
    @Test
    void theReadmesExcerptIsTheGeneratedReference() throws IOException {
        String readme = Files.readString(README);
        int start = readme.indexOf(START);
        assertTrue(start >= 0, "the README has the marker " + START);
        int open = readme.indexOf("```\n", start);
        int close = readme.indexOf("\n```", open + 4);
        String block = readme.substring(open + 4, close);
        String generated = String.join("\n", LayerTypes.describe(List.of("conv2d", "pad")));
        assertEquals(generated, block, "paste after the marker:\n" + generated);
        assertThrows(IllegalArgumentException.class, () -> LayerTypes.describe(List.of("conv2")));
    }
}
