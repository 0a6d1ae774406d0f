package dev.fovea.kernels;

import dev.fovea.kernels.KernelEmulator.Flavour;
import dev.fovea.kernels.KernelEmulator.Result;
import dev.fovea.primitives.PadMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The spatial.cu kernels (adaptive pooling, upsampling, padding) run on the CPU against the reference
 * backend, over {@link SpatialCase}'s cases with their stated tolerances, under every launch
 * configuration (1x1, 3x7, one thread per item, and that in reverse order).
 */
class SpatialEmulationTest {

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void everyCaseMatchesTheReference(Flavour flavour) {
        KernelEmulator emu = KernelEmulator.get(flavour);
        for (SpatialCase c : SpatialCase.all()) {
            Map<String, Object> written = new LinkedHashMap<>();
            c.outputs().forEach((name, expected) -> written.put(name, expected instanceof int[] i
                    ? Emulation.Out.ints(i.length) : Emulation.Out.floats(((float[]) expected).length)));
            List<Result> runs = Emulation.everyLaunch(emu, c.work(), c.inputs(), written, c.entry(), c.args());
            for (int j = 0; j < runs.size(); j++) {
                Result run = runs.get(j);
                String what = c.entry() + " " + c.what() + " " + Emulation.launchLabel(j);
                c.outputs().forEach((name, expected) -> {
                    if (expected instanceof int[] i) {
                        Compare.exact(what + " " + name, i, run.ints(name));
                    } else {
                        Compare.close(what + " " + name, (float[]) expected, run.floats(name), c.abs(), c.rel());
                    }
                });
            }
        }
    }

    @Test
    void padModeCodesFollowPadMode() {
        Matcher m = Pattern.compile("#define FOVEA_PAD_(\\w+) (\\d+)").matcher(
                KernelSources.read(KernelSources.sourceDir().resolve("spatial.cu")));
        Map<String, Integer> codes = new LinkedHashMap<>();
        while (m.find()) {
            codes.put(m.group(1), Integer.parseInt(m.group(2)));
        }
        Map<String, Integer> expected = new LinkedHashMap<>();
        for (PadMode mode : PadMode.values()) {
            expected.put(mode.name(), mode.ordinal());
        }
        assertEquals(expected, codes);
    }

    @Test
    void theCasesCoverEveryEntryPointOfTheModule() {
        Set<String> entries = new TreeSet<>();
        SpatialCase.all().forEach(c -> entries.add(c.entry()));
        Set<String> declared = new TreeSet<>();
        KernelSources.entryPoints("spatial").forEach(e -> declared.add(e.name()));
        assertEquals(declared, entries);
    }
}
