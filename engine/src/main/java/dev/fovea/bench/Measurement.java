package dev.fovea.bench;

/**
 * One benchmark result: a workload's pass ("fwd", "fwd+bwd", "train", "infer") on one backend.
 *
 * @param rate     the throughput at the median time, in {@code unit}
 * @param engine   what computed it where the backend says (the GPU's routing and algorithm choices), else ""
 * @param memory   planned and measured bytes for model measurements, null for ops
 * @param activity what a training step asked of the GPU (software GPU only), else null
 */
public record Measurement(String workload, String pass, String backend, double medianMs, double minMs,
                          double maxMs, Rate unit, double rate, String engine, Memory memory, StepActivity activity) {

    /** Planned activation bytes (from the memory plan) and, where the backend tracks it, its allocator's peak (else -1). */
    public record Memory(int batchSize, long plannedTrainingBytes, long plannedInferenceBytes, long parameterBytes,
                         long peakBytes) {
    }

    /** "workload pass", the row and chart label. */
    public String name() {
        return pass.isEmpty() ? workload : workload + " " + pass;
    }

    static Measurement of(String workload, String pass, String backend, OpTimer.Timing t, Rate unit, double amount,
                          String engine, Memory memory) {
        return of(workload, pass, backend, t, unit, amount, engine, memory, null);
    }

    static Measurement of(String workload, String pass, String backend, OpTimer.Timing t, Rate unit, double amount,
                          String engine, Memory memory, StepActivity activity) {
        return new Measurement(workload, pass, backend, t.medianMs(), t.minMs(), t.maxMs(), unit,
                unit.of(amount, t.medianMs()), engine, memory, activity);
    }
}
