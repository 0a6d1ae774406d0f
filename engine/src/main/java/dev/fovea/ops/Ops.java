package dev.fovea.ops;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The op catalogue: every op Fovea knows, by its PyTorch functional name. A graph node and a
 * conformance case both name an op here and get its {@link OpDef}.
 */
public final class Ops {
    private static final Map<String, OpDef> BY_NAME = catalogue();

    private Ops() {
    }

    /** The op called {@code name}; an unknown name is an error listing the valid ones. */
    public static OpDef get(String name) {
        OpDef def = BY_NAME.get(name);
        if (def == null) {
            String hint = Names.closest(name, BY_NAME.keySet()).map(c -> " (did you mean '" + c + "'?)").orElse("");
            throw new IllegalArgumentException("unknown op '" + name + "'" + hint + "; valid ops: "
                    + String.join(", ", BY_NAME.keySet()));
        }
        return def;
    }

    public static boolean exists(String name) {
        return BY_NAME.containsKey(name);
    }

    /** Every op name, in catalogue order. */
    public static Set<String> names() {
        return Collections.unmodifiableSet(BY_NAME.keySet());
    }

    public static List<OpDef> all() {
        return List.copyOf(BY_NAME.values());
    }

    private static Map<String, OpDef> catalogue() {
        List<OpDef> all = new ArrayList<>();
        all.addAll(ConvOps.all());
        all.addAll(PoolOps.all());
        all.addAll(SpatialOps.all());
        all.addAll(NormOps.all());
        all.addAll(DenseOps.all());
        all.addAll(ActivationOps.all());
        all.addAll(LossOps.all());
        all.addAll(AlgebraOps.all());
        all.addAll(TensorOps.all());
        Map<String, OpDef> map = new LinkedHashMap<>();
        for (OpDef def : all) {
            if (map.put(def.name(), def) != null) {
                throw new IllegalStateException("op '" + def.name() + "' is declared twice");
            }
        }
        return Collections.unmodifiableMap(map);
    }
}
