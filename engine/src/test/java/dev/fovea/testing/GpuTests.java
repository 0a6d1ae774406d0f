package dev.fovea.testing;

import dev.fovea.backend.cuda.CudaProbe;
import dev.fovea.backend.cuda.CudaStatus;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The guard of every GPU test. The test JVMs load the software GPU (cuda-kernels/softgpu) through
 * LD_LIBRARY_PATH, so a GPU is normally present; where it could not be built (no g++) the tests
 * are skipped with the probe's reason — except under {@code FOVEA_REQUIRE_SOFTGPU=1} (CI), where a
 * missing GPU fails the test instead, so that no GPU test is ever skipped there unnoticed.
 */
public final class GpuTests {
    private GpuTests() {
    }

    public static final String REQUIRE = "FOVEA_REQUIRE_SOFTGPU";

    /** Skips (or, when required, fails) the calling test unless CUDA is usable. */
    public static void requireGpu() {
        CudaStatus s = CudaProbe.status();
        if (s.available()) {
            return;
        }
        if ("1".equals(System.getenv(REQUIRE))) {
            fail(REQUIRE + "=1 but no GPU is usable: " + s.reason());
        }
        assumeTrue(false, () -> "no usable GPU: " + s.reason());
    }

    /** Whether cuDNN is present for the GPU tests (they run once with it and once without). */
    public static boolean cudnn() {
        return CudaProbe.status().cudnnAvailable();
    }
}
