package dev.fovea.softgpu.ptx;

import dev.fovea.softgpu.ptx.InstructionForms.Form;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The forked runs the ptx-mode tests share, each made once per test JVM (surefire runs the test
 * classes in one JVM): the kernel suite on both routes, and the instruction-form probes. Both ptx
 * runs write the interpreter's coverage report (FOVEA_SOFTGPU_PTX_COVERAGE), which
 * {@link PtxCoverageTest} combines.
 */
final class PtxRuns {
    private PtxRuns() {
    }

    static Path work() {
        return Fork.target().resolve("ptx-tests");
    }

    /** The kernel suite's plan, run with the interpreter and with the source route. */
    record Kernels(KernelSuite suite, Plan.Results ptx, Plan.Results source, Map<String, long[]> coverage,
                   double ptxSeconds, double sourceSeconds) {
    }

    /** One probe per probed form: its parsed form, cases and results. */
    record Probe(Form form, List<long[]> cases, String module, String output) {
    }

    record Probes(Map<String, Probe> probes, Plan.Results results, Map<String, long[]> coverage, double seconds) {
    }

    private static Kernels kernels;
    private static Probes probes;

    static synchronized Kernels kernels() {
        if (kernels == null) {
            Fork.requireSoftGpu();
            KernelSuite suite = new KernelSuite(work().resolve("kernels"));
            KernelCases.addAll(suite);
            Path coverage = work().resolve("kernels-coverage.txt");
            long t0 = System.nanoTime();
            Plan.Results ptx = suite.plan.run("kernels-ptx", Map.of("FOVEA_SOFTGPU_KERNELS", "ptx",
                    "FOVEA_SOFTGPU_PTX_COVERAGE", coverage.toString()), 300);
            long t1 = System.nanoTime();
            Plan.Results source = suite.plan.run("kernels-source", Map.of("FOVEA_SOFTGPU_KERNELS", "source"), 300);
            long t2 = System.nanoTime();
            kernels = new Kernels(suite, ptx, source, readCoverage(coverage), (t1 - t0) / 1e9, (t2 - t1) / 1e9);
            System.out.printf("ptx kernel suite: %d checks, %d launches; ptx route %.1f s, source route %.1f s "
                    + "(each a forked JVM)%n", suite.checks.size(), ptx.launches.size(), kernels.ptxSeconds(),
                    kernels.sourceSeconds());
        }
        return kernels;
    }

    static synchronized Probes probes() {
        if (probes == null) {
            Fork.requireSoftGpu();
            Plan plan = new Plan(work().resolve("probes"));
            Map<String, Probe> out = new LinkedHashMap<>();
            int k = 0;
            for (String text : Modules.allForms()) {
                if (InstructionForms.notProbed(text) != null) {
                    continue;
                }
                Form f = new Form(text);
                if (!InstructionForms.shape(f)) {
                    continue;  // reported by PtxInstructionFormsTest
                }
                String id = "probe" + k++;
                List<long[]> cases = InstructionForms.cases(f, text.hashCode());
                long[] words = new long[cases.size() * 4];
                for (int i = 0; i < cases.size(); i++) {
                    System.arraycopy(cases.get(i), 0, words, i * 4, 3);
                }
                plan.module(id, ".version 7.0\n.target sm_75\n.address_size 64\n\n" + InstructionForms.kernel(id, f));
                String in = plan.longs(words);
                String result = plan.longs(new long[cases.size()]);
                plan.launch(id, id, (cases.size() + 63) / 64, 64, in, result, cases.size());
                out.put(text, new Probe(f, cases, id, result));
            }
            Path coverage = work().resolve("probes-coverage.txt");
            long t0 = System.nanoTime();
            Plan.Results results = plan.run("probes", Map.of("FOVEA_SOFTGPU_KERNELS", "ptx",
                    "FOVEA_SOFTGPU_PTX_COVERAGE", coverage.toString()), 300);
            probes = new Probes(out, results, readCoverage(coverage), (System.nanoTime() - t0) / 1e9);
            System.out.printf("ptx instruction probes: %d forms; %.1f s (a forked JVM)%n", out.size(), probes.seconds());
        }
        return probes;
    }

    /** The interpreter's coverage report: form -> {instructions of that form, instructions that ran}. */
    static Map<String, long[]> readCoverage(Path file) {
        Map<String, long[]> out = new TreeMap<>();
        try {
            if (!Files.exists(file)) {
                throw new AssertionError("the interpreter wrote no coverage report to " + file);
            }
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                String[] f = line.split("\t");
                if (f.length == 3) {
                    out.put(f[0], new long[] {Long.parseLong(f[1]), Long.parseLong(f[2])});
                }
            }
            Files.delete(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    static List<String> failedLaunches(Plan.Results r) {
        List<String> bad = new ArrayList<>();
        for (int i = 0; i < r.launches.size(); i++) {
            if (!r.launches.get(i).equals("0")) {
                bad.add("launch " + i + ": " + r.launches.get(i));
            }
        }
        for (int s : r.syncs) {
            if (s != 0) {
                bad.add("synchronize: " + s);
            }
        }
        return bad;
    }
}
