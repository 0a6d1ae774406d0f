package dev.fovea.cli;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import dev.fovea.backend.Backend;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.assignableTo;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.equivalentTo;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * The command line stands above the backends (the engine's ArchitectureTest has the engine's rules):
 * <ol>
 *   <li>it opens a backend through {@code backend.factory.Backends} and uses it through the
 *       {@code Backend} interface, so it names no class that implements {@code Backend}
 *       ({@code CudaBackend}, {@code CpuBackend}, {@code ReferenceBackend}: no {@code new}, no
 *       {@code instanceof});</li>
 *   <li>it depends on nothing in {@code backend.cpu}.</li>
 * </ol>
 * What it may use of {@code backend.cuda} is the package's face for choosing a device: the probe
 * ({@code CudaProbe}, {@code CudaStatus}, {@code GpuInfo}, {@code CudaVersions}), the options
 * ({@code CudaOptions}) and the errors it explains to the user.
 */
@AnalyzeClasses(packages = "dev.fovea.cli", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    @ArchTest
    static final ArchRule namesNoBackendImplementation = noClasses().that().resideInAPackage("dev.fovea.cli..")
            .should().dependOnClassesThat(assignableTo(Backend.class).and(not(equivalentTo(Backend.class))))
            .because("what a backend can do is asked of the Backend interface, not found by instanceof");

    @ArchTest
    static final ArchRule usesNothingOfTheCpuBackends = noClasses().that().resideInAPackage("dev.fovea.cli..")
            .should().dependOnClassesThat().resideInAPackage("dev.fovea.backend.cpu..");
}
