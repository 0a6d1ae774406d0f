package dev.fovea.conformance;

import dev.fovea.backend.Backend;
import dev.fovea.backend.cpu.CpuBackend;
import dev.fovea.backend.cpu.ReferenceBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WorkedExamplesTest {

    static List<ConformanceCase> cases() {
        return WorkedExamples.all();
    }

    @Test
    void coversEveryWorkedExampleThatIsAnOp() throws CaseValidator.Invalid {
        for (ConformanceCase c : cases()) {
            CaseValidator.check(c);
        }
        Set<String> prefixes = cases().stream().map(c -> c.name().substring(0, c.name().indexOf('_')))
                .collect(Collectors.toSet());
        assertEquals(Set.of("ex1", "ex2", "ex3", "ex4", "ex5", "ex6", "ex7", "ex8"), prefixes);
        assertEquals(Set.of("conv2d", "max_pool2d", "avg_pool2d", "min_pool2d", "softmax", "cross_entropy",
                "binary_cross_entropy"), cases().stream().map(ConformanceCase::op).collect(Collectors.toSet()));
    }

    @Test
    void integerExamplesAreComparedExactly() {
        for (ConformanceCase c : cases()) {
            if (c.name().startsWith("ex1") || c.name().startsWith("ex2") || c.name().startsWith("ex3")
                    || c.name().startsWith("ex5") || c.name().startsWith("ex6")) {
                assertEquals(Tolerance.EXACT, c.tolerance(), c.name());
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void passesOnTheCpuBackends(ConformanceCase c) {
        for (Backend b : List.of(new ReferenceBackend(), new CpuBackend())) {
            CaseResult r = ConformanceRunner.run(c, b);
            assertTrue(r.passed(), c.name() + " on " + b.name() + ": " + r.detail());
        }
    }
}
