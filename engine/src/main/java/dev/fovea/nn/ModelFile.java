package dev.fovea.nn;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fovea.graph.ConvSpec;
import dev.fovea.graph.Graph;
import dev.fovea.graph.GraphBuilder;
import dev.fovea.graph.Value;
import dev.fovea.ops.ConvMode;
import dev.fovea.ops.registry.Names;

import java.io.IOException;
import java.nio.file.Files;
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
 * layer (index and name) and the field.
 */
public final class ModelFile {
    public static final String FORMAT = "fovea-model/1";
    private static final ObjectMapper JSON = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    /** Fields each layer type accepts besides name, type and inputs. */
    private static final Map<String, List<String>> FIELDS = new LinkedHashMap<>();

    static {
        FIELDS.put("conv2d", List.of("out_channels", "kernel_size", "stride", "padding", "dilation", "groups", "bias",
                "mode"));
        FIELDS.put("linear", List.of("out_features", "bias"));
        FIELDS.put("batch_norm", List.of("momentum", "eps"));
        FIELDS.put("prelu", List.of("per_channel"));
        FIELDS.put("relu", List.of());
        FIELDS.put("leaky_relu", List.of("negative_slope"));
        FIELDS.put("sigmoid", List.of());
        FIELDS.put("tanh", List.of());
        FIELDS.put("max_pool2d", List.of("kernel_size", "stride", "padding"));
        FIELDS.put("min_pool2d", List.of("kernel_size", "stride", "padding"));
        FIELDS.put("avg_pool2d", List.of("kernel_size", "stride", "padding", "count_include_pad"));
        FIELDS.put("global_avg_pool2d", List.of());
        FIELDS.put("flatten", List.of());
        FIELDS.put("dropout", List.of("p"));
        FIELDS.put("softmax", List.of("dim"));
        FIELDS.put("log_softmax", List.of("dim"));
        FIELDS.put("add", List.of());
        FIELDS.put("concat", List.of("dim"));
    }

    private ModelFile() {
    }

