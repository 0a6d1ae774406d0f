package dev.fovea.train;

import dev.fovea.graph.Graph;
import dev.fovea.graph.Node;
import dev.fovea.graph.ParamSpec;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Which parameters --freeze names. A prefix names a layer or module by PyTorch's dotted path:
 * "conv1" is conv1.weight and conv1.bias, "layer1" every parameter under layer1., and a full name
 * one parameter; "conv1" is not "conv10". Each prefix must name something, and something must be
 * left to train. {@value #BN_STATS} names every batch norm's running statistics: each then
 * normalises with them and keeps them (PyTorch's {@code eval()} on every BatchNorm module) while its
 * weight and bias still train, the usual way to fine-tune with small batches.
 */
public final class Freezing {
    /** The --freeze name of every batch norm's running mean and variance. */
    public static final String BN_STATS = "bn-stats";

    private Freezing() {
    }

    /** The parameters and buffers of {@code graph} under {@code prefixes}. */
    public static Set<String> parameters(Graph graph, List<String> prefixes) {
        Set<String> out = new LinkedHashSet<>();
        for (String prefix : prefixes) {
            if (prefix.equals(BN_STATS)) {
                out.addAll(batchNormStatistics(graph));
                continue;
            }
            String p = prefix.endsWith(".") ? prefix.substring(0, prefix.length() - 1) : prefix;
            boolean any = false;
            for (String name : graph.params().keySet()) {
                if (name.equals(p) || name.startsWith(p + ".")) {
                    out.add(name);
                    any = true;
                }
            }
            if (!any) {
                throw new IllegalArgumentException("--freeze " + prefix + ": model '" + graph.name() + "' has no layer or "
                        + "parameter of that name; its layers with parameters: " + String.join(", ", layers(graph)));
            }
        }
        boolean trainable = graph.params().values().stream().anyMatch(ps -> ps.trainable() && !out.contains(ps.name()));
        if (!out.isEmpty() && !trainable) {
            throw new IllegalArgumentException("--freeze " + String.join(",", prefixes) + ": freezes every parameter of model '"
                    + graph.name() + "', leaving nothing to train");
        }
        return out;
    }

    /** One line for the training log: what is frozen and how much of the model that is. */
    public static String describe(Graph graph, List<String> prefixes, Set<String> frozen) {
        long n = 0;
        for (String f : frozen) {
            ParamSpec p = graph.params().get(f);
            if (p.trainable()) {
                n += p.shape().size();
            }
        }
        return String.format(Locale.ROOT, "frozen (not trained, batch norms keep their statistics): %s, %,d of %,d parameters",
                String.join(", ", prefixes), n, graph.parameterCount());
    }

    private static List<String> batchNormStatistics(Graph graph) {
        List<String> out = new ArrayList<>();
        for (Node n : graph.nodes()) {
            if (n.op().equals("batch_norm")) {
                out.add(n.inputs().get("running_mean"));
                out.add(n.inputs().get("running_var"));
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("--freeze " + BN_STATS + ": model '" + graph.name() + "' has no batch norm");
        }
        return out;
    }

    /** Layer names: parameter names without their last part, in order, once each. */
    private static Set<String> layers(Graph graph) {
        Set<String> out = new LinkedHashSet<>();
        for (String name : graph.params().keySet()) {
            int dot = name.lastIndexOf('.');
            out.add(dot < 0 ? name : name.substring(0, dot));
        }
        return out;
    }
}
