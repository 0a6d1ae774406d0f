package dev.fovea.nn;

import dev.fovea.graph.Graph;
import dev.fovea.graph.Node;
import dev.fovea.primitives.Activation;
import dev.fovea.tensor.Shape;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ModelFileTest {
    private static final Path EXAMPLES = Path.of("..", "examples", "models");

    @Test
    void theExampleFileDescribesTheReferenceNetwork() {
        Graph file = ModelFile.read(EXAMPLES.resolve("mnist-cnn.json"));
        Graph zoo = Zoo.mnistCnn();
        assertEquals(zoo.parameterCount(), file.parameterCount());
        assertEquals(List.copyOf(zoo.params().keySet()), List.copyOf(file.params().keySet()));
        assertEquals(Shape.of(1, 10), file.outputShape());
    }

    @Test
    void residualAddsAreWrittenWithInputs() {
        Graph g = ModelFile.read(EXAMPLES.resolve("small-resnet.json"));
        assertEquals("add", g.node("block.sum").op());
        assertEquals("stem_act", g.node("block.sum").inputs().get("other"));
        assertEquals(Shape.of(1, 10), g.outputShape());
    }

    /** Each constant of Activation is a layer type, its number attribute (here 0.5) and gelu's approximate read. */
    @Test
    void everyActivationIsALayerTypeWithItsAttributes() {
        List<String> layers = new ArrayList<>();
        for (Activation kind : Activation.values()) {
            layers.add("{\"name\": \"" + kind + "\", \"type\": \"" + kind.opName() + "\""
                    + (kind.parameter() == null ? "" : ", \"" + kind.parameter() + "\": 0.5")
                    + (kind.approximate().equals("none") ? "" : ", \"approximate\": \"" + kind.approximate() + "\"") + "}");
        }
        Graph g = ModelFile.parse(model(String.join(", ", layers)), "m.json");
        for (Activation kind : Activation.values()) {
            Node n = g.node(kind.toString());
            assertEquals(kind.opName(), n.op());
            assertEquals(kind.approximate(), n.attrs().string("approximate", "none"), kind.toString());
            if (kind.parameter() != null) {
                assertEquals(0.5, n.attrs().real(kind.parameter(), 0), kind.toString());
            }
        }
        assertEquals(Shape.of(1, 1, 8, 8), g.outputShape());
        String bad = error(model("{\"name\": \"x\", \"type\": \"gelu\", \"approximate\": \"erf\"}"));
        assertEquals(true, bad.contains("gelu: attribute 'approximate' must be one of ['none', 'tanh'], got 'erf'"), bad);
        String field = error(model("{\"name\": \"x\", \"type\": \"silu\", \"alpha\": 1}"));
        assertEquals(true, field.contains("alpha"), field);
    }

    @Test
    void spatialLayersTakeTheirAttributesAndShapesFollow() {
        Graph g = ModelFile.parse(model("{\"name\": \"p\", \"type\": \"pad\", \"padding\": [1, 2, 0, 3], "
                + "\"mode\": \"constant\", \"value\": -1}, "
                + "{\"name\": \"r\", \"type\": \"pad\", \"padding\": 2, \"mode\": \"reflect\"}, "
                + "{\"name\": \"u\", \"type\": \"upsample\", \"mode\": \"bilinear\", \"scale_factor\": [1.5, 0.5], "
                + "\"align_corners\": true}, "
                + "{\"name\": \"n\", \"type\": \"upsample\", \"size\": [20, 9]}, "
                + "{\"name\": \"a\", \"type\": \"adaptive_avg_pool2d\", \"output_size\": [3, 5]}, "
                + "{\"name\": \"m\", \"type\": \"adaptive_max_pool2d\", \"output_size\": 2}"), "m.json");
        assertEquals(Shape.of(1, 1, 11, 11), g.node("p").shape());
        assertEquals(Shape.of(1, 1, 15, 15), g.node("r").shape());
        assertEquals(Shape.of(1, 1, 22, 7), g.node("u").shape());
        assertEquals(Shape.of(1, 1, 20, 9), g.node("n").shape());
        assertEquals(Shape.of(1, 1, 3, 5), g.node("a").shape());
        assertEquals(Shape.of(1, 1, 2, 2), g.outputShape());
        assertEquals("m.json: layers[0] (p): p: pad: reflect padding must be smaller than the padded dimension: [8, 8]"
                        + " against width 8, [8, 8] against height 8 (input [1, 1, 8, 8])",
                error(model("{\"name\": \"p\", \"type\": \"pad\", \"padding\": 8, \"mode\": \"reflect\"}")));
        assertEquals("m.json: layers[0] (p): field 'padding' must be an integer in 0..4096 or a list of four [left, right,"
                        + " top, bottom], got array of 3",
                error(model("{\"name\": \"p\", \"type\": \"pad\", \"padding\": [1, 2, 3]}")));
        assertEquals("m.json: layers[0] (u): field 'scale_factor' must be a number > 0 and <= 4096.0 or a pair [h, w] of"
                        + " them, got -2",
                error(model("{\"name\": \"u\", \"type\": \"upsample\", \"scale_factor\": -2}")));
    }

    @Test
    void tensorAlgebraLayersTakeTheirInputsAndAttributes() {
        // A squeeze-excitation scale (mul of [N,C,H,W] by [N,C,1,1]), then the other algebra layers.
        Graph g = ModelFile.parse(model("{\"name\": \"conv\", \"type\": \"conv2d\", \"out_channels\": 4, "
                + "\"kernel_size\": 3, \"padding\": 1}, "
                + "{\"name\": \"squeeze\", \"type\": \"mean\", \"dim\": [2, 3], \"keepdim\": true}, "
                + "{\"name\": \"gate\", \"type\": \"sigmoid\"}, "
                + "{\"name\": \"scaled\", \"type\": \"mul\", \"inputs\": [\"conv\", \"gate\"]}, "
                + "{\"name\": \"diff\", \"type\": \"sub\", \"inputs\": [\"scaled\", \"conv\"]}, "
                + "{\"name\": \"ratio\", \"type\": \"div\", \"inputs\": [\"diff\", \"gate\"]}, "
                + "{\"name\": \"nhwc\", \"type\": \"permute\", \"dims\": [0, 2, 3, 1]}, "
                + "{\"name\": \"swapped\", \"type\": \"transpose\", \"dim0\": 1, \"dim1\": -2}, "
                + "{\"name\": \"rows\", \"type\": \"reshape\", \"shape\": [-1, 4]}, "
                + "{\"name\": \"total\", \"type\": \"sum\", \"dim\": -1}"), "m.json");
        assertEquals(Shape.of(1, 4, 1, 1), g.shapeOf("squeeze"));
        assertEquals(Shape.of(1, 4, 8, 8), g.shapeOf("scaled"));
        assertEquals(List.of("conv", "gate"), List.of(g.node("scaled").inputs().get("input"),
                g.node("scaled").inputs().get("other")));
        assertEquals(Shape.of(1, 8, 8, 4), g.shapeOf("nhwc"));
        assertEquals(Shape.of(64, 4), g.shapeOf("rows"));
        assertEquals(Shape.of(64), g.outputShape());
        String three = error(model("{\"name\": \"a\", \"type\": \"relu\"}, "
                + "{\"type\": \"mul\", \"inputs\": [\"a\", \"a\", \"a\"]}"));
        assertEquals(true, three.contains("mul takes exactly two inputs, got 3"), three);
        String clash = error(model("{\"name\": \"a\", \"type\": \"relu\"}, "
                + "{\"name\": \"c\", \"type\": \"conv2d\", \"out_channels\": 2, \"kernel_size\": 3}, "
                + "{\"type\": \"add\", \"inputs\": [\"a\", \"c\"]}"));
        assertEquals(true, clash.contains("add: shapes [1, 1, 8, 8] and [1, 2, 6, 6] do not broadcast: dim -1 has size 8"
                + " in the first and 6 in the second"), clash);
        String shape = error(model("{\"type\": \"reshape\", \"shape\": [-1, -1]}"));
        assertEquals(true, shape.contains("more than one -1"), shape);
        String dims = error(model("{\"type\": \"sum\", \"dim\": \"1\"}"));
        assertEquals(true, dims.contains("field 'dim' must be an integer in -8..7 or a list of at most 8 of them"), dims);
    }

    private static String model(String layers) {
        return "{\"format\": \"fovea-model/1\", \"name\": \"t\", \"input\": [1, 8, 8], \"layers\": [" + layers + "]}";
    }

    private static String error(String json) {
        return assertThrows(IllegalArgumentException.class, () -> ModelFile.parse(json, "m.json")).getMessage();
    }

    @Test
    void aTypoInAFieldNamesTheLayerAndSuggestsTheField() {
        assertEquals("m.json: layers[0] (conv1): unknown conv2d field 'kernal_size' (did you mean 'kernel_size'?); "
                        + "valid fields: bias, dilation, groups, inputs, kernel_size, mode, name, out_channels, padding, "
                        + "stride, type",
                error(model("{\"name\": \"conv1\", \"type\": \"conv2d\", \"out_channels\": 4, \"kernal_size\": 3}")));
    }

    @Test
    void otherMistakesAreNamedToo() {
        String type = error(model("{\"name\": \"c\", \"type\": \"conv2\"}"));
        // The layer types are the catalogue's ops (losses aside), in catalogue order.
        assertEquals("m.json: layers[0] (c): field 'type': unknown layer type 'conv2' (did you mean 'conv2d'?); valid "
                + "types: conv2d, max_pool2d, avg_pool2d, min_pool2d, global_avg_pool2d, adaptive_avg_pool2d, "
                + "adaptive_max_pool2d, upsample, pad, batch_norm, dropout, linear, "
                + Arrays.stream(Activation.values()).map(Activation::opName).distinct().collect(Collectors.joining(", "))
                + ", prelu, softmax, log_softmax, add, sub, mul, div, sum, mean, reshape, transpose, permute, concat, "
                + "flatten", type);
        assertEquals("m.json: layers[0]: field 'name' is required for layers with parameters (it names them, e.g. "
                + "conv1.weight)", error(model("{\"type\": \"linear\", \"out_features\": 3}")));
        assertEquals("m.json: layers[1] (s): field 'inputs': no earlier layer is named 'rleu' (did you mean 'relu'?)",
                error(model("{\"name\": \"relu\", \"type\": \"relu\"}, {\"name\": \"s\", \"type\": \"add\", "
                        + "\"inputs\": [\"rleu\", \"relu\"]}")));
        String shape = error(model("{\"name\": \"c\", \"type\": \"conv2d\", \"out_channels\": 2, \"kernel_size\": 9}"));
        assertEquals(true, shape.startsWith("m.json: layers[0] (c): c: conv2d: kernel"), shape);
        assertEquals(true, error("{\"format\": \"fovea-model/1\", \"layers\": [").startsWith("m.json: not valid JSON"));
        assertEquals("m.json: field 'format' must be \"fovea-model/1\", got \"fovea-model/9\"",
                error("{\"format\": \"fovea-model/9\", \"input\": [1], \"layers\": []}"));
    }
}
