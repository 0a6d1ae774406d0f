package dev.fovea.train;

import dev.fovea.graph.Graph;
import dev.fovea.nn.Zoo;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** --freeze bn-stats: every batch norm's running statistics, nothing else; refused without batch norms. */
class FreezingTest {

    @Test
    void bnStatsNamesEveryRunningMeanAndVarianceAndNothingElse() {
        Graph g = Zoo.resnet18Cifar();
        Set<String> frozen = Freezing.parameters(g, List.of(Freezing.BN_STATS));
        long expected = g.params().keySet().stream()
                .filter(n -> n.endsWith(".running_mean") || n.endsWith(".running_var")).count();
        assertEquals(expected, frozen.size(), frozen.toString());
        assertTrue(frozen.contains("bn1.running_mean") && frozen.contains("layer4.1.bn2.running_var")
                && frozen.contains("layer2.0.downsample.1.running_var"), frozen.toString());
        assertTrue(frozen.stream().allMatch(n -> !g.params().get(n).trainable()), "buffers only: " + frozen);
    }

    @Test
    void bnStatsOfAModelWithoutBatchNormIsRefused() {
        var e = assertThrows(IllegalArgumentException.class, () -> Freezing.parameters(Zoo.lenet5(),
                List.of(Freezing.BN_STATS)));
        assertEquals("--freeze bn-stats: model 'lenet5' has no batch norm", e.getMessage());
    }
}
