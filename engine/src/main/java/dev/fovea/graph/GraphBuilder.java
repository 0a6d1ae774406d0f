package dev.fovea.graph;

import dev.fovea.io.Limits;
import dev.fovea.primitives.Activation;
import dev.fovea.primitives.PadMode;
import dev.fovea.primitives.UpsampleMode;
import dev.fovea.ops.Attrs;
import dev.fovea.ops.OpDef;
import dev.fovea.ops.Ops;
import dev.fovea.tensor.Shape;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds a {@link Graph} layer by layer, functional style: each call takes values and returns the
 * new value, so sequential stacks and DAGs (residual adds, concatenations) read the same way.
 * Every node is shape-checked as it is added, by its op's declared shape rule (the rule the
 * backends apply); an error names the node ("fc1: linear: weight expects 9216 input features, input has 10816 ...").
 */
public final class GraphBuilder {
    private final String name;
    private final Value input;
    private final List<Node> nodes = new ArrayList<>();
    private final Map<String, ParamSpec> params = new LinkedHashMap<>();
    private final Map<String, Shape> values = new HashMap<>();
    private final Map<String, Integer> autoNames = new HashMap<>();

    /** A graph whose input is one sample of shape {@code sampleShape} (e.g. 1, 28, 28); batch is added. */
    public GraphBuilder(String name, int... sampleShape) {
        this.name = name;
        int[] dims = new int[sampleShape.length + 1];
        dims[0] = 1;
        System.arraycopy(sampleShape, 0, dims, 1, sampleShape.length);
        this.input = new Value("input", Shape.of(dims));
        values.put(input.name(), input.shape());
    }

    public Value input() {
        return input;
    }

    // ---- layers with parameters ---------------------------------------------------------------

    public Value conv2d(String name, Value x, ConvSpec c) {
        int cin = x.shape().dim(1);
        if (c.groups() < 1 || cin % c.groups() != 0) {
            throw new IllegalArgumentException(name + ": conv2d: groups " + c.groups()
                    + " does not divide the input channels " + cin + " (input " + x.shape() + ")");
        }
        int fanIn = cin / c.groups() * c.kernel() * c.kernel();
        double bound = 1 / Math.sqrt(fanIn);
        Map<String, Value> in = new LinkedHashMap<>();
        in.put("input", x);
        in.put("weight", param(name + ".weight", Shape.of(c.outChannels(), cin / c.groups(), c.kernel(), c.kernel()),
                true, new ParamSpec.Init.Uniform(bound)));
        if (c.bias()) {
            in.put("bias", param(name + ".bias", Shape.of(c.outChannels()), true, new ParamSpec.Init.Uniform(bound)));
        }
        return op(name, "conv2d", c.attrs(), in);
    }

    public Value conv2d(String name, Value x, int outChannels, int kernel) {
        return conv2d(name, x, ConvSpec.of(outChannels, kernel));
    }

    public Value linear(String name, Value x, int outFeatures, boolean bias) {
        int inFeatures = x.shape().dim(-1);
        double bound = 1 / Math.sqrt(inFeatures);
        Map<String, Value> in = new LinkedHashMap<>();
        in.put("input", x);
        in.put("weight", param(name + ".weight", Shape.of(outFeatures, inFeatures), true,
                new ParamSpec.Init.Uniform(bound)));
        if (bias) {
            in.put("bias", param(name + ".bias", Shape.of(outFeatures), true, new ParamSpec.Init.Uniform(bound)));
        }
        return op(name, "linear", Map.of(), in);
    }

    public Value linear(String name, Value x, int outFeatures) {
        return linear(name, x, outFeatures, true);
    }

    /** Batch norm with PyTorch's defaults (momentum 0.1, eps 1e-5, gamma 1, beta 0). */
    public Value batchNorm(String name, Value x) {
        return batchNorm(name, x, 0.1, 1e-5);
    }

    public Value batchNorm(String name, Value x, double momentum, double eps) {
        Shape c = Shape.of(x.shape().dim(1));
        Map<String, Value> in = new LinkedHashMap<>();
        in.put("input", x);
        in.put("weight", param(name + ".weight", c, true, new ParamSpec.Init.Constant(1f)));
        in.put("bias", param(name + ".bias", c, true, new ParamSpec.Init.Constant(0f)));
        in.put("running_mean", param(name + ".running_mean", c, false, new ParamSpec.Init.Constant(0f)));
        in.put("running_var", param(name + ".running_var", c, false, new ParamSpec.Init.Constant(1f)));
        return op(name, "batch_norm", Map.of("momentum", momentum, "eps", eps), in);
    }

    /** PReLU with one slope per channel or one shared slope, starting at 0.25 as in PyTorch. */
    public Value prelu(String name, Value x, boolean perChannel) {
        Shape w = Shape.of(perChannel ? x.shape().dim(1) : 1);
        return op(name, "prelu", Map.of(), Map.of("input", x,
                "weight", param(name + ".weight", w, true, new ParamSpec.Init.Constant(0.25f))));
    }

