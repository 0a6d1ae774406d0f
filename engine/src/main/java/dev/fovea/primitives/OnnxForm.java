package dev.fovea.primitives;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How an {@link Activation} is written in ONNX (default domain, opsets 11 to 17): one operator with
 * its attributes where ONNX has one (Elu with alpha), or the formula PyTorch's exporter writes where
 * it has none (SiLU as x·Sigmoid(x)). The ONNX exporter writes this, and the importer matches it, so
 * neither names an activation.
 *
 * <p>Written as text, steps in the order they are computed, separated by {@code ;}:
 * {@code Op(operand, ...; attribute=value, ...)}. An operand is {@code x} (the activation's input),
 * {@code #k} (step k's output), {@code p} (the activation's number attribute, as a float scalar
 * constant) or a number (a float scalar constant). An attribute value is {@code p} (left out, it is the
 * activation's default, which must then be ONNX's default too) or a number, which a node must give
 * unless it is marked {@code ?} as ONNX's default. The last step's output is the activation's.
 *
 * @param text  the formula as declared, for messages
 * @param steps the parsed steps
 */
public record OnnxForm(String text, List<Step> steps) {
    /** The operand or attribute value that stands for the activation's number attribute. */
    public static final String PARAMETER = "p";
    /** The operand that stands for the activation's input. */
    public static final String INPUT = "x";
    /** Marks an attribute's number as ONNX's default, so that a node may leave the attribute out. */
    private static final String ONNX_DEFAULT = "?";

    /**
     * One ONNX node of a form.
     *
     * @param op         the ONNX operator
     * @param operands   its inputs: {@code x}, {@code #k}, {@code p} or a number
     * @param attributes its float attributes: name to {@code p} or a number
     * @param omissible  the attributes a node may leave out: {@code p} ones, and numbers that are ONNX's default
     */
    public record Step(String op, List<String> operands, Map<String, String> attributes, Set<String> omissible) {
        public Step {
            operands = List.copyOf(operands);
            attributes = Collections.unmodifiableMap(new LinkedHashMap<>(attributes));
            omissible = Set.copyOf(omissible);
        }
    }

    public OnnxForm {
        steps = List.copyOf(steps);
    }

    /** Parses a form; a malformed one is a programming error in a declaration, named with its text. */
    public static OnnxForm parse(String text) {
        List<Step> steps = new ArrayList<>();
        int at = 0;
        while (at < text.length()) {
            int open = text.indexOf('(', at);
            int close = text.indexOf(')', open + 1);
            if (open < 0 || close < 0) {
                throw new IllegalArgumentException("ONNX form '" + text + "': expected Op(...) at " + at);
            }
            String op = text.substring(at, open).strip();
            String[] parts = text.substring(open + 1, close).split(";", -1);
            List<String> operands = new ArrayList<>();
            for (String o : parts[0].split(",")) {
                operands.add(operand(text, o.strip(), steps.size()));
            }
            Map<String, String> attributes = new LinkedHashMap<>();
            Set<String> omissible = new HashSet<>();
            if (parts.length > 1) {
                for (String a : parts[1].split(",")) {
                    String[] kv = a.split("=");
                    String name = kv[0].strip();
                    String v = kv[1].strip();
                    if (v.endsWith(ONNX_DEFAULT) || v.equals(PARAMETER)) {
                        omissible.add(name);
                    }
                    attributes.put(name, value(text, v.endsWith(ONNX_DEFAULT) ? v.substring(0, v.length() - 1) : v));
                }
            }
            steps.add(new Step(op, operands, attributes, omissible));
            at = close + 1;
            while (at < text.length() && (text.charAt(at) == ';' || text.charAt(at) == ' ')) {
                at++;
            }
        }
        if (steps.isEmpty()) {
            throw new IllegalArgumentException("ONNX form '" + text + "' has no steps");
        }
        return new OnnxForm(text, steps);
    }

    /** Whether the form carries the activation's number attribute; one that does not fixes it at its default. */
    public boolean usesParameter() {
        for (Step s : steps) {
            if (s.operands().contains(PARAMETER) || s.attributes().containsValue(PARAMETER)) {
                return true;
            }
        }
        return false;
    }

    /** The first step's operator, at which an importer meets the form. */
    public String firstOp() {
        return steps.get(0).op();
    }

    private static String operand(String text, String o, int step) {
        if (o.equals(INPUT)) {
            return o;
        }
        if (o.startsWith("#")) {
            int k = Integer.parseInt(o.substring(1));
            if (k < 0 || k >= step) {
                throw new IllegalArgumentException("ONNX form '" + text + "': step " + step + " reads " + o
                        + ", which is not an earlier step");
            }
            return o;
        }
        return value(text, o);
    }

    private static String value(String text, String v) {
        if (!v.equals(PARAMETER)) {
            try {
                Double.parseDouble(v);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("ONNX form '" + text + "': '" + v + "' is not x, #k, p or a number");
            }
        }
        return v;
    }
}
