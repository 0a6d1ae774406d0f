package dev.fovea.backend.cpu;

import dev.fovea.backend.BatchNormOutput;
import dev.fovea.primitives.AdaptivePool2dParams;
import dev.fovea.primitives.BatchNormParams;
import dev.fovea.primitives.PoolKind;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Backward entry points validate their shape arguments before indexing, like the forward ones. */
class ReferenceBackendChecksTest {
    private final ReferenceBackend b = new ReferenceBackend();

    @Test
    void resamplingBackwardNamesTheOpForANon4dShape() {
        Tensor g = b.zeros(Shape.of(1, 2, 1, 1));
        var e = assertThrows(IllegalArgumentException.class,
                () -> b.resample2dBackward(g, Shape.of(1, 2), null, new AdaptivePool2dParams(PoolKind.AVG, 1, 1)));
        assertTrue(e.getMessage().startsWith("adaptive_avg_pool2d: input must be 4-D"), e.getMessage());
    }

    @Test
    void batchNormBackwardChecksGammaAgainstTheInput() {
        Tensor x = b.upload(Shape.of(2, 3), new float[] {1, 2, 3, 4, 5, 6});
        Tensor ones = b.upload(Shape.of(3), new float[] {1, 1, 1});
        BatchNormOutput fwd = b.batchNormTraining(x, ones, b.zeros(Shape.of(3)), b.zeros(Shape.of(3)),
                b.upload(Shape.of(3), new float[] {1, 1, 1}), BatchNormParams.defaults());
        Tensor wrongGamma = b.upload(Shape.of(2), new float[] {1, 1});
        var e = assertThrows(IllegalArgumentException.class,
                () -> b.batchNormBackward(b.zeros(Shape.of(2, 3)), x, wrongGamma, fwd));
        assertTrue(e.getMessage().startsWith("batch_norm: weight must be [3]"), e.getMessage());
    }
}
