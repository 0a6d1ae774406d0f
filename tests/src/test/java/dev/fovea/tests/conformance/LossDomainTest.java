package dev.fovea.tests.conformance;

import dev.fovea.backend.Backend;
import dev.fovea.backend.factory.Backends;
import dev.fovea.primitives.LossKind;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * A cross-entropy label that is not a class index, or a binary cross-entropy input that is not a
 * probability, is refused with the same message on every backend, as PyTorch refuses both. The CPU
 * backends refuse when the loss is computed; a GPU kernel cannot throw, so the GPU checks on the
 * device and refuses when the loss is read — which a training step always does.
 */
class LossDomainTest {

    static List<String> backends() {
        return Backends.availableNames();
    }

    /** The refusal, which must be the same whether the loss is read alone or with others (a training step's read). */
    private static String refusal(Backend b, LossKind kind, Shape xs, float[] x, Shape ts, float[] t) {
        IllegalArgumentException alone = assertThrows(IllegalArgumentException.class, () -> {
            try (Tensor input = b.upload(xs, x); Tensor target = b.upload(ts, t);
                 Tensor loss = b.loss(kind, input, target)) {
                b.download(loss);
            }
        }, b.name());
        IllegalArgumentException together = assertThrows(IllegalArgumentException.class, () -> {
            try (Tensor input = b.upload(xs, x); Tensor target = b.upload(ts, t);
                 Tensor loss = b.loss(kind, input, target)) {
                b.downloadAll(List.of(input, loss, target));
            }
        }, b.name() + " downloadAll");
        assertEquals(alone.getMessage(), together.getMessage(), b.name());
        return alone.getMessage();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void badTargetsAreRefusedAlike(String name) {
        try (Backend b = Backends.open(name)) {
            float[] logits = new float[4 * 3];
            assertEquals("cross_entropy: target[2] = 3.0 is not a class index in [0, 3) (input [4, 3], target [4])",
                    refusal(b, LossKind.CROSS_ENTROPY, Shape.of(4, 3), logits, Shape.of(4), new float[]{0, 2, 3, -1}));
            assertEquals("cross_entropy: target[1] = 0.5 is not a class index in [0, 3) (input [4, 3], target [4])",
                    refusal(b, LossKind.CROSS_ENTROPY, Shape.of(4, 3), logits, Shape.of(4), new float[]{0, 0.5f, 1, 1}));
            assertEquals("binary_cross_entropy: input[3] = 1.5 is not a probability in [0, 1] (input [2, 2])",
                    refusal(b, LossKind.BINARY_CROSS_ENTROPY, Shape.of(2, 2), new float[]{0, 1, 0.5f, 1.5f}, Shape.of(2, 2),
                            new float[]{0, 1, 1, 0}));
            // Good targets still give the loss.
            try (Tensor x = b.upload(Shape.of(2, 3), new float[]{0, 0, 0, 0, 0, 0});
                 Tensor t = b.upload(Shape.of(2), new float[]{0, 2});
                 Tensor loss = b.loss(LossKind.CROSS_ENTROPY, x, t)) {
                assertEquals((float) Math.log(3), b.download(loss)[0], 1e-6, name);
                List<float[]> read = b.downloadAll(List.of(t, loss, x));
                assertEquals(List.of(2, 1, 6), read.stream().map(v -> v.length).toList(), name);
                assertEquals(2f, read.get(0)[1], name);
                assertEquals((float) Math.log(3), read.get(1)[0], 1e-6, name);
            }
        }
    }
}
