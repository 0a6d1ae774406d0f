package dev.fovea.backend.factory;

import dev.fovea.backend.Backend;
import dev.fovea.backend.cuda.CudaOptions;
import dev.fovea.backend.cuda.CudaProbe;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * --device semantics on a machine where CUDA is unusable: run in the `no-gpu` test execution, whose
 * JVMs see no driver at all (the other executions load the software GPU).
 */
class BackendsDeviceTest {

    @Tag("no-gpu")
    @Test
    void withoutCudaOnlyTheCpuBackendsAreAvailable() {
        assumeFalse(CudaProbe.status().available(), "a usable GPU is present");
        List<String> names = Backends.availableNames();
        assertEquals(List.of("cpu", "cpu-ref"), names);
    }

    @Tag("no-gpu")
    @Test
    void askingForCudaFailsWithTheProbesReason() {
        assumeFalse(CudaProbe.status().available(), "a usable GPU is present");
        String reason = CudaProbe.status().reason();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Backends.forDevice("cuda", CudaOptions.defaults(), s -> { }));
        assertEquals("device cuda:0: " + reason, e.getMessage());
        IllegalStateException e1 = assertThrows(IllegalStateException.class, () -> Backends.open("cuda:1"));
        assertEquals("device cuda:1: " + reason, e1.getMessage());
    }

    @Tag("no-gpu")
    @Test
    void autoContinuesOnTheCpuAndSaysWhyOnce() {
        assumeFalse(CudaProbe.status().available(), "a usable GPU is present");
        List<String> notices = new ArrayList<>();
        Backend first = Backends.forDevice("auto", CudaOptions.defaults(), notices::add);
        Backend second = Backends.forDevice(" AUTO ", CudaOptions.defaults(), notices::add);
        assertEquals("cpu", first.name());
        assertEquals("cpu", second.name());
        // Another test in this JVM may have triggered the one announcement already.
        assertTrue(notices.size() <= 1, notices.toString());
        notices.forEach(n -> assertTrue(n.startsWith(CudaProbe.status().reason()) && n.endsWith("continuing on the CPU"), n));
    }

    @Test
    void deviceNamesAreValidated() {
        assertEquals("cpu", Backends.forDevice("cpu", CudaOptions.defaults(), s -> { }).name());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Backends.forDevice("gpu", CudaOptions.defaults(), s -> { }));
        assertEquals("device 'gpu': expected auto, cpu, cuda or cuda:N", e.getMessage());
        IllegalArgumentException e2 = assertThrows(IllegalArgumentException.class, () -> Backends.open("tpu"));
        assertTrue(e2.getMessage().contains("expected one of cpu, cpu-ref, cuda, cuda:N"), e2.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Backends.forDevice("cuda:x", CudaOptions.defaults(), s -> { }));
    }
}
