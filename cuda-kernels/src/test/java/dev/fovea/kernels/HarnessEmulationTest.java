package dev.fovea.kernels;

import dev.fovea.kernels.KernelEmulator.Flavour;
import dev.fovea.kernels.KernelEmulator.Launch;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The emulation harness itself: it knows every entry point the sources declare, each module
 * compiles on its own as C++ through the shim with warnings as errors, arguments are checked against
 * the real parameter types, unwritten outputs stay visible, and the sanitized build really does stop
 * on an out-of-bounds write (so a clean sanitized run of the other tests means something).
 */
class HarnessEmulationTest {

    @Test
    void harnessRunsExactlyTheSourcesEntryPoints() {
        KernelEmulator emu = KernelEmulator.get(Flavour.PLAIN);
        TreeSet<String> declared = new TreeSet<>();
        KernelSources.allEntryPoints().forEach(e -> declared.add(e.name()));
        assertEquals(declared, new TreeSet<>(emu.listKernels()), "harness registry vs src/*.cu");
    }

    @Test
    void eachModuleCompilesAloneThroughTheShim() throws Exception {
        assumeTrue(Tools.onPath("g++"), "g++ is not on the PATH: the kernels' CUDA source cannot be run on the CPU");
        for (String module : KernelSources.modules()) {
            List<String> cmd = new ArrayList<>(KernelEmulator.compileCommand(List.of("-fsyntax-only")));
            cmd.add(KernelSources.sourceDir().resolve(module + ".cu").toString());
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "g++ timed out on " + module);
            assertEquals(0, p.exitValue(), module + ".cu as C++:\n" + log);
        }
    }

    @Test
    void sanitizedBuildStopsOnAnOutOfBoundsWrite() {
        KernelEmulator emu = KernelEmulator.get(Flavour.SANITIZED);
        // n = 5 on a 4-element buffer: one write past the end.
        AssertionError e = assertThrows(AssertionError.class,
                () -> emu.script().output("y", 4).launch("fovea_fill", new Launch(1, 8), "y", 5, 1f).run());
        assertTrue(e.getMessage().contains("heap-buffer-overflow"), e.getMessage());
    }

    @Test
    void argumentsAreCheckedAgainstTheKernelsParameterTypes() {
        KernelEmulator emu = KernelEmulator.get(Flavour.PLAIN);
        AssertionError wrongType = assertThrows(AssertionError.class,
                () -> emu.script().output("y", 4).launch("fovea_fill", new Launch(1, 1), "y", 4f, 1f).run());
        assertTrue(wrongType.getMessage().contains("fovea_fill argument 1 must be an integer"), wrongType.getMessage());
        AssertionError wrongCount = assertThrows(AssertionError.class,
                () -> emu.script().output("y", 4).launch("fovea_fill", new Launch(1, 1), "y", 4).run());
        assertTrue(wrongCount.getMessage().contains("fovea_fill takes 3 arguments, got 2"), wrongCount.getMessage());
        AssertionError intBuffer = assertThrows(AssertionError.class,
                () -> emu.script().intOutput("y", 4).launch("fovea_fill", new Launch(1, 1), "y", 4, 1f).run());
        assertTrue(intBuffer.getMessage().contains("must be a f32 buffer"), intBuffer.getMessage());
    }

    @Test
    void elementsAKernelDoesNotWriteKeepTheSentinel() {
        KernelEmulator emu = KernelEmulator.get(Flavour.PLAIN);
        float[] y = emu.script().output("y", 6).launch("fovea_fill", new Launch(2, 2), "y", 4, 3f).run().floats("y");
        assertEquals(List.of(3f, 3f, 3f, 3f), List.of(y[0], y[1], y[2], y[3]));
        assertTrue(Float.isNaN(y[4]) && Float.isNaN(y[5]), "unwritten elements must stay NaN");
    }
}
