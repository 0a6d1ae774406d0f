package dev.fovea.ops;

import dev.fovea.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** Builds the name-to-tensor maps that kernels return, leaving out absent (null) entries. */
final class Outputs {
    private Outputs() {
    }

    static Map<String, Tensor> output(Tensor output) {
        return Map.of(Op.OUTPUT, output);
    }

    /** Gradients as alternating input names and tensors, keeping only the {@code wanted}, non-null ones. */
    static Map<String, Tensor> grads(Set<String> wanted, Object... namesAndTensors) {
        Map<String, Tensor> all = of(namesAndTensors);
        all.keySet().retainAll(wanted);
        return all;
    }

    /** Alternating names and tensors; null tensors are left out. */
    static Map<String, Tensor> of(Object... namesAndTensors) {
        Map<String, Tensor> map = new LinkedHashMap<>();
        for (int i = 0; i < namesAndTensors.length; i += 2) {
            Tensor t = (Tensor) namesAndTensors[i + 1];
            if (t != null) {
                map.put((String) namesAndTensors[i], t);
            }
        }
        return map;
    }
}
