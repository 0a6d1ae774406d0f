package dev.fovea.softgpu;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The software GPU's own C++ tests (cuda-kernels/softgpu/test/*.cpp): the driver's contract
 * (contexts, memory patterns, deferred streams, events, module checks, launch limits) and cuDNN's
 * semantics against worked examples and an independent naive reference, without the JVM in between.
 */
class SoftGpuNativeTest {

    @Test
    void nativeTestsPass() throws Exception {
        SoftGpuBuild.requireBuilt();
        SoftGpuBuild.Result r = SoftGpuBuild.run(List.of("make", "-s", "-C", SoftGpuBuild.sources().toString(),
                "OUT=" + SoftGpuBuild.out(), "test"), 600);
        assertEquals(0, r.exitCode(), r.output());
        assertTrue(r.output().contains("driver_basics: ok"), r.output());
    }
}
