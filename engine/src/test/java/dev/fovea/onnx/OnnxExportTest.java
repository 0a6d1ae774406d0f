package dev.fovea.onnx;

import dev.fovea.data.Normalization;
import dev.fovea.graph.Graph;
import dev.fovea.graph.GraphBuilder;
import dev.fovea.graph.Parameters;
import dev.fovea.graph.Value;
import dev.fovea.primitives.Activation;
import dev.fovea.onnx.proto.Onnx.AttributeProto;
import dev.fovea.onnx.proto.Onnx.ModelProto;
import dev.fovea.onnx.proto.Onnx.NodeProto;
import dev.fovea.onnx.proto.Onnx.TensorShapeProto;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What {@link OnnxExport} writes, field by field (ONNX Runtime running the files is tested in the tests
 * module): the model header, the symbolic batch, the attributes whose ONNX defaults differ from
 * PyTorch's, the decompositions, and the one-line refusals.
 */
class OnnxExportTest {

    private static Graph small() {
        GraphBuilder b = new GraphBuilder("small", 3, 8, 8);
        Value x = b.batchNorm("bn", b.conv2d("conv", b.input(), 4, 3), 0.2, 1e-3);
        x = b.activation(b.activation(x, Activation.HARDSIGMOID), Activation.SILU);
        x = b.pool("avg_pool2d", x, 2, 2, 1);
        x = b.flatten(x);
        return b.build(b.linear("fc", x, 5));
    }

    @Test
    void headerInputsOutputsAndAttributes() {
        Graph g = small();
        ModelProto m = OnnxExport.export(g, Parameters.initialValues(g, 1), Normalization.parse("0.5,0.25"));
        assertEquals(8, m.getIrVersion());
        assertEquals(17, m.getOpsetImport(0).getVersion());
        assertEquals("", m.getOpsetImport(0).getDomain());
        assertEquals("0.5,0.25", m.getMetadataProps(0).getValue());
        TensorShapeProto in = m.getGraph().getInput(0).getType().getTensorType().getShape();
        assertEquals("input", m.getGraph().getInput(0).getName());
        assertEquals("batch", in.getDim(0).getDimParam());
        assertEquals(List.of(3L, 8L, 8L), in.getDimList().subList(1, 4).stream().map(TensorShapeProto.Dimension::getDimValue).toList());
        TensorShapeProto out = m.getGraph().getOutput(0).getType().getTensorType().getShape();
        assertEquals("batch", out.getDim(0).getDimParam());
        assertEquals(5, out.getDim(1).getDimValue());
        assertEquals(List.of("Conv", "BatchNormalization", "HardSigmoid", "Sigmoid", "Mul", "AveragePool", "Flatten", "Gemm"),
                m.getGraph().getNodeList().stream().map(NodeProto::getOpType).toList());
        NodeProto last = m.getGraph().getNode(m.getGraph().getNodeCount() - 1);
        assertEquals("output", last.getOutput(0));
        assertEquals(1, attr(last, "transB").getI());
        NodeProto bn = node(m, "BatchNormalization");
        // ONNX's momentum weighs the running statistic: 1 - PyTorch's.
        assertEquals(0.8f, attr(bn, "momentum").getF(), 1e-7);
        assertEquals(1e-3f, attr(bn, "epsilon").getF());
        assertEquals(List.of("bn.weight", "bn.bias", "bn.running_mean", "bn.running_var"), bn.getInputList().subList(1, 5));
        assertEquals(1f / 6, attr(node(m, "HardSigmoid"), "alpha").getF());
        NodeProto pool = node(m, "AveragePool");
        assertEquals(1, attr(pool, "count_include_pad").getI(), "PyTorch's default, not ONNX's");
        assertEquals(List.of(1L, 1L, 1L, 1L), attr(pool, "pads").getIntsList());
        NodeProto conv = node(m, "Conv");
        assertEquals(List.of(3L, 3L), attr(conv, "kernel_shape").getIntsList());
        assertEquals(1, attr(conv, "group").getI());
    }

