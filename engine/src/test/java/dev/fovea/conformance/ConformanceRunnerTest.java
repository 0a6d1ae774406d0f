package dev.fovea.conformance;

import dev.fovea.backend.cpu.ReferenceBackend;
import dev.fovea.tensor.Shape;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConformanceRunnerTest {
    private final ReferenceBackend ref = new ReferenceBackend();

    /** linear with x [1,2] = [1,2], w [[1,2],[3,4]]: y = [5, 11]; dy [1,1] -> dx [4,6], dw [[1,2],[1,2]]. */
    private static ConformanceCase.Builder linear(float y0) {
        return ConformanceCase.builder("linear_case", "linear")
                .input("input", TensorData.of(Shape.of(1, 2), 1, 2))
                .input("weight", TensorData.of(Shape.of(2, 2), 1, 2, 3, 4))
                .output("output", TensorData.of(Shape.of(1, 2), y0, 11))
                .gradOutput("output", TensorData.of(Shape.of(1, 2), 1, 1))
                .gradInput("input", TensorData.of(Shape.of(1, 2), 4, 6))
                .gradInput("weight", TensorData.of(Shape.of(2, 2), 1, 2, 1, 2))
                .tolerance(new Tolerance(1e-3, 0));
    }

    @Test
    void correctOutputsAndGradientsPass() {
        CaseResult r = ConformanceRunner.run(linear(5).build(), ref);
        assertTrue(r.passed(), r.detail());
        assertEquals(0, r.maxAbsError());
        assertEquals("cpu-ref", r.backend());
        assertEquals("linear", r.op());
    }

    @Test
    void aWrongExpectedValueFailsNamingTheElementAndReportsTheErrors() {
        CaseResult r = ConformanceRunner.run(linear(5.5f).build(), ref);
        assertFalse(r.passed());
        assertEquals(0.5, r.maxAbsError(), 1e-9);
        assertEquals(0.5 / 5.5, r.maxRelError(), 1e-6);
        assertTrue(r.detail().startsWith("output[0]: expected 5.500000, got 5.000000"), r.detail());
    }

    @Test
    void withinToleranceStillPasses() {
        CaseResult r = ConformanceRunner.run(linear(5.0005f).build(), ref);
        assertTrue(r.passed(), r.detail());
        assertEquals(5e-4, r.maxAbsError(), 1e-6);
    }

    @Test
    void aWrongGradientFails() {
        ConformanceCase c = linear(5).gradInput("input", TensorData.of(Shape.of(1, 2), 4, 7)).build();
        CaseResult r = ConformanceRunner.run(c, ref);
        assertFalse(r.passed());
        assertTrue(r.detail().startsWith("grad input[1]: expected 7.000000, got 6.000000"), r.detail());
    }

    @Test
    void aWrongOutputShapeFails() {
        ConformanceCase c = linear(5).output("output", TensorData.of(Shape.of(2, 1), 5, 11)).build();
        CaseResult r = ConformanceRunner.run(c, ref);
        assertFalse(r.passed());
        assertEquals("output: shape [1, 2], expected [2, 1]", r.detail());
    }

    @Test
    void anErrorFromTheBackendIsAFailureWithoutErrorFigures() {
        ConformanceCase c = ConformanceCase.builder("bad_shapes", "linear")
                .input("input", TensorData.of(Shape.of(1, 3), 1, 2, 3))
                .input("weight", TensorData.of(Shape.of(2, 2), 1, 2, 3, 4))
                .output("output", TensorData.of(Shape.of(1, 2), 0, 0)).build();
        CaseResult r = ConformanceRunner.run(c, ref);
        assertFalse(r.passed());
        assertTrue(Double.isNaN(r.maxAbsError()));
        assertTrue(r.detail().startsWith("IllegalArgumentException: linear: weight expects 2 input features"), r.detail());
    }

    @Test
    void toleranceComparesAbsolutePlusRelative() {
        Tolerance t = new Tolerance(1e-3, 1e-2);
        assertTrue(t.accepts(100, 100.9));
        assertFalse(t.accepts(100, 101.1));
        assertTrue(t.accepts(Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY));
        assertFalse(t.accepts(1, Double.NaN));
        assertTrue(Tolerance.EXACT.accepts(3, 3));
        assertFalse(Tolerance.EXACT.accepts(3, Math.nextUp(3f)));
    }
}
