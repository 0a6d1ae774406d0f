package dev.fovea.graph;

import dev.fovea.tensor.Shape;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The inference rewrite that folds a batch norm into the convolution feeding it (seed-examples §10):
 * w' = w γ/√(var+ε), b' = (b − μ) γ/√(var+ε) + β, per output channel. A conv is folded only when the
 * batch norm is its sole reader. The folded conv takes the batch norm's node name, so every reader
 * of the batch norm reads the conv unchanged; its parameters keep the conv's names.
 */
public final class BatchNormFolding {
    private BatchNormFolding() {
    }

    /** A folded graph and the parameter values that go with it. */
    public record Folded(Graph graph, Map<String, float[]> params, int foldedCount) {
    }

    public static Folded fold(Graph g, Map<String, float[]> params) {
        Map<String, float[]> values = new LinkedHashMap<>(params);
        Map<String, ParamSpec> specs = new LinkedHashMap<>(g.params());
        Map<String, Node> replaceBn = new HashMap<>();
        List<String> removedConvs = new ArrayList<>();
        for (Node bn : g.nodes()) {
            if (!bn.op().equals("batch_norm")) {
                continue;
            }
            String src = bn.inputs().get("input");
            Node conv = g.nodes().stream().filter(n -> n.name().equals(src)).findFirst().orElse(null);
            if (conv == null || !conv.op().equals("conv2d") || g.consumers(src).size() != 1 || src.equals(g.output())) {
                continue;
            }
            double eps = bn.attrs().real("eps");
            float[] gamma = values.get(bn.inputs().get("weight"));
            float[] beta = values.get(bn.inputs().get("bias"));
            float[] mean = values.get(bn.inputs().get("running_mean"));
            float[] var = values.get(bn.inputs().get("running_var"));
            String wName = conv.inputs().get("weight");
            String bName = conv.inputs().getOrDefault("bias", conv.name() + ".bias");
            float[] w = values.get(wName).clone();
            int cout = gamma.length;
            float[] b = conv.inputs().containsKey("bias") ? values.get(bName).clone() : new float[cout];
            int perChannel = w.length / cout;
            for (int o = 0; o < cout; o++) {
                double scale = gamma[o] / Math.sqrt(var[o] + eps);
                for (int i = 0; i < perChannel; i++) {
                    w[o * perChannel + i] = (float) (w[o * perChannel + i] * scale);
                }
                b[o] = (float) ((b[o] - mean[o]) * scale + beta[o]);
            }
            values.put(wName, w);
            values.put(bName, b);
            specs.putIfAbsent(bName, new ParamSpec(bName, Shape.of(cout), true, new ParamSpec.Init.Constant(0f)));
            for (String port : List.of("weight", "bias", "running_mean", "running_var")) {
                values.remove(bn.inputs().get(port));
                specs.remove(bn.inputs().get(port));
            }
            Map<String, String> wiring = new LinkedHashMap<>(conv.inputs());
            wiring.put("bias", bName);
            replaceBn.put(bn.name(), new Node(bn.name(), conv.def(), conv.attrs(), wiring, bn.shape()));
            removedConvs.add(conv.name());
        }
        List<Node> nodes = new ArrayList<>();
        for (Node n : g.nodes()) {
            if (removedConvs.contains(n.name())) {
                continue;
            }
            nodes.add(replaceBn.getOrDefault(n.name(), n));
        }
        return new Folded(g.rewrite(nodes, specs, g.output()), values, replaceBn.size());
    }
}
