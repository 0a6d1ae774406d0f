package dev.fovea.onnx;

import dev.fovea.onnx.proto.Onnx.NodeProto;

import java.util.List;
import java.util.Map;

/**
 * Runs of ONNX nodes that compute one Fovea op which opset 17 has no operator for: SiLU, Mish and
 * GELU written as their formulas (as {@link OnnxExport} and PyTorch's exporter write them), and min
 * pooling as -MaxPool(-x). The importer reads such a run as the one layer.
 *
 * <p>A pattern is a list of steps in the order they are computed; a step's operands are the run's
 * input {@code x}, an earlier step's output, or a float scalar constant. The steps need not be
 * adjacent in the graph, but each intermediate value must be read only by the run (so nothing else
 * sees a value the single layer does not compute). Add and Mul match with their operands either way round.
 */
final class OnnxDecompositions {
    /** What a run computes: a Fovea layer type and gelu's approximate, or min pooling. */
    enum Kind {
        SILU("silu", null), MISH("mish", null), GELU("gelu", null), GELU_TANH("gelu", "tanh"), MIN_POOL("min_pool2d", null);

        final String type;
        final String approximate;

        Kind(String type, String approximate) {
            this.type = type;
            this.approximate = approximate;
        }
    }

    /** One node of a pattern: its operator and operands ("x", "#k" for step k's output, or "=value"). */
    private record Step(String op, String... operands) {
    }

    private record Pattern(Kind kind, List<Step> steps) {
    }

    /** A run found in the graph: the indices of its nodes, in step order. */
    record Match(Kind kind, int[] nodes) {
        int last() {
            return nodes[nodes.length - 1];
        }
    }

    private static final List<Pattern> PATTERNS = List.of(
            new Pattern(Kind.SILU, List.of(new Step("Sigmoid", "x"), new Step("Mul", "x", "#0"))),
            new Pattern(Kind.MISH, List.of(new Step("Softplus", "x"), new Step("Tanh", "#0"), new Step("Mul", "x", "#1"))),
            // x * 0.5 * (1 + erf(x / sqrt 2)).
            new Pattern(Kind.GELU, List.of(new Step("Div", "x", "=" + Math.sqrt(2)), new Step("Erf", "#0"),
                    new Step("Add", "#1", "=1"), new Step("Mul", "x", "#2"), new Step("Mul", "#3", "=0.5"))),
            // 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))), x^3 as x*x*x.
            new Pattern(Kind.GELU_TANH, List.of(new Step("Mul", "x", "x"), new Step("Mul", "#0", "x"),
                    new Step("Mul", "#1", "=0.044715"), new Step("Add", "x", "#2"),
                    new Step("Mul", "#3", "=" + Math.sqrt(2 / Math.PI)), new Step("Tanh", "#4"), new Step("Add", "#5", "=1"),
                    new Step("Mul", "x", "#6"), new Step("Mul", "#7", "=0.5"))),
            new Pattern(Kind.MIN_POOL, List.of(new Step("Neg", "x"), new Step("MaxPool", "#0"), new Step("Neg", "#1"))));

    private OnnxDecompositions() {
    }

    /**
     * The run that starts at node {@code start}, or null. {@code consumers} counts the readers of each
     * value; {@code scalars} holds the graph's one-element float constants by name.
     */
    static Match find(List<NodeProto> nodes, int start, Map<String, Integer> consumers, Map<String, Float> scalars) {
        for (Pattern p : PATTERNS) {
            Match m = match(p, nodes, start, consumers, scalars);
            if (m != null) {
                return m;
            }
        }
        return null;
    }

    private static Match match(Pattern p, List<NodeProto> nodes, int start, Map<String, Integer> consumers,
                               Map<String, Float> scalars) {
        NodeProto first = nodes.get(start);
        if (!first.getOpType().equals(p.steps().get(0).op()) || first.getInputCount() < 1) {
            return null;
        }
        String x = first.getInput(0);
        int n = p.steps().size();
        String[] outputs = new String[n];
        int[] at = new int[n];
        int from = start;
        for (int k = 0; k < n; k++) {
            Step s = p.steps().get(k);
            int end = k == 0 ? start + 1 : nodes.size();
            int i = k == 0 ? start : from;
            while (i < end && !fits(nodes.get(i), s, x, outputs, scalars)) {
                i++;
            }
            if (i >= end) {
                return null;
            }
            at[k] = i;
            outputs[k] = nodes.get(i).getOutput(0);
            from = i + 1;
        }
        for (int k = 0; k < n - 1; k++) {
            if (consumers.getOrDefault(outputs[k], 0) != uses(p, "#" + k)) {
                return null;
            }
        }
        return new Match(p.kind(), at);
    }

    /** Whether node {@code n} computes step {@code s} (attributes are checked where the layer is built). */
    private static boolean fits(NodeProto n, Step s, String x, String[] outputs, Map<String, Float> scalars) {
        if (!n.getOpType().equals(s.op()) || !(n.getDomain().isEmpty() || n.getDomain().equals("ai.onnx"))
                || n.getOutputCount() < 1 || n.getInputCount() != s.operands().length
                || !n.getOpType().equals("MaxPool") && n.getAttributeCount() > 0) {
            return false;
        }
        if (s.operands().length == 1) {
            return is(n.getInput(0), s.operands()[0], x, outputs, scalars);
        }
        String a = s.operands()[0];
        String b = s.operands()[1];
        boolean commutative = s.op().equals("Add") || s.op().equals("Mul");
        return is(n.getInput(0), a, x, outputs, scalars) && is(n.getInput(1), b, x, outputs, scalars)
                || commutative && is(n.getInput(0), b, x, outputs, scalars) && is(n.getInput(1), a, x, outputs, scalars);
    }

    private static boolean is(String value, String operand, String x, String[] outputs, Map<String, Float> scalars) {
        if (operand.equals("x")) {
            return value.equals(x);
        }
        if (operand.startsWith("#")) {
            return value.equals(outputs[Integer.parseInt(operand.substring(1))]);
        }
        Float v = scalars.get(value);
        double want = Double.parseDouble(operand.substring(1));
        // The constant as a float: PyTorch and Fovea both write the double value rounded once.
        return v != null && Math.abs(v - want) <= 1e-6 * Math.abs(want);
    }

    private static int uses(Pattern p, String operand) {
        int n = 0;
        for (Step s : p.steps()) {
            for (String o : s.operands()) {
                n += o.equals(operand) ? 1 : 0;
            }
        }
        return n;
    }
}
