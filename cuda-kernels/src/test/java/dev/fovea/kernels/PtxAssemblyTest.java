package dev.fovea.kernels;

import dev.fovea.kernels.KernelSources.EntryPoint;
import dev.fovea.kernels.PtxCompiler.Usage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The committed PTX is what a user's GPU will run, so it is checked as shipped: the header every
 * supported toolchain accepts, exactly the entry points the sources declare, and a real assembly to
 * machine code for sm_75, sm_80 and sm_86 with JCuda's in-process PTX compiler (no GPU needed), with
 * no register spills. Where ptxas is installed, sm_89 and sm_90 are assembled too. Register counts
 * per kernel and architecture go to target/ptx-report/registers.md.
 */
class PtxAssemblyTest {
    private static final Pattern ENTRY = Pattern.compile("^\\.visible \\.entry (\\w+)\\(", Pattern.MULTILINE);
    /** kernel -> arch -> usage, for the report. */
    private static final Map<String, Map<String, Usage>> USAGE = new TreeMap<>();

    static Stream<String> modules() {
        return KernelSources.modules().stream();
    }

    static Stream<Arguments> jcudaTargets() {
        return modules().flatMap(m -> Stream.of("sm_75", "sm_80", "sm_86").map(a -> Arguments.of(m, a)));
    }

    static Stream<Arguments> ptxasTargets() {
        return modules().flatMap(m -> Stream.of("sm_89", "sm_90").map(a -> Arguments.of(m, a)));
    }

    @ParameterizedTest
    @MethodSource("modules")
    void headerDeclaresIsa70AndSm75(String module) {
        List<String> directives = ptx(module).lines().filter(l -> l.startsWith(".")).limit(3).toList();
        // 7.0 is what JCuda 11.7 and every CUDA >= 11.0 driver accept; sm_75 is the oldest GPU supported.
        assertEquals(List.of(".version 7.0", ".target sm_75", ".address_size 64"), directives,
                module + ".ptx header (regenerate with scripts/build-ptx.sh)");
    }

    @ParameterizedTest
    @MethodSource("modules")
    void declaresExactlyTheSourcesEntryPoints(String module) {
        Set<String> expected = new TreeSet<>();
        KernelSources.entryPoints(module).forEach(e -> expected.add(e.name()));
        assertFalse(expected.isEmpty(), module + ".cu declares no entry points");
        assertEquals(expected, entries(ptx(module)), module + ".ptx entry points vs " + module + ".cu");
    }

    @ParameterizedTest(name = "{0} for {1}")
    @MethodSource("jcudaTargets")
    void assemblesWithJcudaWithoutSpills(String module, String arch) {
        String unavailable = PtxCompiler.unavailableReason();
        assumeTrue(unavailable == null, unavailable);
        PtxCompiler.Result r = PtxCompiler.compile(ptx(module), arch);
        assertTrue(r.cubinBytes() > 0, "empty cubin for " + module + " on " + arch);
        checkUsage(module, arch, r.kernels());
    }

    @ParameterizedTest(name = "{0} for {1}")
    @MethodSource("ptxasTargets")
    void assemblesWithPtxasWithoutSpills(String module, String arch) throws Exception {
        assumeTrue(Tools.onPath("ptxas"), "ptxas is not on the PATH: " + arch
                + " (beyond JCuda 11.7's compiler) is checked only where the CUDA toolkit is installed");
        Process p = new ProcessBuilder("ptxas", "-arch=" + arch, "-v", "-o", "/dev/null",
                KernelSources.ptxDir().resolve(module + ".ptx").toString()).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "ptxas timed out");
        assertEquals(0, p.exitValue(), "ptxas " + arch + " " + module + ".ptx:\n" + log);
        checkUsage(module, arch, PtxCompiler.parseLog(log));
    }

    private static void checkUsage(String module, String arch, Map<String, Usage> kernels) {
        Set<String> expected = new TreeSet<>();
        KernelSources.entryPoints(module).stream().map(EntryPoint::name).forEach(expected::add);
        assertEquals(expected, new TreeSet<>(kernels.keySet()), "kernels reported by the assembler for " + arch);
        kernels.forEach((name, u) -> {
            assertFalse(u.spills(), name + " spills on " + arch + ": " + u);
            synchronized (USAGE) {
                USAGE.computeIfAbsent(name, k -> new TreeMap<>()).put(arch, u);
            }
        });
    }

    @AfterAll
    static void writeReport() throws IOException {
        if (USAGE.isEmpty()) {
            return;
        }
        Set<String> archs = new TreeSet<>();
        USAGE.values().forEach(m -> archs.addAll(m.keySet()));
        StringBuilder sb = new StringBuilder("# Registers per thread (spill stores/loads in bytes: all 0)\n\n| kernel |");
        archs.forEach(a -> sb.append(' ').append(a).append(" |"));
        sb.append("\n|---|").append("---|".repeat(archs.size())).append('\n');
        List<String> rows = new ArrayList<>();
        USAGE.forEach((kernel, byArch) -> {
            StringBuilder row = new StringBuilder("| ").append(kernel).append(" |");
            for (String a : archs) {
                Usage u = byArch.get(a);
                row.append(' ').append(u == null ? "-" : String.valueOf(u.registers())).append(" |");
            }
            rows.add(row.toString());
        });
        rows.forEach(r -> sb.append(r).append('\n'));
        Path out = KernelSources.targetDir().resolve("ptx-report/registers.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, sb.toString());
        System.out.println(sb);
    }

    static Set<String> entries(String ptx) {
        Set<String> names = new TreeSet<>();
        Matcher m = ENTRY.matcher(ptx);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    private static String ptx(String module) {
        return KernelSources.read(KernelSources.ptxDir().resolve(module + ".ptx"));
    }
}
