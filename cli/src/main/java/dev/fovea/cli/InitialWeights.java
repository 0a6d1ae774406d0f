package dev.fovea.cli;

import dev.fovea.graph.ClassifierHead;
import dev.fovea.graph.Graph;
import dev.fovea.graph.ParamSpec;
import dev.fovea.graph.Parameters;
import dev.fovea.io.Listing;
import dev.fovea.io.SafeTensors;
import dev.fovea.io.StoredTensor;
import dev.fovea.train.Checkpoint;
import dev.fovea.train.CheckpointArgs;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * --init-from: the weights a new run starts from, taken from a Fovea checkpoint (only its sidecar and
 * weights are read) or from bare weights such as a PyTorch state_dict saved with safetensors. With a
 * new classifier head (--num-classes) the head starts fresh and everything else must fit.
 */
final class InitialWeights {
    private InitialWeights() {
    }

    /** Where the weights come from; {@code checkpoint} is null for bare weights. */
    record Source(Path path, Checkpoint checkpoint, Map<String, StoredTensor> tensors) {
    }

    /** A checkpoint (by its sidecar), or, with {@code model} named, bare weights (a .safetensors without sidecar). */
    static Source read(Path arg, String model) throws IOException {
        boolean sidecar = java.nio.file.Files.isRegularFile(Checkpoint.sidecarBeside(arg));
        CheckpointArgs.Resolved r = CheckpointArgs.resolve(arg, "--init-from", model != null && !sidecar);
        if (r.bare()) {
            return new Source(r.path(), null, SafeTensors.read(r.path()).tensors());
        }
        Checkpoint c = Checkpoint.readForInference(r.path());
        return new Source(r.path(), c, c.weights());
    }

    /**
     * Every parameter of {@code g}: from the source, except the head's when {@code newHead}, which
     * start as a fresh run's would (from {@code seed}). One error lists the tensors that do not fit
     * (capped, as every listing: a hostile file may name a million).
     */
    static Map<String, float[]> weights(Source s, Graph g, boolean newHead, long seed) {
        Set<String> fresh = newHead ? Set.copyOf(ClassifierHead.parameters(g)) : Set.of();
        Map<String, float[]> w = Parameters.initialValues(g, seed);
        List<String> problems = new ArrayList<>();
        boolean onlyHead = true;
        for (ParamSpec p : g.params().values()) {
            if (fresh.contains(p.name())) {
                continue;
            }
            StoredTensor t = s.tensors().get(p.name());
            if (t == null || !t.shape().equals(p.shape())) {
                problems.add(t == null ? "missing " + p.name() + " " + p.shape()
                        : p.name() + ": " + s.path().getFileName() + " has " + t.shape() + ", model needs " + p.shape());
                onlyHead &= ClassifierHead.parameters(g).contains(p.name());
            } else {
                w.put(p.name(), t.values());
            }
        }
        for (String k : s.tensors().keySet()) {
            if (!g.params().containsKey(k) && !k.endsWith(".num_batches_tracked")) {
                problems.add("unexpected " + k);
                onlyHead = false;
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("--init-from " + s.path() + ": its weights do not fit model '" + g.name()
                    + "'" + (onlyHead ? " (only the classifier head differs: give --num-classes N for a new one)" : "")
                    + ": " + Listing.of(problems, "; "));
        }
        return w;
    }
}
