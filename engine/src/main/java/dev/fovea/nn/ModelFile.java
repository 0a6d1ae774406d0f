package dev.fovea.nn;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fovea.graph.ConvSpec;
import dev.fovea.graph.Graph;
import dev.fovea.graph.GraphBuilder;
import dev.fovea.graph.Value;
import dev.fovea.io.FileBytes;
import dev.fovea.io.Json;
import dev.fovea.io.Limits;
import dev.fovea.ops.Attribute;
import dev.fovea.ops.Names;
import dev.fovea.primitives.ConvMode;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Model files: a network that is not in the zoo, as JSON (format "fovea-model/1", see the README).
 * Layers run in order, each reading the previous layer's output unless it lists "inputs" by layer
 * name, which is how residual adds and concatenations are written. Every error names the file, the
 * layer (index and name) and the field. The layer types and their fields are the ops' declared
 * attributes ({@link LayerTypes}).
 *
 * <p>Nothing is coerced: each field has one JSON type ("stride": "2" and "stride": 2.5 are errors,
 * not 2), every number is range-checked against its declared range (within {@link Limits}), and the model's parameters and
 * activations must fit Java arrays, so a hostile file is refused here rather than when something
 * is allocated.
 */
public final class ModelFile {
    public static final String FORMAT = "fovea-model/1";
    private static final ObjectMapper JSON = Json.strict().build();
    private static final int CHANNELS = Limits.MODEL_CHANNELS;

    private ModelFile() {
    }

    /** The fields a layer type takes besides name, type and inputs, or null for a type model files lack. */
    static Set<String> fieldNames(String type) {
        Map<String, Attribute> f = LayerTypes.fields(type);
        return f == null ? null : f.keySet();
    }

    /** Reads and parses a model file; an unreadable file is an IllegalArgumentException naming it. */
    /**
     * The reference of the named layer types, all of them when none is named: each type on a line and
     * one indented line per field with its kind, range, default and meaning, generated from the op
     * declarations. An unknown type is an IllegalArgumentException naming a near miss.
     */
    public static List<String> describeLayerTypes(List<String> types) {
        return LayerTypes.describe(types);
    }

    public static Graph read(Path file) {
        try {
            return parse(readText(file), file.toString());
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read model file: " + e.getMessage(), e);
        }
    }

    /** The text of a model file: a regular file of at most {@link Limits#MODEL_FILE_BYTES}, UTF-8. */
    public static String readText(Path file) throws IOException {
        return FileBytes.readText(file, Limits.MODEL_FILE_BYTES, "the limit for model files");
    }

    /** The "name" field of model-file JSON ("model" when it has none or cannot be read). */
    public static String name(String json) {
        try {
            JsonNode root = JSON.readTree(json);
            return root != null && root.path("name").isTextual() ? root.get("name").asText() : "model";
        } catch (JsonProcessingException e) {
            return "model";
        }
    }

