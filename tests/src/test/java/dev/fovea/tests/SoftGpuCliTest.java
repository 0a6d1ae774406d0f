package dev.fovea.tests;

import dev.fovea.backend.cuda.SoftGpuCounters;
import dev.fovea.backend.cuda.SoftGpuCounters.Counter;
import dev.fovea.backend.cuda.SoftGpuCounters.Snapshot;
import dev.fovea.testing.GpuTests;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The CLI on the GPU end to end, which in `mvn verify` is the software GPU (two devices): device
 * listing and selection, training that matches the CPU, checkpoints that move between devices,
 * resume, out-of-memory handling, and the benchmarks.
 */
@Tag("gpu")
class SoftGpuCliTest {

    @BeforeEach
    void gpu() {
        GpuTests.requireGpu();
    }

    /** The train_loss, test_loss and test_accuracy columns of each epoch in history.csv. */
    private static List<double[]> history(Path run) throws IOException {
        return Files.readAllLines(run.resolve("history.csv")).stream().skip(1)
                .map(l -> l.split(","))
                .map(f -> new double[]{Double.parseDouble(f[1]), Double.parseDouble(f[2]), Double.parseDouble(f[3])})
                .toList();
    }

    private static void sameHistory(String what, List<double[]> expected, List<double[]> actual, double tolerance) {
        assertEquals(expected.size(), actual.size(), what + ": epochs");
        for (int e = 0; e < expected.size(); e++) {
            for (int c = 0; c < 3; c++) {
                assertEquals(expected.get(e)[c], actual.get(e)[c], tolerance,
                        what + ": epoch " + (e + 1) + " column " + c);
            }
        }
    }

    @Test
    void devicesListsTheSoftwareGpusAndAutoPicksCuda(@TempDir Path dir) {
        Cli devices = Cli.run("devices");
        assertEquals(0, devices.status(), devices.toString());
        assertTrue(devices.out().contains("cuda:0   Fovea SoftGPU, compute capability 7.5 (sm_75)"), devices.out());
        assertTrue(devices.out().contains("cuda:1   Fovea SoftGPU"), devices.out());
        assertTrue(devices.out().matches("(?s).*driver 11\\.8, cuBLAS 11\\.\\d+\\.\\d+, cuDNN .*"), devices.out());
        Cli auto = Cli.run("train", "--limit", "64", "--epochs", "1", "--out", dir.resolve("auto").toString());
        assertEquals(0, auto.status(), auto.toString());
        assertTrue(auto.out().contains(" on cuda:0, "), auto.out());
        Cli second = Cli.run("train", "--device", "cuda:1", "--limit", "64", "--epochs", "1", "--out",
                dir.resolve("second").toString());
        assertEquals(0, second.status(), second.toString());
        assertTrue(second.out().contains(" on cuda:1, "), second.out());
    }

    @Test
    void trainingOnTheGpuMatchesTheCpuAndItsCheckpointsMoveAndResume(@TempDir Path dir) throws IOException {
        String[] common = {"--limit", "256", "--batch-size", "32", "--epochs", "2"};
        Cli cpu = Cli.run(concat(new String[]{"train", "--device", "cpu", "--out", dir.resolve("cpu").toString()}, common));
        assertEquals(0, cpu.status(), cpu.toString());
        Cli gpu = Cli.run(concat(new String[]{"train", "--device", "cuda", "--out", dir.resolve("gpu").toString()}, common));
        assertEquals(0, gpu.status(), gpu.toString());
        // FP32 on both, summed in other orders (cuDNN algorithms, GEMM blocking): rounding only.
        sameHistory("cuda against cpu", history(dir.resolve("cpu")), history(dir.resolve("gpu")), 2e-4);

        // The GPU's checkpoint evaluates on the CPU as on the GPU (2,000 test images).
        Path ckpt1 = dir.resolve("gpu").resolve("epoch-001.json");
        String onCpu = accuracy(Cli.run("eval", dir.resolve("gpu").resolve("epoch-002.json").toString(), "--device", "cpu"));
        String onGpu = accuracy(Cli.run("eval", dir.resolve("gpu").resolve("epoch-002.json").toString(), "--device", "cuda"));
        assertEquals(onCpu, onGpu);

        // Resuming the first epoch's checkpoint on the GPU gives the uninterrupted run's second epoch.
        Path resumed = dir.resolve("resumed");
        Files.createDirectories(resumed);
        for (String f : List.of("epoch-001.json", "epoch-001.safetensors", "epoch-001.optim.safetensors")) {
            Files.copy(dir.resolve("gpu").resolve(f), resumed.resolve(f));
        }
        Cli more = Cli.run("train", "--resume", resumed.resolve("epoch-001.json").toString(), "--epochs", "2",
                "--device", "cuda");
        assertEquals(0, more.status(), more.toString());
        assertTrue(Files.isRegularFile(resumed.resolve("epoch-002.json")), more.toString());
        sameHistory("resumed on cuda", history(dir.resolve("gpu")), history(resumed), 1e-5);
        assertTrue(Files.isRegularFile(ckpt1));
    }

