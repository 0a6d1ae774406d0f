package dev.fovea.onnx;

import dev.fovea.onnx.proto.Onnx.AttributeProto;
import dev.fovea.onnx.proto.Onnx.NodeProto;
import dev.fovea.primitives.Activation;
import dev.fovea.primitives.OnnxForm;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Runs of ONNX nodes that compute one Fovea op: every activation's {@link OnnxForm}s (one operator
 * with its attributes, or the formula opset 17 writes it as: SiLU as x·Sigmoid(x)), and min pooling
 * as -MaxPool(-x). The importer reads such a run as the one layer.
 *
 * <p>A pattern is a list of steps in the order they are computed; a step's operands are the run's
 * input {@code x}, an earlier step's output, a float scalar constant, or the activation's number
 * attribute {@code p} (a scalar constant, the same wherever it appears). The steps need not be
 * adjacent in the graph, but each intermediate value must be read only by the run (so nothing else
 * sees a value the single layer does not compute). Add and Mul match with their operands either way
 * round. Longer patterns are tried first, so x·Sigmoid(x) is silu rather than a sigmoid and a Mul.
 */
final class OnnxDecompositions {
    /** What a pattern computes: an activation, or min pooling when {@code activation} is null. */
    private record Pattern(Activation activation, OnnxForm form) {
    }

    /**
     * A run found in the graph: the activation it computes (null for min pooling) and its number
     * attribute as the run gives it (null when the form fixes it at the default), and the indices of
     * its nodes, in step order.
     */
    record Match(Activation activation, Float parameter, int[] nodes) {
        int last() {
            return nodes[nodes.length - 1];
        }
    }

    private static final OnnxForm MIN_POOL = OnnxForm.parse("Neg(x); MaxPool(#0); Neg(#1)");

    private static final List<Pattern> PATTERNS = patterns();

    private OnnxDecompositions() {
    }

    private static List<Pattern> patterns() {
        List<Pattern> all = new ArrayList<>();
        for (Activation kind : Activation.values()) {
            for (OnnxForm f : kind.onnxForms()) {
                all.add(new Pattern(kind, f));
            }
        }
        all.add(new Pattern(null, MIN_POOL));
        all.sort(Comparator.comparingInt((Pattern p) -> p.form().steps().size()).reversed());
        return List.copyOf(all);
    }

    /** The activation whose one-operator form is {@code op}, or null (for the importer's refusals). */
    static Activation singleOperator(String op) {
        for (Pattern p : PATTERNS) {
            if (p.activation() != null && p.form().steps().size() == 1 && p.form().firstOp().equals(op)) {
                return p.activation();
            }
        }
        return null;
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
        List<OnnxForm.Step> steps = p.form().steps();
        NodeProto first = nodes.get(start);
        if (!first.getOpType().equals(steps.get(0).op()) || first.getInputCount() < 1) {
            return null;
        }
        Run run = new Run(first.getInput(0), new String[steps.size()], scalars);
        int[] at = new int[steps.size()];
        int from = start;
        for (int k = 0; k < steps.size(); k++) {
            OnnxForm.Step s = steps.get(k);
            int end = k == 0 ? start + 1 : nodes.size();
            int i = k == 0 ? start : from;
            while (i < end && !run.fits(nodes.get(i), s)) {
                i++;
            }
            if (i >= end) {
                return null;
            }
            at[k] = i;
            run.outputs[k] = nodes.get(i).getOutput(0);
            from = i + 1;
        }
        for (int k = 0; k < steps.size() - 1; k++) {
            if (consumers.getOrDefault(run.outputs[k], 0) != uses(p.form(), "#" + k)) {
                return null;
            }
        }
        return new Match(p.activation(), run.parameter, at);
    }

    /** A run being matched: its input, the outputs of the steps matched so far, and the attribute seen. */
    private static final class Run {
        final String x;
        final String[] outputs;
        final Map<String, Float> scalars;
        Float parameter;

        Run(String x, String[] outputs, Map<String, Float> scalars) {
            this.x = x;
            this.outputs = outputs;
            this.scalars = scalars;
        }

        /** Whether node {@code n} computes step {@code s}; a parameter it reads is kept only if it does. */
        boolean fits(NodeProto n, OnnxForm.Step s) {
            List<String> operands = s.operands();
            if (!n.getOpType().equals(s.op()) || !(n.getDomain().isEmpty() || n.getDomain().equals("ai.onnx"))
                    || n.getOutputCount() < 1 || n.getInputCount() != operands.size()) {
                return false;
            }
            Float before = parameter;
            boolean fits = attributes(n, s) && (operands.size() == 1 ? is(n.getInput(0), operands.get(0))
                    : operands.size() == 2 ? pair(n, operands.get(0), operands.get(1)) : all(n, operands));
            if (!fits) {
                parameter = before;
            }
            return fits;
        }

        private boolean pair(NodeProto n, String a, String b) {
            Float before = parameter;
            if (is(n.getInput(0), a) && is(n.getInput(1), b)) {
                return true;
            }
            parameter = before;
            boolean commutative = n.getOpType().equals("Add") || n.getOpType().equals("Mul");
            return commutative && is(n.getInput(0), b) && is(n.getInput(1), a);
        }

        private boolean all(NodeProto n, List<String> operands) {
            for (int i = 0; i < operands.size(); i++) {
                if (!is(n.getInput(i), operands.get(i))) {
                    return false;
                }
            }
            return true;
        }

        /**
         * The node's attributes are the step's: each a finite FLOAT, a number equal to the step's, and
         * every attribute given that the step does not allow to be left out. MaxPool's are checked where the pooling layer is built.
         */
        private boolean attributes(NodeProto n, OnnxForm.Step s) {
            if (n.getOpType().equals("MaxPool")) {
                return true;
            }
            Set<String> given = new HashSet<>();
            for (AttributeProto a : n.getAttributeList()) {
                String want = s.attributes().get(a.getName());
                if (want == null || a.getType() != AttributeProto.AttributeType.FLOAT || !Float.isFinite(a.getF())
                        || !value(a.getF(), want)) {
                    return false;
                }
                given.add(a.getName());
            }
            for (String name : s.attributes().keySet()) {
                if (!given.contains(name) && !s.omissible().contains(name)) {
                    return false;
                }
            }
            return true;
        }

        private boolean is(String value, String operand) {
            if (operand.equals(OnnxForm.INPUT)) {
                return value.equals(x);
            }
            if (operand.startsWith("#")) {
                return value.equals(outputs[Integer.parseInt(operand.substring(1))]);
            }
            Float v = scalars.get(value);
            return v != null && value(v, operand);
        }

        /** A constant: the parameter (the same value wherever it appears) or the declared number. */
        private boolean value(float v, String operand) {
            if (operand.equals(OnnxForm.PARAMETER)) {
                if (parameter != null && parameter != v) {
                    return false;
                }
                parameter = v;
                return true;
            }
            double want = Double.parseDouble(operand);
            // The constant as a float: PyTorch and Fovea both write the double value rounded once.
            return Math.abs(v - want) <= 1e-6 * Math.abs(want);
        }
    }

    private static int uses(OnnxForm form, String operand) {
        int n = 0;
        for (OnnxForm.Step s : form.steps()) {
            for (String o : s.operands()) {
                n += o.equals(operand) ? 1 : 0;
            }
        }
        return n;
    }
}
