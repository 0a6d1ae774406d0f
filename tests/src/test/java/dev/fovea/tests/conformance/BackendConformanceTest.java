package dev.fovea.tests.conformance;

import dev.fovea.backend.Backend;
import dev.fovea.backend.Backends;
import dev.fovea.conformance.CaseFileReader;
import dev.fovea.conformance.CaseResult;
import dev.fovea.conformance.ConformanceCase;
import dev.fovea.conformance.ConformanceRunner;
import dev.fovea.conformance.GeneratedCases;
import dev.fovea.conformance.WorkedExamples;
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
 * this machine has: a CUDA backend joins automatically where its probe succeeds.
 */
class BackendConformanceTest {

    static List<String> backends() {
        return Backends.available().stream().map(Backend::name).toList();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void everyCasePasses(String backendName) throws URISyntaxException {
        List<ConformanceCase> cases = new ArrayList<>(WorkedExamples.all());
        try (Backend reference = Backends.reference()) {
            cases.addAll(GeneratedCases.all(reference));
        }
        for (String golden : List.of("handwritten.json", "generated-golden.json")) {
            cases.addAll(CaseFileReader.read(Path.of(getClass().getResource("/conformance/" + golden).toURI())));
        }
        List<CaseResult> failed;
        try (Backend backend = Backends.available().stream().filter(b -> b.name().equals(backendName)).findFirst()
                .orElseThrow()) {
            failed = cases.stream().map(c -> ConformanceRunner.run(c, backend)).filter(r -> !r.passed()).toList();
        }
        assertTrue(failed.isEmpty(), failed.size() + " of " + cases.size() + " cases failed on " + backendName + ":\n"
                + failed.stream().map(r -> r.caseName() + ": " + r.detail()).collect(Collectors.joining("\n")));
        assertTrue(cases.size() > 150, "the suite holds only " + cases.size() + " cases");
    }
}