    // ---- layers without parameters ------------------------------------------------------------

    public Value relu(Value x) {
        return unary("relu", x, Map.of());
    }

    public Value leakyRelu(Value x, double slope) {
        return unary("leaky_relu", x, Map.of("negative_slope", slope));
    }

    public Value sigmoid(Value x) {
        return unary("sigmoid", x, Map.of());
    }

    public Value tanh(Value x) {
        return unary("tanh", x, Map.of());
    }

    /**
     * Any {@link Activation} with its attribute at PyTorch's default (e.g. {@code activation(x,
     * Activation.HARDSWISH)}, or {@code Activation.GELU_TANH} for gelu with approximate='tanh').
     */
    public Value activation(Value x, Activation kind) {
        return activation(x, kind, kind.defaultParameter());
    }

    /** Any {@link Activation}, with its number attribute (leaky ReLU's slope, ELU's alpha) set to {@code p}. */
    public Value activation(Value x, Activation kind, double p) {
        Map<String, Object> attrs = new LinkedHashMap<>();
        if (kind.parameter() != null) {
            attrs.put(kind.parameter(), p);
        }
        if (!kind.approximate().equals("none")) {
            attrs.put("approximate", kind.approximate());
        }
        return unary(kind.opName(), x, attrs);
    }

    public Value maxPool(Value x, int kernel) {
        return pool("max_pool2d", x, kernel, kernel, 0);
    }

    public Value pool(String op, Value x, int kernel, int stride, int padding) {
        return unary(op, x, Map.of("kernel_size", kernel, "stride", stride, "padding", padding));
    }

    public Value globalAvgPool(Value x) {
        return unary("global_avg_pool2d", x, Map.of());
    }

    /** adaptive_avg_pool2d or adaptive_max_pool2d to an outH x outW plane. */
    public Value adaptivePool(String op, Value x, int outH, int outW) {
        return unary(op, x, Map.of("output_size", List.of(outH, outW)));
    }

    /** Upsampling to an outH x outW plane; align_corners applies to bilinear only. */
    public Value upsample(Value x, UpsampleMode mode, int outH, int outW, boolean alignCorners) {
        return unary("upsample", x, upsampleAttrs(mode, "size", List.of(outH, outW), alignCorners));
    }

    /** Upsampling by a scale factor per axis: each output side is floor(side * scale). */
    public Value upsample(Value x, UpsampleMode mode, double scaleH, double scaleW, boolean alignCorners) {
        return unary("upsample", x, upsampleAttrs(mode, "scale_factor", List.of(scaleH, scaleW), alignCorners));
    }

    private static Map<String, Object> upsampleAttrs(UpsampleMode mode, String sizeKey, Object size, boolean alignCorners) {
        Map<String, Object> attrs = new LinkedHashMap<>();
        attrs.put("mode", mode.text());
        attrs.put(sizeKey, size);
        if (alignCorners) {
            attrs.put("align_corners", true);
        }
        return attrs;
    }

    /** Pads H and W as F.pad(x, [left, right, top, bottom], mode, value); value applies to constant mode only. */
    public Value pad(Value x, PadMode mode, double value, int left, int right, int top, int bottom) {
        Map<String, Object> attrs = new LinkedHashMap<>();
        attrs.put("padding", List.of(left, right, top, bottom));
        attrs.put("mode", mode.text());
        if (mode == PadMode.CONSTANT) {
            attrs.put("value", value);
        }
        return unary("pad", x, attrs);
    }

    public Value flatten(Value x) {
        return unary("flatten", x, Map.of());
    }

    public Value dropout(Value x, double p) {
        return unary("dropout", x, Map.of("p", p));
    }

    public Value softmax(Value x, int dim) {
        return unary("softmax", x, Map.of("dim", dim));
    }

    public Value logSoftmax(Value x, int dim) {
        return unary("log_softmax", x, Map.of("dim", dim));
    }

    public Value add(Value a, Value b) {
        return binary("add", a, b);
    }

    // ---- tensor algebra: broadcasting maps, reductions, permutes ----

    /** a - b with broadcasting (so are mul and div; add as well). */
    public Value sub(Value a, Value b) {
        return binary("sub", a, b);
    }

    public Value mul(Value a, Value b) {
        return binary("mul", a, b);
    }

    public Value div(Value a, Value b) {
        return binary("div", a, b);
    }

    private Value binary(String op, Value a, Value b) {
        return op(autoName(op), op, Map.of(), Map.of("input", a, "other", b));
    }

    /** The sum over {@code dims} (negative count from the end; none given: all dims). */
    public Value sum(Value x, boolean keepdim, int... dims) {
        return unary("sum", x, reduction(keepdim, dims));
    }

    /** The mean over {@code dims} (negative count from the end; none given: all dims). */
    public Value mean(Value x, boolean keepdim, int... dims) {
        return unary("mean", x, reduction(keepdim, dims));
    }

