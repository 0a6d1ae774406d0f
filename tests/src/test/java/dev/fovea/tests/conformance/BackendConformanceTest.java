package dev.fovea.tests.conformance;

import dev.fovea.backend.Backend;
import dev.fovea.backend.factory.Backends;
import dev.fovea.conformance.AlgebraExamples;
import dev.fovea.conformance.CaseFileReader;
import dev.fovea.conformance.CaseResult;
import dev.fovea.conformance.ConformanceCase;
import dev.fovea.conformance.ConformanceRunner;
import dev.fovea.conformance.GeneratedCases;
import dev.fovea.conformance.WorkedExamples;
import dev.fovea.testing.GpuTests;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every conformance case (worked examples, generated cases, the golden files) on every backend
 * this machine has: a CUDA backend joins automatically where its probe succeeds (in `mvn verify`,
 * the software GPU, once with cuDNN and once, in its own execution, without).
 * {@code -Dfovea.test.backends=a,b} restricts the run to those backends, which must then exist.
 */
class BackendConformanceTest {

    static List<String> backends() {
        List<String> available = Backends.availableNames();
        String only = System.getProperty("fovea.test.backends");
        if (only == null || only.isBlank()) {
            return available;
        }
        List<String> wanted = List.of(only.split(","));
        for (String w : wanted) {
            if (!available.contains(w)) {
                if (w.equals("cuda")) {
                    GpuTests.requireGpu();
                }
                throw new IllegalStateException("fovea.test.backends names " + w + ", which is not available here: "
                        + available);
            }
        }
        return wanted;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void everyCasePasses(String backendName) throws URISyntaxException {
        List<ConformanceCase> cases = new ArrayList<>(WorkedExamples.all());
        cases.addAll(AlgebraExamples.all());
        try (Backend reference = Backends.reference()) {
            cases.addAll(GeneratedCases.all(reference));
        }
        for (String golden : List.of("handwritten.json", "generated-golden.json", "pytorch-activations.json",
                "pytorch-algebra.json", "pytorch-spatial.json",
                "pytorch-norm.json")) {
            cases.addAll(CaseFileReader.read(Path.of(getClass().getResource("/conformance/" + golden).toURI())));
        }
        List<CaseResult> failed;
        try (Backend backend = Backends.open(backendName, Backends.conformanceCuda())) {
            failed = cases.stream().map(c -> ConformanceRunner.run(c, backend)).filter(r -> !r.passed()).toList();
        }
        assertTrue(failed.isEmpty(), failed.size() + " of " + cases.size() + " cases failed on " + backendName + ":\n"
                + failed.stream().map(r -> r.caseName() + ": " + r.detail()).collect(Collectors.joining("\n")));
        assertTrue(cases.size() > 150, "the suite holds only " + cases.size() + " cases");
    }
}
