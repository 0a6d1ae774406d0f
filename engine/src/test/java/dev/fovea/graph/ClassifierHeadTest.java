package dev.fovea.graph;

import dev.fovea.nn.ModelFile;
import dev.fovea.nn.Zoo;
import dev.fovea.tensor.Shape;
import dev.fovea.train.ModelSpec;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** --num-classes: the last linear layer is replaced by one of another width, everything before it kept. */
class ClassifierHeadTest {

    @Test
    void aZooModelGetsAHeadOfTheGivenWidth() {
        Graph g = ClassifierHead.resize(Zoo.mnistCnn(), 3);
        assertEquals(Shape.of(1, 3), g.outputShape());
        assertEquals(Shape.of(3, 128), g.params().get("fc2.weight").shape());
        assertEquals(Shape.of(3), g.params().get("fc2.bias").shape());
        assertEquals(Zoo.mnistCnn().params().get("fc1.weight").shape(), g.params().get("fc1.weight").shape());
        assertEquals(List.of("fc2.weight", "fc2.bias"), ClassifierHead.parameters(g));
        assertEquals(1_199_882 - 7 * 129, g.parameterCount(), "7 fewer outputs of 128 weights and a bias each");
    }

    @Test
    void shapeKeepingOpsAfterTheHeadFollowItsWidth() {
        Graph g = ModelFile.parse("""
                {"format": "fovea-model/1", "name": "soft", "input": [1, 8, 8], "layers": [
                  {"type": "flatten"}, {"name": "fc", "type": "linear", "out_features": 10},
                  {"type": "dropout", "p": 0.1}, {"type": "log_softmax", "dim": 1}]}""", "soft.json");
        Graph r = ClassifierHead.resize(g, 4);
        assertEquals(Shape.of(1, 4), r.outputShape());
        assertEquals(Shape.of(4, 64), r.params().get("fc.weight").shape());
    }

    @Test
    void aModelWithoutALinearHeadIsRefused() {
        Graph g = ModelFile.parse("""
                {"format": "fovea-model/1", "name": "fcn", "input": [1, 8, 8], "layers": [
                  {"name": "conv", "type": "conv2d", "out_channels": 3, "kernel_size": 8}, {"type": "flatten"}]}""",
                "fcn.json");
        var e = assertThrows(IllegalArgumentException.class, () -> ClassifierHead.resize(g, 5));
        assertTrue(e.getMessage().startsWith("model 'fcn' does not end in a linear layer"), e.getMessage());
    }

    @Test
    void theModelSpecRecordsTheHead() {
        ModelSpec spec = ModelSpec.parse("lenet5").withNumClasses(5);
        assertEquals(Shape.of(1, 5), spec.graph().outputShape());
        assertEquals("lenet5 (5-class head)", spec.describe());
        assertTrue(spec.sameAs(new ModelSpec("lenet5", null, 5)));
        assertTrue(!spec.sameAs(ModelSpec.parse("lenet5")), "another head is another model");
        assertThrows(IllegalArgumentException.class, () -> spec.withNumClasses(1));
    }
}
