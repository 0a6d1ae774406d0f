package dev.fovea.graph;

import dev.fovea.backend.Backend;
import dev.fovea.ops.Op;
import dev.fovea.primitives.BinaryOp;
import dev.fovea.tensor.Tensor;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Runs a graph on a backend. Forward goes in topological order; in training it keeps what each
 * op's backward rule needs, and {@link #backward} walks the nodes in reverse, summing gradients
 * where a value feeds several nodes (residual connections). In inference every intermediate
 * buffer is released as soon as its last reader has run.
 */
public final class Executor {
    private final Graph graph;
    private final Parameters params;
    private final Backend backend;
    private final Map<String, Integer> lastUse;
    private final Map<Node, Op> inferenceOps = new IdentityHashMap<>();
    private final List<Step> tape = new ArrayList<>();
    private Set<String> frozen = Set.of();
    private Set<String> frozenStatistics = Set.of();
    private Set<String> requiresGrad = Set.of();
    private long seed;
    private long steps;
    private NodeTimer timer;

    /**
     * Sees every value a training pass computes, node by node, in the order computed. The trainer
     * uses it only to find where a non-finite value first appeared after a batch failed, so the
     * normal path pays nothing for it.
     */
    public interface Inspector {
        /** After {@code node}'s forward: its outputs by port. */
        void output(Node node, Map<String, Tensor> outputs);

        /** After {@code node}'s backward: the gradients it computed, by input port. */
        void gradient(Node node, Map<String, Tensor> gradients);
    }

    /**
     * Times each node's forward and backward, for a per-op profile ({@code fovea bench model --profile}).
     * The executor runs without one unless {@link #timeNodes} installs it.
     */
    public interface NodeTimer {
        /** Runs {@code body}, {@code node}'s forward ({@code backward} false) or backward, and returns its result. */
        <T> T time(Node node, boolean backward, Supplier<T> body);
    }

    /** What one node's forward needed and produced, kept for its backward. */
    private record Step(Node node, Op op, Map<String, Tensor> inputs, Map<String, Tensor> outputs) {
    }

    public Executor(Graph graph, Parameters params) {
        this.graph = graph;
        this.params = params;
        this.backend = params.backend();
        this.lastUse = graph.lastUse();
        for (Node n : graph.nodes()) {
            inferenceOps.put(n, n.bind(false, 0));
        }
        freeze(Set.of());
    }

    /**
     * Leaves the named parameters untrained, as PyTorch's {@code requires_grad = False}: backward
     * returns no gradient for them and computes none that only they would need. A batch norm whose
     * weight and bias are both frozen also keeps its statistics, normalising with its running mean
     * and variance in training as in inference ({@code module.eval()}), so a frozen layer is
     * entirely fixed. Freezing only its running_mean and running_var does the same while its weight
     * and bias still train (fine-tuning with frozen statistics).
     */
    public void freeze(Set<String> parameters) {
        for (String p : parameters) {
            if (!graph.params().containsKey(p)) {
                throw new IllegalArgumentException(graph.name() + ": cannot freeze '" + p + "', which is no parameter");
            }
        }
        frozen = Set.copyOf(parameters);
        Set<String> stats = new HashSet<>();
        Set<String> grad = new HashSet<>();
        for (Node n : graph.nodes()) {
            if (n.op().equals("batch_norm") && (frozen.contains(n.inputs().get("weight"))
                    && frozen.contains(n.inputs().get("bias")) || frozen.contains(n.inputs().get("running_mean"))
                    && frozen.contains(n.inputs().get("running_var")))) {
                stats.add(n.name());
            }
            // A value needs a gradient when a trained parameter lies upstream of it.
            for (String v : n.inputs().values()) {
                ParamSpec p = graph.params().get(v);
                if (grad.contains(v) || p != null && p.trainable() && !frozen.contains(v)) {
                    grad.add(n.name());
                    break;
                }
            }
        }
        frozenStatistics = Set.copyOf(stats);
        requiresGrad = Set.copyOf(grad);
    }

    public Graph graph() {
        return graph;
    }

    public Parameters params() {
        return params;
    }

    /** Times every node's forward and backward with {@code t} from now on; null stops timing. */
    public void timeNodes(NodeTimer t) {
        this.timer = t;
    }

    /** Seeds dropout masks; each training forward then draws new masks from (seed, step, node). */
    public void seed(long seed, long step) {
        this.seed = seed;
        this.steps = step;
    }

    /**
     * Inference: runs the graph and returns its output; intermediates are closed as soon as they
     * are dead. The caller owns (and closes) the result.
     */
    public Tensor infer(Tensor input) {
        return inferTo(input, graph.output());
    }

    /**
     * Inference up to node {@code stop}, returning its output (a layer's feature maps). The caller
     * owns the result; everything else is released.
     */
    public Tensor inferTo(Tensor input, String stop) {
        int last = graph.nodes().indexOf(graph.node(stop));
        Map<String, Tensor> values = new HashMap<>();
        values.put(graph.input().name(), input);
        for (int i = 0; i <= last; i++) {
            Node node = graph.nodes().get(i);
            Map<String, Tensor> out = run(node, inferenceOps.get(node), values);
            values.put(node.name(), out.get(Op.OUTPUT));
            out.forEach((k, t) -> {
                if (!k.equals(Op.OUTPUT) && !isParam(t)) {
                    t.close();
                }
            });
            for (String v : new LinkedHashSet<>(node.inputs().values())) {
                if (lastUse.get(v) == i && !params.all().containsKey(v) && !v.equals(graph.input().name())) {
                    values.remove(v).close();
                }
            }
        }
        Tensor result = values.remove(stop);
        values.remove(graph.input().name());
        values.values().forEach(Tensor::close);
        return result;
    }

