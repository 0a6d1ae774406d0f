package dev.fovea.train;

import dev.fovea.backend.Backend;
import dev.fovea.graph.Executor;
import dev.fovea.graph.Node;
import dev.fovea.primitives.LossKind;
import dev.fovea.tensor.DType;
import dev.fovea.tensor.Tensor;

import java.util.Map;

/**
 * Finds where a failed batch first produced a non-finite value: re-runs it (same weights, same
 * dropout seeds) with every node's output checked in forward order, then, if the forward and the
 * loss are finite, every gradient in backward order. Only runs after a batch has failed, so the
 * normal training step is not slowed by per-node checks.
 */
final class NonFiniteSearch implements Executor.Inspector {
    private final Backend backend;
    private String first;

    private NonFiniteSearch(Backend backend) {
        this.backend = backend;
    }

    /**
     * "output of layer 'fc' (linear) is Infinity", or where in the backward pass; the executor must
     * hold the weights the batch failed with and be seeded for its step.
     */
    static String locate(Executor exec, Backend backend, Tensor x, Tensor y) {
        NonFiniteSearch search = new NonFiniteSearch(backend);
        String in = Finiteness.describe(backend, x);
        if (in != null) {
            return "the input batch itself contains " + in;
        }
        Tensor out = exec.forward(x, search);
        try {
            if (search.first != null) {
                return search.first + " in the forward pass";
            }
            try (Tensor l = backend.loss(LossKind.CROSS_ENTROPY, out, y)) {
                String loss = Finiteness.describe(backend, l);
                if (loss != null) {
                    return "the cross-entropy loss is " + loss + " although the model's output is finite";
                }
            }
            Map<String, Tensor> grads;
            try (Tensor dOut = backend.lossBackward(LossKind.CROSS_ENTROPY, out, y, 1f)) {
                String d = Finiteness.describe(backend, dOut);
                if (d != null) {
                    return "the loss gradient is " + d;
                }
                grads = exec.backward(dOut, search);
            }
            grads.values().forEach(Tensor::close);
            return search.first != null ? search.first + " in the backward pass"
                    : "no single layer: every gradient is finite on its own, so their sum overflowed";
        } finally {
            exec.releaseTape();
        }
    }

    @Override
    public void output(Node node, Map<String, Tensor> outputs) {
        if (first == null) {
            for (Map.Entry<String, Tensor> e : outputs.entrySet()) {
                String bad = check(e.getValue());
                if (bad != null) {
                    first = String.format("%s of layer '%s' (%s) is %s", e.getKey(), node.name(), node.op(), bad);
                    return;
                }
            }
        }
    }

    @Override
    public void gradient(Node node, Map<String, Tensor> gradients) {
        if (first == null) {
            for (Map.Entry<String, Tensor> e : gradients.entrySet()) {
                String bad = check(e.getValue());
                if (bad != null) {
                    first = String.format("gradient of layer '%s' (%s) for its %s ('%s') is %s", node.name(),
                            node.op(), e.getKey(), node.inputs().get(e.getKey()), bad);
                    return;
                }
            }
        }
    }

    private String check(Tensor t) {
        return t.dtype() == DType.FLOAT32 ? Finiteness.describe(backend, t) : null;
    }
}
