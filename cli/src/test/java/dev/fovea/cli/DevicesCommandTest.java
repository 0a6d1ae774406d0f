package dev.fovea.cli;

import dev.fovea.backend.cuda.CudaProbe;
import dev.fovea.backend.cuda.CudaStatus;
import dev.fovea.backend.cuda.GpuInfo;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DevicesCommandTest {

    private static String render(CudaStatus s) {
        StringWriter w = new StringWriter();
        DevicesCommand.render("cpu", "8 threads, GEMM kernel java-loops 4x64, dense layers java-loops 4x64", 8, s,
                new PrintWriter(w));
        return w.toString();
    }

    @Test
    void printsTheCpuAndTheReasonCudaIsUnusableOnThisMachine() {
        StringWriter w = new StringWriter();
        int code = Fovea.commandLine().setOut(new PrintWriter(w)).execute("devices");
        String out = w.toString();
        assertEquals(0, code, out);
        assertTrue(out.startsWith("cpu "), out);
        assertTrue(out.contains("backend \"cpu\" with " + Runtime.getRuntime().availableProcessors() + " threads"), out);
        // The backend's own description: its threads and the GEMM kernel it chose.
        assertTrue(out.contains("\n         " + Runtime.getRuntime().availableProcessors() + " threads, GEMM kernel "), out);
        CudaStatus s = CudaProbe.status();
        if (!s.available()) {
            assertTrue(out.contains("cuda     " + s.reason()), out);
        } else {
            assertTrue(out.contains("cuda:0"), out);
        }
    }

    @Test
    void printsEachGpuWithCapabilityMemoryAndVersions() {
        CudaStatus s = new CudaStatus(true, null,
                List.of(new GpuInfo(0, "NVIDIA H100 80GB HBM3", 9, 0, 85_520_809_984L),
                        new GpuInfo(1, "Quadro P4000", 6, 1, 8L << 30)),
                12040, 111103, true, 8905, null);
        String out = render(s);
        assertTrue(out.contains("cuda:0   NVIDIA H100 80GB HBM3, compute capability 9.0 (sm_90), 79.6 GiB\n"), out);
        assertTrue(out.contains("cuda:1   Quadro P4000, compute capability 6.1 (sm_61), 8.0 GiB — not usable"), out);
        assertTrue(out.contains("driver 12.4, cuBLAS 11.11.3, cuDNN 8.9.5"), out);
    }

    @Test
    void saysWhenCudnnIsMissingAndWhatToInstall() {
        CudaStatus s = new CudaStatus(true, null, List.of(new GpuInfo(0, "Tesla T4", 7, 5, 16L << 30)),
                12020, 111103, false, 0, "cuDNN unavailable (libcudnn.so.8: cannot open shared object file)");
        String out = render(s);
        assertTrue(out.contains("cuDNN not available"), out);
        assertTrue(out.contains("cuDNN unavailable (libcudnn.so.8"), out);
    }

    @Test
    void listsGpusThatAreSeenButUnusable() {
        CudaStatus s = new CudaStatus(false, "CUDA unavailable: no GPU of compute capability 7.5 or newer (Tesla P100 is 6.0)",
                List.of(new GpuInfo(0, "Tesla P100", 6, 0, 16L << 30)), 12020, 0, false, 0, "x");
        String out = render(s);
        assertTrue(out.contains("cuda     CUDA unavailable: no GPU of compute capability 7.5 or newer (Tesla P100 is 6.0)\n"), out);
        assertTrue(out.contains("seen but unusable: cuda:0 Tesla P100 (compute capability 6.0, 16.0 GiB)"), out);
    }
}
