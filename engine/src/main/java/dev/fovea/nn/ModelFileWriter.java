package dev.fovea.nn;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fovea.graph.Graph;
import dev.fovea.graph.Node;
import dev.fovea.tensor.Shape;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes a {@link Graph} as model-file JSON, the inverse of {@link ModelFile#parse}: any network built
 * with {@code GraphBuilder} can then be recorded in a checkpoint, trained and reloaded like a model
 * file. Every layer is written with its name and its inputs, so the parsed graph has the same nodes,
 * parameter names, shapes and initialisation. A graph a model file cannot express (an op without a
 * layer type, a non-square convolution stride) is refused naming the node.
 */
public final class ModelFileWriter {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ModelFileWriter() {
    }

    /** The model file of {@code g}, pretty-printed. */
    public static String write(Graph g) {
        Shape in = g.input().shape();
        if (in.rank() != 4) {
            throw new IllegalArgumentException("model '" + g.name() + "': input " + in + " is not one image [1, C, H, W]; "
                    + "model files describe image models");
        }
        ObjectNode root = JSON.createObjectNode();
        root.put("format", ModelFile.FORMAT);
        root.put("name", g.name());
        ArrayNode input = root.putArray("input");
        for (int d = 1; d < 4; d++) {
            input.add(in.dim(d));
        }
        ArrayNode layers = root.putArray("layers");
        for (Node n : g.nodes()) {
            layers.add(layer(g, n));
        }
        if (!g.nodes().get(g.nodes().size() - 1).name().equals(g.output())) {
            throw new IllegalArgumentException("model '" + g.name() + "': its output '" + g.output() + "' is not its last "
                    + "node; a model file ends with its output layer");
        }
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ObjectNode layer(Graph g, Node n) {
        Set<String> fields = ModelFile.fieldNames(n.op());
        if (fields == null) {
            throw new IllegalArgumentException("model '" + g.name() + "': node '" + n.name() + "' runs op '" + n.op()
                    + "', which model files have no layer type for");
        }
        ObjectNode l = JSON.createObjectNode();
        l.put("name", n.name());
        l.put("type", n.op());
        ArrayNode inputs = l.putArray("inputs");
        for (String port : List.of("input", "other")) {
            if (n.inputs().containsKey(port)) {
                inputs.add(n.inputs().get(port));
            }
        }
        Map<String, Object> attrs = n.attrs().asMap();
        switch (n.op()) {
            case "conv2d" -> {
                Shape w = g.params().get(n.inputs().get("weight")).shape();
                l.put("out_channels", w.dim(0));
                l.put("kernel_size", w.dim(2));
                for (String f : List.of("stride", "padding", "dilation")) {
                    if (attrs.containsKey(f)) {
                        l.put(f, square(g, n, f, attrs.get(f)));
                    }
                }
                if (attrs.containsKey("groups")) {
                    l.set("groups", JSON.valueToTree(attrs.get("groups")));
                }
                if (attrs.containsKey("mode")) {
                    l.set("mode", JSON.valueToTree(attrs.get("mode")));
                }
                l.put("bias", n.inputs().containsKey("bias"));
            }
            case "linear" -> {
                l.put("out_features", g.params().get(n.inputs().get("weight")).shape().dim(0));
                l.put("bias", n.inputs().containsKey("bias"));
            }
            case "prelu" -> l.put("per_channel", g.params().get(n.inputs().get("weight")).shape().size() > 1
                    || g.shapeOf(n.inputs().get("input")).dim(1) == 1);
            default -> attrs.forEach((k, v) -> {
                if (!fields.contains(k)) {
                    throw new IllegalArgumentException("model '" + g.name() + "': node '" + n.name() + "' (" + n.op()
                            + ") has attribute '" + k + "', which model files cannot hold");
                }
                l.set(k, JSON.valueToTree(v));
            });
        }
        return l;
    }

    /** A convolution's stride, padding or dilation as the one integer model files take for both axes. */
    private static int square(Graph g, Node n, String field, Object v) {
        if (v instanceof Integer i) {
            return i;
        }
        if (v instanceof List<?> pair && pair.size() == 2 && pair.get(0).equals(pair.get(1))
                && pair.get(0) instanceof Integer i) {
            return i;
        }
        throw new IllegalArgumentException("model '" + g.name() + "': node '" + n.name() + "' (conv2d) has " + field + " "
                + v + "; model files take one value for both axes");
    }
}
