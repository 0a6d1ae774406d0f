package dev.fovea.backend.cuda;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The probe's switches, reasons and version formats, in the test JVM itself (forked-JVM cases: StubDriverTest). */
class CudaProbeTest {

    @Test
    void propertySwitchDisablesCudaWithoutProbing() {
        CudaStatus s = CudaProbe.probe(CudaProbe.Switches.of(Map.of("fovea.cuda", "false"), Map.of()));
        assertFalse(s.available());
        assertTrue(s.reason().contains("-Dfovea.cuda=false"), s.reason());
        assertTrue(s.gpus().isEmpty());
    }

    @Test
    void environmentSwitchDisablesCuda() {
        CudaStatus s = CudaProbe.probe(CudaProbe.Switches.of(Map.of(), Map.of("FOVEA_DEVICE", " CPU ")));
        assertFalse(s.available());
        assertTrue(s.reason().contains("FOVEA_DEVICE=cpu"), s.reason());
    }

    @Test
    void otherSwitchValuesLeaveCudaEnabled() {
        assertNull(new CudaProbe.Switches("true", "cuda").disabledReason());
        assertNull(new CudaProbe.Switches(null, "auto").disabledReason());
        assertNull(new CudaProbe.Switches(null, null).disabledReason());
    }

    @Test
    void statusIsProbedOnce() {
        assertSame(CudaProbe.status(), CudaProbe.status());
    }

    /**
     * Whether a real libcuda.so.1 is installed where the dynamic loader looks without
     * LD_LIBRARY_PATH (the software GPU the tests load is found through LD_LIBRARY_PATH only).
     */
    static boolean systemDriverPresent() {
        return List.of("/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/lib", "/lib/x86_64-linux-gnu", "/usr/lib/wsl/lib")
                .stream().anyMatch(d -> Files.exists(Path.of(d, "libcuda.so.1")));
    }

    @Test
    void linkageErrorsAreReducedToTheLoadersComplaint() {
        UnsatisfiedLinkError jcudaStyle = new UnsatisfiedLinkError("Error while loading native library \"JCublas2-11.7.0\"\n"
                + "---(start of nested stack traces)---\njava.lang.UnsatisfiedLinkError: /tmp/libJCublas2-11.7.0.so:"
                + " libcublas.so.11: cannot open shared object file: No such file or directory\n\tat x.y(Z.java:1)\n");
        assertEquals("libcublas.so.11: cannot open shared object file: No such file or directory",
                CudaReasons.linkageDetail(jcudaStyle));
        assertEquals("undefined symbol: cudnnGetVersion",
                CudaReasons.linkageDetail(new UnsatisfiedLinkError("/tmp/x.so: undefined symbol: cudnnGetVersion")));
        String later = CudaReasons.linkageDetail(new NoClassDefFoundError("Could not initialize class jcuda.driver.JCudaDriver"));
        assertTrue(later.contains("JCudaDriver") && later.contains("failed to load earlier"), later);
    }

    @Test
    void errorCodesGetTheirOwnExplanation() {
        String stub = CudaReasons.errorCode("cuInit", 34, "CUDA_ERROR_STUB_LIBRARY");
        assertTrue(stub.contains("cuInit returned CUDA_ERROR_STUB_LIBRARY (34)"), stub);
        assertTrue(stub.contains("stub library"), stub);
        String old = CudaReasons.errorCode("cuInit", 35, "CUDA_ERROR_INSUFFICIENT_DRIVER");
        assertTrue(old.contains("older than CUDA 11 needs"), old);
        String none = CudaReasons.errorCode("cuInit", 100, "CUDA_ERROR_NO_DEVICE");
        assertTrue(none.contains("no CUDA-capable GPU"), none);
        String other = CudaReasons.errorCode("cuInit", 999, "CUDA_ERROR_UNKNOWN");
        assertTrue(other.contains("CUDA_ERROR_UNKNOWN (999)") && other.contains("NVIDIA driver"), other);
    }

    @Test
    void libraryReasonsSayWhatToInstall() {
        String cublas = CudaReasons.cublasNotLoaded("libcublas.so.11: cannot open shared object file");
        assertTrue(cublas.contains("libcublas.so.11") && cublas.contains("libcublasLt.so.11")
                && cublas.contains("nvidia-cublas-cu11") && cublas.contains("LD_LIBRARY_PATH"), cublas);
        String cudnn = CudaReasons.cudnnNotLoaded("libcudnn.so.8: cannot open shared object file");
        assertTrue(cudnn.contains("libcudnn.so.8") && cudnn.contains("nvidia-cudnn-cu11"), cudnn);
        String failed = CudaReasons.cudnnFailed("CUDNN_STATUS_NOT_INITIALIZED", 1);
        assertTrue(failed.contains("cudnnCreate returned CUDNN_STATUS_NOT_INITIALIZED (1)")
                && failed.contains("libcudnn.so.8"), failed);
        String tooOld = CudaReasons.cudnnTooOld("7.6.5");
        assertTrue(tooOld.contains("version 7.6.5 is older than 8.0"), tooOld);
        String old = CudaReasons.unsupportedGpus(List.of(new GpuInfo(0, "Tesla P100", 6, 0, 16L << 30)));
        assertTrue(old.contains("Tesla P100 is 6.0") && old.contains("sm_75"), old);
    }

    @Test
    void versionsAndGpusPrintAsUsersKnowThem() {
        assertEquals("11.8", CudaVersions.cuda(11080));
        assertEquals("12.4", CudaVersions.cuda(12040));
        assertEquals("11.11.3", CudaVersions.cublas(111103));
        assertEquals("8.9.5", CudaVersions.cudnn(8905));
        assertEquals("unknown", CudaVersions.cudnn(0));
        assertEquals("79.6 GiB", CudaVersions.bytes(85_520_809_984L));
        assertEquals("512 MiB", CudaVersions.bytes(512L << 20));
        assertEquals("1000 bytes", CudaVersions.bytes(1000));
        GpuInfo h100 = new GpuInfo(0, "NVIDIA H100", 9, 0, 80L << 30);
        assertTrue(h100.supported());
        assertEquals("sm_90", h100.smName());
        assertFalse(new GpuInfo(1, "GTX 1080", 6, 1, 8L << 30).supported());
        assertTrue(new GpuInfo(2, "T4", 7, 5, 16L << 30).supported());
    }
}
