package dev.fovea.graph;

import dev.fovea.tensor.DType;

import java.util.HashMap;
import java.util.Map;

/**
 * How many bytes of activations a graph needs for a batch size, from the same liveness rules the
 * executor follows: in inference a buffer lives from its node to its last reader; in training every
 * activation and saved state lives until the backward pass, which adds gradient buffers.
 */
public record MemoryPlan(int batch, long parameterBytes, long inferencePeakBytes, long trainingBytes) {

    public static MemoryPlan of(Graph g, int batch) {
        long f = DType.FLOAT32.bytes();
        long params = 0;
        for (ParamSpec p : g.params().values()) {
            params += p.shape().size() * f;
        }
        Map<String, Integer> lastUse = g.lastUse();
        Map<String, Long> live = new HashMap<>();
        long inputBytes = (long) g.input().shape().size() * batch * f;
        live.put(g.input().name(), inputBytes);
        long current = inputBytes;
        long peak = current;
        long saved = inputBytes;
        long largest = 0;
        for (int i = 0; i < g.nodes().size(); i++) {
            Node n = g.nodes().get(i);
            long out = ownBytes(n, batch);
            long extra = savedExtraBytes(n, batch);
            current += out;
            peak = Math.max(peak, current + extra);
            saved += out + extra;
            largest = Math.max(largest, (long) n.shape().size() * batch * f);
            live.put(n.name(), out);
            for (String v : n.inputs().values()) {
                if (lastUse.getOrDefault(v, -1) == i && live.containsKey(v) && !v.equals(g.input().name())) {
                    long freed = live.remove(v);
                    if (isView(n)) {
                        live.put(n.name(), freed);  // the view now holds its input's storage alive
                    } else {
                        current -= freed;
                    }
                }
            }
        }
        // Backward holds one node's output gradient and its input gradients at a time (at most about
        // two of the largest activations), plus one gradient per parameter.
        long training = saved + 2 * largest + params;
        return new MemoryPlan(batch, params, peak, training);
    }

    /** A node's own buffer: a view (flatten, reshape) shares its input's and owns nothing. */
    private static long ownBytes(Node n, int batch) {
        return isView(n) ? 0 : (long) n.shape().size() * batch * DType.FLOAT32.bytes();
    }

    private static boolean isView(Node n) {
        return n.def().isView();
    }

    /** State the op declares it keeps for backward beside the output: pooling winners, dropout masks. */
    private static long savedExtraBytes(Node n, int batch) {
        return (long) n.shape().size() * batch * n.def().savedBytesPerOutputElement();
    }
}
