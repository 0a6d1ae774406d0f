package dev.fovea.nn;

import dev.fovea.graph.Graph;
import dev.fovea.graph.GraphBuilder;
import dev.fovea.graph.Node;
import dev.fovea.graph.Value;
import dev.fovea.primitives.Activation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A graph written as a model file parses back to the same graph: nodes, wiring, attributes, parameters. */
class ModelFileWriterTest {

    static Set<String> zoo() {
        return Zoo.names();
    }

    @ParameterizedTest
    @MethodSource("zoo")
    void everyZooModelRoundTrips(String name) {
        Graph g = Zoo.get(name);
        assertSame(g, ModelFile.parse(ModelFileWriter.write(g), name));
    }

    @Test
    void aBuiltGraphWithEveryLayerKindRoundTrips() {
        GraphBuilder b = new GraphBuilder("mixed", 3, 16, 16);
        Value stem = b.conv2d("stem", b.input(), dev.fovea.graph.ConvSpec.of(8, 3).padding(1).noBias());
        Value bn = b.batchNorm("bn", stem, 0.2, 1e-3);
        Value act = b.activation(bn, Activation.GELU_TANH);
        Value p = b.prelu("pr", act, true);
        Value sum = b.add(p, act);
        Value cat = b.concat(1, sum, act, bn);
        Value pooled = b.pool("avg_pool2d", b.leakyRelu(cat, 0.2), 2, 2, 0);
        Value flat = b.flatten(b.maxPool(pooled, 2));
        Value out = b.logSoftmax(b.linear("fc", b.dropout(flat, 0.3), 5, false), 1);
        Graph g = b.build(out);
        assertSame(g, ModelFile.parse(ModelFileWriter.write(g), "mixed"));
    }

    @Test
    void aGraphThatIsNotAnImageModelIsRefusedByName() {
        GraphBuilder b = new GraphBuilder("vec", 16);
        Graph g = b.build(b.linear("fc", b.input(), 4));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelFileWriter.write(g));
        assertTrue(e.getMessage().startsWith("model 'vec': input [1, 16] is not one image"), e.getMessage());
    }

    private static void assertSame(Graph want, Graph got) {
        assertEquals(want.name(), got.name());
        assertEquals(want.input().shape(), got.input().shape());
        assertEquals(want.output(), got.output());
        assertEquals(want.params(), got.params(), "parameter names, shapes, trainability and initialisation");
        assertEquals(want.nodes().size(), got.nodes().size());
        for (int i = 0; i < want.nodes().size(); i++) {
            Node a = want.nodes().get(i);
            Node b = got.nodes().get(i);
            assertEquals(a.name(), b.name());
            assertEquals(a.op(), b.op(), a.name());
            assertEquals(a.inputs(), b.inputs(), a.name());
            assertEquals(a.attrs().asMap(), b.attrs().asMap(), a.name());
            assertEquals(a.shape(), b.shape(), a.name());
        }
    }
}