    /** Parses model JSON; {@code source} names it in errors. */
    public static Graph parse(String json, String source) {
        if (json.length() > Limits.MODEL_FILE_BYTES) {
            throw new IllegalArgumentException(source + ": " + json.length() + " characters, more than the limit for "
                    + "model files (" + Limits.MODEL_FILE_BYTES + " bytes)");
        }
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(source + ": not valid JSON: " + Json.problem(e), e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException(source + ": a model file is a JSON object with format, name, input and layers");
        }
        unknownFields(source, "", root, Set.of("format", "name", "input", "layers"));
        if (!root.path("format").isTextual() || !FORMAT.equals(root.get("format").textValue())) {
            throw new IllegalArgumentException(source + ": field 'format' must be \"" + FORMAT + "\", got "
                    + shown(root.get("format")));
        }
        JsonNode nameNode = root.get("name");
        if (nameNode != null && !nameNode.isTextual()) {
            throw new IllegalArgumentException(source + ": field 'name' must be a string, got " + shown(nameNode));
        }
        String name = nameNode == null ? "model" : nameNode.textValue();
        int[] sample = input(root.get("input"), source);
        JsonNode layers = root.path("layers");
        if (!layers.isArray() || layers.isEmpty()) {
            throw new IllegalArgumentException(source + ": field 'layers' must be a non-empty list");
        }
        if (layers.size() > Limits.MODEL_LAYERS) {
            throw new IllegalArgumentException(source + ": field 'layers' holds " + layers.size() + " layers, more than "
                    + "the limit for model files (" + Limits.MODEL_LAYERS + ")");
        }
        GraphBuilder b = new GraphBuilder(name, sample);
        Map<String, Value> named = new HashMap<>();
        named.put("input", b.input());
        Value last = b.input();
        for (int i = 0; i < layers.size(); i++) {
            JsonNode layer = layers.get(i);
            JsonNode layerName = layer.get("name");
            String where = source + ": layers[" + i + "]" + (layerName != null && layerName.isTextual()
                    ? " (" + clip(layerName.textValue()) + ")" : "");
            try {
                last = layer(b, layer, where, named, last);
            } catch (IllegalArgumentException e) {
                throw e.getMessage().startsWith(source) ? e : new IllegalArgumentException(where + ": " + e.getMessage(), e);
            }
            if (layerName != null) {
                named.put(layerName.textValue(), last);
            }
        }
        Graph g = b.build(last);
        long parameters = 0;
        for (dev.fovea.graph.ParamSpec p : g.params().values()) {
            parameters += p.shape().size();
        }
        if (parameters > Limits.MODEL_PARAMETERS) {
            throw new IllegalArgumentException(String.format(java.util.Locale.ROOT, "%s: the model has %,d parameters, "
                    + "more than the limit of %,d", source, parameters, Limits.MODEL_PARAMETERS));
        }
        return g;
    }

    /** One sample's shape: [channels, height, width]. */
    private static int[] input(JsonNode input, String source) {
        String expected = "field 'input' must be the shape of one image [channels, height, width], e.g. [1, 28, 28]";
        if (input == null || !input.isArray() || input.size() != 3) {
            throw new IllegalArgumentException(source + ": " + expected + ", got " + shown(input));
        }
        long[] max = {CHANNELS, Limits.IMAGE_SIDE, Limits.IMAGE_SIDE};
        int[] sample = new int[3];
        for (int i = 0; i < 3; i++) {
            JsonNode d = input.get(i);
            if (!d.isIntegralNumber() || !d.canConvertToLong() || d.longValue() < 1 || d.longValue() > max[i]) {
                throw new IllegalArgumentException(source + ": field 'input'[" + i + "] must be an integer in 1.." + max[i]
                        + ", got " + shown(d));
            }
            sample[i] = d.intValue();
        }
        if ((long) sample[0] * sample[1] * sample[2] > Limits.JAVA_ARRAY) {
            throw new IllegalArgumentException(source + ": field 'input' " + java.util.Arrays.toString(sample) + " has more "
                    + "than " + Limits.JAVA_ARRAY + " values, the most a tensor can hold");
        }
        return sample;
    }

