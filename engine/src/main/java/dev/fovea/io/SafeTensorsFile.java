package dev.fovea.io;

import dev.fovea.tensor.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.Set;

/**
 * The content of a safetensors file: tensors by name, in the order their data appears in the file,
 * and the header's optional {@code __metadata__} strings.
 */
public record SafeTensorsFile(String file, Map<String, StoredTensor> tensors, Map<String, String> metadata) {
    public SafeTensorsFile {
        tensors = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(tensors));
        metadata = Map.copyOf(metadata);
    }

    public Set<String> names() {
        return tensors.keySet();
    }

    /**
     * Checks that this file holds exactly the tensors a model expects, with the same shapes; otherwise
     * one error lists the missing, unexpected and mismatched tensors (as PyTorch's strict
     * {@code load_state_dict} does, each list capped by {@link Listing}), so a checkpoint of another
     * architecture is recognised at once.
     */
    public void checkMatches(Map<String, Shape> expected) {
        List<String> problems = new ArrayList<>();
        List<String> missing = expected.keySet().stream().filter(n -> !tensors.containsKey(n)).sorted().toList();
        List<String> unexpected = tensors.keySet().stream().filter(n -> !expected.containsKey(n)).sorted().toList();
        if (!missing.isEmpty()) {
            problems.add("missing " + Listing.of(missing, ", "));
        }
        if (!unexpected.isEmpty()) {
            problems.add("unexpected " + Listing.of(unexpected, ", "));
        }
        List<String> mismatched = new ArrayList<>();
        new TreeMap<>(expected).forEach((name, shape) -> {
            StoredTensor t = tensors.get(name);
            if (t != null && !t.shape().equals(shape)) {
                mismatched.add(name + " is " + t.shape() + " in the file, " + shape + " in the model");
            }
        });
        if (!mismatched.isEmpty()) {
            problems.add(Listing.of(mismatched, "; "));
        }
        if (!problems.isEmpty()) {
            throw new FormatException(file, "tensors", "expected the model's " + expected.size() + " tensors, found "
                    + tensors.size() + ": " + String.join("; ", problems));
        }
    }

    /** The tensor named {@code name}; a missing one is a format error of this file, listing what it holds. */
    public StoredTensor tensor(String name) {
        StoredTensor t = tensors.get(name);
        if (t == null) {
            throw new FormatException(file, "tensor '" + name + "'", "expected a tensor of this name, the file holds "
                    + (tensors.isEmpty() ? "none" : Listing.of(tensors.keySet(), ", ")));
        }
        return t;
    }
}
