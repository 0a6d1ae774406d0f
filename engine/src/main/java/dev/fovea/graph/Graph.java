package dev.fovea.graph;

import dev.fovea.tensor.Shape;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model as a directed acyclic graph: one input, nodes in a topological order (the order they
 * were added, each using only earlier values), named parameters, and one output. Built and
 * shape-checked by {@link GraphBuilder}; run by {@link Executor}.
 */
public final class Graph {
    private final String name;
    private final Value input;
    private final List<Node> nodes;
    private final Map<String, ParamSpec> params;
    private final String output;

    Graph(String name, Value input, List<Node> nodes, Map<String, ParamSpec> params, String output) {
        this.name = name;
        this.input = input;
        this.nodes = List.copyOf(nodes);
        this.params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
        this.output = output;
    }

    public String name() {
        return name;
    }

    /** The input value; its shape has batch 1. */
    public Value input() {
        return input;
    }

    public List<Node> nodes() {
        return nodes;
    }

    /** Parameters and buffers by name, in declaration order (the checkpoint order). */
    public Map<String, ParamSpec> params() {
        return params;
    }

    public String output() {
        return output;
    }

    /** The output shape for a batch of one. */
    public Shape outputShape() {
        return shapeOf(output);
    }

    public Node node(String name) {
        for (Node n : nodes) {
            if (n.name().equals(name)) {
                return n;
            }
        }
        throw new IllegalArgumentException(this.name + ": no node named '" + name + "'");
    }

    /** Shape (batch 1) of the input, a node output or a parameter. */
    public Shape shapeOf(String value) {
        if (value.equals(input.name())) {
            return input.shape();
        }
        ParamSpec p = params.get(value);
        if (p != null) {
            return p.shape();
        }
        return node(value).shape();
    }

    /** Number of trainable scalars (what PyTorch's sum(p.numel() for p in parameters()) counts). */
    public long parameterCount() {
        long n = 0;
        for (ParamSpec p : params.values()) {
            if (p.trainable()) {
                n += p.shape().size();
            }
        }
        return n;
    }

    /** For each value, the index of the last node that reads it (the output lives to the end). */
    public Map<String, Integer> lastUse() {
        Map<String, Integer> last = new HashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            for (String v : nodes.get(i).inputs().values()) {
                last.put(v, i);
            }
        }
        last.put(output, nodes.size());
        return last;
    }

    /** Nodes that read {@code value}. */
    public List<Node> consumers(String value) {
        List<Node> out = new ArrayList<>();
        for (Node n : nodes) {
            if (n.inputs().containsValue(value)) {
                out.add(n);
            }
        }
        return out;
    }

    /** Same structure and parameters with some nodes replaced (used by inference rewrites). */
    Graph rewrite(List<Node> newNodes, Map<String, ParamSpec> newParams, String newOutput) {
        return new Graph(name, input, newNodes, newParams, newOutput);
    }
}
