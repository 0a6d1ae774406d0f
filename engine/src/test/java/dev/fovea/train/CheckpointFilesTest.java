package dev.fovea.train;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Finding the latest checkpoint of a run directory, and removing the ones a run no longer needs. */
class CheckpointFilesTest {
    @TempDir
    Path dir;

    private void checkpoint(String stem) throws Exception {
        for (String ext : new String[] {".json", ".safetensors", ".optim.safetensors"}) {
            Files.writeString(dir.resolve(stem + ext), "x");
        }
    }

    private List<String> sidecars() throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".json")).sorted().toList();
        }
    }

    @Test
    void theLatestIsFurthestIntoTraining() throws Exception {
        checkpoint("epoch-001");
        checkpoint("epoch-002");
        assertEquals("epoch-002.json", CheckpointFiles.latest(dir).orElseThrow().sidecar().getFileName().toString());
        checkpoint("epoch-003-batch-0005");
        assertEquals("epoch-003-batch-0005.json", CheckpointFiles.latest(dir).orElseThrow().sidecar().getFileName()
                .toString(), "two epochs and five batches are further than two epochs");
        checkpoint("epoch-003");
        assertEquals("epoch-003.json", CheckpointFiles.latest(dir).orElseThrow().sidecar().getFileName().toString());
        Files.writeString(dir.resolve("history.csv"), "x");
        assertEquals(4, CheckpointFiles.list(dir).size(), "only checkpoints count");
    }

    @Test
    void midEpochCheckpointsGoOnceTheirEpochIsDoneAndKeepKeepsTheLastEpochs() throws Exception {
        checkpoint("epoch-001");
        checkpoint("epoch-002-batch-0003");
        checkpoint("epoch-002");
        CheckpointFiles.prune(dir, 2, 0);
        assertEquals(List.of("epoch-001.json", "epoch-002.json"), sidecars());
        assertEquals(6, Files.list(dir).count(), "weights and optimiser state went with their sidecar");
        checkpoint("epoch-003");
        checkpoint("epoch-004");
        CheckpointFiles.prune(dir, 4, 2);
        assertEquals(List.of("epoch-003.json", "epoch-004.json"), sidecars());
        checkpoint("epoch-005-batch-0001");
        CheckpointFiles.prune(dir, 4, 2);
        assertEquals(List.of("epoch-003.json", "epoch-004.json", "epoch-005-batch-0001.json"), sidecars(),
                "a checkpoint inside an epoch not yet done stays");
    }
}
