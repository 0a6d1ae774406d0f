package dev.fovea.tests.conformance;

import dev.fovea.backend.Backend;
import dev.fovea.backend.factory.Backends;
import dev.fovea.conformance.CaseResult;
import dev.fovea.conformance.ConformanceCase;
import dev.fovea.conformance.ConformanceRunner;
import dev.fovea.conformance.GeneratedCases;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The conformance suite's Winograd cases do exercise the {@code cpu} backend's Winograd route: each
 * passes there (forward and gradients, at the suite's tolerance), and the backend reports the route, with
 * its Winograd weight gradient, for each of their shapes. Without this, a change of the routing rule could leave the route untested by the
 * suite while it still passed.
 */
class WinogradRouteConformanceTest {

    @Test
    void winogradCasesPassOnTheWinogradRoute() {
        List<ConformanceCase> cases;
        try (Backend reference = Backends.reference()) {
            cases = GeneratedCases.all(reference).stream().filter(c -> c.name().contains("winograd")).toList();
        }
        assertEquals(3, cases.size(), "the generated suite's Winograd cases");
        try (Backend cpu = Backends.open("cpu")) {
            for (ConformanceCase c : cases) {
                int before = cpu.decisions().size();
                CaseResult r = ConformanceRunner.run(c, cpu);
                assertTrue(r.passed(), c.name() + ": " + r.detail());
                List<String> made = cpu.decisions().subList(before, cpu.decisions().size());
                assertEquals(1, made.size(), c.name() + " made " + made);
                assertTrue(made.get(0).contains("Winograd F(2x2,3x3) forward, input gradient and weight gradient"),
                        c.name() + " took " + made.get(0));
            }
        }
    }
}
