package dev.fovea.softgpu.ptx;

import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every instruction form the committed modules use ran in at least one test: the interpreter's own
 * coverage report (FOVEA_SOFTGPU_PTX_COVERAGE) of the kernel suite ({@link PtxKernelsTest}) and of
 * the instruction probes ({@link PtxInstructionFormsTest}), combined. Some forms are on paths no
 * realistic shape reaches (nvcc's 64-bit division for operands of 2^32 and more, next to its 32-bit
 * fast path): the probes run those. The test lists any form that never ran.
 */
class PtxCoverageTest {

    @Test
    void everyFormOfTheModulesRan() {
        Map<String, long[]> kernels = PtxRuns.kernels().coverage();
        Map<String, long[]> probes = PtxRuns.probes().coverage();
        Set<String> neverRan = new TreeSet<>();
        Set<String> onlyProbed = new TreeSet<>();
        for (String form : Modules.allForms()) {
            boolean inKernels = kernels.containsKey(form) && kernels.get(form)[1] > 0;
            boolean inProbes = probes.containsKey(form) && probes.get(form)[1] > 0;
            if (!inKernels && !inProbes) {
                neverRan.add(form);
            } else if (!inKernels) {
                onlyProbed.add(form);
            }
        }
        System.out.println("ptx coverage: " + Modules.allForms().size() + " forms in the modules; run only by the probes: "
                + onlyProbed);
        assertEquals(Set.of(), neverRan, "instruction forms of the committed modules that no test executed");
    }

    @Test
    void theInterpreterSeesTheFormsTheTestsSee() {
        // The coverage report counts what the interpreter decoded from the committed modules: its
        // forms must be exactly those this package reads from the PTX text (no form missed by either).
        Map<String, long[]> kernels = PtxRuns.kernels().coverage();
        assertEquals(Modules.allForms(), new TreeSet<>(kernels.keySet()));
    }
}
