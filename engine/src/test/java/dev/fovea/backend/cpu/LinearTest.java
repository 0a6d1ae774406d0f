package dev.fovea.backend.cpu;

import dev.fovea.backend.Backend;
import dev.fovea.backend.Grads;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.testing.Arrays2;
import dev.fovea.testing.GradCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Arrays;

import static dev.fovea.backend.cpu.RefAsserts.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The reference GEMM (every transpose combination, alpha and beta) and the linear layer built on it. */
class LinearTest {
    private static final Backend BE = new ReferenceBackend();
    /** A = [[1,2,3],[4,5,6]] (2x3), B = [[7,8],[9,10],[11,12]] (3x2): AB = [[58,64],[139,154]]. */
    private static final float[] A = {1, 2, 3, 4, 5, 6};
    private static final float[] A_T = {1, 4, 2, 5, 3, 6};
    private static final float[] B = {7, 8, 9, 10, 11, 12};
    private static final float[] B_T = {7, 9, 11, 8, 10, 12};

    @ParameterizedTest(name = "transA={0} transB={1}")
    @CsvSource({"false,false", "true,false", "false,true", "true,true"})
    void gemmWithAlphaAndBeta(boolean transA, boolean transB) {
        Tensor c = v(new float[] {1, 2, 3, 4});
        BE.gemm(transA, transB, 2, 2, 3, 2f, v(transA ? A_T : A), v(transB ? B_T : B), 0.5f, c);
        // 2 AB + 0.5 C.
        Arrays2.assertExact("C", new float[] {116.5f, 129, 279.5f, 310}, BE.download(c));
    }

    @ParameterizedTest(name = "transA={0} transB={1}")
    @CsvSource({"false,false", "true,false", "false,true", "true,true"})
    void gemmWithBetaZeroIgnoresNaNInC(boolean transA, boolean transB) {
        float[] nan = new float[4];
        Arrays.fill(nan, Float.NaN);
        Tensor c = v(nan);
        BE.gemm(transA, transB, 2, 2, 3, 2f, v(transA ? A_T : A), v(transB ? B_T : B), 0f, c);
        Arrays2.assertExact("C", new float[] {116, 128, 278, 308}, BE.download(c));
    }

    @ParameterizedTest(name = "transA={0} transB={1}")
    @CsvSource({"false,false", "true,false", "false,true", "true,true"})
    void transposedOperandsGiveTheSameProductOnRandomNonSquareShapes(boolean transA, boolean transB) {
        int m = 3;
        int n = 4;
        int k = 5;
        float[] a = Arrays2.random(m * k, 101);
        float[] b = Arrays2.random(k * n, 102);
        float[] c0 = Arrays2.random(m * n, 103);
        Tensor plain = v(c0.clone());
        BE.gemm(false, false, m, n, k, -1.5f, v(a), v(b), 2f, plain);
        Tensor c = v(c0.clone());
        BE.gemm(transA, transB, m, n, k, -1.5f, v(transA ? transpose(a, m, k) : a), v(transB ? transpose(b, k, n) : b),
                2f, c);
        Arrays2.assertClose("C", BE.download(plain), BE.download(c), 1e-6, 1e-6);
        // And against the definition, entry (2, 3).
        double sum = 0;
        for (int p = 0; p < k; p++) {
            sum += (double) a[2 * k + p] * b[p * n + 3];
        }
        assertEquals(-1.5 * sum + 2 * c0[2 * n + 3], BE.download(c)[2 * n + 3], 1e-5);
    }

    @Test
    void gemmRejectsBuffersTooSmallForTheSizes() {
        var e = assertThrows(IllegalArgumentException.class, () ->
                BE.gemm(false, false, 2, 2, 3, 1, v(A), v(new float[5]), 0, v(new float[4])));
        assertMessage(e, "gemm: m=2 n=2 k=3", "B>=6", "got 6, 5, 4");
        e = assertThrows(IllegalArgumentException.class, () ->
                BE.gemm(false, false, -1, 2, 3, 1, v(A), v(B), 0, v(new float[4])));
        assertMessage(e, "gemm: negative size m=-1");
    }

