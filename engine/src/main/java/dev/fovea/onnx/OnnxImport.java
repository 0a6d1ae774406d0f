package dev.fovea.onnx;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.fovea.graph.Graph;
import dev.fovea.graph.ParamSpec;
import dev.fovea.io.FileBytes;
import dev.fovea.io.FormatException;
import dev.fovea.io.Limits;
import dev.fovea.io.StoredTensor;
import dev.fovea.nn.ModelFile;
import dev.fovea.onnx.proto.Onnx.AttributeProto;
import dev.fovea.onnx.proto.Onnx.GraphProto;
import dev.fovea.onnx.proto.Onnx.ModelProto;
import dev.fovea.onnx.proto.Onnx.NodeProto;
import dev.fovea.onnx.proto.Onnx.OperatorSetIdProto;
import dev.fovea.onnx.proto.Onnx.TensorProto;
import dev.fovea.onnx.proto.Onnx.TensorShapeProto;
import dev.fovea.onnx.proto.Onnx.ValueInfoProto;
import dev.fovea.primitives.Activation;
import dev.fovea.primitives.OnnxForm;
import dev.fovea.tensor.Shape;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * ONNX import: an ONNX model (opsets 11-17, the operators of Fovea's layers) becomes a fovea-model
 * file and its weights under PyTorch's names ({@code conv1.weight}, {@code bn1.running_mean}).
 *
 * <p>The file is parsed by protobuf-java with classes generated from {@code src/main/protobuf/onnx.proto}
 * after its size is checked against {@link Limits#ONNX_FILE_BYTES} and the heap. Integer subgraphs
 * computing shapes and pads (Constant, ConstantOfShape, Shape, Gather, Cast, Slice, Unsqueeze, Concat,
 * Reshape, Transpose of constants) are folded ({@link OnnxConstantFolding}); the elementwise and shape
 * operators are {@link OnnxShapeOperators}'; Dropout, Identity and zero Pads are dropped; MatMul followed by the Add of a bias becomes one
 * linear layer. Anything else is refused with one line naming the node, its operator, the attribute
 * and the opset ({@link OnnxUnsupportedException}); a malformed file is a {@link FormatException}.
 * Nothing is half-imported: the result is built in memory and checked by {@link ModelFile#parse}.
 */
public final class OnnxImport {
    /** The default ("ai.onnx") operator set versions the importer knows. */
    public static final int MIN_OPSET = 11;
    public static final int MAX_OPSET = 17;
    /** The batch dimension inside folded shape constants. */
    static final long BATCH = Long.MIN_VALUE;
    static final ObjectMapper JSON = new ObjectMapper();

    /** The imported model: model-file JSON, its weights, and the graph that JSON describes. */
    public record Result(String modelJson, Map<String, StoredTensor> weights, Graph graph) {
        /** The weights as plain arrays, as {@link dev.fovea.graph.Parameters#fromHost} takes them. */
        public Map<String, float[]> arrays() {
            Map<String, float[]> m = new LinkedHashMap<>();
            weights.forEach((k, v) -> m.put(k, v.values()));
            return m;
        }
    }

    /** An activation: the Fovea layer that computes it and its shape (batch dimension first, as 1). */
    record Act(String layer, long[] shape) {
    }

    /** A constant: float weights or integer (shape) values, with its dimensions. */
    record Const(long[] dims, float[] floats, long[] ints) {
        long size() {
            return floats != null ? floats.length : ints.length;
        }
    }

    private final String source;
    final int opset;
    final Map<String, Const> consts = new HashMap<>();
    /** One-element float constants (initializers and Constant nodes), the operands of decomposed ops. */
    private final Map<String, Float> scalars = new HashMap<>();
    final Map<String, Act> acts = new HashMap<>();
    private final Map<String, Integer> consumers = new HashMap<>();
    private final Set<String> skipped = new HashSet<>();
    private final List<ObjectNode> layers = new ArrayList<>();
    private final Set<String> names = new HashSet<>();
    private final Set<String> used = new HashSet<>();
    private final Map<String, StoredTensor> weights = new LinkedHashMap<>();
    long staticBatch = -1;
    private final OnnxShapeOperators shapes = new OnnxShapeOperators(this);
    private String last = "input";

    private OnnxImport(String source, int opset) {
        this.source = source;
        this.opset = opset;
        names.add("input");
    }

    /** Reads, parses and imports an ONNX file. */
    public static Result read(Path file) throws IOException {
        byte[] bytes = FileBytes.read(file, Limits.ONNX_FILE_BYTES, "the limit for ONNX files");
        // protobuf keeps the parsed message beside the bytes: at most about as much again.
        FileBytes.checkHeap(file.toString(), "file size", bytes.length);
        return convert(parse(bytes, file.toString()), file.toString());
    }

    /** Parses the bytes of an ONNX file; a malformed one is a {@link FormatException}. */
    public static ModelProto parse(byte[] bytes, String source) {
        try {
            CodedInputStream in = CodedInputStream.newInstance(bytes);
            in.setSizeLimit(bytes.length);
            ModelProto m = ModelProto.parseFrom(in);
            in.checkLastTagWas(0);
            return m;
        } catch (InvalidProtocolBufferException e) {
            throw new FormatException(source, "protobuf", "not a valid ONNX model: " + e.getMessage());
        } catch (IOException | RuntimeException e) {
            throw new FormatException(source, "protobuf", "not a valid ONNX model: " + e);
        }
    }

    /** Imports a parsed model; {@code source} names it in errors. */
    public static Result convert(ModelProto model, String source) {
        if (!model.hasGraph() || model.getIrVersion() <= 0) {
            throw new FormatException(source, "graph", "not an ONNX model: no " + (model.hasGraph() ? "ir_version" : "graph"));
        }
        int opset = -1;
        for (OperatorSetIdProto o : model.getOpsetImportList()) {
            if (o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx")) {
                opset = (int) Math.max(Math.min(o.getVersion(), Integer.MAX_VALUE), Integer.MIN_VALUE);
            }
        }
        if (opset < MIN_OPSET || opset > MAX_OPSET) {
            throw new OnnxUnsupportedException(source + ": opset " + (opset < 0 ? "(none declared)" : opset)
                    + " is not supported; Fovea imports opsets " + MIN_OPSET + "-" + MAX_OPSET
                    + " (re-export with opset_version=" + MAX_OPSET + ")");
        }
        OnnxImport imp = new OnnxImport(source, opset);
        return imp.run(model.getGraph(), model.getGraph().getName().isEmpty() ? "onnx-model" : model.getGraph().getName());
    }

    private Result run(GraphProto g, String name) {
        for (TensorProto t : g.getInitializerList()) {
            consts.put(t.getName(), tensor(t, "initializer '" + clip(t.getName()) + "'"));
        }
        List<ValueInfoProto> inputs = g.getInputList().stream().filter(v -> !consts.containsKey(v.getName())).toList();
        if (inputs.size() != 1) {
            throw new OnnxUnsupportedException(source + ": the graph has " + inputs.size() + " inputs besides its "
                    + "initializers; Fovea imports models with one image input");
        }
        long[] in = inputShape(inputs.get(0));
        acts.put(inputs.get(0).getName(), new Act("input", in));
        if (g.getOutputCount() != 1) {
            throw new OnnxUnsupportedException(source + ": the graph has " + g.getOutputCount() + " outputs; Fovea "
                    + "imports models with one output");
        }
        for (NodeProto n : g.getNodeList()) {
            for (String i : n.getInputList()) {
                consumers.merge(i, 1, Integer::sum);
            }
        }
        consumers.merge(g.getOutput(0).getName(), 1, Integer::sum);
        List<NodeProto> nodes = g.getNodeList();
        // Constant nodes depend on nothing, so they are folded first: a pattern recognised at its first
        // node (GELU's Div) then sees the constants its exporter placed among its later nodes.
        for (int i = 0; i < nodes.size(); i++) {
            NodeProto n = nodes.get(i);
            if (n.getOpType().equals("Constant") && (n.getDomain().isEmpty() || n.getDomain().equals("ai.onnx"))) {
                constant(new Node(n, i));
                skipped.add(n.getName() + "#" + i);
            }
        }
        // The one-value float constants (initializers and Constant nodes) that formulas are matched against.
        consts.forEach(this::scalar);
        for (int i = 0; i < nodes.size(); i++) {
            NodeProto n = nodes.get(i);
            if (!skipped.contains(n.getName() + "#" + i)) {
                node(n, i, nodes);
            }
        }
        String outName = g.getOutput(0).getName();
        Act out = acts.get(outName);
        if (out == null) {
            throw new OnnxUnsupportedException(source + ": the graph's output '" + clip(outName) + "' is "
                    + (consts.containsKey(outName) ? "a constant" : "not computed by any node"));
        }
        if (out.layer().equals("input") || !out.layer().equals(last)) {
            throw new OnnxUnsupportedException(source + ": the graph's output '" + clip(outName) + "' is not the last "
                    + "layer computed; Fovea's model files end with their output layer");
        }
        for (ObjectNode l : layers) {
            String n = l.get("name").textValue();
            if (!n.equals(last) && !used.contains(n)) {
                throw new OnnxUnsupportedException(source + ": layer '" + n + "' computes a value the output does not "
                        + "use; Fovea's model files have one output");
            }
        }
        ObjectNode root = JSON.createObjectNode();
        root.put("format", ModelFile.FORMAT);
        root.put("name", name);
        ArrayNode input = root.putArray("input");
        for (int d = 1; d < 4; d++) {
            input.add(in[d]);
        }
        ArrayNode ls = root.putArray("layers");
        layers.forEach(ls::add);
        String json;
        try {
            json = JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        Graph graph = ModelFile.parse(json, source + " (imported)");
        for (Map.Entry<String, ParamSpec> p : graph.params().entrySet()) {
            StoredTensor w = weights.get(p.getKey());
            if (w == null || w.shape().size() != p.getValue().shape().size()) {
                throw new IllegalStateException(source + ": imported parameter " + p.getKey() + " has shape "
                        + (w == null ? "nothing" : w.shape()) + ", the layer needs " + p.getValue().shape());
            }
        }
        return new Result(json, weights, graph);
    }

    private long[] inputShape(ValueInfoProto v) {
        String what = source + ": graph input '" + clip(v.getName()) + "'";
        if (!v.getType().hasTensorType() || v.getType().getTensorType().getElemType() != TensorProto.DataType.FLOAT_VALUE) {
            throw new OnnxUnsupportedException(what + " is not a float tensor; Fovea imports float32 image models");
        }
        TensorShapeProto s = v.getType().getTensorType().getShape();
        if (s.getDimCount() != 4) {
            throw new OnnxUnsupportedException(what + " has " + s.getDimCount() + " dimensions; Fovea imports image "
                    + "models with an input [batch, channels, height, width]");
        }
        long[] shape = new long[4];
        shape[0] = 1;
        if (s.getDim(0).hasDimValue()) {
            staticBatch = s.getDim(0).getDimValue();
        }
        long[] max = {0, Limits.MODEL_CHANNELS, Limits.IMAGE_SIDE, Limits.IMAGE_SIDE};
        for (int d = 1; d < 4; d++) {
            TensorShapeProto.Dimension dim = s.getDim(d);
            if (!dim.hasDimValue() || dim.getDimValue() < 1 || dim.getDimValue() > max[d]) {
                throw new OnnxUnsupportedException(what + " dimension " + d + " must be a fixed size in 1.." + max[d]
                        + ", got " + (dim.hasDimValue() ? String.valueOf(dim.getDimValue()) : "'" + clip(dim.getDimParam()) + "'"));
            }
            shape[d] = dim.getDimValue();
        }
        return shape;
    }

    // ---- nodes ---------------------------------------------------------------------------------

    private void node(NodeProto n, int index, List<NodeProto> nodes) {
        Node node = new Node(n, index);
        if (!n.getDomain().isEmpty() && !n.getDomain().equals("ai.onnx")) {
            throw node.refuse("its domain '" + clip(n.getDomain()) + "' is not supported (only the default ONNX operators are)");
        }
        OnnxDecompositions.Match m = OnnxDecompositions.find(nodes, index, consumers, scalars);
        if (m != null) {
            decomposed(node, m, nodes);
            return;
        }
        switch (n.getOpType()) {
            case "Identity" -> {
                node.attrs();
                alias(node);
            }
            case "Dropout" -> dropout(node);
            case "Shape" -> shape(node);
            case "Gather" -> gather(node);
            case "Cast" -> cast(node);
            case "Unsqueeze" -> unsqueeze(node);
            case "Conv" -> conv(node);
            case "BatchNormalization" -> batchNorm(node);
            case "HardSigmoid" -> hardSigmoidRefusal(node);
            case "Clip" -> clip(node);
            case "PRelu" -> prelu(node);
            case "MaxPool", "AveragePool" -> pool(node);
            case "GlobalAveragePool" -> {
                node.attrs();
                Act x = node.act4(0);
                emit(node, "global_avg_pool2d", List.of(x), JSON.createObjectNode(),
                        new long[] {1, x.shape()[1], 1, 1}, null);
            }
            case "Flatten" -> flatten(node);
            case "Reshape", "Transpose" -> {
                if (consts.containsKey(node.input(0))) {
                    shapes.foldShapeOp(node);
                } else if (n.getOpType().equals("Reshape")) {
                    shapes.reshape(node);
                } else {
                    shapes.transpose(node);
                }
            }
            case "ConstantOfShape" -> shapes.constantOfShape(node);
            case "Gemm" -> gemm(node);
            case "MatMul" -> matmul(node, index, nodes);
            case "Add", "Sub", "Mul", "Div" -> shapes.binary(node);
            case "ReduceMean", "ReduceSum" -> shapes.reduce(node);
            case "Squeeze" -> shapes.squeeze(node);
            case "Slice" -> shapes.slice(node);
            case "Resize" -> shapes.resize(node);
            case "GlobalMaxPool" -> {
                node.attrs();
                Act x = node.act4(0);
                ObjectNode f = JSON.createObjectNode();
                f.put("output_size", 1);
                emit(node, "adaptive_max_pool2d", List.of(x), f, new long[] {1, x.shape()[1], 1, 1}, null);
            }
            case "Concat" -> concat(node);
            case "Softmax", "LogSoftmax" -> softmax(node);
            case "Pad" -> shapes.pad(node);
            default -> {
                Activation kind = OnnxDecompositions.singleOperator(n.getOpType());
                if (kind != null) {
                    throw activationRefusal(node, kind);
                }
                throw node.refuse("the operator is not supported; Fovea imports Conv, BatchNormalization, PRelu, "
                        + "MaxPool, AveragePool, GlobalAveragePool, "
                        + "GlobalMaxPool, Gemm, MatMul, Add, Sub, Mul, Div, ReduceMean, ReduceSum, Transpose, Reshape, Squeeze, "
                        + "Unsqueeze, Pad, Resize, Concat, Flatten, Softmax, LogSoftmax, Dropout, Identity, "
                        + "Constant, ConstantOfShape, Shape, Gather, Cast, Slice when they compute constants, Clip as relu "
                        + "(min 0), -MaxPool(-x) as min pooling, and the activations as " + activationForms());
            }
        }
    }

    private void scalar(String name, Const c) {
        if (c.floats() != null && c.floats().length == 1) {
            scalars.put(name, c.floats()[0]);
        }
    }

    /** A run of nodes computing one layer (an activation's ONNX form, min pooling), imported at its first node. */
    private void decomposed(Node first, OnnxDecompositions.Match m, List<NodeProto> nodes) {
        for (int k = 1; k < m.nodes().length; k++) {
            skipped.add(nodes.get(m.nodes()[k]).getName() + "#" + m.nodes()[k]);
        }
        Node last = new Node(nodes.get(m.last()), m.last());
        Activation kind = m.activation();
        if (kind == null) {
            // MaxPool(-x) = -MinPool(x): the pooling reads x where the graph reads -x, and its result is the run's.
            acts.put(first.output(), first.act4(0));
            int at = m.nodes()[1];
            pool(new Node(nodes.get(at), at));
            layers.get(layers.size() - 1).put("type", "min_pool2d");
            acts.put(last.output(), acts.get(nodes.get(at).getOutput(0)));
            return;
        }
        Act x = first.act(0);
        ObjectNode f = JSON.createObjectNode();
        if (kind.parameter() != null) {
            f.put(kind.parameter(), m.parameter() == null ? kind.defaultParameter() : m.parameter());
        }
        if (!kind.approximate().equals("none")) {
            f.put("approximate", kind.approximate());
        }
        emit(last, kind.opName(), List.of(x), f, x.shape(), null);
    }

    /** Every activation's ONNX forms, for the refusal of an unknown operator. */
    private static String activationForms() {
        StringBuilder b = new StringBuilder();
        for (Activation kind : Activation.values()) {
            for (OnnxForm form : kind.onnxForms()) {
                b.append(b.length() == 0 ? "" : ", ").append(form.text());
            }
        }
        return b.toString();
    }

    /**
     * The reason a node of an activation's one-operator form did not match it: an attribute it does
     * not take or that is not a finite FLOAT, a number other than the form's, or its inputs.
     */
    private OnnxUnsupportedException activationRefusal(Node node, Activation kind) {
        OnnxForm form = kind.onnxForms().stream().filter(f -> f.steps().size() == 1
                && f.firstOp().equals(node.n.getOpType())).findFirst().orElseThrow();
        OnnxForm.Step step = form.steps().get(0);
        Map<String, AttributeProto> a = node.attrs(step.attributes().keySet().toArray(String[]::new));
        for (Map.Entry<String, String> e : step.attributes().entrySet()) {
            AttributeProto given = a.get(e.getKey());
            double v = given == null ? Double.NaN : node.floatAttr(given);
            boolean ok = e.getValue().equals(OnnxForm.PARAMETER) || given == null && step.omissible().contains(e.getKey())
                    || Math.abs(v - Double.parseDouble(e.getValue())) <= 1e-6 * Math.abs(Double.parseDouble(e.getValue()));
            if (!ok) {
                return node.refuse(e.getKey(), "must be " + e.getValue() + " (" + kind.opName() + " is " + form.text()
                        + "), got " + (given == null ? "none" : v));
            }
        }
        node.act(0);
        return node.refuse("does not have the inputs of " + kind.opName() + "'s ONNX form " + form.text());
    }

    /** One ONNX node being imported: its inputs and attributes, and the messages that name it. */
    final class Node {
        final NodeProto n;
        final String label;

        Node(NodeProto n, int index) {
            this.n = n;
            this.label = source + ": node " + (n.getName().isEmpty() ? "#" + index : "'" + clip(n.getName()) + "'")
                    + " (" + clip(n.getOpType()) + ", opset " + opset + ")";
        }

        OnnxUnsupportedException refuse(String why) {
            return new OnnxUnsupportedException(label + ": " + why);
        }

        OnnxUnsupportedException refuse(String attribute, String why) {
            return new OnnxUnsupportedException(label + ": attribute '" + attribute + "' " + why);
        }

        /** The attributes by name, refusing any not in {@code known}. */
        Map<String, AttributeProto> attrs(String... known) {
            Map<String, AttributeProto> m = new LinkedHashMap<>();
            Set<String> ok = Set.of(known);
            for (AttributeProto a : n.getAttributeList()) {
                if (!ok.contains(a.getName())) {
                    throw refuse(clip(a.getName()), "is not supported for " + n.getOpType()
                            + (known.length == 0 ? " (it takes none)" : " (supported: " + String.join(", ", known) + ")"));
                }
                if (a.hasRefAttrName()) {
                    throw refuse(clip(a.getName()), "refers to a function attribute, which is not supported");
                }
                m.put(a.getName(), a);
            }
            return m;
        }

        String input(int i) {
            return i < n.getInputCount() ? n.getInput(i) : "";
        }

        boolean hasInput(int i) {
            return !input(i).isEmpty();
        }

        Act act(int i) {
            String name = input(i);
            Act a = acts.get(name);
            if (a == null) {
                throw refuse(consts.containsKey(name) ? "input " + i + " ('" + clip(name) + "') is a constant where "
                        + "Fovea needs a computed value" : "input " + i + " ('" + clip(name) + "') is not computed by an "
                        + "earlier node (the graph must be topologically sorted)");
            }
            return a;
        }

        Act act4(int i) {
            Act a = act(i);
            if (a.shape().length != 4) {
                throw refuse("input " + i + " has " + a.shape().length + " dimensions; the layer needs [N, C, H, W]");
            }
            return a;
        }

        Const constant(int i, String what) {
            Const c = consts.get(input(i));
            if (c == null) {
                throw refuse("input " + i + " (" + what + ", '" + clip(input(i)) + "') must be a constant (an initializer "
                        + "or folded from one)");
            }
            return c;
        }

        Const weights(int i, String what) {
            Const c = constant(i, what);
            if (c.floats() == null) {
                throw refuse("input " + i + " (" + what + ") must be a float tensor");
            }
            return c;
        }

        long intAttr(AttributeProto a) {
            if (a.getType() != AttributeProto.AttributeType.INT) {
                throw refuse(clip(a.getName()), "must be an INT, got " + a.getType());
            }
            return a.getI();
        }

        double floatAttr(AttributeProto a) {
            if (a.getType() != AttributeProto.AttributeType.FLOAT || !Float.isFinite(a.getF())) {
                throw refuse(clip(a.getName()), "must be a finite FLOAT, got " + a.getType());
            }
            return a.getF();
        }

        long[] intsAttr(AttributeProto a, int length) {
            if (a.getType() != AttributeProto.AttributeType.INTS || a.getIntsCount() != length) {
                throw refuse(clip(a.getName()), "must be " + length + " INTS, got " + a.getType() + " of " + a.getIntsCount());
            }
            return a.getIntsList().stream().mapToLong(Long::longValue).toArray();
        }

        String stringAttr(AttributeProto a) {
            if (a.getType() != AttributeProto.AttributeType.STRING) {
                throw refuse(clip(a.getName()), "must be a STRING, got " + a.getType());
            }
            return a.getS().toStringUtf8();
        }

        /** The one output this node may have (further outputs must be unused). */
        String output() {
            if (n.getOutputCount() < 1 || n.getOutput(0).isEmpty()) {
                throw refuse("it has no output");
            }
            for (int i = 1; i < n.getOutputCount(); i++) {
                if (!n.getOutput(i).isEmpty() && consumers.containsKey(n.getOutput(i))) {
                    throw refuse("its output " + i + " ('" + clip(n.getOutput(i)) + "') is used; Fovea computes only "
                            + "the first (inference)");
                }
            }
            return n.getOutput(0);
        }
    }

    // ---- folded constants and aliases -----------------------------------------------------------

    private void constant(Node node) {
        Map<String, AttributeProto> a = node.attrs("value", "value_float", "value_floats", "value_int", "value_ints");
        if (a.size() != 1) {
            throw node.refuse("a Constant needs exactly one of value, value_float(s), value_int(s)");
        }
        AttributeProto v = a.values().iterator().next();
        Const c = switch (v.getName()) {
            case "value" -> {
                if (v.getType() != AttributeProto.AttributeType.TENSOR) {
                    throw node.refuse("value", "must be a TENSOR, got " + v.getType());
                }
                yield tensor(v.getT(), "node '" + clip(node.n.getName()) + "' attribute 'value'");
            }
            case "value_float" -> new Const(new long[0], new float[] {(float) node.floatAttr(v)}, null);
            case "value_floats" -> new Const(new long[] {v.getFloatsCount()}, toFloats(v.getFloatsList()), null);
            case "value_int" -> new Const(new long[0], null, new long[] {node.intAttr(v)});
            default -> new Const(new long[] {v.getIntsCount()}, null, v.getIntsList().stream().mapToLong(Long::longValue).toArray());
        };
        consts.put(node.output(), c);
    }

    private static float[] toFloats(List<Float> l) {
        float[] f = new float[l.size()];
        for (int i = 0; i < f.length; i++) {
            f[i] = l.get(i);
        }
        return f;
    }

    void alias(Node node) {
        String in = node.input(0);
        String out = node.output();
        if (acts.containsKey(in)) {
            acts.put(out, acts.get(in));
        } else if (consts.containsKey(in)) {
            consts.put(out, consts.get(in));
        } else {
            node.act(0);
        }
    }

    private void dropout(Node node) {
        Map<String, AttributeProto> a = node.attrs("ratio", "seed");
        if (opset < 12 && a.containsKey("seed")) {
            throw node.refuse("seed", "is not part of Dropout in opset " + opset);
        }
        if (node.hasInput(2)) {
            Const training = node.constant(2, "training_mode");
            if (training.size() != 1 || (training.ints() != null ? training.ints()[0] : training.floats()[0]) != 0) {
                throw node.refuse("input 2 (training_mode) must be false; Fovea imports models for inference");
            }
        }
        alias(node);
    }

    private void shape(Node node) {
        Map<String, AttributeProto> a = node.attrs("start", "end");
        Act x = node.act(0);
        long[] s = x.shape().clone();
        s[0] = BATCH;
        int r = s.length;
        int start = (int) clampAxis(a.containsKey("start") ? node.intAttr(a.get("start")) : 0, r);
        int end = (int) clampAxis(a.containsKey("end") ? node.intAttr(a.get("end")) : r, r);
        long[] v = Arrays.copyOfRange(s, start, Math.max(start, end));
        consts.put(node.output(), new Const(new long[] {v.length}, null, v));
    }

    static long clampAxis(long axis, int rank) {
        long a = axis < 0 ? axis + rank : axis;
        return Math.max(0, Math.min(rank, a));
    }

    private void gather(Node node) {
        Map<String, AttributeProto> a = node.attrs("axis");
        Const data = node.constant(0, "data");
        Const idx = node.constant(1, "indices");
        if (data.ints() == null || data.dims().length != 1 || idx.ints() == null || idx.dims().length > 1
                || (a.containsKey("axis") && node.intAttr(a.get("axis")) != 0)) {
            throw node.refuse("only a Gather of integers from a 1-D constant along axis 0 (a shape's dimensions) is folded");
        }
        long[] v = new long[idx.ints().length];
        for (int i = 0; i < v.length; i++) {
            long k = idx.ints()[i] < 0 ? idx.ints()[i] + data.ints().length : idx.ints()[i];
            if (k < 0 || k >= data.ints().length) {
                throw node.refuse("index " + idx.ints()[i] + " is outside the " + data.ints().length + " values gathered from");
            }
            v[i] = data.ints()[(int) k];
        }
        consts.put(node.output(), new Const(idx.dims().clone(), null, v));
    }

    private void cast(Node node) {
        Map<String, AttributeProto> a = node.attrs("to", "saturate");
        Const c = node.constant(0, "input");
        long to = a.containsKey("to") ? node.intAttr(a.get("to")) : -1;
        if (c.ints() == null || (to != TensorProto.DataType.INT64_VALUE && to != TensorProto.DataType.INT32_VALUE)) {
            throw node.refuse("to", "only a Cast of integer constants to INT64 or INT32 is folded");
        }
        consts.put(node.output(), c);
    }

    /** Unsqueeze folds a constant (a shape being built) and reshapes a computed value. */
    private void unsqueeze(Node node) {
        long[] axes = shapes.axes(node);
        if (axes == null) {
            throw node.refuse(opset < 13 ? "attribute 'axes' is required in opset " + opset : "input 1 (axes) is required");
        }
        if (!consts.containsKey(node.input(0))) {
            Act x = node.act(0);
            boolean[] inserted = OnnxShapeOperators.inserted(node, axes, x.shape().length + axes.length);
            if (inserted[0]) {
                throw node.refuse("it moves the batch dimension (a new axis 0); Fovea reshapes the dimensions after the batch only");
            }
            long[] dims = new long[inserted.length];
            for (int i = 0, j = 0; i < dims.length; i++) {
                dims[i] = inserted[i] ? 1 : x.shape()[j++];
            }
            shapes.reshapeTo(node, x, dims);
            return;
        }
        Const c = node.constant(0, "data");
        int rank = c.dims().length + axes.length;
        if (rank > 8) {
            throw node.refuse("only small shape constants are folded");
        }
        long[] dims = new long[rank];
        boolean[] inserted = OnnxShapeOperators.inserted(node, axes, rank);
        for (int i = 0, j = 0; i < rank; i++) {
            dims[i] = inserted[i] ? 1 : c.dims()[j++];
        }
        consts.put(node.output(), new Const(dims, c.floats(), c.ints()));
    }

    // ---- layers --------------------------------------------------------------------------------

    private void conv(Node node) {
        Map<String, AttributeProto> a = node.attrs("auto_pad", "dilations", "group", "kernel_shape", "pads", "strides");
        Act x = node.act4(0);
        Const w = node.weights(1, "weight");
        if (w.dims().length != 4) {
            throw node.refuse("input 1 (weight) has " + w.dims().length + " dimensions; Fovea imports 2-D convolutions");
        }
        long out = w.dims()[0];
        long group = a.containsKey("group") ? node.intAttr(a.get("group")) : 1;
        if (group < 1 || x.shape()[1] % group != 0 || out % group != 0 || w.dims()[1] * group != x.shape()[1]) {
            throw node.refuse("group", "= " + group + " does not fit " + x.shape()[1] + " input channels and a weight "
                    + Arrays.toString(w.dims()));
        }
        long[] kernel = {w.dims()[2], w.dims()[3]};
        if (a.containsKey("kernel_shape") && !Arrays.equals(node.intsAttr(a.get("kernel_shape"), 2), kernel)) {
            throw node.refuse("kernel_shape", "does not match the weight's " + Arrays.toString(kernel));
        }
        if (kernel[0] != kernel[1]) {
            throw node.refuse("kernel_shape", Arrays.toString(kernel) + " is not square; Fovea's conv2d layers have square kernels");
        }
        long stride = square(node, a, "strides", 1);
        long dilation = square(node, a, "dilations", 1);
        long pad = pads(node, a, x, kernel, new long[] {stride, stride}, dilation);
        Const b = node.hasInput(2) ? node.weights(2, "bias") : null;
        if (b != null && b.size() != out) {
            throw node.refuse("input 2 (bias) has " + b.size() + " values for " + out + " output channels");
        }
        ObjectNode f = JSON.createObjectNode();
        f.put("out_channels", out);
        f.put("kernel_size", kernel[0]);
        if (stride != 1) {
            f.put("stride", stride);
        }
        if (pad != 0) {
            f.put("padding", pad);
        }
        if (dilation != 1) {
            f.put("dilation", dilation);
        }
        if (group != 1) {
            f.put("groups", group);
        }
        if (b == null) {
            f.put("bias", false);
        }
        long[] s = new long[4];
        s[0] = 1;
        s[1] = out;
        for (int d = 0; d < 2; d++) {
            long span = dilation * (kernel[d] - 1) + 1;
            s[2 + d] = (x.shape()[2 + d] + 2 * pad - span) / stride + 1;
            if (x.shape()[2 + d] + 2 * pad < span) {
                throw node.refuse("its window (" + span + ") is larger than the padded input " + Arrays.toString(x.shape()));
            }
        }
        String name = emit(node, "conv2d", List.of(x), f, s, paramName(node.input(1)));
        weights.put(name + ".weight", StoredTensor.f32(Shape.of(toInts(w.dims())), w.floats()));
        if (b != null) {
            weights.put(name + ".bias", StoredTensor.f32(Shape.of((int) out), b.floats()));
        }
    }

    /** An attribute of two equal integers (strides, dilations), or its default. */
    private long square(Node node, Map<String, AttributeProto> a, String attr, long dflt) {
        if (!a.containsKey(attr)) {
            return dflt;
        }
        long[] v = node.intsAttr(a.get(attr), 2);
        if (v[0] != v[1] || v[0] < 1) {
            throw node.refuse(attr, Arrays.toString(v) + " is not supported; Fovea's conv2d takes one positive value "
                    + "for both axes");
        }
        return v[0];
    }

    /**
     * The symmetric padding of a Conv: pads [top, left, bottom, right] all equal, or auto_pad VALID, or
     * SAME_UPPER/SAME_LOWER when that pads each side equally.
     */
    private long pads(Node node, Map<String, AttributeProto> a, Act x, long[] kernel, long[] stride, long dilation) {
        long[] hw = pairPads(node, a, x, kernel, stride, dilation);
        if (hw[0] != hw[1]) {
            throw node.refuse("pads", "[" + hw[0] + ", " + hw[1] + "] differ between height and width; Fovea's conv2d "
                    + "pads both equally");
        }
        return hw[0];
    }

    /** Padding per axis [h, w], each the same on both sides, from pads or auto_pad. */
    private long[] pairPads(Node node, Map<String, AttributeProto> a, Act x, long[] kernel, long[] stride, long dilation) {
        String auto = a.containsKey("auto_pad") ? node.stringAttr(a.get("auto_pad")) : "NOTSET";
        switch (auto) {
            case "NOTSET" -> {
                if (!a.containsKey("pads")) {
                    return new long[] {0, 0};
                }
                long[] p = node.intsAttr(a.get("pads"), 4);
                if (p[0] != p[2] || p[1] != p[3] || p[0] < 0 || p[1] < 0) {
                    throw node.refuse("pads", Arrays.toString(p) + " are not symmetric; Fovea pads both sides of an "
                            + "axis equally");
                }
                return new long[] {p[0], p[1]};
            }
            case "VALID" -> {
                return new long[] {0, 0};
            }
            case "SAME_UPPER", "SAME_LOWER" -> {
                if (a.containsKey("pads")) {
                    throw node.refuse("pads", "may not be given with auto_pad " + auto);
                }
                long[] p = new long[2];
                for (int d = 0; d < 2; d++) {
                    long in = x.shape()[2 + d];
                    long out = (in + stride[d] - 1) / stride[d];
                    long total = Math.max(0, (out - 1) * stride[d] + dilation * (kernel[d] - 1) + 1 - in);
                    if (total % 2 != 0) {
                        throw node.refuse("auto_pad", auto + " pads axis " + (2 + d) + " by " + total + " in all, "
                                + "unequally on its two sides; Fovea pads both sides equally");
                    }
                    p[d] = total / 2;
                }
                return p;
            }
            default -> throw node.refuse("auto_pad", "'" + clip(auto) + "' is not one of NOTSET, VALID, SAME_UPPER, SAME_LOWER");
        }
    }

    private void batchNorm(Node node) {
        Map<String, AttributeProto> a = node.attrs("epsilon", "momentum", "training_mode");
        Act x = node.act(0);
        if (a.containsKey("training_mode") && node.intAttr(a.get("training_mode")) != 0) {
            throw node.refuse("training_mode", "= 1 is not supported; Fovea imports models for inference");
        }
        long c = x.shape()[1];
        String[] what = {"scale", "bias", "mean", "var"};
        String[] param = {"weight", "bias", "running_mean", "running_var"};
        Const[] p = new Const[4];
        for (int i = 0; i < 4; i++) {
            p[i] = node.weights(i + 1, what[i]);
            if (p[i].size() != c || p[i].dims().length != 1) {
                throw node.refuse("input " + (i + 1) + " (" + what[i] + ") must hold one value per channel (" + c + ")");
            }
        }
        ObjectNode f = JSON.createObjectNode();
        double eps = a.containsKey("epsilon") ? node.floatAttr(a.get("epsilon")) : 1e-5;
        if (!(eps > 0 && eps <= 1)) {
            throw node.refuse("epsilon", "= " + eps + " is outside Fovea's range (0, 1]");
        }
        double momentum = a.containsKey("momentum") ? node.floatAttr(a.get("momentum")) : 0.9;
        if (!(momentum >= 0 && momentum <= 1)) {
            throw node.refuse("momentum", "= " + momentum + " is outside [0, 1]");
        }
        f.put("eps", eps);
        // ONNX's momentum weighs the running value, PyTorch's (and Fovea's) the new batch statistic.
        f.put("momentum", 1 - momentum);
        String name = emit(node, "batch_norm", List.of(x), f, x.shape(), paramName(node.input(1)));
        for (int i = 0; i < 4; i++) {
            weights.put(name + "." + param[i], StoredTensor.f32(Shape.of((int) c), p[i].floats()));
        }
    }

    private void prelu(Node node) {
        node.attrs();
        Act x = node.act(0);
        Const slope = node.weights(1, "slope");
        long c = x.shape()[1];
        boolean perChannel;
        long[] d = slope.dims();
        if (slope.size() == 1) {
            perChannel = false;
        } else if (slope.size() == c && (x.shape().length == 2 && d.length == 1
                || x.shape().length == 4 && (Arrays.equals(d, new long[] {c, 1, 1}) || Arrays.equals(d, new long[] {1, c, 1, 1})))) {
            perChannel = true;
        } else {
            throw node.refuse("input 1 (slope) of shape " + Arrays.toString(d) + " is neither one slope nor one per "
                    + "channel ([C, 1, 1]) of the input " + Arrays.toString(x.shape()));
        }
        ObjectNode f = JSON.createObjectNode();
        f.put("per_channel", perChannel);
        String name = emit(node, "prelu", List.of(x), f, x.shape(), paramName(node.input(1)));
        weights.put(name + ".weight", StoredTensor.f32(Shape.of(perChannel ? (int) c : 1), slope.floats()));
    }

    private void pool(Node node) {
        boolean avg = node.n.getOpType().equals("AveragePool");
        Map<String, AttributeProto> a = avg
                ? node.attrs("auto_pad", "ceil_mode", "count_include_pad", "kernel_shape", "pads", "strides", "dilations")
                : node.attrs("auto_pad", "ceil_mode", "dilations", "kernel_shape", "pads", "storage_order", "strides");
        Act x = node.act4(0);
        if (!a.containsKey("kernel_shape")) {
            throw node.refuse("kernel_shape", "is required");
        }
        long[] k = node.intsAttr(a.get("kernel_shape"), 2);
        long[] s = a.containsKey("strides") ? node.intsAttr(a.get("strides"), 2) : new long[] {1, 1};
        if (a.containsKey("dilations") && Arrays.stream(node.intsAttr(a.get("dilations"), 2)).anyMatch(v -> v != 1)) {
            throw node.refuse("dilations", "other than 1 are not supported for pooling");
        }
        for (int d = 0; d < 2; d++) {
            if (k[d] < 1 || k[d] > Limits.MODEL_WINDOW || s[d] < 1 || s[d] > Limits.MODEL_WINDOW) {
                throw node.refuse("kernel_shape", Arrays.toString(k) + " with strides " + Arrays.toString(s)
                        + " is outside 1.." + Limits.MODEL_WINDOW);
            }
        }
        long[] p = pairPads(node, a, x, k, s, 1);
        long[] shape = {1, x.shape()[1], 0, 0};
        boolean ceil = a.containsKey("ceil_mode") && node.intAttr(a.get("ceil_mode")) != 0;
        for (int d = 0; d < 2; d++) {
            long span = x.shape()[2 + d] + 2 * p[d] - k[d];
            if (span < 0) {
                throw node.refuse("kernel_shape", Arrays.toString(k) + " is larger than the padded input");
            }
            shape[2 + d] = span / s[d] + 1;
            if (ceil && span % s[d] != 0) {
                throw node.refuse("ceil_mode", "= 1 changes the output size here (" + x.shape()[2 + d] + " -> "
                        + (shape[2 + d] + 1) + " instead of " + shape[2 + d] + "); Fovea's pooling rounds down");
            }
        }
        ObjectNode f = JSON.createObjectNode();
        putPair(f, "kernel_size", k[0], k[1]);
        putPair(f, "stride", s[0], s[1]);
        putPair(f, "padding", p[0], p[1]);
        if (avg) {
            f.put("count_include_pad", a.containsKey("count_include_pad") && node.intAttr(a.get("count_include_pad")) != 0);
        }
        emit(node, avg ? "avg_pool2d" : "max_pool2d", List.of(x), f, shape, null);
    }

    private static void putPair(ObjectNode f, String field, long h, long w) {
        if (h == w) {
            f.put(field, h);
        } else {
            f.putArray(field).add(h).add(w);
        }
    }

    private void flatten(Node node) {
        Map<String, AttributeProto> a = node.attrs("axis");
        Act x = node.act(0);
        long axis = a.containsKey("axis") ? node.intAttr(a.get("axis")) : 1;
        if (axis < 0) {
            axis += x.shape().length;
        }
        if (axis != 1) {
            throw node.refuse("axis", "= " + axis + " is not supported; Fovea flattens everything after the batch (axis 1)");
        }
        flattenTo(node, x);
    }

    void flattenTo(Node node, Act x) {
        if (x.shape().length == 2) {
            acts.put(node.output(), x);
            return;
        }
        long features = 1;
        for (int d = 1; d < x.shape().length; d++) {
            features *= x.shape()[d];
        }
        emit(node, "flatten", List.of(x), JSON.createObjectNode(), new long[] {1, features}, null);
    }

    static String shown(long[] t) {
        if (t == null) {
            return "(not integers)";
        }
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < t.length && i < 8; i++) {
            sb.append(i > 0 ? ", " : "").append(t[i] == BATCH ? "batch" : String.valueOf(t[i]));
        }
        return sb.append(t.length > 8 ? ", ...]" : "]").toString();
    }

    private void gemm(Node node) {
        Map<String, AttributeProto> a = node.attrs("alpha", "beta", "transA", "transB");
        Act x = node.act(0);
        if (x.shape().length != 2) {
            throw node.refuse("input 0 has " + x.shape().length + " dimensions; a linear layer takes [N, features]");
        }
        if (a.containsKey("transA") && node.intAttr(a.get("transA")) != 0) {
            throw node.refuse("transA", "= 1 is not supported (the input is [N, features])");
        }
        boolean transB = a.containsKey("transB") && node.intAttr(a.get("transB")) != 0;
        double alpha = a.containsKey("alpha") ? node.floatAttr(a.get("alpha")) : 1;
        double beta = a.containsKey("beta") ? node.floatAttr(a.get("beta")) : 1;
        Const w = node.weights(1, "B");
        Const b = node.hasInput(2) ? node.weights(2, "C") : null;
        linear(node, x, w, transB, (float) alpha, b, (float) beta);
    }

    /** A linear layer y = alpha x W' + beta b, W' = transposed ? W : W^T (Fovea stores [out, in]). */
    private void linear(Node node, Act x, Const w, boolean transposed, float alpha, Const b, float beta) {
        if (w.dims().length != 2) {
            throw node.refuse("the weight has " + w.dims().length + " dimensions, a linear layer's has 2");
        }
        long in = transposed ? w.dims()[1] : w.dims()[0];
        long out = transposed ? w.dims()[0] : w.dims()[1];
        if (in != x.shape()[1]) {
            throw node.refuse("the weight " + Arrays.toString(w.dims()) + " does not take " + x.shape()[1] + " features");
        }
        float[] v = new float[w.floats().length];
        for (int o = 0; o < out; o++) {
            for (int i = 0; i < in; i++) {
                v[(int) (o * in + i)] = alpha * (transposed ? w.floats()[(int) (o * in + i)] : w.floats()[(int) (i * out + o)]);
            }
        }
        float[] bias = null;
        if (b != null) {
            if (b.size() != out && b.size() != 1 || b.dims().length > 2 || b.dims().length == 2 && b.dims()[0] != 1) {
                throw node.refuse("the bias " + Arrays.toString(b.dims()) + " is not one value per output (" + out + ")");
            }
            bias = new float[(int) out];
            for (int o = 0; o < out; o++) {
                bias[o] = beta * b.floats()[b.size() == 1 ? 0 : o];
            }
        }
        ObjectNode f = JSON.createObjectNode();
        f.put("out_features", out);
        if (bias == null) {
            f.put("bias", false);
        }
        String name = emit(node, "linear", List.of(x), f, new long[] {1, out}, paramName(node.input(1)));
        weights.put(name + ".weight", StoredTensor.f32(Shape.of((int) out, (int) in), v));
        if (bias != null) {
            weights.put(name + ".bias", StoredTensor.f32(Shape.of((int) out), bias));
        }
    }

    private void matmul(Node node, int index, List<NodeProto> nodes) {
        node.attrs();
        Act x = node.act(0);
        if (x.shape().length != 2) {
            throw node.refuse("input 0 has " + x.shape().length + " dimensions; a MatMul is imported as a linear layer "
                    + "on [N, features]");
        }
        Const w = node.weights(1, "B");
        String out = node.output();
        // The Add of a bias that follows (PyTorch's x @ W + b) joins the linear layer.
        Const bias = null;
        if (consumers.getOrDefault(out, 0) == 1) {
            for (int j = index + 1; j < nodes.size(); j++) {
                NodeProto n = nodes.get(j);
                if (n.getOpType().equals("Add") && n.getInputCount() == 2 && n.getInput(0).equals(out) ^ n.getInput(1).equals(out)) {
                    String other = n.getInput(0).equals(out) ? n.getInput(1) : n.getInput(0);
                    Const c = consts.get(other);
                    if (c != null && c.floats() != null && n.getAttributeCount() == 0 && n.getOutputCount() == 1
                            && (n.getDomain().isEmpty() || n.getDomain().equals("ai.onnx"))) {
                        bias = c;
                        skipped.add(n.getName() + "#" + j);
                        Node add = new Node(n, j);
                        linear(node, x, w, false, 1, bias, 1);
                        acts.put(add.output(), acts.get(out));
                        return;
                    }
                }
            }
        }
        linear(node, x, w, false, 1, null, 1);
    }

    // ---- activations that PyTorch exports as patterns or with fixed attributes ---------------------

    /**
     * A HardSigmoid that is not PyTorch's (alpha 1/6, beta 1/2: ONNX's defaults, 0.2 and 0.5, are
     * another function); PyTorch's is matched as an activation form before it reaches here.
     */
    private void hardSigmoidRefusal(Node node) {
        Map<String, AttributeProto> a = node.attrs("alpha", "beta");
        double alpha = a.containsKey("alpha") ? node.floatAttr(a.get("alpha")) : 0.2;
        double beta = a.containsKey("beta") ? node.floatAttr(a.get("beta")) : 0.5;
        if ((float) alpha != 1f / 6) {
            throw node.refuse("alpha", "must be 1/6 (PyTorch's hardsigmoid), got " + alpha);
        }
        if ((float) beta != 0.5f) {
            throw node.refuse("beta", "must be 0.5 (PyTorch's hardsigmoid), got " + beta);
        }
        throw activationRefusal(node, Activation.HARDSIGMOID);
    }

    /** Clip (min and max are constant inputs from opset 11): relu6 for [0, 6], relu for a min of 0 alone. */
    private void clip(Node node) {
        node.attrs();
        Act x = node.act(0);
        Float min = node.hasInput(1) ? scalar(node, 1, "min") : null;
        Float max = node.hasInput(2) ? scalar(node, 2, "max") : null;
        String type = min == null || min != 0f ? null : max == null ? "relu" : max == 6f ? "relu6" : null;
        if (type == null) {
            throw node.refuse("min " + min + " and max " + max + " are not supported; Fovea imports Clip with min 0 and "
                    + "max 6 (relu6) or min 0 and no max (relu)");
        }
        emit(node, type, List.of(x), JSON.createObjectNode(), x.shape(), null);
    }

    /** A one-value float constant input. */
    private Float scalar(Node node, int i, String what) {
        Const c = node.constant(i, what);
        if (c.floats() == null || c.floats().length != 1) {
            throw node.refuse("input " + i + " (" + what + ") must be one float");
        }
        return c.floats()[0];
    }

    private void concat(Node node) {
        Map<String, AttributeProto> a = node.attrs("axis");
        if (!a.containsKey("axis")) {
            throw node.refuse("axis", "is required");
        }
        long axis = node.intAttr(a.get("axis"));
        boolean allConst = node.n.getInputList().stream().allMatch(consts::containsKey);
        if (allConst) {
            List<Long> v = new ArrayList<>();
            for (int i = 0; i < node.n.getInputCount(); i++) {
                Const c = node.constant(i, "part");
                if (c.ints() == null || c.dims().length != 1 || (axis != 0 && axis != -1) || v.size() + c.ints().length > 64) {
                    throw node.refuse("only 1-D integer constants (shapes) are concatenated at import");
                }
                for (long x : c.ints()) {
                    v.add(x);
                }
            }
            consts.put(node.output(), new Const(new long[] {v.size()}, null, v.stream().mapToLong(Long::longValue).toArray()));
            return;
        }
        List<Act> parts = new ArrayList<>();
        for (int i = 0; i < node.n.getInputCount(); i++) {
            parts.add(node.act(i));
        }
        int rank = parts.get(0).shape().length;
        if (axis < 0) {
            axis += rank;
        }
        if (axis != 1) {
            throw node.refuse("axis", "= " + axis + " is not supported; Fovea concatenates channels (axis 1)");
        }
        long channels = 0;
        for (Act p : parts) {
            long[] s0 = parts.get(0).shape().clone();
            long[] s = p.shape().clone();
            if (s.length != rank) {
                throw node.refuse("its inputs have different ranks");
            }
            channels += s[1];
            s0[1] = 0;
            s[1] = 0;
            if (!Arrays.equals(s0, s)) {
                throw node.refuse("its inputs' shapes differ outside axis 1: " + Arrays.toString(parts.get(0).shape())
                        + " and " + Arrays.toString(p.shape()));
            }
        }
        long[] out = parts.get(0).shape().clone();
        out[1] = channels;
        ObjectNode f = JSON.createObjectNode();
        f.put("dim", 1);
        emit(node, "concat", parts, f, out, null);
    }

    private void softmax(Node node) {
        Map<String, AttributeProto> a = node.attrs("axis");
        Act x = node.act(0);
        int rank = x.shape().length;
        long axis = a.containsKey("axis") ? node.intAttr(a.get("axis")) : opset < 13 ? 1 : -1;
        if (axis < 0) {
            axis += rank;
        }
        if (rank != 2 || axis != 1) {
            throw node.refuse("axis", "= " + axis + " on a " + rank + "-D input is not supported; Fovea imports "
                    + node.n.getOpType() + " over the features of [N, features]");
        }
        ObjectNode f = JSON.createObjectNode();
        f.put("dim", 1);
        emit(node, node.n.getOpType().equals("Softmax") ? "softmax" : "log_softmax", List.of(x), f, x.shape(), null);
    }

    // ---- emitting layers -----------------------------------------------------------------------

    /**
     * Appends a layer computing the node's output from {@code inputs}; {@code preferred} (from its
     * weight's name) or the node's name names it. Returns the layer's name.
     */
    String emit(Node node, String type, List<Act> inputs, ObjectNode fields, long[] shape, String preferred) {
        for (long d : shape) {
            if (d < 1 || d > Limits.JAVA_ARRAY) {
                throw node.refuse("its output shape " + Arrays.toString(shape) + " is empty or too large");
            }
        }
        String name = unique(preferred != null ? preferred : fromNodeName(node.n, type));
        ObjectNode layer = JSON.createObjectNode();
        layer.put("name", name);
        layer.put("type", type);
        boolean implicit = inputs.size() == 1 && inputs.get(0).layer().equals(last) && !type.equals("add")
                && !type.equals("concat");
        if (!implicit) {
            ArrayNode in = layer.putArray("inputs");
            inputs.forEach(i -> in.add(i.layer()));
        }
        inputs.forEach(i -> used.add(i.layer()));
        layer.setAll(fields);
        layers.add(layer);
        if (layers.size() > Limits.MODEL_LAYERS) {
            throw node.refuse("the model has more than " + Limits.MODEL_LAYERS + " layers, the limit for model files");
        }
        last = name;
        acts.put(node.output(), new Act(name, shape));
        return name;
    }

    /** "conv1" from an initializer named "conv1.weight" (PyTorch's exports keep module names); null otherwise. */
    private static String paramName(String initializer) {
        if (initializer.endsWith(".weight") && initializer.length() > 7 && !initializer.contains("::")) {
            return sanitize(initializer.substring(0, initializer.length() - 7));
        }
        return null;
    }

    /**
     * "layer1.0.conv1" from PyTorch's node name "/layer1/layer1.0/conv1/Conv" (a scope that extends the
     * one before it replaces it), the module's name in PyTorch; the layer type when there is none.
     */
    private static String fromNodeName(NodeProto n, String type) {
        List<String> kept = new ArrayList<>();
        for (String p : n.getName().split("/")) {
            if (p.isEmpty() || p.equals(n.getOpType()) || p.startsWith(n.getOpType() + "_")) {
                continue;
            }
            if (!kept.isEmpty() && p.startsWith(kept.get(kept.size() - 1) + ".")) {
                kept.set(kept.size() - 1, p);
            } else {
                kept.add(p);
            }
        }
        return kept.isEmpty() ? type : sanitize(String.join(".", kept));
    }

    private static String sanitize(String s) {
        String t = s.replaceAll("[^A-Za-z0-9_.\\-]", "_");
        return t.length() > 100 ? t.substring(0, 100) : t;
    }

    private String unique(String base) {
        String name = base;
        for (int i = 2; names.contains(name); i++) {
            name = base + "_" + i;
        }
        names.add(name);
        return name;
    }

    // ---- tensors -------------------------------------------------------------------------------

    /** A tensor's values, after checking its dimensions against its data and the limits. */
    Const tensor(TensorProto t, String what) {
        String where = source + ": " + what;
        if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL || t.getExternalDataCount() > 0) {
            throw new OnnxUnsupportedException(where + ": external data is not supported; save the model with its "
                    + "weights inside the file (onnx.save(model, path, save_as_external_data=False))");
        }
        if (t.hasSegment()) {
            throw new FormatException(source, what, "segmented tensors are not supported");
        }
        long[] dims = t.getDimsList().stream().mapToLong(Long::longValue).toArray();
        if (dims.length > 8) {
            throw new FormatException(source, what, dims.length + " dimensions, more than 8");
        }
        long n = 1;
        for (long d : dims) {
            if (d < 0 || d > Limits.JAVA_ARRAY) {
                throw new FormatException(source, what, "dimension " + d + " in " + Arrays.toString(dims)
                        + " is negative or larger than a tensor can be");
            }
            n *= d;
            if (n > Limits.JAVA_ARRAY) {
                throw new FormatException(source, what, "dimensions " + Arrays.toString(dims) + " hold more than "
                        + Limits.JAVA_ARRAY + " values");
            }
        }
        int count = (int) n;
        int type = t.getDataType();
        ByteBuffer raw = t.hasRawData() ? t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN) : null;
        if (type == TensorProto.DataType.FLOAT_VALUE) {
            float[] v;
            if (raw != null) {
                check(raw.remaining(), count, 4, what);
                v = new float[count];
                raw.asFloatBuffer().get(v);
            } else {
                check(t.getFloatDataCount(), count, 1, what);
                v = toFloats(t.getFloatDataList());
            }
            return new Const(dims, v, null);
        }
        if (type == TensorProto.DataType.INT64_VALUE || type == TensorProto.DataType.INT32_VALUE) {
            int width = type == TensorProto.DataType.INT64_VALUE ? 8 : 4;
            long[] v = new long[0];
            if (count > 1 << 20) {
                throw new OnnxUnsupportedException(where + ": integer tensors of " + count + " values are not supported "
                        + "(Fovea folds only shape constants)");
            }
            if (raw != null) {
                check(raw.remaining(), count, width, what);
                v = new long[count];
                for (int i = 0; i < count; i++) {
                    v[i] = width == 8 ? raw.getLong() : raw.getInt();
                }
            } else if (width == 8) {
                check(t.getInt64DataCount(), count, 1, what);
                v = t.getInt64DataList().stream().mapToLong(Long::longValue).toArray();
            } else {
                check(t.getInt32DataCount(), count, 1, what);
                v = t.getInt32DataList().stream().mapToLong(Integer::longValue).toArray();
            }
            return new Const(dims, null, v);
        }
        String name = TensorProto.DataType.forNumber(type) == null ? "type " + type : TensorProto.DataType.forNumber(type).name();
        throw new OnnxUnsupportedException(where + ": data type " + name + " is not supported (float32 weights, "
                + "int64/int32 shapes)");
    }

    private void check(long have, int count, int width, String what) {
        if (have != (long) count * width) {
            throw new FormatException(source, what, "holds " + have + (width == 1 ? " values" : " bytes") + " where its "
                    + "dimensions need " + (long) count * width);
        }
    }

    private static int[] toInts(long[] dims) {
        int[] d = new int[dims.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = (int) dims[i];
        }
        return d;
    }

    static String clip(String text) {
        String t = text.replaceAll("\\p{Cntrl}", "?");
        return t.length() > 60 ? t.substring(0, 57) + "..." : t;
    }
}
