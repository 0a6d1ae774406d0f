package dev.fovea.graph;

import dev.fovea.tensor.Shape;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The classifier head of a model: the linear layer that produces its output, possibly followed by
 * ops that keep the shape (softmax, log_softmax, dropout). Replacing it with one of another width is
 * what a torchvision user does with {@code model.fc = nn.Linear(in_features, num_classes)}.
 */
public final class ClassifierHead {
    /** Ops that may follow the head without changing the output's shape. */
    private static final Set<String> SHAPE_KEEPING = Set.of("softmax", "log_softmax", "dropout");

    private ClassifierHead() {
    }

    /** The head's linear node; throws when the model's output does not come from a linear layer. */
    public static Node find(Graph g) {
        Node n = g.node(g.output());
        while (SHAPE_KEEPING.contains(n.op())) {
            String in = n.inputs().get("input");
            if (in == null || in.equals(g.input().name()) || g.params().containsKey(in)) {
                break;
            }
            n = g.node(in);
        }
        if (!n.op().equals("linear")) {
            throw new IllegalArgumentException("model '" + g.name() + "' does not end in a linear layer (its output "
                    + "comes from '" + n.name() + "', " + n.op() + "), so it has no classifier head to replace");
        }
        return n;
    }

    /** Names of the head's parameters (weight, and bias when it has one). */
    public static List<String> parameters(Graph g) {
        Node head = find(g);
        List<String> out = new ArrayList<>();
        for (String port : List.of("weight", "bias")) {
            if (head.inputs().containsKey(port)) {
                out.add(head.inputs().get(port));
            }
        }
        return out;
    }

    /** {@code g} with a head of {@code classes} outputs (freshly initialised like any linear layer). */
    public static Graph resize(Graph g, int classes) {
        if (classes < 2) {
            throw new IllegalArgumentException("--num-classes must be at least 2, got " + classes);
        }
        Node head = find(g);
        Map<String, ParamSpec> params = new LinkedHashMap<>(g.params());
        for (String port : List.of("weight", "bias")) {
            String name = head.inputs().get(port);
            if (name != null) {
                ParamSpec p = params.get(name);
                params.put(name, new ParamSpec(name, withFirst(p.shape(), classes), p.trainable(), p.init()));
            }
        }
        // The head and every node after it (all shape-keeping) now end in `classes`.
        List<Node> nodes = new ArrayList<>();
        boolean after = false;
        for (Node n : g.nodes()) {
            if (n == head) {
                after = true;
            }
            nodes.add(after ? new Node(n.name(), n.def(), n.attrs(), n.inputs(), withLast(n.shape(), classes)) : n);
        }
        return g.rewrite(nodes, params, g.output());
    }

    private static Shape withFirst(Shape s, int v) {
        int[] d = s.toArray();
        d[0] = v;
        return Shape.of(d);
    }

    private static Shape withLast(Shape s, int v) {
        int[] d = s.toArray();
        d[d.length - 1] = v;
        return Shape.of(d);
    }
}