    private static Map<String, Object> reduction(boolean keepdim, int[] dims) {
        return dims.length == 0 ? Map.of("keepdim", keepdim) : Map.of("dim", list(dims), "keepdim", keepdim);
    }

    /** A view with the given sizes; one of them may be -1, inferred. */
    public Value reshape(Value x, int... shape) {
        return unary("reshape", x, Map.of("shape", list(shape)));
    }

    public Value transpose(Value x, int dim0, int dim1) {
        return unary("transpose", x, Map.of("dim0", dim0, "dim1", dim1));
    }

    /** Output dim i is input dim dims[i]. */
    public Value permute(Value x, int... dims) {
        return unary("permute", x, Map.of("dims", list(dims)));
    }

    private static List<Integer> list(int[] values) {
        return java.util.Arrays.stream(values).boxed().toList();
    }

    /** Concatenates two or more values along {@code dim}, as a chain of two-input concat nodes. */
    public Value concat(int dim, Value... parts) {
        if (parts.length < 2) {
            throw new IllegalArgumentException("concat needs at least two values, got " + parts.length);
        }
        Value acc = parts[0];
        for (int i = 1; i < parts.length; i++) {
            acc = op(autoName("concat"), "concat", Map.of("dim", dim), Map.of("input", acc, "other", parts[i]));
        }
        return acc;
    }

    // ---- the general form -----------------------------------------------------------------------

    /**
     * Adds a node running {@code op} on the given inputs (op input name -> value) and shape-checks it.
     * A null or empty {@code name} gets an automatic one (relu_1, relu_2, ...).
     */
    public Value op(String name, String op, Map<String, ?> attrs, Map<String, Value> inputs) {
        String nodeName = name == null || name.isEmpty() ? autoName(op) : name;
        if (values.containsKey(nodeName) || params.containsKey(nodeName)) {
            throw new IllegalArgumentException(this.name + ": the name '" + nodeName + "' is used twice");
        }
        Map<String, String> wiring = new LinkedHashMap<>();
        Map<String, Shape> shapes = new LinkedHashMap<>();
        for (Map.Entry<String, Value> e : inputs.entrySet()) {
            Shape s = values.get(e.getValue().name());
            if (s == null) {
                throw new IllegalArgumentException(nodeName + ": input '" + e.getKey() + "' reads '"
                        + e.getValue().name() + "', which is not a value of graph '" + this.name + "'");
            }
            wiring.put(e.getKey(), e.getValue().name());
            shapes.put(e.getKey(), s);
        }
        Shape out;
        OpDef def;
        Node node;
        try {
            def = Ops.get(op);
            node = new Node(nodeName, def, Attrs.of(op, attrs), wiring, Shape.scalar());
            out = def.outputShape(node.attrs(), shapes);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(nodeName + ": " + e.getMessage(), e);
        }
        if (tooLarge(out)) {
            throw new IllegalArgumentException(nodeName + ": " + op + ": the output " + out + " of one sample has more "
                    + "than " + Limits.JAVA_ARRAY + " elements, the most a tensor can hold");
        }
        nodes.add(new Node(nodeName, def, node.attrs(), wiring, out));
        values.put(nodeName, out);
        return new Value(nodeName, out);
    }

    public Graph build(Value output) {
        if (!values.containsKey(output.name()) || output.name().equals(input.name())) {
            throw new IllegalArgumentException(name + ": output '" + output.name() + "' is not a node of this graph");
        }
        return new Graph(name, input, nodes, params, output.name());
    }

    private Value unary(String op, Value x, Map<String, ?> attrs) {
        return op(autoName(op), op, attrs, Map.of("input", x));
    }

    private Value param(String name, Shape shape, boolean trainable, ParamSpec.Init init) {
        if (params.containsKey(name) || values.containsKey(name)) {
            throw new IllegalArgumentException(this.name + ": parameter '" + name + "' is declared twice");
        }
        if (tooLarge(shape)) {
            throw new IllegalArgumentException("parameter '" + name + "' " + shape + " has more than " + Limits.JAVA_ARRAY
                    + " elements, the most a tensor can hold");
        }
        params.put(name, new ParamSpec(name, shape, trainable, init));
        values.put(name, shape);
        return new Value(name, shape);
    }

    /** Whether a tensor of {@code s} holds more elements than a Java array can ({@link Shape#size} would throw). */
    private static boolean tooLarge(Shape s) {
        long n = 1;
        for (int d : s.toArray()) {
            n *= d;
            if (n > Limits.JAVA_ARRAY) {
                return !java.util.Arrays.stream(s.toArray()).anyMatch(x -> x == 0);
            }
        }
        return false;
    }

    private String autoName(String op) {
        String n;
        do {
            n = op + "_" + autoNames.merge(op, 1, Integer::sum);
        } while (values.containsKey(n));
        return n;
    }
}