    @Test
    void convolutionModeIsACrossCorrelationWithTheKernelFlipped() {
        GraphBuilder b = new GraphBuilder("flip", 1, 4, 4);
        Graph g = b.build(b.conv2d("c", b.input(), dev.fovea.graph.ConvSpec.of(1, 2).mode(dev.fovea.primitives.ConvMode.CONVOLUTION)));
        Map<String, float[]> w = new HashMap<>(Map.of("c.weight", new float[] {1, 2, 3, 4}, "c.bias", new float[] {0}));
        ModelProto m = OnnxExport.export(g, w, null);
        float[] stored = new float[4];
        m.getGraph().getInitializerList().stream().filter(t -> t.getName().equals("c.weight")).findFirst().orElseThrow()
                .getRawData().asReadOnlyByteBuffer().order(java.nio.ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(stored);
        assertEquals(List.of(4f, 3f, 2f, 1f), List.of(stored[0], stored[1], stored[2], stored[3]));
    }

    @Test
    void refusalsAreOneLineNamingTheNode() {
        GraphBuilder b = new GraphBuilder("whole", 1, 4, 4);
        Value flat = b.op("flat", "flatten", Map.of("start_dim", 0), Map.of("input", b.input()));
        Graph g = b.build(flat);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OnnxExport.export(g, Map.of(), null));
        assertTrue(e.getMessage().startsWith("export: node 'flat' (flatten): flattening the batch dimension"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));

        Graph s = small();
        Map<String, float[]> w = new HashMap<>(Parameters.initialValues(s, 1));
        w.remove("bn.running_var");
        e = assertThrows(IllegalArgumentException.class, () -> OnnxExport.export(s, w, null));
        assertEquals("export: parameter bn.running_var [4] is missing from the weights", e.getMessage());
    }

    /** Adaptive pooling whose windows differ in size, and a reshape that moves the batch, have no ONNX form. */
    @Test
    void unevenAdaptivePoolingAndABatchMovingReshapeAreRefused() {
        GraphBuilder b = new GraphBuilder("uneven", 2, 7, 7);
        Graph g = b.build(b.adaptivePool("adaptive_avg_pool2d", b.input(), 3, 3));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OnnxExport.export(g, Map.of(), null));
        assertTrue(e.getMessage().startsWith("export: node '") && e.getMessage().contains("(adaptive_avg_pool2d): output 3x3"
                + " does not divide the input 7x7 evenly"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));

        GraphBuilder r = new GraphBuilder("merge", 2, 4, 4);
        Graph m = r.build(r.op("merge", "reshape", Map.of("shape", List.of(-1)), Map.of("input", r.input())));
        e = assertThrows(IllegalArgumentException.class, () -> OnnxExport.export(m, Map.of(), null));
        assertTrue(e.getMessage().startsWith("export: node 'merge' (reshape): reshaping [1, 2, 4, 4] to [32] moves the batch"),
                e.getMessage());
    }

    @Test
    void writtenAtomicallyAndReadBackByTheImporter(@TempDir Path dir) throws Exception {
        Graph g = small();
        Path f = dir.resolve("m.onnx");
        long bytes = OnnxExport.write(f, OnnxExport.export(g, Parameters.initialValues(g, 1), null));
        assertEquals(Files.size(f), bytes);
        try (var files = Files.list(dir)) {
            assertEquals(List.of(f), files.toList(), "no temporary file left");
        }
        OnnxImport.Result r = OnnxImport.read(f);
        assertEquals(g.params().keySet(), r.graph().params().keySet());
    }

    private static NodeProto node(ModelProto m, String op) {
        return m.getGraph().getNodeList().stream().filter(n -> n.getOpType().equals(op)).findFirst().orElseThrow();
    }

    private static AttributeProto attr(NodeProto n, String name) {
        return n.getAttributeList().stream().filter(a -> a.getName().equals(name)).findFirst().orElseThrow();
    }
}