    private static Value layer(GraphBuilder b, JsonNode layer, String where, Map<String, Value> named, Value last) {
        if (!layer.isObject()) {
            throw new IllegalArgumentException(where + ": a layer is a JSON object with a 'type'");
        }
        JsonNode typeNode = layer.get("type");
        if (typeNode != null && !typeNode.isTextual()) {
            throw new IllegalArgumentException(where + ": field 'type' must be a string, got " + shown(typeNode));
        }
        String type = typeNode == null ? "" : typeNode.textValue();
        Map<String, Attribute> fields = LayerTypes.fields(type);
        if (fields == null) {
            throw new IllegalArgumentException(where + ": field 'type': " + LayerTypes.unknown(type).getMessage());
        }
        List<String> allowed = new ArrayList<>(fields.keySet());
        allowed.addAll(List.of("name", "type", "inputs"));
        unknownFields(where, type + " ", layer, Set.copyOf(allowed));
        JsonNode nameNode = layer.get("name");
        if (nameNode != null && !nameNode.isTextual()) {
            throw new IllegalArgumentException(where + ": field 'name' must be a string, got " + shown(nameNode));
        }
        Map<String, Object> attrs = new LinkedHashMap<>();
        fields.forEach((field, spec) -> {
            JsonNode v = layer.get(field);
            if (v != null) {
                attrs.put(field, value(v, spec, where, field));
            }
        });
        List<Value> in = inputs(layer, where, named, last);
        String name = nameNode == null ? null : nameNode.textValue();
        Value x = in.get(0);
        Fields f = new Fields(attrs, fields, where);
        return switch (type) {
            case "conv2d" -> b.conv2d(require(name, where), x, conv(f));
            case "linear" -> b.linear(require(name, where), x, f.required("out_features"), (Boolean) f.get("bias"));
            case "batch_norm" -> b.batchNorm(require(name, where), x, (Double) f.get("momentum"), (Double) f.get("eps"));
            case "prelu" -> b.prelu(require(name, where), x, (Boolean) f.get("per_channel"));
            case "add", "sub", "mul", "div" -> b.op(name, type, Map.of(), Map.of("input", two(type, in, where).get(0),
                    "other", in.get(1)));
            case "concat" -> b.concat((Integer) f.get("dim"), in.toArray(Value[]::new));
            default -> b.op(name, type, attrs, Map.of("input", x));
        };
    }

    /** A layer's field values as given, else as declared by default. */
    private record Fields(Map<String, Object> given, Map<String, Attribute> declared, String where) {
        Object get(String field) {
            Object v = given.get(field);
            return v != null ? v : declared.get(field).byDefault();
        }

        int required(String field) {
            Object v = given.get(field);
            if (v == null) {
                throw new IllegalArgumentException(where + ": field '" + field + "' must be a positive integer, got nothing");
            }
            return (Integer) v;
        }
    }

    private static ConvSpec conv(Fields f) {
        ConvSpec c = ConvSpec.of(f.required("out_channels"), f.required("kernel_size"))
                .stride((Integer) f.get("stride")).padding((Integer) f.get("padding"))
                .dilation((Integer) f.get("dilation")).groups((Integer) f.get("groups"))
                .mode(ConvMode.parse((String) f.get("mode")));
        return (Boolean) f.get("bias") ? c : c.noBias();
    }

    /**
     * The field's value as the op takes it (Integer, a List of two Integers, Double, Boolean, String),
     * after checking its JSON type exactly and its range.
     */
    private static Object value(JsonNode v, Attribute spec, String where, String field) {
        String what = spec.expected();
        return switch (spec.kind()) {
            case INTEGER -> integer(v, spec, where, field, what);
            case INTEGER_OR_PAIR -> {
                if (v.isArray() && v.size() == 2) {
                    yield List.of(integer(v.get(0), spec, where, field, what), integer(v.get(1), spec, where, field, what));
                }
                yield integer(v, spec, where, field, what);
            }
            case INTEGER_OR_FOUR -> {
                if (v.isArray() && v.size() == 4) {
                    List<Integer> four = new ArrayList<>();
                    v.forEach(e -> four.add(integer(e, spec, where, field, what)));
                    yield four;
                }
                yield integer(v, spec, where, field, what);
            }
            case INTEGER_OR_LIST -> {
                if (v.isArray() && v.size() <= Attribute.LIST_LENGTH) {
                    List<Integer> list = new ArrayList<>();
                    for (JsonNode e : v) {
                        list.add(integer(e, spec, where, field, what));
                    }
                    yield list;
                }
                yield integer(v, spec, where, field, what);
            }
            case NUMBER -> number(v, spec, where, field, what);
            case NUMBER_OR_PAIR -> {
                if (v.isArray() && v.size() == 2) {
                    yield List.of(number(v.get(0), spec, where, field, what), number(v.get(1), spec, where, field, what));
                }
                yield number(v, spec, where, field, what);
            }
            case BOOLEAN -> {
                if (!v.isBoolean()) {
                    throw fieldError(where, field, "true or false", v);
                }
                yield v.booleanValue();
            }
            // A choice's text is parsed by its enum, whose error lists the valid ones.
            case CHOICE, STRING -> {
                if (!v.isTextual()) {
                    throw fieldError(where, field, "a string", v);
                }
                yield v.textValue();
            }
        };
    }

