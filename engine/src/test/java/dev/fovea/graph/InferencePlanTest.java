package dev.fovea.graph;

import dev.fovea.backend.Backend;
import dev.fovea.backend.cpu.ReferenceBackend;
import dev.fovea.nn.Zoo;
import dev.fovea.primitives.ReceptiveField;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.testing.Arrays2;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Batch-norm folding, the memory plan and the layer summary. */
class InferencePlanTest {
    private final Backend cpu = new ReferenceBackend();

    private static Graph convBnNet() {
        GraphBuilder b = new GraphBuilder("convbn", 3, 9, 9);
        Value x = b.relu(b.batchNorm("bn1", b.conv2d("conv1", b.input(), ConvSpec.of(6, 3).padding(1).noBias())));
        x = b.batchNorm("bn2", b.conv2d("conv2", x, ConvSpec.of(6, 3).stride(2).padding(1).groups(3)));
        Value skip = b.conv2d("proj", b.input(), ConvSpec.of(6, 1).stride(2));
        x = b.relu(b.add(x, skip));
        return b.build(b.linear("fc", b.flatten(b.globalAvgPool(x)), 4));
    }

    /** Parameters with non-trivial running statistics and affine terms, as after training. */
    private static Map<String, float[]> trainedLooking(Graph g, Backend cpu) {
        Map<String, float[]> host = Parameters.initialize(g, cpu, 3).toHost();
        SplittableRandom r = new SplittableRandom(9);
        host.forEach((name, v) -> {
            for (int i = 0; i < v.length; i++) {
                if (name.endsWith("running_var")) {
                    v[i] = (float) (0.2 + r.nextDouble() * 3);
                } else if (name.endsWith("running_mean") || name.startsWith("bn")) {
                    v[i] = (float) (r.nextDouble() * 2 - 1);
                }
            }
        });
        return host;
    }

    @Test
    void foldingBatchNormIntoConvolutionKeepsTheOutputs() {
        Graph g = convBnNet();
        Map<String, float[]> host = trainedLooking(g, cpu);
        BatchNormFolding.Folded folded = BatchNormFolding.fold(g, host);
        assertEquals(2, folded.foldedCount());
        assertTrue(folded.graph().nodes().stream().noneMatch(n -> n.op().equals("batch_norm")));
        assertTrue(folded.params().containsKey("conv1.bias"), "a bias is created for a conv that had none");
        assertFalse(folded.params().containsKey("bn1.running_mean"));

        Tensor x = cpu.upload(Shape.of(2, 3, 9, 9), Arrays2.random(2 * 3 * 81, 4));
        float[] plain = cpu.download(new Executor(g, Parameters.fromHost(g, cpu, host)).infer(x));
        float[] fused = cpu.download(new Executor(folded.graph(),
                Parameters.fromHost(folded.graph(), cpu, folded.params())).infer(x));
        // The bound: 1e-5 relative (plus a tiny absolute floor for values near zero).
        Arrays2.assertClose("folded vs unfolded", plain, fused, 1e-6, 1e-5);
    }

    @Test
    void aConvWhoseOutputHasAnotherReaderIsNotFolded() {
        GraphBuilder b = new GraphBuilder("shared", 1, 4, 4);
        Value c = b.conv2d("conv", b.input(), ConvSpec.of(2, 3).padding(1));
        Value y = b.add(b.batchNorm("bn", c), c);
        Graph g = b.build(y);
        assertEquals(0, BatchNormFolding.fold(g, Parameters.initialize(g, cpu, 1).toHost()).foldedCount());
    }

    @Test
    void mnistCnnMemoryPlanByHand() {
        MemoryPlan one = MemoryPlan.of(Zoo.mnistCnn(), 1);
        // While relu_2 runs, the input (3136 B), conv2's output and relu_2's output (147456 B each) are
        // live; relu_1 was released as soon as conv2 had read it.
        assertEquals(3136L + 147456 + 147456, one.inferencePeakBytes());
        assertEquals(1_199_882L * 4, one.parameterBytes());
        MemoryPlan many = MemoryPlan.of(Zoo.mnistCnn(), 64);
        assertEquals(one.inferencePeakBytes() * 64, many.inferencePeakBytes(), "activations scale with the batch");
        assertTrue(many.trainingBytes() > many.inferencePeakBytes() + many.parameterBytes());
    }

    @Test
    void summaryRowsForTheReferenceNetwork() {
        List<Summary.Row> rows = Summary.rows(Zoo.mnistCnn());
        Summary.Row conv1 = rows.get(0);
        assertEquals("conv1", conv1.name());
        assertEquals(Shape.of(1, 32, 26, 26), conv1.shape());
        assertEquals(320, conv1.params());
        assertEquals(32L * 26 * 26 * 9, conv1.macs());
        assertEquals(new ReceptiveField(3, 1), conv1.rf());
        Summary.Row conv2 = rows.stream().filter(r -> r.name().equals("conv2")).findFirst().orElseThrow();
        assertEquals(new ReceptiveField(5, 1), conv2.rf());
        assertEquals(64L * 24 * 24 * 32 * 9, conv2.macs());
        Summary.Row pool = rows.stream().filter(r -> r.op().equals("max_pool2d")).findFirst().orElseThrow();
        assertEquals(new ReceptiveField(6, 2), pool.rf());
        Summary.Row fc1 = rows.stream().filter(r -> r.name().equals("fc1")).findFirst().orElseThrow();
        assertNull(fc1.rf(), "no receptive field once flattened");
        assertEquals(9216L * 128, fc1.macs());
        assertEquals(1_199_882L, rows.stream().mapToLong(Summary.Row::params).sum());
    }
}
