package dev.fovea.kernels;

import dev.fovea.kernels.KernelEmulator.Flavour;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * tensor.cu on the CPU against the reference backend, through {@link TensorCase}: binary maps,
 * broadcasts and permutes exactly (each output is the reference's float expression or a copy), sums
 * within the float summation bound (the kernel adds in float in row-major order, the reference in
 * double), each under every launch configuration.
 */
class TensorEmulationTest {

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void everyCaseMatchesTheReference(Flavour flavour) {
        KernelEmulator emu = KernelEmulator.get(flavour);
        List<TensorCase> cases = TensorCase.all();
        for (TensorCase c : cases) {
            List<KernelEmulator.Result> runs = Emulation.everyLaunch(emu, c.work(), Map.copyOf(c.inputs()),
                    Map.of(c.output(), Emulation.Out.floats(c.expected().length)), c.kernel(), c.args());
            for (int j = 0; j < runs.size(); j++) {
                String what = c.what() + " (" + c.kernel() + ", " + Emulation.launchLabel(j) + ")";
                float[] actual = runs.get(j).floats(c.output());
                if (c.absSum() == null) {
                    Compare.exact(what, c.expected(), actual);
                } else {
                    Compare.withinBound(what, c.expected(), actual, c.absSum(), c.terms());
                }
            }
        }
        assertEquals(Set.of("fovea_binary", "fovea_sum_to", "fovea_strided_copy"),
                cases.stream().map(TensorCase::kernel).collect(Collectors.toSet()));
    }
}
