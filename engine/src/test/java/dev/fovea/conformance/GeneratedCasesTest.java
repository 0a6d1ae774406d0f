package dev.fovea.conformance;

import dev.fovea.backend.Backend;
import dev.fovea.backend.cpu.CpuBackend;
import dev.fovea.backend.cpu.ReferenceBackend;
import dev.fovea.ops.Op;
import dev.fovea.ops.Ops;
import dev.fovea.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GeneratedCasesTest {
    /** Central-difference step and bounds, as in dev.fovea.testing.GradCheck (float32 forward, double sums). */
    private static final double STEP = 1e-2;
    private static final double ABS = 2e-3;
    private static final double REL = 2e-2;
    private static final int MAX_POINTS = 40;

    private final List<ConformanceCase> cases = GeneratedCases.all(new ReferenceBackend());

    List<ConformanceCase> cases() {
        return cases;
    }

    @Test
    void everyOpIsCoveredAndEveryCaseIsValid() throws CaseValidator.Invalid {
        Set<String> ops = new HashSet<>();
        Set<String> names = new HashSet<>();
        for (ConformanceCase c : cases) {
            CaseValidator.check(c);
            ops.add(c.op());
            assertTrue(names.add(c.name()), "duplicate name " + c.name());
        }
        assertEquals(Ops.names(), ops);
    }

    @Test
    void generationIsDeterministic() {
        assertEquals(cases, GeneratedCases.all(new ReferenceBackend()));
    }

    @Test
    void aCaseFileOfTheSuiteReadsBackUnchanged() {
        String json = CaseFileWriter.toJson(cases);
        assertEquals(cases, CaseFileReader.read("suite.json", json));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void passesOnTheCpuBackends(ConformanceCase c) {
        for (Backend b : List.of(new ReferenceBackend(), new CpuBackend())) {
            CaseResult r = ConformanceRunner.run(c, b);
            assertTrue(r.passed(), c.name() + " on " + b.name() + ": " + r.detail());
        }
    }

    /**
     * The expected gradients (reference backward through the registry) agree with central
     * differences of the forward pass. Points where the two one-sided differences disagree sit on
     * a kink (ReLU at 0, a near-tie in a pooling window) and are skipped; most points must be checked.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void gradientsMatchFiniteDifferences(ConformanceCase c) {
        if (!c.checksGradients()) {
            return;
        }
        Backend b = new ReferenceBackend();
        Op op = Ops.get(c.op()).bind(c.attrs());
        float[] dy = c.gradOutputs().get(Op.OUTPUT).data();
        for (Map.Entry<String, TensorData> g : c.gradInputs().entrySet()) {
            String name = g.getKey();
            float[] x = c.inputs().get(name).data().clone();
            int points = Math.min(MAX_POINTS, x.length);
            int checked = 0;
            java.util.SplittableRandom rnd = new java.util.SplittableRandom(7);
            for (int t = 0; t < points; t++) {
                int i = points == x.length ? t : rnd.nextInt(x.length);
                float saved = x[i];
                double center = loss(b, op, c, name, x, dy);
                x[i] = (float) (saved + STEP);
                double plus = loss(b, op, c, name, x, dy);
                x[i] = (float) (saved - STEP);
                double minus = loss(b, op, c, name, x, dy);
                x[i] = saved;
                double right = (plus - center) / STEP;
                double left = (center - minus) / STEP;
                if (Math.abs(right - left) > 0.1 * Math.max(1, Math.abs(right + left) / 2)) {
                    continue;
                }
                double numeric = (plus - minus) / (2 * STEP);
                double analytic = g.getValue().data()[i];
                if (!(Math.abs(numeric - analytic) <= ABS + REL * Math.max(Math.abs(numeric), Math.abs(analytic)))) {
                    fail(String.format("%s: grad %s[%d]: analytic %.6g, numeric %.6g", c.name(), name, i, analytic, numeric));
                }
                checked++;
            }
            assertTrue(checked >= points / 2, c.name() + ": only " + checked + " of " + points
                    + " points of " + name + " were away from kinks");
        }
    }

    /** sum(output * dy) with input {@code name} replaced by {@code x}, in double. */
    private static double loss(Backend b, Op op, ConformanceCase c, String name, float[] x, float[] dy) {
        Map<String, Tensor> inputs = new LinkedHashMap<>();
        c.inputs().forEach((k, v) -> inputs.put(k, b.upload(v.shape(), (k.equals(name) ? x : v.data()).clone())));
        float[] y = b.download(op.forward(b, inputs).get(Op.OUTPUT));
        double s = 0;
        for (int i = 0; i < y.length; i++) {
            s += (double) y[i] * dy[i];
        }
        return s;
    }
}
