package dev.fovea.onnx;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import dev.fovea.io.FormatException;
import dev.fovea.onnx.proto.Onnx.AttributeProto;
import dev.fovea.onnx.proto.Onnx.GraphProto;
import dev.fovea.onnx.proto.Onnx.ModelProto;
import dev.fovea.onnx.proto.Onnx.NodeProto;
import dev.fovea.onnx.proto.Onnx.OperatorSetIdProto;
import dev.fovea.onnx.proto.Onnx.StringStringEntryProto;
import dev.fovea.onnx.proto.Onnx.TensorProto;
import dev.fovea.onnx.proto.Onnx.TensorShapeProto;
import dev.fovea.onnx.proto.Onnx.TypeProto;
import dev.fovea.onnx.proto.Onnx.ValueInfoProto;
import dev.fovea.primitives.Activation;
import dev.fovea.primitives.OnnxForm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Attribute mapping, every refusal, and hostile files, on small models built here message by message. */
class OnnxImportRulesTest {

    // ---- building models ------------------------------------------------------------------------

    private static AttributeProto ints(String name, long... v) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long x : v) {
            a.addInts(x);
        }
        return a.build();
    }

    private static AttributeProto i(String name, long v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(v).build();
    }

    private static AttributeProto f(String name, float v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF(v).build();
    }

    private static AttributeProto s(String name, String v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.STRING)
                .setS(ByteString.copyFromUtf8(v)).build();
    }

    private static TensorProto weights(String name, long... dims) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE);
        long n = 1;
        for (long d : dims) {
            t.addDims(d);
            n *= d;
        }
        for (int k = 0; k < n; k++) {
            t.addFloatData((k % 7) * 0.1f - 0.3f);
        }
        return t.build();
    }

    private static TensorProto floats(String name, float... v) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE)
                .addDims(v.length);
        for (float x : v) {
            t.addFloatData(x);
        }
        return t.build();
    }

    private static TensorProto ints64(String name, long... v) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.INT64_VALUE)
                .addDims(v.length);
        for (long x : v) {
            t.addInt64Data(x);
        }
        return t.build();
    }

    private static NodeProto node(String name, String op, List<String> in, String out, AttributeProto... attrs) {
        return NodeProto.newBuilder().setName(name).setOpType(op).addAllInput(in).addOutput(out)
                .addAllAttribute(Arrays.asList(attrs)).build();
    }

    private static ValueInfoProto value(String name, long... dims) {
        TensorShapeProto.Builder s = TensorShapeProto.newBuilder();
        s.addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("batch"));
        for (long d : dims) {
            s.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE).setShape(s))).build();
    }

    /** A model on a [batch, 3, 8, 8] input "x" whose last node writes "y". */
    private static ModelProto model(int opset, List<NodeProto> nodes, TensorProto... init) {
        GraphProto g = GraphProto.newBuilder().setName("t").addInput(value("x", 3, 8, 8)).addOutput(value("y"))
                .addAllNode(nodes).addAllInitializer(Arrays.asList(init)).build();
        return ModelProto.newBuilder().setIrVersion(8).addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(opset))
                .setGraph(g).build();
    }

    private static ModelProto conv(AttributeProto... attrs) {
        return model(13, List.of(node("/c1/Conv", "Conv", List.of("x", "c1.weight", "c1.bias"), "y", attrs)),
                weights("c1.weight", 4, 3, 3, 3), weights("c1.bias", 4));
    }

    private static JsonNode layers(ModelProto m) throws Exception {
        return new ObjectMapper().readTree(OnnxImport.convert(m, "m.onnx").modelJson()).get("layers");
    }

    private static String types(JsonNode layers) {
        List<String> t = new java.util.ArrayList<>();
        layers.forEach(l -> t.add("\"" + l.get("type").textValue() + "\""));
        return "[" + String.join(",", t) + "]";
    }

    private static String refusal(ModelProto m) {
        return assertThrows(OnnxUnsupportedException.class, () -> OnnxImport.convert(m, "m.onnx")).getMessage();
    }

    // ---- attribute mapping ----------------------------------------------------------------------

    @Test
    void convAttributesMapToConv2dFields() throws Exception {
        JsonNode c = layers(conv(ints("kernel_shape", 3, 3), ints("strides", 2, 2), ints("pads", 1, 1, 1, 1),
                ints("dilations", 1, 1), i("group", 1))).get(0);
        assertEquals("c1", c.get("name").textValue());
        assertEquals("conv2d", c.get("type").textValue());
        assertEquals(4, c.get("out_channels").intValue());
        assertEquals(3, c.get("kernel_size").intValue());
        assertEquals(2, c.get("stride").intValue());
        assertEquals(1, c.get("padding").intValue());
        assertFalse(c.has("bias"));
    }

    @Test
    void autoPadSameBecomesSymmetricPadding() throws Exception {
        assertEquals(1, layers(conv(s("auto_pad", "SAME_UPPER"))).get(0).get("padding").intValue());
        assertEquals(1, layers(conv(s("auto_pad", "SAME_LOWER"))).get(0).get("padding").intValue());
        assertFalse(layers(conv(s("auto_pad", "VALID"))).get(0).has("padding"));
    }

    @Test
    void groupsAndDilationsMap() throws Exception {
        ModelProto m = model(17, List.of(node("g", "Conv", List.of("x", "w"), "y", i("group", 3), ints("dilations", 2, 2),
                ints("pads", 2, 2, 2, 2))), weights("w", 6, 1, 3, 3));
        JsonNode c = layers(m).get(0);
        assertEquals(3, c.get("groups").intValue());
        assertEquals(2, c.get("dilation").intValue());
        assertEquals(2, c.get("padding").intValue());
        assertFalse(c.get("bias").booleanValue());
    }

    @Test
    void poolsBatchNormAndMatMulAddMap() throws Exception {
        ModelProto m = model(12, List.of(
                node("bn", "BatchNormalization", List.of("x", "s", "b", "m", "v"), "a", f("epsilon", 1e-3f), f("momentum", 0.8f)),
                node("p", "AveragePool", List.of("a"), "p", ints("kernel_shape", 3, 3), ints("strides", 2, 2),
                        ints("pads", 1, 1, 1, 1), i("count_include_pad", 1)),
                node("mp", "MaxPool", List.of("p"), "q", ints("kernel_shape", 2, 2), ints("strides", 2, 2)),
                node("fl", "Flatten", List.of("q"), "r"),
                node("mm", "MatMul", List.of("r", "W"), "t"),
                node("add", "Add", List.of("t", "B"), "y")),
                weights("s", 3), weights("b", 3), weights("m", 3), weights("v", 3), weights("W", 12, 5), weights("B", 5));
        JsonNode l = layers(m);
        assertEquals("batch_norm", l.get(0).get("type").textValue());
        assertEquals(0.2, l.get(0).get("momentum").doubleValue(), 1e-6);
        assertEquals(1e-3, l.get(0).get("eps").doubleValue(), 1e-9);
        assertEquals("avg_pool2d", l.get(1).get("type").textValue());
        assertTrue(l.get(1).get("count_include_pad").booleanValue());
        assertEquals(1, l.get(1).get("padding").intValue());
        assertEquals("max_pool2d", l.get(2).get("type").textValue());
        assertEquals("linear", l.get(4).get("type").textValue());
        assertEquals(5, l.get(4).get("out_features").intValue());
        assertEquals(5, l.size());
        OnnxImport.Result r = OnnxImport.convert(m, "m.onnx");
        // MatMul's B is [in, out]; Fovea's linear weight is [out, in].
        float[] w = r.weights().get("mm.weight").values();
        assertEquals(weights("W", 12, 5).getFloatData(1 * 5 + 2), w[2 * 12 + 1]);
        assertTrue(r.weights().containsKey("mm.bias"));
    }

    @Test
    void shapeChainsFoldIntoAFlatten() throws Exception {
        TensorProto zero = TensorProto.newBuilder().setDataType(TensorProto.DataType.INT64_VALUE).addInt64Data(0).build();
        TensorProto axes = ints64("axes", 0);
        TensorProto minus1 = ints64("m1", -1);
        ModelProto m = model(13, List.of(
                node("sh", "Shape", List.of("x"), "s"),
                NodeProto.newBuilder().setName("k").setOpType("Constant").addOutput("zero").addAttribute(
                        AttributeProto.newBuilder().setName("value").setType(AttributeProto.AttributeType.TENSOR).setT(zero)).build(),
                node("ga", "Gather", List.of("s", "zero"), "n", i("axis", 0)),
                node("un", "Unsqueeze", List.of("n", "axes"), "n1"),
                node("ca", "Concat", List.of("n1", "m1"), "shape", i("axis", 0)),
                node("re", "Reshape", List.of("x", "shape"), "y")), axes, minus1);
        JsonNode l = layers(m);
        assertEquals(1, l.size());
        assertEquals("flatten", l.get(0).get("type").textValue());
    }

    @Test
    void residualAddAndConcatNameTheirInputs() throws Exception {
        ModelProto m = model(13, List.of(
                node("r", "Relu", List.of("x"), "a"),
                node("s", "Sigmoid", List.of("x"), "b"),
                node("cat", "Concat", List.of("a", "b"), "c", i("axis", 1)),
                node("t", "Tanh", List.of("c"), "d"),
                node("cat2", "Concat", List.of("x", "x"), "e", i("axis", -3)),
                node("sum", "Add", List.of("d", "e"), "y")));
        JsonNode l = layers(m);
        assertEquals("[\"r\",\"s\"]", l.get(2).get("inputs").toString());
        assertEquals("[\"input\",\"input\"]", l.get(4).get("inputs").toString());
        assertEquals("[\"t\",\"cat2\"]", l.get(5).get("inputs").toString());
    }

    /** A one-value float constant, as PyTorch's exporter writes Clip's bounds and GELU's numbers. */
    private static TensorProto scalar(String name, float v) {
        return TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE).addFloatData(v).build();
    }

    private static String types(ModelProto m) throws Exception {
        List<String> t = new ArrayList<>();
        layers(m).forEach(l -> t.add(l.get("type").textValue() + (l.has("alpha") ? "(" + l.get("alpha") + ")" : "")));
        return String.join(",", t);
    }

    @Test
    void activationsMapToTheirLayers() throws Exception {
        assertEquals("hardswish", types(model(14, List.of(node("h", "HardSwish", List.of("x"), "y")))));
        assertEquals("hardsigmoid", types(model(13, List.of(node("h", "HardSigmoid", List.of("x"), "y",
                f("alpha", 1f / 6))))));
        // Opsets before 14 export hardswish as x * HardSigmoid(x), the Mul in either order.
        assertEquals("relu,hardswish", types(model(13, List.of(node("r", "Relu", List.of("x"), "r"),
                node("h", "HardSigmoid", List.of("r"), "h", f("alpha", 1f / 6), f("beta", 0.5f)),
                node("m", "Mul", List.of("h", "r"), "y")))));
        assertEquals("elu(0.699999988079071),elu(1.0)", types(model(13, List.of(node("e", "Elu", List.of("x"), "e",
                f("alpha", 0.7f)), node("e2", "Elu", List.of("e"), "y")))));
        assertEquals("relu6", types(model(13, List.of(node("c", "Clip", List.of("x", "lo", "hi"), "y")),
                scalar("lo", 0), scalar("hi", 6))));
        assertEquals("relu", types(model(13, List.of(node("c", "Clip", List.of("x", "lo", ""), "y")), scalar("lo", 0))));
        // GELU as PyTorch 1.13 exports it, its constants as Constant nodes among its nodes.
        NodeProto one = NodeProto.newBuilder().setName("k1").setOpType("Constant").addOutput("one")
                .addAttribute(AttributeProto.newBuilder().setName("value").setType(AttributeProto.AttributeType.TENSOR)
                        .setT(scalar("", 1f))).build();
        assertEquals("gelu", types(model(13, List.of(node("d", "Div", List.of("x", "sqrt2"), "d"),
                node("erf", "Erf", List.of("d"), "e"), one, node("a", "Add", List.of("e", "one"), "a"),
                node("m", "Mul", List.of("x", "a"), "m"), node("h", "Mul", List.of("m", "half"), "y")),
                scalar("sqrt2", 1.4142135f), scalar("half", 0.5f))));
    }

    @Test
    void activationRefusalsNameTheAttributeOrTheBounds() {
        String onnxDefault = refusal(model(13, List.of(node("h", "HardSigmoid", List.of("x"), "y"))));
        assertTrue(onnxDefault.contains("(HardSigmoid, opset 13): attribute 'alpha' must be 1/6 (PyTorch's hardsigmoid), "
                + "got 0.2"), onnxDefault);
        String beta = refusal(model(13, List.of(node("h", "HardSigmoid", List.of("x"), "y", f("alpha", 1f / 6),
                f("beta", 0.25f)))));
        assertTrue(beta.contains("attribute 'beta' must be 0.5"), beta);
        String clip = refusal(model(13, List.of(node("c", "Clip", List.of("x", "lo", "hi"), "y")), scalar("lo", -1),
                scalar("hi", 1)));
        assertTrue(clip.contains("(Clip, opset 13): min -1.0 and max 1.0 are not supported; Fovea imports Clip with min 0 "
                + "and max 6 (relu6) or min 0 and no max (relu)"), clip);
        String div = refusal(model(13, List.of(node("d", "Div", List.of("x", "two"), "y")), scalar("two", 2)));
        assertTrue(div.contains("(Div, opset 13): input 1 ('two') is a constant; Fovea imports div of two computed "
                + "values (a constant operand outside an activation's ONNX formula is not supported)"), div);
        assertFalse(div.contains("\n"));
    }

    /** The elementwise, shape and spatial operators, each mapped to its layer with its fields (opset 13 rules). */
    @Test
    void elementwiseShapeAndSpatialOperatorsMapToLayers() throws Exception {
        JsonNode l = layers(model(13, List.of(
                node("gm", "GlobalMaxPool", List.of("x"), "g"),                                        // [1, 3, 1, 1]
                node("m", "Mul", List.of("x", "g"), "a"),                                              // [1, 3, 8, 8]
                node("t", "Transpose", List.of("a"), "b", ints("perm", 0, 2, 3, 1)),                   // [1, 8, 8, 3]
                node("rs", "ReduceSum", List.of("b", "three"), "c", i("keepdims", 0)),                 // [1, 8, 8]
                node("u", "Unsqueeze", List.of("c", "one"), "d"),                                      // [1, 1, 8, 8]
                node("p", "Pad", List.of("d", "pads"), "e", s("mode", "reflect")),                     // [1, 1, 12, 14]
                node("rz", "Resize", List.of("e", "", "scales"), "f", s("mode", "nearest"),
                        s("coordinate_transformation_mode", "asymmetric"), s("nearest_mode", "floor")), // [1, 1, 24, 28]
                node("sq", "Squeeze", List.of("f", "one"), "h"),                                       // [1, 24, 28]
                node("rm", "ReduceMean", List.of("h"), "y", ints("axes", -1))),                        // [1, 24, 1]
                ints64("three", 3), ints64("one", 1), ints64("pads", 0, 0, 1, 2, 0, 0, 3, 4),
                floats("scales", 1, 1, 2, 2)));
        assertEquals("[\"adaptive_max_pool2d\",\"mul\",\"permute\",\"sum\",\"reshape\",\"pad\",\"upsample\","
                + "\"reshape\",\"mean\"]", types(l));
        assertEquals("[\"input\",\"gm\"]", l.get(1).get("inputs").toString());
        assertEquals("[0,2,3,1]", l.get(2).get("dims").toString());
        assertEquals("[3]", l.get(3).get("dim").toString());
        assertFalse(l.get(3).get("keepdim").booleanValue());
        assertEquals("[-1,1,8,8]", l.get(4).get("shape").toString());
        assertEquals("[2,4,1,3]", l.get(5).get("padding").toString());
        assertEquals("reflect", l.get(5).get("mode").textValue());
        assertEquals("[2.0,2.0]", l.get(6).get("scale_factor").toString());
        assertEquals("nearest", l.get(6).get("mode").textValue());
        assertEquals("[-1,24,28]", l.get(7).get("shape").toString());
        assertEquals("[2]", l.get(8).get("dim").toString());
        assertTrue(l.get(8).get("keepdim").booleanValue());
    }

    /** Resize modes other than PyTorch's nearest and bilinear are refused naming the node, attribute and opset. */
    @Test
    void resizeOtherThanPyTorchsIsRefusedNamingTheAttribute() {
        TensorProto scales = floats("scales", 1, 1, 2, 2);
        String halfPixelNearest = refusal(model(13, List.of(node("rz", "Resize", List.of("x", "", "scales"), "y",
                s("nearest_mode", "floor"))), scales));
        assertTrue(halfPixelNearest.contains("node 'rz' (Resize, opset 13): attribute 'coordinate_transformation_mode' "
                + "'half_pixel' is not supported for nearest"), halfPixelNearest);
        String round = refusal(model(11, List.of(node("rz", "Resize", List.of("x", "roi", "scales"), "y",
                s("coordinate_transformation_mode", "asymmetric"))), floats("roi"), scales));
        assertTrue(round.contains("(Resize, opset 11): attribute 'nearest_mode' 'round_prefer_floor'"), round);
        String cubic = refusal(model(17, List.of(node("rz", "Resize", List.of("x", "", "scales"), "y", s("mode", "cubic"))),
                scales));
        assertTrue(cubic.contains("(Resize, opset 17): attribute 'mode' 'cubic' is not supported"), cubic);
        String crop = refusal(model(17, List.of(node("rz", "Resize", List.of("x", "", "scales"), "y", s("mode", "linear"),
                s("coordinate_transformation_mode", "tf_crop_and_resize"))), scales));
        assertTrue(crop.contains("attribute 'coordinate_transformation_mode' 'tf_crop_and_resize'"), crop);
        String batch = refusal(model(17, List.of(node("rz", "Resize", List.of("x", "", "s2"), "y", s("mode", "linear"))),
                floats("s2", 2, 1, 2, 2)));
        assertTrue(batch.contains("input 2 (scales) must be [1, 1, scale_h, scale_w]"), batch);
    }

    @Test
    void shapeOperatorsThatMoveTheBatchAreRefused() {
        assertTrue(refusal(model(13, List.of(node("t", "Transpose", List.of("x"), "y", ints("perm", 1, 0, 2, 3)))))
                .contains("(Transpose, opset 13): attribute 'perm' [1, 0, 2, 3] is not a permutation keeping the batch"));
        assertTrue(refusal(model(17, List.of(node("r", "ReduceMean", List.of("x"), "y", ints("axes", 0, 1)))))
                .contains("axis 0 of a 4-D input is the batch"));
        assertTrue(refusal(model(13, List.of(node("r", "ReduceSum", List.of("x"), "y"))))
                .contains("it reduces every dimension, the batch too"));
        assertTrue(refusal(model(13, List.of(node("u", "Unsqueeze", List.of("x", "zero"), "y")), ints64("zero", 0)))
                .contains("(Unsqueeze, opset 13): it moves the batch dimension"));
        assertTrue(refusal(model(11, List.of(node("s", "Squeeze", List.of("x"), "y", ints("axes", 2)))))
                .contains("axis 2 of [1, 3, 8, 8] is not a size-1 dimension"));
    }

    // ---- refusals -------------------------------------------------------------------------------

    @Test
    void unsupportedOperatorNamesNodeOperatorAndOpset() {
        String msg = refusal(model(13, List.of(node("/e/Einsum", "Einsum", List.of("x"), "y"))));
        assertTrue(msg.startsWith("m.onnx: node '/e/Einsum' (Einsum, opset 13): the operator is not supported"), msg);
        assertFalse(msg.contains("\n"));
    }

    @Test
    void opsetsOutside11To17AreRefused() {
        assertTrue(refusal(model(10, List.of(node("r", "Relu", List.of("x"), "y")))).contains("opset 10 is not supported"));
        assertTrue(refusal(model(18, List.of(node("r", "Relu", List.of("x"), "y")))).contains("opset 18 is not supported"));
    }

    @Test
    void convRefusalsNameTheAttribute() {
        assertTrue(refusal(conv(ints("pads", 1, 1, 0, 0))).contains("(Conv, opset 13): attribute 'pads'"));
        assertTrue(refusal(conv(ints("strides", 1, 2))).contains("attribute 'strides'"));
        assertTrue(refusal(conv(s("auto_pad", "BOGUS"))).contains("attribute 'auto_pad'"));
        assertTrue(refusal(conv(f("alpha", 1))).contains("attribute 'alpha' is not supported for Conv"));
        String nonSquare = refusal(model(13, List.of(node("c", "Conv", List.of("x", "w"), "y")), weights("w", 4, 3, 1, 3)));
        assertTrue(nonSquare.contains("attribute 'kernel_shape' [1, 3] is not square"), nonSquare);
        String odd = refusal(model(13, List.of(node("c", "Conv", List.of("x", "w"), "y", s("auto_pad", "SAME_UPPER"))),
                weights("w", 4, 3, 2, 2)));
        assertTrue(odd.contains("attribute 'auto_pad' SAME_UPPER pads axis 2 by 1"), odd);
        assertTrue(refusal(conv(i("group", 2))).contains("attribute 'group'"));
    }

    @Test
    void poolRefusals() {
        String ceil = refusal(model(13, List.of(node("p", "MaxPool", List.of("x"), "y", ints("kernel_shape", 3, 3),
                ints("strides", 2, 2), i("ceil_mode", 1)))));
        assertTrue(ceil.contains("(MaxPool, opset 13): attribute 'ceil_mode'"), ceil);
        assertTrue(refusal(model(13, List.of(node("p", "MaxPool", List.of("x"), "y", ints("kernel_shape", 2, 2),
                ints("dilations", 2, 2))))).contains("attribute 'dilations'"));
        assertTrue(refusal(model(13, List.of(node("p", "AveragePool", List.of("x"), "y")))).contains("'kernel_shape' is required"));
    }

    @Test
    void otherRefusals() {
        assertTrue(refusal(model(13, List.of(node("bn", "BatchNormalization", List.of("x", "s", "b", "m", "v"), "y",
                i("training_mode", 1))), weights("s", 3), weights("b", 3), weights("m", 3), weights("v", 3)))
                .contains("attribute 'training_mode'"));
        assertTrue(refusal(model(13, List.of(node("a", "Add", List.of("x", "b"), "y")), weights("b", 3, 1, 1)))
                .contains("(Add, opset 13): input 1 ('b') is a constant"));
        assertTrue(refusal(model(13, List.of(node("r", "Reshape", List.of("x", "s"), "y")), ints64("s", 3, 1, 64)))
                .contains("does not keep the batch of [1, 3, 8, 8] first"));
        assertTrue(refusal(model(13, List.of(node("f", "Flatten", List.of("x"), "y", i("axis", 2))))).contains("attribute 'axis'"));
        assertTrue(refusal(model(13, List.of(node("s", "Softmax", List.of("x"), "y")))).contains("(Softmax, opset 13): attribute 'axis'"));
        assertTrue(refusal(model(13, List.of(node("c", "Concat", List.of("x", "x"), "y", i("axis", 0))))).contains("attribute 'axis'"));
        assertTrue(refusal(model(13, List.of(node("p", "Pad", List.of("x", "p"), "y")), ints64("p", 0, 1, 0, 0, 0, 0, 0, 0)))
                .contains("(Pad, opset 13): pads [0, 1, 0, 0, 0, 0, 0, 0] must pad only H and W"));
        assertTrue(refusal(model(13, List.of(NodeProto.newBuilder().setName("r").setOpType("Relu").setDomain("com.microsoft")
                .addInput("x").addOutput("y").build()))).contains("domain 'com.microsoft'"));
        // A value computed but not used by the output: a second output Fovea's model files cannot have.
        assertTrue(refusal(model(13, List.of(node("a", "Relu", List.of("x"), "a"), node("b", "Tanh", List.of("x"), "y"))))
                .contains("layer 'a' computes a value the output does not use"));
        NodeProto drop = NodeProto.newBuilder().setName("d").setOpType("MaxPool").addInput("x").addOutput("y").addOutput("idx")
                .addAttribute(ints("kernel_shape", 2, 2)).build();
        GraphProto g = model(13, List.of(drop)).getGraph().toBuilder().clearOutput().addOutput(value("y")).addOutput(value("idx"))
                .build();
        assertTrue(refusal(model(13, List.of()).toBuilder().setGraph(g).build()).contains("2 outputs"));
    }

    @Test
    void externalDataIsRefused() {
        TensorProto w = weights("c1.weight", 4, 3, 3, 3).toBuilder().clearFloatData()
                .setDataLocation(TensorProto.DataLocation.EXTERNAL)
                .addExternalData(StringStringEntryProto.newBuilder().setKey("location").setValue("../../etc/passwd")).build();
        ModelProto m = model(13, List.of(node("c", "Conv", List.of("x", "c1.weight"), "y")), w);
        assertTrue(refusal(m).contains("external data is not supported"));
    }

    // ---- hostile files --------------------------------------------------------------------------

    private static FormatException malformed(byte[] bytes, Path dir) throws Exception {
        Path p = dir.resolve("bad.onnx");
        Files.write(p, bytes);
        return assertThrows(FormatException.class, () -> OnnxImport.read(p));
    }

    @Test
    void truncatedAndLyingFilesAreFormatErrors(@TempDir Path dir) throws Exception {
        byte[] good = conv().toByteArray();
        for (int cut : new int[] {1, 7, good.length / 2, good.length - 1}) {
            FormatException e = malformed(Arrays.copyOf(good, cut), dir);
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
        }
        // Field 7 (graph), length-delimited, declaring 2^31-1 bytes in a 10-byte file.
        malformed(new byte[] {0x3a, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x07, 1, 2, 3, 4}, dir);
        // Random bytes.
        byte[] noise = new byte[4096];
        new java.util.Random(15).nextBytes(noise);
        Path p = dir.resolve("noise.onnx");
        Files.write(p, noise);
        RuntimeException e = assertThrows(RuntimeException.class, () -> OnnxImport.read(p));
        assertTrue(e instanceof FormatException || e instanceof OnnxUnsupportedException, e.toString());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        // An empty file parses as an empty message: no graph.
        assertTrue(malformed(new byte[0], dir).getMessage().contains("no graph"));
    }

    @Test
    void hugeDimensionsAreRefusedBeforeAllocating() {
        TensorProto huge = TensorProto.newBuilder().setName("w").setDataType(TensorProto.DataType.FLOAT_VALUE)
                .addDims(1L << 40).addDims(1L << 40).setRawData(ByteString.copyFrom(new byte[16])).build();
        ModelProto m = model(13, List.of(node("c", "Conv", List.of("x", "w"), "y")), huge);
        assertTrue(assertThrows(FormatException.class, () -> OnnxImport.convert(m, "m.onnx")).getMessage()
                .contains("dimension 1099511627776"));
        TensorProto lying = weights("w", 4, 3, 3, 3).toBuilder().clearFloatData().setRawData(ByteString.copyFrom(new byte[16])).build();
        assertTrue(assertThrows(FormatException.class, () -> OnnxImport.convert(
                model(13, List.of(node("c", "Conv", List.of("x", "w"), "y")), lying), "m.onnx")).getMessage()
                .contains("holds 16 bytes where its dimensions need 432"));
        ModelProto bigInput = model(13, List.of(node("r", "Relu", List.of("x"), "y"))).toBuilder().setGraph(
                model(13, List.of(node("r", "Relu", List.of("x"), "y"))).getGraph().toBuilder().setInput(0,
                        value("x", 3, 1L << 40, 8))).build();
        assertTrue(refusal(bigInput).contains("dimension 2 must be a fixed size in 1..65535"));
    }

    @Test
    void nonRegularFilesAreRefusedByName(@TempDir Path dir) throws Exception {
        FormatException e = assertThrows(FormatException.class, () -> OnnxImport.read(dir));
        assertTrue(e.getMessage().contains("expected a regular file, found a directory"), e.getMessage());
        Path fifo = dir.resolve("pipe.onnx");
        if (new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor() == 0) {
            assertTrue(assertThrows(FormatException.class, () -> OnnxImport.read(fifo)).getMessage().contains("FIFO"));
        }
    }

    @Test
    void modelsOfManyNodesStayWithinTheLayerLimit() {
        List<NodeProto> nodes = new ArrayList<>();
        String prev = "x";
        for (int k = 0; k < 10_001; k++) {
            String out = k == 10_000 ? "y" : "r" + k;
            nodes.add(node("n" + k, "Relu", List.of(prev), out));
            prev = out;
        }
        assertTrue(refusal(model(13, nodes)).contains("more than 10000 layers"));
    }

    // ---- decomposed activations -----------------------------------------------------------------

    /**
     * Every ONNX form each activation declares, written out node by node as the declaration says
     * (its numbers as initializers, the attribute at a value other than its default where the form
     * carries it), imports as the one layer with that attribute and gelu's approximate.
     */
    @ParameterizedTest
    @EnumSource(Activation.class)
    void everyActivationsOnnxFormsImportAsItsLayer(Activation kind) throws Exception {
        assertFalse(kind.onnxForms().isEmpty(), kind + " declares no ONNX form");
        for (OnnxForm form : kind.onnxForms()) {
            float p = kind.parameter() == null ? 0 : form.usesParameter() ? 0.25f : (float) kind.defaultParameter();
            List<NodeProto> nodes = new ArrayList<>();
            List<TensorProto> constants = new ArrayList<>();
            List<OnnxForm.Step> steps = form.steps();
            for (int k = 0; k < steps.size(); k++) {
                OnnxForm.Step s = steps.get(k);
                List<String> in = new ArrayList<>();
                for (String o : s.operands()) {
                    if (o.equals(OnnxForm.INPUT) || o.startsWith("#")) {
                        in.add(o.equals(OnnxForm.INPUT) ? "x" : "s" + o.substring(1));
                    } else {
                        String c = "c" + constants.size();
                        constants.add(scalar(c, o.equals(OnnxForm.PARAMETER) ? p : (float) Double.parseDouble(o)));
                        in.add(c);
                    }
                }
                List<AttributeProto> attrs = new ArrayList<>();
                s.attributes().forEach((name, v) -> attrs.add(f(name, v.equals(OnnxForm.PARAMETER) ? p
                        : (float) Double.parseDouble(v))));
                nodes.add(node("/act/" + s.op() + k, s.op(), in, k == steps.size() - 1 ? "y" : "s" + k,
                        attrs.toArray(AttributeProto[]::new)));
            }
            JsonNode l = layers(model(17, nodes, constants.toArray(TensorProto[]::new)));
            assertEquals(1, l.size(), form.text());
            assertEquals(kind.opName(), l.get(0).get("type").textValue(), form.text());
            assertEquals(kind.approximate(), l.get(0).has("approximate") ? l.get(0).get("approximate").textValue() : "none",
                    form.text());
            if (kind.parameter() != null) {
                assertEquals(p, l.get(0).get(kind.parameter()).floatValue(), form.text());
            }
        }
    }

    @Test
    void siluMishAndGeluFormulasBecomeOneLayer() throws Exception {
        JsonNode silu = layers(model(17, List.of(node("s", "Sigmoid", List.of("x"), "s1"),
                node("/act/Mul", "Mul", List.of("s1", "x"), "y"))));
        assertEquals(1, silu.size());
        assertEquals("silu", silu.get(0).get("type").textValue());
        assertEquals("act", silu.get(0).get("name").textValue());
        JsonNode mish = layers(model(17, List.of(node("a", "Softplus", List.of("x"), "a1"), node("b", "Tanh", List.of("a1"), "b1"),
                node("m", "Mul", List.of("x", "b1"), "y"))));
        assertEquals("mish", mish.get(0).get("type").textValue());
        // PyTorch's gelu: the constants may be Constant nodes placed between the steps.
        JsonNode gelu = layers(model(17, List.of(node("d", "Div", List.of("x", "sqrt2"), "d1"), node("e", "Erf", List.of("d1"), "e1"),
                NodeProto.newBuilder().setOpType("Constant").addOutput("one").addAttribute(f("value_float", 1f)).build(),
                node("a", "Add", List.of("e1", "one"), "a1"), node("m", "Mul", List.of("x", "a1"), "m1"),
                node("h", "Mul", List.of("m1", "half"), "y")), scalar("sqrt2", (float) Math.sqrt(2)), scalar("half", 0.5f)));
        assertEquals(1, gelu.size());
        assertEquals("gelu", gelu.get(0).get("type").textValue());
        assertFalse(gelu.get(0).has("approximate"));
    }

    @Test
    void aFormulaWhosePartsAreReadElsewhereOrWhoseConstantsDifferIsNotFused() throws Exception {
        // The sigmoid is also read by the Add: it stays a value, and the Mul is a mul layer, not a SiLU.
        JsonNode shared = layers(model(17, List.of(node("s", "Sigmoid", List.of("x"), "s1"),
                node("m", "Mul", List.of("x", "s1"), "m1"), node("a", "Add", List.of("m1", "s1"), "y"))));
        assertEquals("[\"sigmoid\",\"mul\",\"add\"]", types(shared));
        String half = refusal(model(17, List.of(node("d", "Div", List.of("x", "two"), "d1"), node("e", "Erf", List.of("d1"), "e1"),
                node("a", "Add", List.of("e1", "one"), "a1"), node("m", "Mul", List.of("x", "a1"), "m1"),
                node("h", "Mul", List.of("m1", "one"), "y")), scalar("two", 2f), scalar("one", 1f)));
        assertTrue(half.contains("(Div, opset 17): input 1 ('two') is a constant"), half);
    }

    @Test
    void minPoolingIsNegMaxPoolNeg() throws Exception {
        JsonNode l = layers(model(17, List.of(node("n1", "Neg", List.of("x"), "n"),
                node("/pool/MaxPool", "MaxPool", List.of("n"), "p", ints("kernel_shape", 2, 2), ints("strides", 2, 2)),
                node("n2", "Neg", List.of("p"), "y"))));
        assertEquals(1, l.size());
        assertEquals("min_pool2d", l.get(0).get("type").textValue());
        assertEquals(2, l.get(0).get("kernel_size").intValue());
    }

    @Test
    void hardSigmoidMustBePyTorchs() throws Exception {
        assertEquals("hardsigmoid", layers(model(17, List.of(node("h", "HardSigmoid", List.of("x"), "y",
                f("alpha", 1f / 6), f("beta", 0.5f))))).get(0).get("type").textValue());
        String onnxDefault = refusal(model(17, List.of(node("h", "HardSigmoid", List.of("x"), "y"))));
        assertTrue(onnxDefault.contains("attribute 'alpha' must be 1/6 (PyTorch's hardsigmoid), got 0.2"), onnxDefault);
        JsonNode elu = layers(model(17, List.of(node("e", "Elu", List.of("x"), "y", f("alpha", 0.5f)))));
        assertEquals(0.5, elu.get(0).get("alpha").doubleValue());
    }
}
