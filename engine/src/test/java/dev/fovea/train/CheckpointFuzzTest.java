package dev.fovea.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fovea.data.Normalization;
import dev.fovea.graph.ParamSpec;
import dev.fovea.io.Mutations;
import dev.fovea.io.StoredTensor;
import dev.fovea.optim.LrSchedule;
import dev.fovea.optim.Sgd;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Seeded mutants of a checkpoint sidecar (bit flips, truncations, appended garbage) either read or
 * fail with a FormatException naming the file; never another exception.
 */
class CheckpointFuzzTest {

    @Test
    void mutatedSidecarsReadOrFailWithFormatException(@TempDir Path dir) throws Exception {
        ModelSpec spec = new ModelSpec(null, TrainerTest.MODEL);
        Map<String, StoredTensor> w = new LinkedHashMap<>();
        for (ParamSpec p : spec.graph().params().values()) {
            w.put(p.name(), StoredTensor.f32(p.shape(), new float[p.shape().size()]));
        }
        Map<String, StoredTensor> optim = new LinkedHashMap<>();
        w.forEach((k, v) -> optim.put(k + "/momentum_buffer", v));
        Checkpoint c = new Checkpoint(spec, w, optim, Map.of("conv1.weight", 3L),
                OptimizerSettings.toJson(new Sgd(0.1, 0.9, 0, false, 0), new LrSchedule.Constant()), 1, 7, 40,
                Normalization.parse("0.1307,0.3081"), List.of("0", "1"),
                List.of(new History.Epoch(1, 2.3, 2.2, 0.1, 100, 0.1)), new ObjectMapper().createObjectNode()
                .put("data", "mnist-digits"), new EpochPosition(3, 1.5, 96, 0));
        Path side = c.write(dir.resolve("epoch-002-batch-0003"));
        byte[] bytes = Files.readAllBytes(side);
        int parsed = new Mutations(bytes).run(20261122L, 1500, b -> {
            Files.write(side, b);
            Checkpoint.read(side);
        });
        assertTrue(parsed > 0 && parsed < 1500, "read " + parsed + " of 1500 mutants");
    }
}
