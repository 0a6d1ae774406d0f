package dev.fovea.tests.conformance;

import dev.fovea.conformance.CaseFileReader;
import dev.fovea.conformance.ConformanceCase;
import dev.fovea.primitives.Activation;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * pytorch-activations.json (written by make_activation_cases.py) has PyTorch's forward and backward
 * values for every {@link Activation}, which {@link BackendConformanceTest} runs on every backend: a
 * constant without them fails here, by name. One with a number attribute needs a case away from its
 * default too, as the attribute reaches every backend's kernel.
 */
class PyTorchActivationCasesTest {
    private static List<ConformanceCase> cases;

    private static synchronized List<ConformanceCase> cases() throws Exception {
        if (cases == null) {
            cases = CaseFileReader.read(Path.of(PyTorchActivationCasesTest.class
                    .getResource("/conformance/pytorch-activations.json").toURI()));
        }
        return cases;
    }

    @ParameterizedTest
    @EnumSource(Activation.class)
    void everyActivationHasPyTorchsValues(Activation kind) throws Exception {
        List<ConformanceCase> mine = cases().stream().filter(c -> c.op().equals(kind.opName())
                && kind.approximate().equals(c.attrs().getOrDefault("approximate", "none"))).toList();
        assertTrue(mine.stream().anyMatch(c -> c.checksGradients()
                && (kind.parameter() == null || !c.attrs().containsKey(kind.parameter()))),
                kind + " has no PyTorch case (forward and backward) at its defaults in pytorch-activations.json; "
                        + "add it to make_activation_cases.py and rerun it");
        if (kind.parameter() != null) {
            assertTrue(mine.stream().anyMatch(c -> c.checksGradients() && c.attrs().containsKey(kind.parameter())
                            && ((Number) c.attrs().get(kind.parameter())).doubleValue() != kind.defaultParameter()),
                    kind + " has no PyTorch case with " + kind.parameter() + " away from its default "
                            + kind.defaultParameter());
        }
    }
}