    public static Graph read(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read model file: " + e.getMessage(), e);
        }
        return parse(text, file.toString());
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
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(source + ": not valid JSON: " + e.getOriginalMessage()
                    + " (line " + e.getLocation().getLineNr() + ")", e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException(source + ": a model file is a JSON object with format, name, input and layers");
        }
        unknownFields(source, "", root, Set.of("format", "name", "input", "layers"));
        if (!FORMAT.equals(root.path("format").asText())) {
            throw new IllegalArgumentException(source + ": field 'format' must be \"" + FORMAT + "\", got "
                    + root.path("format"));
        }
        String name = root.path("name").asText("model");
        JsonNode input = root.path("input");
        if (!input.isArray() || input.isEmpty()) {
            throw new IllegalArgumentException(source + ": field 'input' must be the shape of one sample, e.g. [1, 28, 28]");
        }
        int[] sample = new int[input.size()];
        for (int i = 0; i < sample.length; i++) {
            if (!input.get(i).canConvertToInt() || input.get(i).asInt() < 1) {
                throw new IllegalArgumentException(source + ": field 'input'[" + i + "] must be a positive integer, got "
                        + input.get(i));
            }
            sample[i] = input.get(i).asInt();
        }
        JsonNode layers = root.path("layers");
        if (!layers.isArray() || layers.isEmpty()) {
            throw new IllegalArgumentException(source + ": field 'layers' must be a non-empty list");
        }
        GraphBuilder b = new GraphBuilder(name, sample);
        Map<String, Value> named = new HashMap<>();
        named.put("input", b.input());
        Value last = b.input();
        for (int i = 0; i < layers.size(); i++) {
            JsonNode layer = layers.get(i);
            String where = source + ": layers[" + i + "]" + (layer.has("name") ? " (" + layer.get("name").asText() + ")" : "");
            try {
                last = layer(b, layer, where, named, last);
            } catch (IllegalArgumentException e) {
                throw e.getMessage().startsWith(source) ? e : new IllegalArgumentException(where + ": " + e.getMessage(), e);
            }
            if (layer.has("name")) {
                named.put(layer.get("name").asText(), last);
            }
        }
        return b.build(last);
    }

    private static Value layer(GraphBuilder b, JsonNode layer, String where, Map<String, Value> named, Value last) {
        if (!layer.isObject()) {
            throw new IllegalArgumentException(where + ": a layer is a JSON object with a 'type'");
        }
        String type = layer.path("type").asText("");
        List<String> fields = FIELDS.get(type);
        if (fields == null) {
            String hint = Names.closest(type, FIELDS.keySet()).map(c -> " (did you mean '" + c + "'?)").orElse("");
            throw new IllegalArgumentException(where + ": field 'type': unknown layer type '" + type + "'" + hint
                    + "; valid types: " + String.join(", ", FIELDS.keySet()));
        }
        List<String> allowed = new ArrayList<>(fields);
        allowed.addAll(List.of("name", "type", "inputs"));
        unknownFields(where, type + " ", layer, Set.copyOf(allowed));
        List<Value> in = inputs(layer, where, named, last);
        String name = layer.path("name").asText(null);
        Value x = in.get(0);
        return switch (type) {
            case "conv2d" -> b.conv2d(require(name, where), x, conv(layer, where));
            case "linear" -> b.linear(require(name, where), x, positive(layer, "out_features", where),
                    layer.path("bias").asBoolean(true));
            case "batch_norm" -> b.batchNorm(require(name, where), x, layer.path("momentum").asDouble(0.1),
                    layer.path("eps").asDouble(1e-5));
            case "prelu" -> b.prelu(require(name, where), x, layer.path("per_channel").asBoolean(true));
            case "add" -> b.op(name, "add", Map.of(), Map.of("input", two(in, where).get(0), "other", in.get(1)));
            case "concat" -> b.concat(layer.path("dim").asInt(1), in.toArray(Value[]::new));
            default -> b.op(name, type, attrs(layer, fields), Map.of("input", x));
        };
    }

    private static ConvSpec conv(JsonNode l, String where) {
        ConvSpec c = ConvSpec.of(positive(l, "out_channels", where), positive(l, "kernel_size", where))
                .stride(l.path("stride").asInt(1)).padding(l.path("padding").asInt(0))
                .dilation(l.path("dilation").asInt(1)).groups(l.path("groups").asInt(1));
        if (l.has("mode")) {
            c = c.mode(ConvMode.parse(l.get("mode").asText()));
        }
        return l.path("bias").asBoolean(true) ? c : c.noBias();
    }

    /** Attributes passed to the op as written (the op validates their types and values). */
    private static Map<String, Object> attrs(JsonNode layer, List<String> fields) {
        Map<String, Object> a = new LinkedHashMap<>();
        for (String f : fields) {
            JsonNode v = layer.get(f);
            if (v != null) {
                a.put(f, JSON.convertValue(v, Object.class));
            }
        }
        return a;
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
            Value v = named.get(n.asText());
            if (v == null) {
                String hint = Names.closest(n.asText(), named.keySet()).map(c -> " (did you mean '" + c + "'?)").orElse("");
                throw new IllegalArgumentException(where + ": field 'inputs': no earlier layer is named '" + n.asText()
                        + "'" + hint);
            }
            out.add(v);
        }
        return out;
    }

    private static List<Value> two(List<Value> in, String where) {
        if (in.size() != 2) {
            throw new IllegalArgumentException(where + ": field 'inputs': add takes exactly two inputs, got " + in.size());
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

    private static int positive(JsonNode l, String field, String where) {
        JsonNode v = l.get(field);
        if (v == null || !v.canConvertToInt() || v.asInt() < 1) {
            throw new IllegalArgumentException(where + ": field '" + field + "' must be a positive integer, got "
                    + (v == null ? "nothing" : v.toString()));
        }
        return v.asInt();
    }

    private static void unknownFields(String where, String what, JsonNode obj, Set<String> allowed) {
        for (Iterator<String> it = obj.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!allowed.contains(f)) {
                String hint = Names.closest(f, allowed).map(c -> " (did you mean '" + c + "'?)").orElse("");
                throw new IllegalArgumentException(where + ": unknown " + what + "field '" + f + "'" + hint
                        + "; valid fields: " + String.join(", ", allowed.stream().sorted().toList()));
            }
        }
    }
}
