package dev.fovea.graph;

import dev.fovea.ops.Conv2dParams;
import dev.fovea.ops.Pool2dParams;
import dev.fovea.ops.ReceptiveField;
import dev.fovea.tensor.Shape;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A model's layer table: per node its output shape, parameters, multiply-adds and, while the
 * data is still an image, receptive field and jump (seed-examples §9), plus totals.
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

    /** Multiply-adds of one sample through convolutions and linear layers (what FLOP counts are built on). */
    static long macs(Node n, Graph g) {
        return switch (n.op()) {
            case "conv2d" -> {
                Shape w = g.shapeOf(n.inputs().get("weight"));
                yield (long) n.shape().size() * w.dim(1) * w.dim(2) * w.dim(3);
            }
            case "linear" -> (long) g.shapeOf(n.inputs().get("weight")).size();
            default -> 0;
        };
    }

    private static ReceptiveField receptiveField(Node n, Graph g, ReceptiveField in, ReceptiveField other) {
        if (in == null || n.shape().rank() != 4) {
            return null;
        }
        Object p = n.bind(false, 0).params();
        if (p instanceof Conv2dParams c) {
            Shape w = g.shapeOf(n.inputs().get("weight"));
            // Axes are treated alike; the table shows the height axis.
            return in.then(w.dim(2), c.strideH(), c.dilationH());
        }
        if (p instanceof Pool2dParams pool) {
            return in.then(pool.kernelH(), pool.strideH());
        }
        if (n.op().equals("global_avg_pool2d")) {
            int h = g.shapeOf(n.inputs().get("input")).dim(2);
            return in.then(h, h);
        }
        if (other != null && other.size() > in.size()) {
            return other;
        }
        return in;
    }
}
