package dev.fovea.graph;

import dev.fovea.ops.Attrs;
import dev.fovea.ops.Op;
import dev.fovea.ops.OpDef;
import dev.fovea.tensor.Shape;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One step of a graph: an op from the catalogue, its attributes, and which value feeds each of its
 * inputs (op input name -> value name). Its output value carries the node's name.
 * Ops whose behaviour depends on training (batch_norm, dropout) are bound per mode by the executor.
 */
public record Node(String name, OpDef def, Attrs attrs, Map<String, String> inputs, Shape shape) {

    public Node {
        inputs = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(inputs));
    }

    public String op() {
        return def.name();
    }

    /** True when the op takes a "training" attribute (batch_norm, dropout). */
    public boolean modal() {
        return def.takes("training");
    }

    /** Binds the op for a mode; {@code seed} only matters for dropout. */
    public Op bind(boolean training, long seed) {
        if (!modal()) {
            return def.bind(attrs);
        }
        Map<String, Object> a = new LinkedHashMap<>(attrs.asMap());
        a.put("training", training);
        if (def.takes("seed")) {
            a.put("seed", seed);
        }
        return def.bind(Attrs.of(def.name(), a));
    }
}
