package dev.fovea.bench;

import dev.fovea.backend.Backend;

import java.util.List;

/**
 * The routing and algorithm choices a backend made while one workload ran. The CUDA backend and the
 * fast CPU backend's convolutions record each decision the first time it is made (per op and shape), so
 * the new entries since a mark are the ones this workload caused; the reference backend makes none.
 */
final class Decisions {
    private final Backend backend;
    private int mark;

    Decisions(Backend backend) {
        this.backend = backend;
        this.mark = backend.decisions().size();
    }

    /** The decisions since the last call (or construction), joined with "; ". */
    String sinceLastMark() {
        List<String> all = backend.decisions();
        String out = String.join("; ", all.subList(Math.min(mark, all.size()), all.size()));
        mark = all.size();
        return out;
    }
}
