package dev.fovea;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaField;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;

import java.util.Set;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.codeUnits;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.fields;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * Which engine package may depend on which, so that dependencies run one way (issue 14). From the
 * bottom up: {@code tensor}; the primitives' attribute records and shape rules ({@code primitives}) and
 * the update rules of {@code optim}; the backend interface {@code backend}; its implementations
 * {@code backend.cpu} and {@code backend.cuda}; {@code backend.factory}, the one place that names
 * them; and above, everything that runs on "a backend": the op layer {@code ops}, {@code graph},
 * {@code nn}, {@code train}, {@code bench}, {@code conformance}, {@code io}, {@code data},
 * {@code report} (and the cli module, checked by its own ArchitectureTest).
 *
 * <p>The rules, each a test below:
 * <ol>
 *   <li>No cycles between packages: every package ({@code dev.fovea.backend},
 *       {@code dev.fovea.backend.cpu}, ...) is a slice, and no two slices reach each other.</li>
 *   <li>{@code tensor} depends on no other Fovea package; {@code primitives} (the records and shape
 *       rules) only on {@code tensor}; {@code optim} on none.</li>
 *   <li>The backend interface package {@code dev.fovea.backend} depends on neither implementation
 *       ({@code backend.cpu}, {@code backend.cuda}) nor the factory.</li>
 *   <li>{@code backend.cpu} and {@code backend.cuda} do not depend on each other.</li>
 *   <li>Nothing outside {@code backend.*} depends on {@code backend.cpu} or {@code backend.cuda}:
 *       code above the interface asks {@code backend.factory.Backends} for a backend and the
 *       {@code Backend} interface for what it can do, never {@code instanceof CudaBackend}.</li>
 *   <li>The backends do not depend on the layers above them (graph, nn, train, bench, conformance,
 *       io, data, report, ops, onnx, api).</li>
 *   <li>{@code api}, the public Java API, is the top: no other engine package depends on it.</li>
 *   <li>The public signatures of {@code api}'s public classes (methods, constructors, fields, their
 *       generic type arguments included) name only {@code api} and the JDK, except where deliberate:
 *       {@code graph.Graph}, the network {@code GraphBuilder} builds, for {@code Model.of}. Every other
 *       package is internal and may change without notice.</li>
 * </ol>
 * Test classes are left out: a test may build a reference backend directly.
 */
@AnalyzeClasses(packages = "dev.fovea", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    /** The packages that run on any backend and so may name only the interface and the factory. */
    private static final String[] ABOVE_THE_BACKENDS = {"dev.fovea.graph..", "dev.fovea.nn..", "dev.fovea.train..",
            "dev.fovea.bench..", "dev.fovea.conformance..", "dev.fovea.io..", "dev.fovea.data..",
            "dev.fovea.report..", "dev.fovea.ops..", "dev.fovea.onnx..", "dev.fovea.api.."};

    /** Internal types the public API names on purpose (see the package documentation of dev.fovea.api). */
    private static final Set<String> DELIBERATELY_EXPOSED = Set.of("dev.fovea.graph.Graph");

    private static final String[] IMPLEMENTATIONS = {"dev.fovea.backend.cpu..", "dev.fovea.backend.cuda.."};

    @ArchTest
    static final ArchRule noPackageCycles = slices().matching("dev.fovea.(**)").should().beFreeOfCycles();

    @ArchTest
    static final ArchRule tensorIsTheBottom = noClasses().that().resideInAPackage("dev.fovea.tensor..")
            .should().dependOnClassesThat(foveaOutside("dev.fovea.tensor.."))
            .because("tensors are what every other package is built from");

    @ArchTest
    static final ArchRule primitivesSitBelowTheBackends = noClasses().that().resideInAPackage("dev.fovea.primitives")
            .should().dependOnClassesThat(foveaOutside("dev.fovea.primitives", "dev.fovea.tensor"))
            .because("the backends take attribute records and shape rules from primitives, so primitives cannot take from them");

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

    @ArchTest
    static final ArchRule apiIsTheTop = noClasses().that().resideOutsideOfPackage("dev.fovea.api..")
            .should().dependOnClassesThat().resideInAPackage("dev.fovea.api..")
            .because("the public API is a facade over the engine, which does not know it");

    @ArchTest
    static final ArchRule apiExposesNoInternalType = codeUnits().that().areDeclaredInClassesThat().resideInAPackage(
                    "dev.fovea.api").and().areDeclaredInClassesThat().arePublic().and().arePublic()
            .should(nameOnlyPublicTypes())
            .because("every package but dev.fovea.api is internal: a user of the API must not need to name it");

    @ArchTest
    static final ArchRule apiFieldsExposeNoInternalType = fields().that().areDeclaredInClassesThat()
            .resideInAPackage("dev.fovea.api").and().areDeclaredInClassesThat().arePublic().and().arePublic()
            .should(new ArchCondition<JavaField>("have types of dev.fovea.api or the JDK") {
                @Override
                public void check(JavaField f, ConditionEvents events) {
                    for (JavaClass t : f.getType().getAllInvolvedRawTypes()) {
                        if (!publicType(t)) {
                            events.add(SimpleConditionEvent.violated(f, f.getFullName() + " exposes " + t.getName()));
                        }
                    }
                }
            }).allowEmptyShould(true); // the API has no public fields today; the rule keeps it that way

    private static ArchCondition<JavaCodeUnit> nameOnlyPublicTypes() {
        return new ArchCondition<>("name only types of dev.fovea.api or the JDK in their signatures") {
            @Override
            public void check(JavaCodeUnit m, ConditionEvents events) {
                Set<JavaClass> named = new java.util.HashSet<>(m.getReturnType().getAllInvolvedRawTypes());
                m.getParameterTypes().forEach(p -> named.addAll(p.getAllInvolvedRawTypes()));
                m.getExceptionTypes().forEach(named::add);
                for (JavaClass t : named) {
                    if (!publicType(t)) {
                        events.add(SimpleConditionEvent.violated(m, m.getFullName() + " exposes " + t.getName()));
                    }
                }
            }
        };
    }

    private static boolean publicType(JavaClass t) {
        JavaClass base = t.isArray() ? t.getBaseComponentType() : t;
        return base.isPrimitive() || base.getPackageName().startsWith("java.")
                || base.getPackageName().equals("dev.fovea.api") || DELIBERATELY_EXPOSED.contains(base.getName());
    }

    /** Fovea's classes outside the given packages (the JDK and libraries are not what these rules are about). */
    private static DescribedPredicate<JavaClass> foveaOutside(String... packages) {
        return resideInAPackage("dev.fovea..").and(not(resideInAnyPackage(packages)))
                .as("Fovea classes outside " + String.join(", ", packages));
    }
}
