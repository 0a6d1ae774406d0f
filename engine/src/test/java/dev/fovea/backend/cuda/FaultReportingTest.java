package dev.fovea.backend.cuda;

import dev.fovea.optim.Sgd;
import dev.fovea.tensor.DType;
import dev.fovea.tensor.Device;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.testing.GpuTests;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * How the backend reports a GPU fault: a kernel that writes out of bounds is found by the next
 * synchronisation, which without --cuda-sync-check belongs to another op; with it, the error names
 * the op, shapes and kernel that did it. A PTX module the driver's JIT rejects is reported with the
 * JIT's error log. Faults poison the context, so each case runs in a fresh JVM.
 */
@Tag("gpu")
class FaultReportingTest {
    /** The smallest kernel, launched by hand: the backend itself never launches it. */
    private static final KernelRef FILL = KernelRef.of("elementwise", "fovea_fill");

    @BeforeEach
    void softGpu() {
        GpuTests.requireGpu();
        assumeTrue(SoftGpuCounters.attach().isPresent() || "1".equals(System.getenv(GpuTests.REQUIRE)),
                "faults are planted through the software GPU");
    }

    /** An SGD step on a parameter whose storage is smaller than its shape, then a download. */
    public static final class Plant {
        public static void main(String[] args) {
            boolean check = args[0].equals("checked");
            try (CudaBackend cuda = new CudaBackend(CudaOptions.defaults().withSyncCheck(check), s -> { })) {
                CudaDevice dev = cuda.gpu();
                // 160 floats of shape over a block of 128: the update writes 128 bytes past it (into the
                // software GPU's 256-byte red zone; a longer overrun would reach other memory).
                Tensor param = new Tensor(Shape.of(160), new CudaStorage(Device.cuda(0), DType.FLOAT32, 160,
                        dev.allocator, dev.allocator.allocate(512, "planted")));
                float[] ones = new float[160];
                java.util.Arrays.fill(ones, 1f);
                Tensor grad = cuda.upload(Shape.of(160), ones);
                Tensor other = cuda.zeros(Shape.of(4));
                try {
                    cuda.optimizerUpdate(new Sgd(0.1, 0, 0, false, 0), param, grad, List.of(), 1, 0.1);
                    System.out.println("update=ok");
                } catch (CudaException e) {
                    System.out.println("update=" + e.getMessage());
                }
                try {
                    cuda.download(other);
                    System.out.println("download=ok");
                } catch (CudaException e) {
                    System.out.println("download=" + e.getMessage());
                }
            } catch (RuntimeException e) {
                System.out.println("close=" + e.getMessage());
            }
        }
    }

    private static String field(String out, String key) {
        return ForkedJvm.field(out, key);
    }

    @Test
    void withSyncCheckTheFaultIsReportedByTheOpThatCausedIt() throws Exception {
        ForkedJvm.Result r = ForkedJvm.run("sync-check", Plant.class, List.of(), Map.of(), List.of("checked"));
        String update = field(r.stdout(), "update");
        assertTrue(update != null && update.startsWith("sgd update of [160]: cuLaunchKernel(fovea_sgd_update")
                && update.contains("CUDA_ERROR_ILLEGAL_ADDRESS") && update.contains("--cuda-sync-check"), r.stdout());
        assertTrue(r.stdout().contains("softgpu: cuLaunchKernel (fovea_sgd_update"), r.stdout());
    }

    @Test
    void withoutItTheNextSynchronisationReportsIt() throws Exception {
        ForkedJvm.Result r = ForkedJvm.run("no-sync-check", Plant.class, List.of(), Map.of(), List.of("unchecked"));
        assertEquals("ok", field(r.stdout(), "update"), r.stdout());
        String download = field(r.stdout(), "download");
        assertTrue(download != null && download.startsWith("download: cuStreamSynchronize failed with "
                + "CUDA_ERROR_ILLEGAL_ADDRESS"), r.stdout());
    }

    @Test
    void aModuleTheJitRejectsIsReportedWithItsLog() {
        GpuTests.requireGpu();
        try (CudaBackend cuda = new CudaBackend()) {
            cuda.gpu().enter();
            String ptx = new String(Kernels.readPtx(FILL.resource()), StandardCharsets.US_ASCII)
                    .replace(".version 7.0", ".version 9.0");
            CudaException e = assertThrows(CudaException.class,
                    () -> Kernels.load(ptx.getBytes(StandardCharsets.US_ASCII), "elementwise.ptx (edited)"));
            assertTrue(e.getMessage().startsWith("PTX module elementwise.ptx (edited): cuModuleLoadData failed with "
                    + "CUDA_ERROR_UNSUPPORTED_PTX_VERSION (222); the JIT's error log: "), e.getMessage());
            assertTrue(e.getMessage().contains("PTX ISA 9.0 is newer than this driver supports"), e.getMessage());
        }
    }
}
