package dev.fovea.io;

import java.util.Map;
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

    /** The tensor named {@code name}; a missing one is a format error of this file, listing what it holds. */
    public StoredTensor tensor(String name) {
        StoredTensor t = tensors.get(name);
        if (t == null) {
            throw new FormatException(file, "tensor '" + name + "'", "expected a tensor of this name, the file holds "
                    + (tensors.isEmpty() ? "none" : String.join(", ", tensors.keySet())));
        }
        return t;
    }
}
