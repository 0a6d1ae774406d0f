package dev.fovea.softgpu.ptx;

import dev.fovea.backend.Backend;
import dev.fovea.backend.cuda.CudaBackend;
import dev.fovea.backend.factory.Backends;
import dev.fovea.conformance.CaseResult;
import dev.fovea.conformance.ConformanceCase;
import dev.fovea.conformance.ConformanceRunner;
import dev.fovea.conformance.GeneratedCases;
import dev.fovea.conformance.WorkedExamples;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The GPU conformance suite (the worked examples and the generated cases, as `fovea conformance
 * --backend cuda` runs them) on the CUDA backend in ptx mode, in a forked JVM: every op the backend
 * sends to Fovea's own kernels runs the committed PTX through the interpreter (without cuDNN, so
 * convolutions, pooling, batch norm, activations and losses all take the own-kernel route).
 */
class PtxConformanceTest {

    /** Runs in the fork: every case on a CudaBackend; prints one line per case and a summary. */
    public static final class Main {
        public static void main(String[] args) {
            List<ConformanceCase> cases = new ArrayList<>(WorkedExamples.all());
            int broken = 0;
            try (Backend reference = Backends.reference()) {
                for (GeneratedCases.Generated g : GeneratedCases.tryAll(reference)) {
                    if (g.error() == null) {
                        cases.add(g.value());
                    } else {
                        System.out.println("BROKEN " + g.name() + ": " + g.error().getMessage());
                        broken++;
                    }
                }
            }
            int failed = 0;
            try (CudaBackend cuda = new CudaBackend()) {
                for (ConformanceCase c : cases) {
                    CaseResult r = ConformanceRunner.run(c, cuda);
                    System.out.println((r.passed() ? "PASS " : "FAIL ") + r.caseName() + " " + r.op() + " abs "
                            + r.maxAbsError() + " rel " + r.maxRelError() + (r.passed() ? "" : " " + r.detail()));
                    failed += r.passed() ? 0 : 1;
                }
            }
            System.out.println("conformance: " + (cases.size() - failed) + " passed, " + failed + " failed, "
                    + broken + " broken");
            System.exit(failed == 0 && broken == 0 ? 0 : 1);
        }
    }

    @Test
    void theConformanceSuitePassesInPtxMode() throws Exception {
        Path coverage = PtxRuns.work().resolve("conformance-coverage.txt");
        // The interpreter writes its report at exit but creates no directory: run alone, no other
        // test has made target/ptx-tests yet.
        Files.createDirectories(coverage.getParent());
        long t0 = System.nanoTime();
        Fork.Result r = Fork.run("conformance-ptx", Main.class, Map.of("FOVEA_SOFTGPU_KERNELS", "ptx",
                "FOVEA_SOFTGPU_PTX_COVERAGE", coverage.toString()), List.of(), 600);
        System.out.printf("ptx-mode conformance: %.1f s (a forked JVM)%n", (System.nanoTime() - t0) / 1e9);
        assertEquals(0, r.exitCode(), r.output());
        assertTrue(r.output().contains(" passed, 0 failed, 0 broken"), r.output());
        // The interpreter ran: its coverage report lists the forms it executed.
        Map<String, long[]> ran = PtxRuns.readCoverage(coverage);
        long executed = ran.values().stream().filter(v -> v[1] > 0).count();
        assertTrue(executed > 50, "the interpreter executed only " + executed + " instruction forms:\n" + r.output());
    }
}