    @Test
    void deviceOutOfMemoryReleasesTheCacheRetriesOnceThenExitsWith6(@TempDir Path dir) throws Exception {
        // One failed cuMemAlloc mid-run: the allocator frees its cache, retries and training goes on.
        try (TrainingProcess once = TrainingProcess.start(dir.resolve("logs"), List.of(), null,
                Map.of("FOVEA_SOFTGPU_FAIL_ALLOC", "12"), "train", "--device", "cuda", "--limit", "64", "--epochs", "1",
                "--out", dir.resolve("once").toString())) {
            assertEquals(0, once.waitFor(), once.toString());
            assertTrue(once.stderr().contains("injected by FOVEA_SOFTGPU_FAIL_ALLOC (call 12)"), once.toString());
        }
        // Every allocation from the 12th on fails: one line naming the op and exit status 6.
        try (TrainingProcess always = TrainingProcess.start(dir.resolve("logs"), List.of(), null,
                Map.of("FOVEA_SOFTGPU_FAIL_ALLOC", "12+"), "train", "--device", "cuda", "--limit", "64", "--epochs", "1",
                "--out", dir.resolve("always").toString())) {
            assertEquals(6, always.waitFor(), always.toString());
            String err = always.stderr();
            assertTrue(err.contains(": out of GPU memory allocating ") && err.contains("after releasing its cache")
                    && err.contains("Use a smaller --batch-size"), always.toString());
            assertTrue(err.lines().filter(l -> l.startsWith("fovea: ")).count() == 1, always.toString());
        }
    }

    @Test
    void aLibraryThatCannotAllocateGetsTheCacheReleasedAndOneRetry(@TempDir Path dir) throws Exception {
        try (TrainingProcess once = TrainingProcess.start(dir.resolve("logs"), List.of(), null,
                Map.of("FOVEA_SOFTGPU_FAIL_LIBRARY", "5"), "train", "--device", "cuda", "--limit", "64", "--epochs", "1",
                "--out", dir.resolve("once").toString())) {
            assertEquals(0, once.waitFor(), once.toString());
            assertTrue(once.stderr().contains("injected by FOVEA_SOFTGPU_FAIL_LIBRARY (call 5)"), once.toString());
        }
        try (TrainingProcess always = TrainingProcess.start(dir.resolve("logs"), List.of(), null,
                Map.of("FOVEA_SOFTGPU_FAIL_LIBRARY", "5+"), "train", "--device", "cuda", "--limit", "64", "--epochs", "1",
                "--out", dir.resolve("always").toString())) {
            assertEquals(6, always.waitFor(), always.toString());
            assertTrue(always.stderr().contains(": out of GPU memory inside cu"), always.toString());
        }
    }

    @Test
    void aFailedKernelLaunchIsOneLineNamingTheKernelAndTheOpWithStatus7(@TempDir Path dir) throws Exception {
        try (TrainingProcess p = TrainingProcess.start(dir.resolve("logs"), List.of(), null,
                Map.of("FOVEA_SOFTGPU_FAIL_LAUNCH", "fovea_sgd_update"), "train", "--device", "cuda", "--limit", "64",
                "--epochs", "1", "--out", dir.resolve("run").toString())) {
            assertEquals(7, p.waitFor(), p.toString());
            List<String> lines = p.stderr().lines().filter(l -> l.startsWith("fovea: ")).toList();
            assertEquals(1, lines.size(), p.toString());
            assertTrue(lines.get(0).contains("sgd update of [") && lines.get(0).contains("cuLaunchKernel(fovea_sgd_update")
                    && lines.get(0).contains("CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES (701)"), p.toString());
            assertTrue(!p.stderr().contains("\tat "), "no stack trace: " + p);
        }
    }

    @Test
    void conformanceOnSeveralNamesLeavesNoBackendOpen() {
        SoftGpuCounters counters = SoftGpuCounters.attach().orElse(null);
        assumeTrue(counters != null || "1".equals(System.getenv(GpuTests.REQUIRE)),
                "not the software GPU");
        Snapshot before = counters.snapshot();
        // "cuda" and "all" name the GPU twice: it is opened once, and everything opened is closed.
        Cli c = Cli.run("conformance", "--backend", "cuda,all", "--filter", "relu");
        assertEquals(0, c.status(), c.toString());
        Snapshot d = counters.snapshot().since(before);
        for (Counter k : List.of(Counter.LIVE_STREAMS,
                Counter.LIVE_CUBLAS_HANDLES,
                Counter.LIVE_DEVICE_ALLOCATIONS)) {
            assertEquals(0, d.get(k), k + " after conformance: " + d);
        }
    }

    @Test
    void benchmarksRunOnTheGpuAndCountWhatAStepAsksOfIt() {
        Cli ops = Cli.run("bench", "ops", "--backend", "cuda", "--quick");
        assertEquals(0, ops.status(), ops.toString());
        assertTrue(ops.out().contains("conv2d mnist-conv2"), ops.out());
        Cli model = Cli.run("bench", "model", "--backend", "cuda", "--quick");
        assertEquals(0, model.status(), model.toString());
        assertTrue(model.out().matches("(?s).*# gpu      cuda per training step \\(software GPU counters\\): \\d+ kernel "
                + "launches, \\d+ cuBLAS/cuDNN calls, .* 1 host synchronisations, 0 device allocations.*"), model.out());
    }

    @Test
    void conformanceOnCudaPasses() {
        Cli c = Cli.run("conformance", "--backend", "cuda");
        assertEquals(0, c.status(), c.toString());
    }

    /** "accuracy NN.NN%" of an eval run. */
    private static String accuracy(Cli eval) {
        assertEquals(0, eval.status(), eval.toString());
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("accuracy \\d+\\.\\d\\d%").matcher(eval.out());
        assertTrue(m.find(), eval.out());
        return m.group();
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
