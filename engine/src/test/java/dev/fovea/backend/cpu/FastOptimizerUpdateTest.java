package dev.fovea.backend.cpu;

import dev.fovea.optim.AdaDelta;
import dev.fovea.optim.AdaGrad;
import dev.fovea.optim.Adam;
import dev.fovea.optim.OptimizerConfig;
import dev.fovea.optim.RmsProp;
import dev.fovea.optim.Sgd;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.testing.Arrays2;
import dev.fovea.train.Optimizer;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * The fast backend splits optimiser updates over its threads; every rule is elementwise, so three steps
 * on a parameter of several chunks (with a ragged last one) must give the reference's bits exactly.
 */
class FastOptimizerUpdateTest {
    private static final int SIZE = 3 * (1 << 15) + 777;

    @Test
    void everyOptimiserMatchesTheReferenceBitForBit() {
        List<OptimizerConfig> configs = List.of(new Sgd(0.1, 0.9, 0, true, 0.01), Sgd.plain(0.05), Adam.adam(0.01),
                AdaGrad.defaults(0.1), AdaDelta.defaults(1.0), RmsProp.defaults(0.01));
        ReferenceBackend ref = new ReferenceBackend();
        try (CpuBackend fast = new CpuBackend(3)) {
            for (OptimizerConfig config : configs) {
                float[] start = Arrays2.random(SIZE, 1);
                float[] expected = run(ref, config, start);
                float[] actual = run(fast, config, start);
                assertNotEquals(start[SIZE - 1], actual[SIZE - 1], config.name() + ": the last chunk was updated");
                assertArrayEquals(expected, actual, config.name());
            }
        }
    }

    private static float[] run(ReferenceBackend b, OptimizerConfig config, float[] start) {
        Optimizer opt = new Optimizer(config, b);
        Tensor p = b.upload(Shape.of(SIZE), start.clone());
        for (int step = 0; step < 3; step++) {
            opt.step("w", p, b.upload(Shape.of(SIZE), Arrays2.random(SIZE, 10 + step)));
        }
        return b.download(p);
    }
}
