package dev.fovea.backend.cuda;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The probe in fresh JVMs: with no driver at all, with a driver that is present but unusable (a
 * stub libcuda.so.1 built here with gcc), and switched off (then no JCuda class may even load).
 */
class StubDriverTest {
    private static Path stubDir;
    private static String gccProblem;

    @BeforeAll
    static void buildStubDriver() throws IOException, InterruptedException {
        Path source = Path.of(System.getProperty("basedir", ".")).toAbsolutePath()
                .resolve("src/test/c/stub_libcuda.c");
        stubDir = ForkedJvm.target().resolve("stub-driver");
        Files.createDirectories(stubDir);
        Path lib = stubDir.resolve("libcuda.so.1");
        try {
            Process p = new ProcessBuilder("gcc", "-shared", "-fPIC", "-O1", "-Wl,-soname,libcuda.so.1",
                    "-o", lib.toString(), source.toString()).redirectErrorStream(true).start();
            String log = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                gccProblem = "gcc failed to build the stub driver: " + log;
            }
        } catch (IOException e) {
            gccProblem = "gcc is not installed (" + e.getMessage() + "); the stub-driver tests need it";
        }
    }

    private static ForkedJvm.Result probeWithStub(String name, String result) throws Exception {
        return probeWithStub(name, result, null);
    }

    private static ForkedJvm.Result probeWithStub(String name, String result, String gpu) throws Exception {
        assumeTrue(gccProblem == null, gccProblem);
        String ld = System.getenv("LD_LIBRARY_PATH");
        Map<String, String> env = new java.util.HashMap<>();
        env.put("LD_LIBRARY_PATH", stubDir + (ld == null || ld.isEmpty() ? "" : ":" + ld));
        if (result != null) {
            env.put("FOVEA_STUB_CUDA_RESULT", result);
        }
        if (gpu != null) {
            env.put("FOVEA_STUB_GPU", gpu);
        }
        return ForkedJvm.runProbe(name, List.of(), env);
    }

    @Test
    void stubDriverIsReportedAsStubLibrary() throws Exception {
        ForkedJvm.Result r = probeWithStub("stub34", null);
        assertEquals(0, r.exitCode(), r.stdout());
        assertEquals("false", ForkedJvm.field(r.stdout(), "available"), r.stdout());
        String reason = ForkedJvm.field(r.stdout(), "reason");
        assertTrue(reason.contains("cuInit returned CUDA_ERROR_STUB_LIBRARY (34)"), r.stdout());
        assertTrue(reason.contains("stub library, not a real driver"), r.stdout());
    }

    @Test
    void driverWithoutDeviceIsReportedAsNoDevice() throws Exception {
        ForkedJvm.Result r = probeWithStub("stub100", "100");
        assertEquals("false", ForkedJvm.field(r.stdout(), "available"), r.stdout());
        String reason = ForkedJvm.field(r.stdout(), "reason");
        assertTrue(reason.contains("CUDA_ERROR_NO_DEVICE (100)") && reason.contains("no CUDA-capable GPU"),
                r.stdout());
    }

    @Test
    void aGpuOlderThanTuringIsListedAndRefused() throws Exception {
        ForkedJvm.Result r = probeWithStub("stubP100", null, "Fake P100,6,0,17179869184");
        assertEquals("false", ForkedJvm.field(r.stdout(), "available"), r.stdout());
        assertEquals("CUDA unavailable: no GPU of compute capability 7.5 or newer (Fake P100 is 6.0); Fovea's kernels"
                + " are built for sm_75 (Turing) and newer", ForkedJvm.field(r.stdout(), "reason"), r.stdout());
        assertEquals("[cuda:0 Fake P100 (compute capability 6.0, 16.0 GiB)]", ForkedJvm.field(r.stdout(), "gpus"));
    }

    @Test
    void aDriverThatCannotCreateAContextIsReportedWithItsError() throws Exception {
        // The stub describes a GPU, but its context calls fail as a broken driver's would.
        ForkedJvm.Result r = probeWithStub("stub3090", null, "Fake RTX 3090,8,6,25769803776");
        assertEquals("false", ForkedJvm.field(r.stdout(), "available"), r.stdout());
        String reason = ForkedJvm.field(r.stdout(), "reason");
        assertTrue(reason.startsWith("CUDA unavailable: cuDevicePrimaryCtxRetain(0) returned CUDA_ERROR_STUB_LIBRARY (34)"),
                r.stdout());
        assertTrue(reason.contains("NVIDIA driver that supports CUDA 11.x"), r.stdout());
        assertEquals("[cuda:0 Fake RTX 3090 (compute capability 8.6, 24.0 GiB)]", ForkedJvm.field(r.stdout(), "gpus"));
    }

    /** Probes twice and prints both verdicts; run by {@link #noDriverAtAllIsReportedAsMissingLibcuda}. */
    public static final class ProbeTwice {
        public static void main(String[] args) {
            CudaStatus first = CudaProbe.probe(new CudaProbe.Switches(null, null));
            CudaStatus second = CudaProbe.probe(new CudaProbe.Switches(null, null));
            System.out.println("available=" + first.available() + "," + second.available());
            System.out.println("reason=" + first.reason());
            System.out.println("again=" + second.reason());
        }
    }

    @Test
    void noDriverAtAllIsReportedAsMissingLibcuda() throws Exception {
        assumeFalse(CudaProbeTest.systemDriverPresent(), "an NVIDIA driver library is installed on this machine");
        // An empty library path hides the software GPU the test JVMs otherwise load.
        ForkedJvm.Result r = ForkedJvm.run("nodriver", ProbeTwice.class, List.of(), Map.of("LD_LIBRARY_PATH", ""));
        assertEquals(0, r.exitCode(), r.stdout());
        assertEquals("false,false", ForkedJvm.field(r.stdout(), "available"), r.stdout());
        String reason = ForkedJvm.field(r.stdout(), "reason");
        assertTrue(reason.contains("libcuda.so.1: cannot open shared object file"), r.stdout());
        assertFalse(reason.contains("\n"), "the reason is one line: " + reason);
        assertTrue(reason.contains("NVIDIA driver that supports CUDA 11.x") && reason.contains("7.5"), reason);
        // The second probe meets NoClassDefFoundError instead of UnsatisfiedLinkError: still a clean verdict.
        assertTrue(ForkedJvm.field(r.stdout(), "again").contains("libcuda.so.1"), r.stdout());
    }

    /** Lists the available backends; run in a forked JVM by {@link #disabledCudaKeepsBackendsFreeOfJCuda}. */
    public static final class ListBackends {
        public static void main(String[] args) {
            System.out.println("backends=" + dev.fovea.backend.factory.Backends.availableNames());
        }
    }

    @Test
    void disabledCudaKeepsBackendsFreeOfJCuda() throws Exception {
        ForkedJvm.Result r = ForkedJvm.run("backends", ListBackends.class, List.of("-verbose:class"),
                Map.of("FOVEA_DEVICE", "cpu"));
        assertEquals(0, r.exitCode(), r.stdout());
        assertEquals("[cpu, cpu-ref]", ForkedJvm.field(r.stdout(), "backends"), r.stdout());
        assertTrue(r.stdout().contains("dev.fovea.backend.factory.Backends"), "class-load log missing:\n" + r.stdout());
        assertFalse(r.stdout().contains(" jcuda."), "a JCuda class was loaded although CUDA is disabled");
    }

    @Test
    void disabledProbeLoadsNoJCudaClass() throws Exception {
        ForkedJvm.Result r = ForkedJvm.runProbe("disabled", List.of("-Dfovea.cuda=false", "-verbose:class"), Map.of());
        assertEquals(0, r.exitCode(), r.stdout());
        assertTrue(ForkedJvm.field(r.stdout(), "reason").contains("-Dfovea.cuda=false"), r.stdout());
        assertTrue(r.stdout().contains("dev.fovea.backend.cuda.CudaProbe"), "class-load log missing:\n" + r.stdout());
        assertFalse(r.stdout().contains(" jcuda."), "a JCuda class was loaded although CUDA is disabled");
    }
}
