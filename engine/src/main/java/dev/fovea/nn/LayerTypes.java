package dev.fovea.nn;

import dev.fovea.io.Limits;
import dev.fovea.ops.Attribute;
import dev.fovea.ops.Attribute.Kind;
import dev.fovea.ops.Names;
import dev.fovea.ops.OpDef;
import dev.fovea.ops.Ops;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The layer types of model files and the fields each takes besides name, type and inputs, derived
 * from the op catalogue: one type per op that is not a loss, whose fields are the op's declared
 * attributes (those the executor sets per pass, such as training, left out). The few layer types
 * that are not one op's attributes as they stand keep their differences here: conv2d, linear and
 * prelu create parameters and take fields that size them; conv2d takes one integer for both axes;
 * concat chains any number of inputs along dim 1 unless told otherwise.
 */
final class LayerTypes {
    private static final Map<String, Map<String, Attribute>> FIELDS = derive();

    private LayerTypes() {
    }

    /** The fields of layer type {@code type}, by name, or null for a type model files lack. */
    static Map<String, Attribute> fields(String type) {
        return FIELDS.get(type);
    }

    /** Every layer type, in catalogue order. */
    static List<String> names() {
        return List.copyOf(FIELDS.keySet());
    }

    /**
     * The layer types named (all of them, in catalogue order, when none is) and, indented below each,
     * one line per field ("  stride (an integer in 1..4096, default 1): the window's step"): what
     * {@code fovea layers} prints, generated from the declarations.
     */
    static List<String> describe(List<String> types) {
        List<String> lines = new ArrayList<>();
        for (String type : types.isEmpty() ? names() : types) {
            Map<String, Attribute> fields = FIELDS.get(type);
            if (fields == null) {
                throw unknown(type);
            }
            lines.add(type);
            fields.values().forEach(a -> lines.add("  " + a.describe()));
        }
        return lines;
    }

    /** A type that is none of the layer types: the error names a near miss and lists the valid ones. */
    static IllegalArgumentException unknown(String type) {
        String hint = Names.closest(type, FIELDS.keySet()).map(c -> " (did you mean '" + c + "'?)").orElse("");
        return new IllegalArgumentException("unknown layer type '" + type + "'" + hint + "; valid types: "
                + String.join(", ", FIELDS.keySet()));
    }

    private static Map<String, Map<String, Attribute>> derive() {
        Map<String, Map<String, Attribute>> all = new LinkedHashMap<>();
        for (OpDef def : Ops.all()) {
            if (def.isLoss()) {
                continue;
            }
            Map<String, Attribute> fields = new LinkedHashMap<>();
            for (Attribute a : def.attributes()) {
                if (!a.runtime()) {
                    fields.put(a.name(), a);
                }
            }
            switch (def.name()) {
                case "conv2d" -> {
                    Map<String, Attribute> conv = new LinkedHashMap<>();
                    conv.put("out_channels", Attribute.of("out_channels", Kind.INTEGER, "output channels")
                            .range(1, Limits.MODEL_CHANNELS).asRequired());
                    conv.put("kernel_size", Attribute.of("kernel_size", Kind.INTEGER, "a square kernel")
                            .range(1, Limits.MODEL_WINDOW).asRequired());
                    // One value for both axes: a layer's ConvSpec is square.
                    fields.replaceAll((name, a) -> a.kind() == Kind.INTEGER_OR_PAIR ? a.as(Kind.INTEGER) : a);
                    conv.putAll(fields);
                    conv.put("bias", bias());
                    fields = conv;
                }
                case "linear" -> {
                    fields.put("out_features", Attribute.of("out_features", Kind.INTEGER, "output features")
                            .range(1, Limits.MODEL_CHANNELS).asRequired());
                    fields.put("bias", bias());
                }
                case "prelu" -> fields.put("per_channel", Attribute.of("per_channel", Kind.BOOLEAN,
                        "one slope per channel, else one shared").byDefault(true));
                // Model files' concat joins channels unless told otherwise.
                case "concat" -> fields.computeIfPresent("dim", (name, a) -> a.byDefault(1));
                default -> {
                }
            }
            all.put(def.name(), Collections.unmodifiableMap(fields));
        }
        return Collections.unmodifiableMap(all);
    }

    private static Attribute bias() {
        return Attribute.of("bias", Kind.BOOLEAN, "a learned bias").byDefault(true);
    }
}
