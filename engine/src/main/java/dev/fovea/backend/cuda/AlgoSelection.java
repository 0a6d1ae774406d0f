package dev.fovea.backend.cuda;

import java.util.ArrayList;
import java.util.List;

/**
 * Picks a cuDNN convolution algorithm from cuDNN's ranked candidates (heuristic order, or fastest
 * first after a timed search): the first that ran successfully, is deterministic when determinism
 * is required, and whose workspace fits under the cap. When none qualifies the reason lists why
 * each was refused, so the error says what to change instead of silently taking something else.
 */
public final class AlgoSelection {
    private AlgoSelection() {
    }

    /** One of cuDNN's candidates (the common fields of its three *AlgoPerf structs). */
    public record Candidate(int algo, String name, boolean succeeded, float timeMs, long workspaceBytes,
                            boolean deterministic) {
        /** Whether the algorithm transforms its operands (FFT, Winograd) rather than summing products directly. */
        public boolean transforms() {
            return name.contains("FFT") || name.contains("WINOGRAD");
        }
    }

    /** The chosen algorithm and how it was chosen, or null with {@code refusal} explaining why not. */
    public record Choice(Candidate chosen, String how, String refusal) {
    }

    public static Choice pick(List<Candidate> ranked, boolean requireDeterministic, long workspaceCap, boolean searched) {
        return pick(ranked, requireDeterministic, false, workspaceCap, searched);
    }

    /** As {@link #pick(List, boolean, long, boolean)}; {@code requireDirect} refuses FFT and Winograd algorithms. */
    public static Choice pick(List<Candidate> ranked, boolean requireDeterministic, boolean requireDirect,
                              long workspaceCap, boolean searched) {
        List<String> refused = new ArrayList<>();
        for (Candidate c : ranked) {
            if (!c.succeeded()) {
                refused.add(c.name() + " not supported for this shape");
            } else if (requireDeterministic && !c.deterministic()) {
                refused.add(c.name() + " is not deterministic");
            } else if (requireDirect && c.transforms()) {
                refused.add(c.name() + " transforms its operands (direct summation only)");
            } else if (c.workspaceBytes() > workspaceCap) {
                refused.add(c.name() + " needs a workspace of " + c.workspaceBytes() + " bytes, above the cap of "
                        + workspaceCap);
            } else {
                String how = (searched ? "fastest in a timed search (" + c.timeMs() + " ms)" : "cuDNN heuristic")
                        + (requireDeterministic ? ", deterministic only" : "")
                        + (requireDirect ? ", direct summation only" : "")
                        + ", workspace " + c.workspaceBytes() + " bytes";
                return new Choice(c, how, null);
            }
        }
        return new Choice(null, null, ranked.isEmpty() ? "cuDNN offered no algorithm" : String.join("; ", refused));
    }
}
