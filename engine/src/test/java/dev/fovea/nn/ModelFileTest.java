package dev.fovea.nn;

import dev.fovea.graph.Graph;
import dev.fovea.tensor.Shape;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

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

    @Test
    void everyActivationIsALayerTypeWithItsAttributes() {
        Graph g = ModelFile.parse(model("{\"name\": \"a\", \"type\": \"hardswish\"}, "
                + "{\"name\": \"b\", \"type\": \"hardsigmoid\"}, {\"name\": \"c\", \"type\": \"silu\"}, "
                + "{\"name\": \"d\", \"type\": \"gelu\"}, {\"name\": \"e\", \"type\": \"gelu\", \"approximate\": \"tanh\"}, "
                + "{\"name\": \"f\", \"type\": \"mish\"}, {\"name\": \"g\", \"type\": \"elu\", \"alpha\": 0.5}, "
                + "{\"name\": \"h\", \"type\": \"relu6\"}"), "m.json");
        assertEquals(List.of("hardswish", "hardsigmoid", "silu", "gelu", "gelu", "mish", "elu", "relu6"),
                List.of("a", "b", "c", "d", "e", "f", "g", "h").stream().map(n -> g.node(n).op()).toList());
        assertEquals("tanh", g.node("e").attrs().string("approximate", ""));
        assertEquals(0.5, g.node("g").attrs().real("alpha", 0));
        assertEquals(Shape.of(1, 1, 8, 8), g.outputShape());
        String bad = error(model("{\"name\": \"x\", \"type\": \"gelu\", \"approximate\": \"erf\"}"));
        assertEquals(true, bad.contains("gelu: attribute 'approximate' must be one of ['none', 'tanh'], got 'erf'"), bad);
        String field = error(model("{\"name\": \"x\", \"type\": \"silu\", \"alpha\": 1}"));
        assertEquals(true, field.contains("alpha"), field);
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
        assertEquals("m.json: layers[0] (c): field 'type': unknown layer type 'conv2' (did you mean 'conv2d'?); valid "
                + "types: conv2d, linear, batch_norm, prelu, relu, leaky_relu, sigmoid, tanh, hardswish, hardsigmoid, silu, "
                + "gelu, mish, elu, relu6, max_pool2d, min_pool2d, "
                + "avg_pool2d, global_avg_pool2d, flatten, dropout, softmax, log_softmax, add, concat", type);
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
