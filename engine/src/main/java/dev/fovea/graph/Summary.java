package dev.fovea.graph;

import dev.fovea.primitives.ReceptiveField;
import dev.fovea.ops.OpShapes;
import dev.fovea.tensor.Shape;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A model's layer table: per node its output shape, parameters, multiply-adds and, while the
 * data is still an image, receptive field and jump (seed-examples §9), plus totals. Costs and
 * receptive fields are what each op declares ({@link dev.fovea.ops.OpFacts}).
 */
public final class Summary {
    private Summary() {
    }

    /** One row of the table; {@code rf} is null once the data is no longer spatial. */
    public record Row(String name, String op, Shape shape, long params, long macs, ReceptiveField rf) {
    }

    public static List<Row> rows(Graph g) {
        List<Row> rows = new ArrayList<>();
        Map<String, ReceptiveField> rf = new HashMap<>();
        rf.put(g.input().name(), g.input().shape().rank() == 4 ? ReceptiveField.input() : null);
        for (Node n : g.nodes()) {
            long params = 0;
            for (String v : n.inputs().values()) {
                ParamSpec p = g.params().get(v);
                if (p != null && p.trainable()) {
                    params += p.shape().size();
                }
            }
            ReceptiveField in = rf.get(n.inputs().get("input"));
            ReceptiveField other = n.inputs().containsKey("other") ? rf.get(n.inputs().get("other")) : null;
            ReceptiveField out = receptiveField(n, g, in, other);
            rf.put(n.name(), out);
            rows.add(new Row(n.name(), n.op(), n.shape(), params, macs(n, g), out));
        }
        return rows;
    }

    /** Multiply-adds of one sample, as the node's op declares them (what FLOP counts are built on). */
    static long macs(Node n, Graph g) {
        return n.def().macs(n.attrs(), shapes(n, g));
    }

    private static ReceptiveField receptiveField(Node n, Graph g, ReceptiveField in, ReceptiveField other) {
        if (in == null || n.shape().rank() != 4) {
            return null;
        }
        return n.def().receptiveField(n.attrs(), shapes(n, g), in, other);
    }

    private static OpShapes shapes(Node n, Graph g) {
        Map<String, Shape> inputs = new HashMap<>();
        n.inputs().forEach((input, value) -> inputs.put(input, g.shapeOf(value)));
        return new OpShapes(inputs, n.shape());
    }
}
