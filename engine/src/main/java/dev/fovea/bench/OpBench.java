package dev.fovea.bench;

import dev.fovea.backend.Backend;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** Runs op workloads on one backend: prepare, then warm up and time each pass (see {@link OpTimer}). */
public final class OpBench {
    private OpBench() {
    }

    /**
     * Measures every pass of every workload on {@code backend}; each result also goes to {@code progress}
     * as soon as it is known (long suites show their rows as they run).
     */
    public static List<Measurement> run(List<Workload> workloads, Backend backend, OpTimer timer,
                                        Consumer<Measurement> progress) {
        Clock clock = Clock.of(backend);
        Decisions decisions = new Decisions(backend);
        List<Measurement> out = new ArrayList<>();
        for (Workload w : workloads) {
            try (RandomInputs in = new RandomInputs(backend, 1)) {
                for (Workload.Pass p : w.prepare(in)) {
                    OpTimer.Timing t = timer.time(w.name(), 0, p.body(), clock);
                    Measurement m = Measurement.of(w.name(), p.name(), backend.name(), t, w.unit(), p.amount(),
                            decisions.sinceLastMark(), null);
                    out.add(m);
                    progress.accept(m);
                }
            }
        }
        return out;
    }
}
