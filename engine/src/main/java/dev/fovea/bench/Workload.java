package dev.fovea.bench;

import java.util.List;

/**
 * One benchmarked op on fixed shapes. {@link #prepare} uploads its inputs to a backend and returns
 * the passes to time; the passes read only those inputs and free what they produce.
 */
public interface Workload {

    String name();

    Rate unit();

    /** The passes ("fwd", "fwd+bwd", or "" for an op without one) over inputs held by {@code in}. */
    List<Pass> prepare(RandomInputs in);

    /** A timed body and its work per run: FLOPs for {@link Rate#GFLOPS}, bytes for {@link Rate#GB_PER_S}. */
    record Pass(String name, double amount, Runnable body) {
    }
}