    private static Double number(JsonNode v, Attribute spec, String where, String field, String what) {
        if (!v.isNumber() || !Double.isFinite(v.doubleValue()) || v.doubleValue() < spec.min()
                || v.doubleValue() > spec.max()) {
            throw fieldError(where, field, what, v);
        }
        return v.doubleValue();
    }

    private static Integer integer(JsonNode v, Attribute spec, String where, String field, String what) {
        if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < spec.min() || v.longValue() > spec.max()) {
            throw fieldError(where, field, what, v);
        }
        return v.intValue();
    }

    private static IllegalArgumentException fieldError(String where, String field, String what, JsonNode v) {
        return new IllegalArgumentException(where + ": field '" + field + "' must be " + what + ", got " + shown(v));
    }

    /** A JSON value as the user wrote it, shortened: a message stays one readable line. */
    private static String shown(JsonNode v) {
        if (v == null || v.isMissingNode()) {
            return "nothing";
        }
        return clip(v.isContainerNode() ? v.getNodeType().toString().toLowerCase(java.util.Locale.ROOT) + " of " + v.size()
                : v.isNumber() ? v.asText() : v.toString());
    }

    private static String clip(String text) {
        return text.length() > 60 ? text.substring(0, 57) + "..." : text;
    }

    private static List<Value> inputs(JsonNode layer, String where, Map<String, Value> named, Value last) {
        JsonNode in = layer.get("inputs");
        if (in == null) {
            return List.of(last);
        }
        if (!in.isArray() || in.isEmpty()) {
            throw new IllegalArgumentException(where + ": field 'inputs' must be a non-empty list of layer names");
        }
        List<Value> out = new ArrayList<>();
        for (JsonNode n : in) {
            if (!n.isTextual()) {
                throw new IllegalArgumentException(where + ": field 'inputs' must list layer names (strings), got " + shown(n));
            }
            Value v = named.get(n.textValue());
            if (v == null) {
                String hint = Names.closest(n.textValue(), named.keySet()).map(c -> " (did you mean '" + c + "'?)").orElse("");
                throw new IllegalArgumentException(where + ": field 'inputs': no earlier layer is named '"
                        + clip(n.textValue()) + "'" + hint);
            }
            out.add(v);
        }
        return out;
    }

    private static List<Value> two(String type, List<Value> in, String where) {
        if (in.size() != 2) {
            throw new IllegalArgumentException(where + ": field 'inputs': " + type + " takes exactly two inputs, got "
                    + in.size());
        }
        return in;
    }

    private static String require(String name, String where) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException(where + ": field 'name' is required for layers with parameters "
                    + "(it names them, e.g. conv1.weight)");
        }
        return name;
    }

    private static void unknownFields(String where, String what, JsonNode obj, Set<String> allowed) {
        for (Iterator<String> it = obj.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!allowed.contains(f)) {
                String hint = Names.closest(f, allowed).map(c -> " (did you mean '" + c + "'?)").orElse("");
                throw new IllegalArgumentException(where + ": unknown " + what + "field '" + clip(f) + "'" + hint
                        + "; valid fields: " + String.join(", ", allowed.stream().sorted().toList()));
            }
        }
    }
}
