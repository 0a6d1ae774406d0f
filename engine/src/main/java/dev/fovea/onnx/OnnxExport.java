package dev.fovea.onnx;

import com.google.protobuf.ByteString;
import dev.fovea.data.Normalization;
import dev.fovea.graph.Graph;
import dev.fovea.graph.Node;
import dev.fovea.graph.ParamSpec;
import dev.fovea.io.AtomicFile;
import dev.fovea.primitives.Activation;
import dev.fovea.primitives.AdaptivePool2dParams;
import dev.fovea.primitives.BatchNormParams;
import dev.fovea.primitives.Conv2dParams;
import dev.fovea.primitives.OnnxForm;
import dev.fovea.primitives.Pad2dParams;
import dev.fovea.primitives.PadMode;
import dev.fovea.primitives.Pool2dParams;
import dev.fovea.primitives.Upsample2dParams;
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
import dev.fovea.tensor.Shape;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * ONNX export: a graph and its weights as an ONNX model (IR version 8, opset 17) that ONNX Runtime and
 * {@link OnnxImport} run with Fovea's outputs. The input is {@code input} [batch, C, H, W] with a
 * symbolic batch, the output {@code output}; weights are initializers under their PyTorch names.
 *
 * <p>One ONNX node per Fovea op where ONNX has the operator; batch norm is the inference form
 * (running statistics), dropout an Identity. An activation is written in the ONNX form its
 * constant declares ({@link Activation#onnx}: the operator, or for those opset 17 lacks, such as
 * SiLU, the formula PyTorch writes), min pooling as -MaxPool(-x) (exact), and a convolution in {@code convolution} mode as a
 * cross-correlation with its kernel flipped (exact). A recorded normalisation is not folded into the
 * graph (its input is the normalised image, as Fovea's executor takes it) but kept as metadata.
 */
public final class OnnxExport {
    public static final int OPSET = 17;
    public static final long IR_VERSION = 8;
    public static final String INPUT = "input";
    public static final String OUTPUT = "output";
    /** The name of the symbolic batch dimension of the input and the output. */
    public static final String BATCH = "batch";
    /** The metadata key holding a recorded normalisation, in {@link Normalization#format()}'s text. */
    public static final String NORMALIZATION_KEY = "fovea.normalization";
    private static final List<String> EXPORTED = List.of("conv2d", "linear", "batch_norm", "prelu", "max_pool2d",
            "avg_pool2d", "min_pool2d", "global_avg_pool2d", "adaptive_avg_pool2d", "adaptive_max_pool2d", "flatten", "dropout", "softmax",
            "log_softmax", "add", "sub", "mul", "div", "sum", "mean", "reshape", "transpose", "permute", "pad", "upsample",
            "concat", "and the activations");

    private final Graph graph;
    private final Map<String, float[]> weights;
    private final GraphProto.Builder out = GraphProto.newBuilder();
    /** Fovea value name -> ONNX tensor name. */
    private final Map<String, String> names = new HashMap<>();
    private final Set<String> taken = new HashSet<>();
    private final Map<Float, String> scalars = new HashMap<>();

    private OnnxExport(Graph graph, Map<String, float[]> weights) {
        this.graph = graph;
        this.weights = weights;
    }

    /**
     * The ONNX model of {@code graph} with {@code weights} (every parameter and buffer by name, as a
     * checkpoint holds them); {@code normalization} may be null.
     */
    public static ModelProto export(Graph graph, Map<String, float[]> weights, Normalization normalization) {
        ModelProto.Builder m = ModelProto.newBuilder()
                .setIrVersion(IR_VERSION)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setProducerName("fovea")
                .setProducerVersion("0.1.0")
                .setGraph(new OnnxExport(graph, weights).run());
        if (normalization != null) {
            m.addMetadataProps(StringStringEntryProto.newBuilder().setKey(NORMALIZATION_KEY).setValue(normalization.format()));
        }
        return m.build();
    }

    /** Writes a model atomically (a crash leaves the previous file or the new one); returns its size in bytes. */
    public static long write(Path file, ModelProto model) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(model.toByteArray());
        AtomicFile.write(file, ch -> {
            while (bytes.hasRemaining()) {
                ch.write(bytes);
            }
        });
        return bytes.capacity();
    }

    private GraphProto run() {
        taken.add(INPUT);
        taken.add(OUTPUT);
        names.put(graph.input().name(), INPUT);
        for (ParamSpec p : graph.params().values()) {
            float[] w = weights.get(p.name());
            if (w == null || w.length != p.shape().size()) {
                throw new IllegalArgumentException("export: parameter " + p.name() + " " + p.shape() + " is "
                        + (w == null ? "missing from the weights" : "given " + w.length + " values"));
            }
            taken.add(p.name());
        }
        out.setName(graph.name());
        out.addInput(valueInfo(INPUT, graph.input().shape()));
        out.addOutput(valueInfo(OUTPUT, graph.outputShape()));
        for (Node n : graph.nodes()) {
            String name = n.name().equals(graph.output()) ? OUTPUT : fresh(n.name());
            names.put(n.name(), name);
            node(n, name);
        }
        return out.build();
    }

    private void node(Node n, String y) {
        Object params = n.bind(false, 0).params();
        String x = n.inputs().containsKey("input") ? operand(n, "input") : null;
        switch (n.op()) {
            case "conv2d" -> conv(n, (Conv2dParams) params, x, y);
            case "linear" -> {
                NodeProto.Builder b = onnx("Gemm", n.name(), y, x, initializer(n.inputs().get("weight")));
                if (n.inputs().containsKey("bias")) {
                    b.addInput(initializer(n.inputs().get("bias")));
                }
                out.addNode(b.addAttribute(intAttr("transB", 1)));
            }
            case "batch_norm" -> {
                BatchNormParams p = (BatchNormParams) params;
                out.addNode(onnx("BatchNormalization", n.name(), y, x, initializer(n.inputs().get("weight")),
                        initializer(n.inputs().get("bias")), initializer(n.inputs().get("running_mean")),
                        initializer(n.inputs().get("running_var")))
                        .addAttribute(floatAttr("epsilon", (float) p.eps()))
                        // ONNX's momentum weighs the running value, PyTorch's (and Fovea's) the batch statistic.
                        .addAttribute(floatAttr("momentum", (float) (1 - p.momentum()))));
            }
            case "prelu" -> prelu(n, x, y);
            case "max_pool2d", "avg_pool2d", "min_pool2d" -> pool(n, (Pool2dParams) params, x, y);
            case "global_avg_pool2d" -> out.addNode(onnx("GlobalAveragePool", n.name(), y, x));
            case "flatten" -> flatten(n, (int[]) params, x, y);
            case "dropout" -> out.addNode(onnx("Identity", n.name(), y, x));
            case "softmax", "log_softmax" -> out.addNode(onnx(n.op().equals("softmax") ? "Softmax" : "LogSoftmax",
                    n.name(), y, x).addAttribute(intAttr("axis", axis(n, (Integer) params))));
            case "add", "sub", "mul", "div" -> out.addNode(onnx(switch (n.op()) {
                case "add" -> "Add";
                case "sub" -> "Sub";
                case "mul" -> "Mul";
                default -> "Div";
            }, n.name(), y, operand(n, "input"), operand(n, "other")));
            case "adaptive_avg_pool2d", "adaptive_max_pool2d" -> adaptive(n, (AdaptivePool2dParams) params, x, y);
            case "sum", "mean" -> reduce(n, (int[]) params, x, y);
            case "reshape" -> reshape(n, x, y);
            case "transpose", "permute" -> out.addNode(onnx("Transpose", n.name(), y, x)
                    .addAttribute(intsAttr("perm", permutation(n, params))));
            case "pad" -> pad(n, (Pad2dParams) params, x, y);
            case "upsample" -> resize(n, (Upsample2dParams) params, x, y);
            case "concat" -> out.addNode(onnx("Concat", n.name(), y, x, in(n, "other"))
                    .addAttribute(intAttr("axis", axis(n, (Integer) params))));
            default -> {
                Activation kind = activation(n);
                if (kind == null) {
                    throw unsupported(n, "the op has no ONNX form");
                }
                activation(n, kind, x, y);
            }
        }
    }

    private void conv(Node n, Conv2dParams p, String x, String y) {
        String wName = n.inputs().get("weight");
        String w = switch (p.mode()) {
            case CROSS_CORRELATION -> initializer(wName);
            // ONNX's Conv is a cross-correlation: a true convolution is one with the kernel turned by 180 degrees.
            case CONVOLUTION -> initializer(wName, graph.shapeOf(wName), flipped(weights.get(wName), graph.shapeOf(wName)));
        };
        Shape ws = graph.shapeOf(wName);
        NodeProto.Builder b = onnx("Conv", n.name(), y, x, w);
        if (n.inputs().containsKey("bias")) {
            b.addInput(initializer(n.inputs().get("bias")));
        }
        out.addNode(b.addAttribute(intsAttr("kernel_shape", ws.dim(2), ws.dim(3)))
                .addAttribute(intsAttr("strides", p.strideH(), p.strideW()))
                .addAttribute(intsAttr("pads", p.padH(), p.padW(), p.padH(), p.padW()))
                .addAttribute(intsAttr("dilations", p.dilationH(), p.dilationW()))
                .addAttribute(intAttr("group", p.groups())));
    }

    private static float[] flipped(float[] w, Shape s) {
        int kh = s.dim(2);
        int kw = s.dim(3);
        float[] f = new float[w.length];
        for (int plane = 0; plane < w.length / (kh * kw); plane++) {
            int base = plane * kh * kw;
            for (int i = 0; i < kh; i++) {
                for (int j = 0; j < kw; j++) {
                    f[base + i * kw + j] = w[base + (kh - 1 - i) * kw + (kw - 1 - j)];
                }
            }
        }
        return f;
    }

    /** PRelu broadcasts its slope from the right, so one slope per channel is shaped [C, 1, ..., 1]. */
    private void prelu(Node n, String x, String y) {
        String wName = n.inputs().get("weight");
        Shape xs = graph.shapeOf(n.inputs().get("input"));
        int c = graph.shapeOf(wName).dim(0);
        int[] dims = new int[c == 1 ? 1 : xs.rank() - 1];
        Arrays.fill(dims, 1);
        dims[0] = c;
        out.addNode(onnx("PRelu", n.name(), y, x, initializer(wName, Shape.of(dims), weights.get(wName))));
    }

    private void pool(Node n, Pool2dParams p, String x, String y) {
        String op = switch (p.kind()) {
            case MAX, MIN -> "MaxPool";
            case AVG -> "AveragePool";
        };
        // min over a window = -max of the negated values, exactly; MaxPool never picks a padded cell.
        boolean negate = switch (p.kind()) {
            case MAX, AVG -> false;
            case MIN -> true;
        };
        String src = x;
        String dst = y;
        if (negate) {
            src = fresh(n.name() + "/neg_in");
            out.addNode(onnx("Neg", n.name() + "/neg_in", src, x));
            dst = fresh(n.name() + "/max");
        }
        NodeProto.Builder b = onnx(op, n.name(), dst, src)
                .addAttribute(intsAttr("kernel_shape", p.kernelH(), p.kernelW()))
                .addAttribute(intsAttr("strides", p.strideH(), p.strideW()))
                .addAttribute(intsAttr("pads", p.padH(), p.padW(), p.padH(), p.padW()));
        if (op.equals("AveragePool")) {
            b.addAttribute(intAttr("count_include_pad", p.countIncludePad() ? 1 : 0));
        }
        out.addNode(b);
        if (negate) {
            out.addNode(onnx("Neg", n.name() + "/neg_out", y, dst));
        }
    }

    /** Flatten from dimension 1 to the last is ONNX's Flatten(axis=1); another range is a Reshape keeping the batch. */
    private void flatten(Node n, int[] range, String x, String y) {
        Shape s = graph.shapeOf(n.inputs().get("input"));
        int start = range[0] < 0 ? range[0] + s.rank() : range[0];
        int end = range[1] < 0 ? range[1] + s.rank() : range[1];
        if (start == 0 && end > 0) {
            throw unsupported(n, "flattening the batch dimension (start_dim 0) has no form with a symbolic batch");
        }
        if (start == 1 && end == s.rank() - 1) {
            out.addNode(onnx("Flatten", n.name(), y, x).addAttribute(intAttr("axis", 1)));
            return;
        }
        Shape to = n.shape();
        long[] dims = new long[to.rank()];
        for (int d = 1; d < dims.length; d++) {
            dims[d] = to.dim(d);
        }
        // 0 copies the input's dimension (allowzero = 0): the batch, whatever its size.
        out.addNode(onnx("Reshape", n.name(), y, x, int64s(n.name() + "/shape", dims)));
    }

    /**
     * Adaptive pooling to 1x1 is a global pool; to a size dividing the input evenly, its windows are
     * equal, adjacent and unpadded: a plain pool with kernel = stride = input / output.
     */
    private void adaptive(Node n, AdaptivePool2dParams p, String x, String y) {
        boolean max = switch (p.kind()) {
            case MAX -> true;
            case AVG -> false;
            case MIN -> throw unsupported(n, "adaptive min pooling does not exist");
        };
        Shape s = graph.shapeOf(n.inputs().get("input"));
        if (p.outH() == 1 && p.outW() == 1) {
            out.addNode(onnx(max ? "GlobalMaxPool" : "GlobalAveragePool", n.name(), y, x));
            return;
        }
        int h = s.dim(2);
        int w = s.dim(3);
        if (h % p.outH() != 0 || w % p.outW() != 0) {
            throw unsupported(n, "output " + p.outH() + "x" + p.outW() + " does not divide the input " + h + "x" + w
                    + " evenly, so its windows differ in size and ONNX has no pool for them");
        }
        int kh = h / p.outH();
        int kw = w / p.outW();
        out.addNode(onnx(max ? "MaxPool" : "AveragePool", n.name(), y, x)
                .addAttribute(intsAttr("kernel_shape", kh, kw)).addAttribute(intsAttr("strides", kh, kw)));
    }

    /** ReduceSum takes its axes as an input since opset 13; ReduceMean as an attribute until opset 18. */
    private void reduce(Node n, int[] dims, String x, String y) {
        Shape s = graph.shapeOf(n.inputs().get("input"));
        long keep = n.attrs().bool("keepdim") ? 1 : 0;
        long[] axes = dims == null ? null : Arrays.stream(dims).mapToLong(d -> d < 0 ? d + s.rank() : d).toArray();
        NodeProto.Builder b;
        if (n.op().equals("sum")) {
            b = axes == null ? onnx("ReduceSum", n.name(), y, x) : onnx("ReduceSum", n.name(), y, x, int64s(n.name() + "/axes", axes));
        } else {
            b = onnx("ReduceMean", n.name(), y, x);
            if (axes != null) {
                b.addAttribute(intsAttr("axes", axes));
            }
        }
        out.addNode(b.addAttribute(intAttr("keepdims", keep)));
    }

    /** The target shape with 0 (copy the input's) for the batch, so it stays symbolic; a reshape moving the batch is refused. */
    private void reshape(Node n, String x, String y) {
        Shape from = graph.shapeOf(n.inputs().get("input"));
        Shape to = n.shape();
        if (to.rank() == 0 || to.dim(0) != from.dim(0)) {
            throw unsupported(n, "reshaping " + from + " to " + to + " moves the batch dimension, which has no form"
                    + " with a symbolic batch");
        }
        long[] dims = new long[to.rank()];
        for (int d = 1; d < dims.length; d++) {
            dims[d] = to.dim(d);
        }
        out.addNode(onnx("Reshape", n.name(), y, x, int64s(n.name() + "/shape", dims)));
    }

    private long[] permutation(Node n, Object params) {
        Shape s = graph.shapeOf(n.inputs().get("input"));
        long[] perm = new long[s.rank()];
        for (int i = 0; i < perm.length; i++) {
            perm[i] = i;
        }
        if (n.op().equals("transpose")) {
            int a = axis(n, n.attrs().requireInteger("dim0"));
            int b = axis(n, n.attrs().requireInteger("dim1"));
            perm[a] = b;
            perm[b] = a;
        } else {
            int[] dims = (int[]) params;
            for (int i = 0; i < perm.length; i++) {
                perm[i] = axis(n, dims[i]);
            }
        }
        return perm;
    }

    /** Pad's pads are every axis's begins, then every axis's ends: [0, 0, top, left, 0, 0, bottom, right]. */
    private void pad(Node n, Pad2dParams p, String x, String y) {
        String mode = switch (p.mode()) {
            case CONSTANT -> "constant";
            case REFLECT -> "reflect";
            case REPLICATE -> "edge";
        };
        String pads = int64s(n.name() + "/pads", new long[] {0, 0, p.top(), p.left(), 0, 0, p.bottom(), p.right()});
        NodeProto.Builder b = onnx("Pad", n.name(), y, x, pads);
        if (p.mode() == PadMode.CONSTANT) {
            b.addInput(scalar(p.value()));
        }
        out.addNode(b.addAttribute(stringAttr("mode", mode)));
    }

    /**
     * Resize reproducing PyTorch 1.13's F.interpolate: nearest is asymmetric + floor (src =
     * floor(dst / scale)), bilinear is linear with pytorch_half_pixel or align_corners. A scale
     * factor goes in as scales [1, 1, sh, sw] (ONNX Runtime then maps coordinates with the scale, as
     * PyTorch does); a size as sizes built from the input's own N and C, so the batch stays symbolic.
     */
    private void resize(Node n, Upsample2dParams p, String x, String y) {
        NodeProto.Builder b = onnx("Resize", n.name(), y, x, "");
        if (p.outH() == 0) {
            String scales = fresh(n.name() + "/scales");
            out.addInitializer(tensor(scales, Shape.of(4), new float[] {1, 1, (float) p.scaleH(), (float) p.scaleW()}));
            b.addInput(scales);
        } else {
            String shape = unary("Shape", n.name(), x);
            NodeProto.Builder slice = onnx("Slice", n.name() + "/nc", fresh(n.name() + "/nc"), shape,
                    int64s(n.name() + "/start", new long[] {0}), int64s(n.name() + "/end", new long[] {2}));
            out.addNode(slice);
            String sizes = fresh(n.name() + "/sizes");
            out.addNode(onnx("Concat", sizes, sizes, slice.getOutput(0),
                    int64s(n.name() + "/hw", new long[] {p.outH(), p.outW()})).addAttribute(intAttr("axis", 0)));
            b.addInput("").addInput(sizes);
        }
        switch (p.mode()) {
            case NEAREST -> b.addAttribute(stringAttr("mode", "nearest"))
                    .addAttribute(stringAttr("coordinate_transformation_mode", "asymmetric"))
                    .addAttribute(stringAttr("nearest_mode", "floor"));
            case BILINEAR -> b.addAttribute(stringAttr("mode", "linear"))
                    .addAttribute(stringAttr("coordinate_transformation_mode",
                            p.alignCorners() ? "align_corners" : "pytorch_half_pixel"));
        }
        out.addNode(b);
    }

    private int axis(Node n, int dim) {
        int rank = graph.shapeOf(n.inputs().get("input")).rank();
        return dim < 0 ? dim + rank : dim;
    }

    private static Activation activation(Node n) {
        for (Activation kind : Activation.values()) {
            if (kind.opName().equals(n.op()) && kind.approximate().equals(n.attrs().string("approximate", "none"))) {
                return kind;
            }
        }
        return null;
    }

    /**
     * The activation's ONNX form ({@link Activation#onnx}): each step a node, its helper values named
     * after the layer and the operator, the last one the layer's output.
     */
    private void activation(Node n, Activation kind, String x, String y) {
        double p = kind.parameter() == null ? 0 : n.attrs().real(kind.parameter(), kind.defaultParameter());
        List<OnnxForm.Step> steps = kind.onnx(p).steps();
        String[] outputs = new String[steps.size()];
        for (int k = 0; k < steps.size(); k++) {
            OnnxForm.Step s = steps.get(k);
            boolean last = k == steps.size() - 1;
            outputs[k] = last ? y : fresh(n.name() + "/" + s.op());
            NodeProto.Builder b = onnx(s.op(), last ? n.name() : outputs[k], outputs[k]);
            for (String o : s.operands()) {
                b.addInput(o.equals(OnnxForm.INPUT) ? x : o.startsWith("#") ? outputs[Integer.parseInt(o.substring(1))]
                        : scalar(number(o, p)));
            }
            s.attributes().forEach((name, v) -> b.addAttribute(floatAttr(name, number(v, p))));
            out.addNode(b);
        }
    }

    /** A form's number, or the activation's attribute value where it says {@code p}, as ONNX's float. */
    private static float number(String v, double p) {
        return (float) (v.equals(OnnxForm.PARAMETER) ? p : Double.parseDouble(v));
    }

    /** A node computing a helper value of a decomposed op; returns the value's name. */
    private String unary(String op, String owner, String x) {
        String y = fresh(owner + "/" + op);
        out.addNode(onnx(op, y, y, x));
        return y;
    }

    /** A float scalar initializer, one per value. */
    private String scalar(float v) {
        return scalars.computeIfAbsent(v, k -> {
            String name = fresh("const_" + String.format(Locale.ROOT, "%.9g", v));
            out.addInitializer(TensorProto.newBuilder().setName(name)
                    .setDataType(TensorProto.DataType.FLOAT_VALUE).setRawData(floats(new float[] {v})));
            return name;
        });
    }

    // ---- names, tensors, attributes ---------------------------------------------------------------

    /** The ONNX name of the value feeding the node's input {@code port}. */
    private String in(Node n, String port) {
        return names.get(n.inputs().get(port));
    }

    /** The ONNX name of a value or parameter feeding the node's input {@code port}. */
    private String operand(Node n, String port) {
        String v = n.inputs().get(port);
        return graph.params().containsKey(v) ? initializer(v) : names.get(v);
    }

    /** An int64 vector initializer (shapes, axes, pads); returns its name. */
    private String int64s(String base, long[] v) {
        String name = fresh(base);
        out.addInitializer(TensorProto.newBuilder().setName(name).addDims(v.length)
                .setDataType(TensorProto.DataType.INT64_VALUE).setRawData(longs(v)));
        return name;
    }

    private String fresh(String base) {
        String name = base;
        for (int i = 2; !taken.add(name); i++) {
            name = base + "_" + i;
        }
        return name;
    }

    /** A parameter as an initializer under its own name (once; a parameter read twice is shared). */
    private String initializer(String param) {
        if (!names.containsKey(param)) {
            names.put(param, param);
            out.addInitializer(tensor(param, graph.shapeOf(param), weights.get(param)));
        }
        return param;
    }

    /** A parameter in another layout or shape than Fovea's, under its own name (its one layer reads it). */
    private String initializer(String param, Shape shape, float[] values) {
        names.put(param, param);
        out.addInitializer(tensor(param, shape, values));
        return param;
    }

    private static TensorProto tensor(String name, Shape shape, float[] values) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE);
        for (int d : shape.toArray()) {
            t.addDims(d);
        }
        return t.setRawData(floats(values)).build();
    }

    private static ByteString floats(float[] v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(v);
        return ByteString.copyFrom(b.array());
    }

    private static ByteString longs(long[] v) {
        ByteBuffer b = ByteBuffer.allocate(8 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        b.asLongBuffer().put(v);
        return ByteString.copyFrom(b.array());
    }

    private static ValueInfoProto valueInfo(String name, Shape batchOne) {
        TensorShapeProto.Builder s = TensorShapeProto.newBuilder()
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam(BATCH));
        for (int d = 1; d < batchOne.rank(); d++) {
            s.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(batchOne.dim(d)));
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE).setShape(s))).build();
    }

    private static NodeProto.Builder onnx(String op, String name, String output, String... inputs) {
        return NodeProto.newBuilder().setOpType(op).setName(name).addAllInput(List.of(inputs)).addOutput(output);
    }

    private static AttributeProto intAttr(String name, long i) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(i).build();
    }

    private static AttributeProto intsAttr(String name, long... ints) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long v : ints) {
            a.addInts(v);
        }
        return a.build();
    }

    private static AttributeProto stringAttr(String name, String v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.STRING)
                .setS(ByteString.copyFromUtf8(v)).build();
    }

    private static AttributeProto floatAttr(String name, float f) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF(f).build();
    }

    private static IllegalArgumentException unsupported(Node n, String why) {
        return new IllegalArgumentException("export: node '" + n.name() + "' (" + n.op() + "): " + why
                + "; Fovea exports " + String.join(", ", EXPORTED));
    }
}
