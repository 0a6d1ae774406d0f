package dev.fovea;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * Which engine package may depend on which, so that dependencies run one way (issue 14). From the
 * bottom up: {@code tensor}; the attribute records and shape rules of {@code ops} and the update
 * rules of {@code optim}; the backend interface {@code backend}; its implementations
 * {@code backend.cpu} and {@code backend.cuda}; {@code backend.factory}, the one place that names
 * them; and above, everything that runs on "a backend": {@code ops.registry}, {@code graph},
 * {@code nn}, {@code train}, {@code bench}, {@code conformance}, {@code io}, {@code data},
 * {@code report} (and the cli module, checked by its own ArchitectureTest).
 *
 * <p>The rules, each a test below:
 * <ol>
 *   <li>No cycles between packages: every package ({@code dev.fovea.backend},
 *       {@code dev.fovea.backend.cpu}, ...) is a slice, and no two slices reach each other.</li>
 *   <li>{@code tensor} depends on no other Fovea package; {@code ops} (the records and shape rules,
 *       not {@code ops.registry}) only on {@code tensor}; {@code optim} on none.</li>
 *   <li>The backend interface package {@code dev.fovea.backend} depends on neither implementation
 *       ({@code backend.cpu}, {@code backend.cuda}) nor the factory.</li>
 *   <li>{@code backend.cpu} and {@code backend.cuda} do not depend on each other.</li>
 *   <li>Nothing outside {@code backend.*} depends on {@code backend.cpu} or {@code backend.cuda}:
 *       code above the interface asks {@code backend.factory.Backends} for a backend and the
 *       {@code Backend} interface for what it can do, never {@code instanceof CudaBackend}.</li>
 *   <li>The backends do not depend on the layers above them (graph, nn, train, bench, conformance,
 *       io, data, report, ops.registry, onnx).</li>
 * </ol>
 * Test classes are left out: a test may build a reference backend directly.
 */
@AnalyzeClasses(packages = "dev.fovea", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    /** The packages that run on any backend and so may name only the interface and the factory. */
    private static final String[] ABOVE_THE_BACKENDS = {"dev.fovea.graph..", "dev.fovea.nn..", "dev.fovea.train..",
            "dev.fovea.bench..", "dev.fovea.conformance..", "dev.fovea.io..", "dev.fovea.data..",
            "dev.fovea.report..", "dev.fovea.ops.registry..", "dev.fovea.onnx.."};

    private static final String[] IMPLEMENTATIONS = {"dev.fovea.backend.cpu..", "dev.fovea.backend.cuda.."};

    @ArchTest
    static final ArchRule noPackageCycles = slices().matching("dev.fovea.(**)").should().beFreeOfCycles();

    @ArchTest
    static final ArchRule tensorIsTheBottom = noClasses().that().resideInAPackage("dev.fovea.tensor..")
            .should().dependOnClassesThat(foveaOutside("dev.fovea.tensor.."))
            .because("tensors are what every other package is built from");

    @ArchTest
    static final ArchRule opRecordsSitBelowTheBackends = noClasses().that().resideInAPackage("dev.fovea.ops")
            .should().dependOnClassesThat(foveaOutside("dev.fovea.ops", "dev.fovea.tensor"))
            .because("the backends take op attributes and shape rules from ops, so ops cannot take from them");

    @ArchTest
    static final ArchRule optimiserRulesStandAlone = noClasses().that().resideInAPackage("dev.fovea.optim")
            .should().dependOnClassesThat(foveaOutside("dev.fovea.optim"))
            .because("the backends' fused optimiser updates follow these rules; the driver that keeps "
                    + "state on a backend is train.Optimizer");

    @ArchTest
    static final ArchRule interfaceNamesNoImplementation = noClasses().that().resideInAPackage("dev.fovea.backend")
            .should().dependOnClassesThat().resideInAnyPackage("dev.fovea.backend.cpu..", "dev.fovea.backend.cuda..",
                    "dev.fovea.backend.factory..")
            .because("implementations depend on the interface, not the other way round");

    @ArchTest
    static final ArchRule cudaDoesNotUseCpu = noClasses().that().resideInAPackage("dev.fovea.backend.cuda..")
            .should().dependOnClassesThat().resideInAPackage("dev.fovea.backend.cpu..")
            .because("rules both backends share live in ops, above either");

    @ArchTest
    static final ArchRule cpuDoesNotUseCuda = noClasses().that().resideInAPackage("dev.fovea.backend.cpu..")
            .should().dependOnClassesThat().resideInAPackage("dev.fovea.backend.cuda..");

    @ArchTest
    static final ArchRule onlyTheFactoryNamesImplementations = noClasses().that()
            .resideInAnyPackage(ABOVE_THE_BACKENDS)
            .should().dependOnClassesThat().resideInAnyPackage(IMPLEMENTATIONS)
            .because("code above the backends opens them through backend.factory.Backends and asks the Backend "
                    + "interface for device services (describe, timeMs, decisions, peakBytes, activity)");

    @ArchTest
    static final ArchRule backendsDoNotReachUp = noClasses().that().resideInAPackage("dev.fovea.backend..")
            .should().dependOnClassesThat().resideInAnyPackage(ABOVE_THE_BACKENDS);

    /** Fovea's classes outside the given packages (the JDK and libraries are not what these rules are about). */
    private static DescribedPredicate<JavaClass> foveaOutside(String... packages) {
        return resideInAPackage("dev.fovea..").and(not(resideInAnyPackage(packages)))
                .as("Fovea classes outside " + String.join(", ", packages));
    }
}
