package dev.fovea.backend.cpu;

import dev.fovea.backend.Backend;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.testing.Arrays2;
import dev.fovea.testing.GradCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static dev.fovea.backend.cpu.RefAsserts.assertAllFinite;
import static dev.fovea.backend.cpu.RefAsserts.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Softmax and log-softmax: seed-examples §7, every dim, -inf entries, huge logits, gradients. */
class SoftmaxTest {
    private static final Backend BE = new ReferenceBackend();
    private static final float NEG_INF = Float.NEGATIVE_INFINITY;

    @Test
    void seedExample7() {
        float[] x = {-0.8f, 2.0f, 6.0f, -2.7f, 0.8f};
        float[] y = softmax(x, Shape.of(5), 0, false);
        // The material rounds to 4 decimals.
        Arrays2.assertClose("softmax", new float[] {0.0011f, 0.0179f, 0.9755f, 0.0002f, 0.0054f}, y, 5e-5, 0);
        // Each probability is e^x / 413.5599 (the material's sum of exponentials, to 7 digits).
        for (int i = 0; i < x.length; i++) {
            assertEquals(Math.exp(x[i]) / 413.5599, y[i], 1e-6 * y[i], "softmax[" + i + "]");
        }
        float[] logY = softmax(x, Shape.of(5), -1, true);
        for (int i = 0; i < x.length; i++) {
            assertEquals(x[i] - Math.log(413.5599), logY[i], 1e-6, "log_softmax[" + i + "]");
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, -1, -2, -3})
    void everyDimMatchesTheTextbookFormula(int dim) {
        Shape s = Shape.of(2, 3, 4);
        float[] x = Arrays2.random(s.size(), 41);
        float[] y = softmax(x, s, dim, false);
        float[] logY = softmax(x, s, dim, true);
        int d = dim < 0 ? dim + 3 : dim;
        int[] strides = {12, 4, 1};
        for (int i = 0; i < x.length; i++) {
            // sum of e^x over the line through i along d; small inputs need no max shift here.
            int first = i - ((i / strides[d]) % s.dim(d)) * strides[d];
            double sum = 0;
            for (int k = 0; k < s.dim(d); k++) {
                sum += Math.exp(x[first + k * strides[d]]);
            }
            assertEquals(Math.exp(x[i]) / sum, y[i], 1e-6, "softmax dim " + dim + " at " + i);
            assertEquals(x[i] - Math.log(sum), logY[i], 1e-6, "log_softmax dim " + dim + " at " + i);
        }
    }

    @Test
    void minusInfinityGetsZeroProbabilityAndTheRowStaysFinite() {
        float[] x = {0, NEG_INF, 1, NEG_INF, NEG_INF, 2};
        Shape s = Shape.of(2, 3);
        float e = (float) Math.E;
        Arrays2.assertClose("softmax", new float[] {1 / (1 + e), 0, e / (1 + e), 0, 0, 1}, softmax(x, s, 1, false),
                0, 1e-6);
        float[] logY = softmax(x, s, 1, true);
        Arrays2.assertClose("log_softmax", new float[] {(float) -Math.log1p(Math.E), NEG_INF,
                (float) (1 - Math.log1p(Math.E)), NEG_INF, NEG_INF, 0}, logY, 0, 1e-6);
        float[] dy = {1, 2, 3, 4, 5, 6};
        for (boolean log : new boolean[] {false, true}) {
            Tensor y = BE.softmax(BE.upload(s, x), 1, log);
            assertAllFinite((log ? "log_softmax" : "softmax") + " backward",
                    BE.download(BE.softmaxBackward(BE.upload(s, dy), y, 1, log)));
        }
        // log_softmax backward where y = -inf: dy - e^y * sum(dy) = dy.
        float[] dx = BE.download(BE.softmaxBackward(BE.upload(s, dy), BE.softmax(BE.upload(s, x), 1, true), 1, true));
        assertEquals(2, dx[1]);
        assertEquals(4, dx[3]);
        assertEquals(6 - 15, dx[5], 1e-6, "the certain class: dy - 1 * (4 + 5 + 6)");
    }

    @Test
    void hugeLogitsDoNotOverflow() {
        float[] shiftedUp = {1000, 1001, 999, 3e38f, 3e38f, -3e38f};
        float[] small = {0, 1, -1};
        Shape s = Shape.of(2, 3);
        float[] y = softmax(shiftedUp, s, 1, false);
        Arrays2.assertClose("softmax of 1000 + [0, 1, -1]", softmax(small, Shape.of(3), 0, false),
                new float[] {y[0], y[1], y[2]}, 0, 1e-6);
        Arrays2.assertExact("softmax near Float.MAX_VALUE", new float[] {0.5f, 0.5f, 0}, new float[] {y[3], y[4], y[5]});
        assertAllFinite("log_softmax of huge logits", new float[] {softmax(shiftedUp, s, 1, true)[0]});
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, -1})
    void gradientsMatchFiniteDifferences(int dim) {
        Shape s = Shape.of(2, 3, 4);
        float[] x = Arrays2.random(s.size(), 51);
        float[] dy = Arrays2.random(s.size(), 52);
        for (boolean log : new boolean[] {false, true}) {
            Tensor y = BE.softmax(BE.upload(s, x), dim, log);
            float[] dx = BE.download(BE.softmaxBackward(BE.upload(s, dy), y, dim, log));
            GradCheck.check((log ? "log_softmax" : "softmax") + " dim " + dim, x, xv -> softmax(xv, s, dim, log), dy, dx);
        }
    }

    @Test
    void badDimNamesTheOpTheDimAndTheShape() {
        Tensor x = BE.upload(Shape.of(2, 3), new float[6]);
        var e = assertThrows(IllegalArgumentException.class, () -> BE.softmax(x, 2, false));
        assertMessage(e, "softmax: dim 2 is out of range for input [2, 3]");
        e = assertThrows(IllegalArgumentException.class, () -> BE.softmax(x, -3, true));
        assertMessage(e, "log_softmax: dim -3 is out of range for input [2, 3]");
        e = assertThrows(IllegalArgumentException.class, () -> BE.softmaxBackward(x, x, 5, true));
        assertMessage(e, "log_softmax backward: dim 5", "[2, 3]");
        e = assertThrows(IllegalArgumentException.class, () ->
                BE.softmaxBackward(BE.upload(Shape.of(3, 2), new float[6]), x, 1, false));
        assertMessage(e, "softmax backward", "[3, 2]", "[2, 3]");
    }

    private static float[] softmax(float[] x, Shape s, int dim, boolean log) {
        return BE.download(BE.softmax(BE.upload(s, x), dim, log));
    }
}
