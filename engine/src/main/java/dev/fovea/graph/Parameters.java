package dev.fovea.graph;

import dev.fovea.backend.Backend;
import dev.fovea.io.Listing;
import dev.fovea.tensor.Tensor;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The values of a graph's parameters and buffers on one backend, by PyTorch name. Initialisation
 * draws every parameter in declaration order from one seeded generator, so a seed fixes a model.
 */
public final class Parameters implements AutoCloseable {
    private final Backend backend;
    private final Map<String, Tensor> values;

    private Parameters(Backend backend, Map<String, Tensor> values) {
        this.backend = backend;
        this.values = values;
    }

    /** Fresh parameters: PyTorch's default initialisation for each layer, drawn from {@code seed}. */
    public static Parameters initialize(Graph graph, Backend backend, long seed) {
        return fromHost(graph, backend, initialValues(graph, seed));
    }

    /** The values {@link #initialize} starts from, on the host (for replacing some of them first). */
    public static Map<String, float[]> initialValues(Graph graph, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        Map<String, float[]> host = new LinkedHashMap<>();
        for (ParamSpec p : graph.params().values()) {
            float[] v = new float[p.shape().size()];
            if (p.init() instanceof ParamSpec.Init.Uniform u) {
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) ((rnd.nextDouble() * 2 - 1) * u.bound());
                }
            } else if (p.init() instanceof ParamSpec.Init.Constant c) {
                java.util.Arrays.fill(v, c.value());
            }
            host.put(p.name(), v);
        }
        return host;
    }

    /**
     * Parameters from host arrays (a checkpoint). Every parameter of the graph must be present with
     * the right size; extra or missing names are reported together, so a checkpoint for another
     * model is recognised as such.
     */
    public static Parameters fromHost(Graph graph, Backend backend, Map<String, float[]> host) {
        List<String> problems = new ArrayList<>();
        for (ParamSpec p : graph.params().values()) {
            float[] v = host.get(p.name());
            if (v == null) {
                problems.add("missing: " + p.name() + " " + p.shape());
            } else if (v.length != p.shape().size()) {
                problems.add("wrong size: " + p.name() + " has " + v.length + " values, model needs " + p.shape() + " = "
                        + p.shape().size());
            }
        }
        for (String name : host.keySet()) {
            if (!graph.params().containsKey(name)) {
                problems.add("unexpected: " + name);
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("parameters do not match model '" + graph.name() + "': "
                    + Listing.of(problems, "; "));
        }
        Map<String, Tensor> values = new LinkedHashMap<>();
        for (ParamSpec p : graph.params().values()) {
            values.put(p.name(), backend.upload(p.shape(), host.get(p.name())));
        }
        return new Parameters(backend, values);
    }

    public Backend backend() {
        return backend;
    }

    public Tensor get(String name) {
        Tensor t = values.get(name);
        if (t == null) {
            throw new IllegalArgumentException("no parameter named '" + name + "'");
        }
        return t;
    }

    public Map<String, Tensor> all() {
        return Collections.unmodifiableMap(values);
    }

    /** Copies every parameter and buffer to host arrays (for checkpoints). */
    public Map<String, float[]> toHost() {
        Map<String, float[]> out = new LinkedHashMap<>();
        values.forEach((k, v) -> out.put(k, backend.download(v)));
        return out;
    }

    @Override
    public void close() {
        values.values().forEach(Tensor::close);
    }
}
