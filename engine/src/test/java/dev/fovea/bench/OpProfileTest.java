package dev.fovea.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fovea.backend.cpu.CpuBackend;
import dev.fovea.graph.ConvSpec;
import dev.fovea.graph.Graph;
import dev.fovea.graph.GraphBuilder;
import dev.fovea.graph.Value;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The per-op profile of `bench model --profile`: which rows it has and that they add up. No timing is asserted. */
class OpProfileTest {

    /** conv-bn-relu twice, pooling and a dense head: batch norm folds away at inference but trains in the step. */
    private static Graph convBnNet() {
        GraphBuilder b = new GraphBuilder("conv-bn", 3, 12, 12);
        Value x = b.relu(b.batchNorm("bn1", b.conv2d("conv1", b.input(), ConvSpec.of(8, 3).padding(1).noBias())));
        x = b.relu(b.batchNorm("bn2", b.conv2d("conv2", x, ConvSpec.of(8, 3).padding(1).noBias())));
        return b.build(b.linear("fc", b.flatten(b.maxPool(x, 2)), 10));
    }

    private static Map<String, OpProfile.Row> byKey(OpProfile p) {
        return p.rows().stream().collect(Collectors.toMap(r -> r.op() + " " + r.direction(), r -> r));
    }

    @Test
    void inferenceProfilesTheFoldedGraphAndTrainingBothDirections(@TempDir Path dir) throws Exception {
        List<OpProfile> profiles = new ArrayList<>();
        try (CpuBackend cpu = new CpuBackend(1)) {
            List<Measurement> ms = ModelBench.run(convBnNet(), cpu, 2, new OpTimer(1, 1), 3, profiles::add);
            assertEquals(2, ms.size());
        }
        assertEquals(List.of("infer", "train"), profiles.stream().map(OpProfile::pass).toList());
        OpProfile infer = profiles.get(0);
        OpProfile train = profiles.get(1);
        assertEquals("conv-bn batch 2", infer.workload());
        assertEquals(3, infer.runs());

        // Inference runs what predict runs: batch norm folded into the convolutions, so no batch_norm node.
        Map<String, OpProfile.Row> in = byKey(infer);
        assertEquals(Set.of("conv2d forward", "relu forward", "max_pool2d forward", "flatten forward", "linear forward"),
                in.keySet());
        assertEquals(2, in.get("conv2d forward").nodes());
        assertEquals(2, in.get("relu forward").nodes());

        Map<String, OpProfile.Row> tr = byKey(train);
        assertEquals(2, tr.get("batch_norm forward").nodes());
        assertEquals(2, tr.get("batch_norm backward").nodes());
        // The first conv's input needs no gradient, but its weight does: both convs run backward.
        assertEquals(2, tr.get("conv2d backward").nodes());
        assertEquals(1, tr.get("linear backward").nodes());

        for (OpProfile p : profiles) {
            assertTrue(p.rows().stream().allMatch(r -> r.ms() >= 0), p.toString());
            for (int i = 1; i < p.rows().size(); i++) {
                assertTrue(p.rows().get(i - 1).ms() >= p.rows().get(i).ms(), "rows slowest first: " + p.rows());
            }
            // Medians of the parts against the median of the whole: close, not equal.
            assertTrue(p.opsMs() > 0 && p.opsMs() <= 1.5 * p.totalMs(), p.opsMs() + " ms in ops of " + p.totalMs());
        }

        StringWriter text = new StringWriter();
        train.print(new PrintWriter(text));
        assertTrue(text.toString().contains("# profile  conv-bn batch 2 train on cpu, median of 3 runs"), text.toString());
        assertTrue(text.toString().contains("batch_norm") && text.toString().contains("(loss, optimiser, between)"),
                text.toString());

        Path json = dir.resolve("p/profile.json");
        OpProfile.json(json, profiles);
        JsonNode root = new ObjectMapper().readTree(json.toFile()).get("profiles");
        assertEquals(2, root.size());
        assertEquals("train", root.get(1).get("pass").asText());
        assertEquals(train.totalMs(), root.get(1).get("total_ms").asDouble());
        assertEquals(train.rows().size(), root.get(1).get("rows").size());
        JsonNode first = root.get(1).get("rows").get(0);
        assertEquals(train.rows().get(0).op(), first.get("op").asText());
        assertEquals(train.rows().get(0).ms(), first.get("ms").asDouble());
    }
}