    /**
     * Training forward: runs every node in training mode and records the tape for {@link #backward}.
     * The output stays valid until the next forward or the end of backward.
     */
    public Tensor forward(Tensor input) {
        return forward(input, null);
    }

    /** {@link #forward(Tensor)}, showing each node's outputs to {@code inspector} (null for none). */
    public Tensor forward(Tensor input, Inspector inspector) {
        releaseTape();
        steps++;
        Map<String, Tensor> values = new HashMap<>();
        values.put(graph.input().name(), input);
        for (int i = 0; i < graph.nodes().size(); i++) {
            Node node = graph.nodes().get(i);
            Op op = node.modal() && !frozenStatistics.contains(node.name()) ? node.bind(true, mix(seed, steps, i))
                    : inferenceOps.get(node);
            Map<String, Tensor> inputs = inputsOf(node, values);
            Map<String, Tensor> out = forward(node, op, inputs);
            values.put(node.name(), out.get(Op.OUTPUT));
            tape.add(new Step(node, op, inputs, out));
            if (inspector != null) {
                inspector.output(node, out);
            }
        }
        return values.get(graph.output());
    }

    /**
     * Backward from the gradient of the output of the last {@link #forward}; returns the gradient of
     * every trainable parameter, by name. Releases the tape as it goes.
     */
    public Map<String, Tensor> backward(Tensor gradOutput) {
        return backward(gradOutput, null);
    }

    /** {@link #backward(Tensor)}, showing each node's input gradients to {@code inspector} (null for none). */
    public Map<String, Tensor> backward(Tensor gradOutput, Inspector inspector) {
        if (tape.isEmpty()) {
            throw new IllegalStateException(graph.name() + ": backward without a training forward");
        }
        Map<String, Tensor> grads = new HashMap<>();
        grads.put(graph.output(), gradOutput);
        for (int i = tape.size() - 1; i >= 0; i--) {
            Step step = tape.get(i);
            Tensor dy = grads.remove(step.node().name());
            if (dy == null) {
                continue;
            }
            Set<String> wanted = new HashSet<>();
            for (Map.Entry<String, String> e : step.node().inputs().entrySet()) {
                if (step.node().def().gradInputs().contains(e.getKey()) && needsGrad(e.getValue())) {
                    wanted.add(e.getKey());
                }
            }
            Map<String, Tensor> g = wanted.isEmpty() ? Map.of() : timer == null
                    ? step.op().backward(backend, step.inputs(), step.outputs(), Map.of(Op.OUTPUT, dy), wanted)
                    : timer.time(step.node(), true,
                    () -> step.op().backward(backend, step.inputs(), step.outputs(), Map.of(Op.OUTPUT, dy), wanted));
            if (inspector != null && !g.isEmpty()) {
                inspector.gradient(step.node(), g);
            }
            for (Map.Entry<String, Tensor> e : g.entrySet()) {
                accumulate(grads, step.node().inputs().get(e.getKey()), e.getValue());
            }
            if (dy != gradOutput) {
                dy.close();
            }
        }
        releaseTape();
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (ParamSpec p : graph.params().values()) {
            Tensor t = grads.remove(p.name());
            if (p.trainable() && !frozen.contains(p.name()) && t != null) {
                out.put(p.name(), t);
            } else if (t != null) {
                t.close();
            }
        }
        grads.values().forEach(Tensor::close);
        return out;
    }

    /** Drops what the last training forward kept (its activations and saved state). */
    public void releaseTape() {
        Set<Tensor> keep = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        keep.addAll(params.all().values());
        for (Step s : tape) {
            for (Tensor t : s.outputs().values()) {
                if (keep.add(t)) {
                    t.close();
                }
            }
        }
        tape.clear();
    }

    private Map<String, Tensor> run(Node node, Op op, Map<String, Tensor> values) {
        return forward(node, op, inputsOf(node, values));
    }

    private Map<String, Tensor> forward(Node node, Op op, Map<String, Tensor> inputs) {
        return timer == null ? op.forward(backend, inputs) : timer.time(node, false, () -> op.forward(backend, inputs));
    }

    private Map<String, Tensor> inputsOf(Node node, Map<String, Tensor> values) {
        Map<String, Tensor> in = new LinkedHashMap<>();
        node.inputs().forEach((port, value) -> {
            Tensor t = params.all().containsKey(value) ? params.get(value) : values.get(value);
            if (t == null) {
                throw new IllegalStateException(node.name() + ": value '" + value + "' was released before use");
            }
            in.put(port, t);
        });
        return in;
    }

    private boolean needsGrad(String value) {
        ParamSpec p = graph.params().get(value);
        return p != null ? p.trainable() && !frozen.contains(value) : requiresGrad.contains(value);
    }

    private boolean isParam(Tensor t) {
        for (Tensor p : params.all().values()) {
            if (p == t) {
                return true;
            }
        }
        return false;
    }

    private void accumulate(Map<String, Tensor> grads, String value, Tensor g) {
        Tensor prev = grads.get(value);
        if (prev == null) {
            grads.put(value, g);
        } else {
            // Both are gradients of the same value; binary's broadcasting must not hide a mismatch.
            if (!prev.shape().equals(g.shape())) {
                throw new IllegalStateException("gradients of " + value + " differ in shape: " + prev.shape() + " and "
                        + g.shape());
            }
            grads.put(value, backend.binary(BinaryOp.ADD, prev, g));
            prev.close();
            g.close();
        }
    }

    /** A per-(step, node) seed: SplitMix64's finaliser over the combination. */
    static long mix(long seed, long step, int node) {
        long z = seed + 0x9E3779B97F4A7C15L * (step * 1_000_003L + node + 1);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