    @Test
    void linearForwardExactValues() {
        // x [[1,2,3],[4,5,6]], w [[1,0,-1],[0.5,0.5,0.5]], b [10,-10]: y = x w^T + b.
        Tensor x = BE.upload(Shape.of(2, 3), A);
        Tensor w = BE.upload(Shape.of(2, 3), new float[] {1, 0, -1, 0.5f, 0.5f, 0.5f});
        Tensor y = BE.linear(x, w, v(new float[] {10, -10}));
        assertEquals(Shape.of(2, 2), y.shape());
        Arrays2.assertExact("y", new float[] {8, -7, 8, -2.5f}, BE.download(y));
        Arrays2.assertExact("y without bias", new float[] {-2, 3, -2, 7.5f}, BE.download(BE.linear(x, w, null)));
    }

    @Test
    void linearBackwardMatchesFiniteDifferences() {
        Shape xs = Shape.of(3, 5);
        Shape ws = Shape.of(4, 5);
        float[] x = Arrays2.random(xs.size(), 111);
        float[] w = Arrays2.random(ws.size(), 112);
        float[] b = Arrays2.random(4, 113);
        float[] dy = Arrays2.random(12, 114);
        Grads g = BE.linearBackward(BE.upload(Shape.of(3, 4), dy), BE.upload(xs, x), BE.upload(ws, w), true, true);
        GradCheck.check("linear d input", x, xv -> linear(xs, xv, ws, w, b), dy, BE.download(g.input()));
        GradCheck.check("linear d weight", w, wv -> linear(xs, x, ws, wv, b), dy, BE.download(g.weight()));
        GradCheck.check("linear d bias", b, bv -> linear(xs, x, ws, w, bv), dy, BE.download(g.bias()));
    }

    @Test
    void linearBackwardSkipsWhatIsNotAskedFor() {
        Tensor x = BE.upload(Shape.of(2, 3), A);
        Tensor w = BE.upload(Shape.of(2, 3), B);
        Grads g = BE.linearBackward(BE.upload(Shape.of(2, 2), new float[] {1, 0, 0, 1}), x, w, false, false);
        assertNull(g.input());
        assertNull(g.bias());
        // dW = dy^T x with dy = I: the rows of x.
        Arrays2.assertExact("dW", A, BE.download(g.weight()));
    }

    @Test
    void linearRejectsMismatchedShapes() {
        Tensor x = BE.upload(Shape.of(2, 3), A);
        var e = assertThrows(IllegalArgumentException.class, () ->
                BE.linear(x, BE.upload(Shape.of(3, 2), A), null));
        assertMessage(e, "linear: weight expects 2 input features, input has 3", "input [2, 3]", "weight [3, 2]");
        e = assertThrows(IllegalArgumentException.class, () ->
                BE.linear(x, BE.upload(Shape.of(2, 3), B), v(new float[3])));
        assertMessage(e, "linear: bias must be [2]", "bias [3]");
        e = assertThrows(IllegalArgumentException.class, () ->
                BE.linear(v(A), BE.upload(Shape.of(2, 3), B), null));
        assertMessage(e, "linear: input must be 2-D", "input [6]");
        e = assertThrows(IllegalArgumentException.class, () ->
                BE.linearBackward(v(new float[4]), x, BE.upload(Shape.of(2, 3), B), true, true));
        assertMessage(e, "linear backward: grad_output must be [2, 2], got [4]");
    }

    private static float[] linear(Shape xs, float[] x, Shape ws, float[] w, float[] b) {
        return BE.download(BE.linear(BE.upload(xs, x), BE.upload(ws, w), v(b)));
    }

    private static float[] transpose(float[] a, int rows, int cols) {
        float[] t = new float[a.length];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                t[j * rows + i] = a[i * cols + j];
            }
        }
        return t;
    }

    private static Tensor v(float[] data) {
        return BE.upload(Shape.of(data.length), data);
    }
}
