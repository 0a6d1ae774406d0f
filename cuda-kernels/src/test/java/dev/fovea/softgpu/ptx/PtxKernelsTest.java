package dev.fovea.softgpu.ptx;

import dev.fovea.softgpu.ptx.KernelSuite.Check;
import dev.fovea.softgpu.ptx.KernelSuite.Route;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every entry point of every committed PTX module, launched through the JCuda JNI libraries on the
 * software GPU with FOVEA_SOFTGPU_KERNELS=ptx (the shipped PTX, interpreted), on small random shapes
 * and two launch configurations, matches the CPU reference within the tolerances stated in
 * {@link KernelCases}; the same plan on the source route (the kernels' CUDA C built for the CPU)
 * must meet the same checks, so both routes agree with each other through the reference.
 */
class PtxKernelsTest {

    @TestFactory
    Stream<DynamicTest> everyEntryPointMatchesTheReferenceOnBothRoutes() {
        PtxRuns.Kernels k = PtxRuns.kernels();
        List<DynamicTest> tests = new ArrayList<>();
        for (Check c : k.suite().checks) {
            for (Route route : Route.values()) {
                tests.add(DynamicTest.dynamicTest(c.entry() + ": " + c.name() + " [" + route + "]",
                        () -> c.verifier().verify(route == Route.PTX ? k.ptx() : k.source(), route)));
            }
        }
        return tests.stream();
    }

    @Test
    void everyLaunchSucceededOnBothRoutes() {
        PtxRuns.Kernels k = PtxRuns.kernels();
        assertEquals(List.of(), PtxRuns.failedLaunches(k.ptx()), "ptx route:\n" + k.ptx().output);
        assertEquals(List.of(), PtxRuns.failedLaunches(k.source()), "source route:\n" + k.source().output);
        assertTrue(k.ptx().loads.values().stream().allMatch(rc -> rc == 0), "a committed module failed to load:\n"
                + k.ptx().output);
        assertEquals(Modules.texts().size(), k.ptx().loads.size());
    }

    @Test
    void everyEntryPointOfEveryModuleIsChecked() {
        Set<String> unchecked = new TreeSet<>(Modules.entries().keySet());
        PtxRuns.kernels().suite().checks.forEach(c -> unchecked.remove(c.entry()));
        assertEquals(Set.of(), unchecked, "entry points of the committed modules without a check in KernelCases");
    }
}
