package dev.fovea.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The checkpoints a run directory holds, by name: {@code epoch-NNN} after a complete epoch and
 * {@code epoch-NNN-batch-BBBB} when a run was interrupted in epoch NNN. Finds the latest one (for
 * commands given a directory) and removes the ones a run no longer needs (mid-epoch checkpoints once
 * their epoch is complete, and epochs beyond --keep).
 */
public final class CheckpointFiles {
    private static final Pattern NAME = Pattern.compile("epoch-(\\d{3,})(?:-batch-(\\d{4,}))?\\.json");

    private CheckpointFiles() {
    }

    /** One checkpoint of a directory: its sidecar and its place in training. */
    public record Entry(Path sidecar, int epoch, int batch) {
        /** True for a checkpoint written at the end of an epoch. */
        public boolean complete() {
            return batch == 0;
        }

        /** Training progress in batches after {@code epoch - 1} complete epochs, for ordering. */
        long position() {
            // epoch-003 is 3 complete epochs; epoch-003-batch-0005 is 2 complete epochs and 5 batches.
            return complete() ? (long) epoch << 32 : ((long) (epoch - 1) << 32) + batch;
        }
    }

    /** The checkpoints in {@code dir} (by their sidecars), earliest first. */
    public static List<Entry> list(Path dir) throws IOException {
        List<Entry> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Matcher m = NAME.matcher(p.getFileName().toString());
                if (m.matches() && Files.isRegularFile(p)) {
                    out.add(new Entry(p, Integer.parseInt(m.group(1)), m.group(2) == null ? 0 : Integer.parseInt(m.group(2))));
                }
            }
        }
        out.sort(Comparator.comparingLong(Entry::position));
        return out;
    }

    /** The checkpoint furthest into training in {@code dir} (a mid-epoch one when it is the latest). */
    public static Optional<Entry> latest(Path dir) throws IOException {
        List<Entry> all = list(dir);
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
    }

    /**
     * After epoch {@code epochsDone} was written to {@code dir}: removes the mid-epoch checkpoints of
     * that epoch and earlier ones, and, when {@code keep} > 0, the complete epochs before the last
     * {@code keep}. Returns the sidecars removed.
     */
    public static List<Path> prune(Path dir, int epochsDone, int keep) throws IOException {
        List<Path> removed = new ArrayList<>();
        for (Entry e : list(dir)) {
            boolean stale = e.complete() ? keep > 0 && e.epoch() <= epochsDone - keep : e.epoch() <= epochsDone;
            if (stale) {
                remove(e.sidecar());
                removed.add(e.sidecar());
            }
        }
        return removed;
    }

    /** Removes a checkpoint: the sidecar first (it vouches for the rest), then weights and optimiser state. */
    public static void remove(Path sidecar) throws IOException {
        String stem = sidecar.getFileName().toString().replaceAll("\\.json$", "");
        Files.deleteIfExists(sidecar);
        Files.deleteIfExists(sidecar.resolveSibling(stem + ".safetensors"));
        Files.deleteIfExists(sidecar.resolveSibling(stem + ".optim.safetensors"));
    }
}
