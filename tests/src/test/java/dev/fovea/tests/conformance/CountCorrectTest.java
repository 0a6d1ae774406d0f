package dev.fovea.tests.conformance;

import dev.fovea.backend.Backend;
import dev.fovea.backend.factory.Backends;
import dev.fovea.primitives.Argmax;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A training step's correct count, computed where the logits live, is the same on every backend:
 * the first maximum of a row is its prediction (ties go to the first, NaN never wins), and the
 * values read with it in one downloadAll come back in order.
 */
class CountCorrectTest {

    static List<String> backends() {
        return Backends.availableNames();
    }

    private static float count(Backend b, Shape xs, float[] logits, float[] labels) {
        try (Tensor x = b.upload(xs, logits); Tensor t = b.upload(Shape.of(labels.length), labels);
             Tensor hits = b.countCorrect(x, t)) {
            assertEquals(Shape.scalar(), hits.shape());
            return b.downloadAll(List.of(hits)).get(0)[0];
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void theFirstMaximumIsThePredictionOnEveryBackend(String name) {
        try (Backend b = Backends.open(name)) {
            // Worked example: ties to the first, a NaN row predicts 0, NaN beside a maximum loses.
            float nan = Float.NaN;
            float[] logits = {
                1, 3, 3,      // predicts 1 (tie: first), label 1: hit
                1, 3, 3,      // label 2: miss
                nan, nan, nan, // predicts 0, label 0: hit
                0, nan, 2,    // predicts 2, label 2: hit
                nan, 5, 4,    // x[1] > NaN is false: predicts 0, label 1: miss
            };
            assertEquals(3f, count(b, Shape.of(5, 3), logits, new float[]{1, 2, 0, 2, 1}), name);

            // Random rows with many ties, large enough for several reduction chunks on a GPU.
            int n = 2500;
            int c = 7;
            SplittableRandom r = new SplittableRandom(5);
            float[] x = new float[n * c];
            for (int i = 0; i < x.length; i++) {
                x[i] = r.nextInt(50) == 0 ? nan : r.nextInt(4);
            }
            float[] labels = new float[n];
            for (int i = 0; i < n; i++) {
                labels[i] = r.nextInt(c);
            }
            int expected = Argmax.hits(x, labels, c);
            assertTrue(expected > 0 && expected < n);
            assertEquals(expected, count(b, Shape.of(n, c), x, labels), name);

            assertEquals(0f, count(b, Shape.of(0, 3), new float[0], new float[0]), name + " empty batch");
            assertThrows(IllegalArgumentException.class, () -> count(b, Shape.of(2, 3), new float[6], new float[3]));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void downloadAllReadsEachTensorInOrder(String name) {
        try (Backend b = Backends.open(name);
             Tensor a = b.upload(Shape.of(3), new float[]{1, 2, 3});
             Tensor empty = b.upload(Shape.of(0), new float[0]);
             Tensor c = b.upload(Shape.of(2, 2), new float[]{4, 5, 6, 7})) {
            List<float[]> read = b.downloadAll(List.of(c, empty, a, c));
            assertEquals(4, read.size());
            assertArrayEquals(new float[]{4, 5, 6, 7}, read.get(0));
            assertArrayEquals(new float[0], read.get(1));
            assertArrayEquals(new float[]{1, 2, 3}, read.get(2));
            assertArrayEquals(read.get(0), read.get(3));
            assertEquals(List.of(), b.downloadAll(List.of()));
        }
    }
}
