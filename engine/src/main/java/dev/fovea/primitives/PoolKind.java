package dev.fovea.primitives;

/** The reduction a pooling window applies. */
public enum PoolKind {
    MAX, AVG, MIN;

    /** The op name used in case files and the graph: max_pool2d, avg_pool2d, min_pool2d. */
    public String opName() {
        return name().toLowerCase(java.util.Locale.ROOT) + "_pool2d";
    }
}
