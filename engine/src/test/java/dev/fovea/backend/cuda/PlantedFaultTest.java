package dev.fovea.backend.cuda;

import dev.fovea.testing.GpuTests;
import jcuda.Pointer;
import jcuda.Sizeof;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.JCudaDriver;
import jcuda.jcublas.JCublas2;
import jcuda.jcublas.cublasHandle;
import jcuda.jcublas.cublasOperation;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The software GPU catches the memory faults a real GPU reports late or not at: each is planted
 * here through the real JCuda JNI libraries, in a fresh JVM (a fault poisons the context, as on a
 * GPU), and must be reported on stderr naming the call that made it.
 */
@Tag("gpu")
class PlantedFaultTest {
    /** The smallest kernel, launched by hand: the backend itself never launches it. */
    private static final KernelRef FILL = KernelRef.of("elementwise", "fovea_fill");

    @BeforeEach
    void softGpu() {
        GpuTests.requireGpu();
        assumeTrue(SoftGpuCounters.attach().isPresent() || "1".equals(System.getenv(GpuTests.REQUIRE)),
                "the GPU is not the software GPU");
    }

    /** Plants one fault and prints the status codes of the calls involved. */
    public static final class Plant {
        public static void main(String[] args) {
            JCudaDriver.setExceptionsEnabled(false);
            JCudaDriver.cuInit(0);
            CUdevice dev = new CUdevice();
            JCudaDriver.cuDeviceGet(dev, 0);
            CUcontext ctx = new CUcontext();
            JCudaDriver.cuDevicePrimaryCtxRetain(ctx, dev);
            JCudaDriver.cuCtxSetCurrent(ctx);
            CUdeviceptr small = new CUdeviceptr();
            JCudaDriver.cuMemAlloc(small, 64 * Sizeof.FLOAT);
            switch (args[0]) {
                case "kernel-out-of-bounds" -> {
                    // fovea_fill told to write 80 floats into a block of 64.
                    System.out.println("launch=" + fill(small, 80));
                    System.out.println("synchronize=" + JCudaDriver.cuCtxSynchronize());
                }
                case "use-after-free" -> {
                    JCudaDriver.cuMemFree(small);
                    System.out.println("launch=" + fill(small, 16));
                }
                case "double-free" -> {
                    System.out.println("first=" + JCudaDriver.cuMemFree(small));
                    System.out.println("second=" + JCudaDriver.cuMemFree(small));
                }
                case "library-out-of-bounds" -> {
                    // A 16 x 16 GEMM whose C is the 64-float block: 256 floats would be written.
                    JCublas2.setExceptionsEnabled(false);
                    cublasHandle h = new cublasHandle();
                    JCublas2.cublasCreate(h);
                    CUdeviceptr ab = new CUdeviceptr();
                    JCudaDriver.cuMemAlloc(ab, 256 * Sizeof.FLOAT);
                    Pointer one = Pointer.to(new float[]{1f});
                    System.out.println("gemm=" + JCublas2.cublasSgemm(h, cublasOperation.CUBLAS_OP_N,
                            cublasOperation.CUBLAS_OP_N, 16, 16, 16, one, ab, 16, ab, 16, Pointer.to(new float[]{0f}),
                            small, 16));
                }
                default -> throw new IllegalArgumentException(args[0]);
            }
        }

        private static int fill(CUdeviceptr p, int n) {
            CUmodule m = new CUmodule();
            JCudaDriver.cuModuleLoadData(m, Kernels.readPtx(FILL.resource()));
            CUfunction f = new CUfunction();
            JCudaDriver.cuModuleGetFunction(f, m, FILL.entry());
            Pointer params = Pointer.to(Pointer.to(p), Pointer.to(new int[]{n}), Pointer.to(new float[]{1f}));
            return JCudaDriver.cuLaunchKernel(f, 1, 1, 1, 128, 1, 1, 0, null, params, null);
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "kernel-out-of-bounds | synchronize=700 | cuLaunchKernel (fovea_fill grid (1, 1, 1) block (128, 1, 1)): out-of-bounds write: allocation #1 (256 bytes",
        "use-after-free | launch=700 | cuLaunchKernel(fovea_fill): pointer argument 0 [",
        "double-free | second=1 | cuMemFree: double free: allocation #1 (256 bytes",
        "library-out-of-bounds | gemm=13 | cublasSgemm: argument C [",
    })
    void aPlantedFaultIsReportedNamingTheCall(String fault, String status, String report) throws Exception {
        // The reports checked are those of the kernels' CPU build; the PTX interpreter's name the
        // PTX line instead (its own planted faults: cuda-kernels' PtxPlantedEditTest).
        ForkedJvm.Result r = ForkedJvm.run("fault-" + fault, Plant.class, List.of(),
                Map.of("FOVEA_SOFTGPU_KERNELS", "source"), List.of(fault));
        assertEquals(0, r.exitCode(), r.stdout());
        assertTrue(r.stdout().contains(status + "\n"), "expected " + status + " in:\n" + r.stdout());
        assertTrue(r.stdout().contains("softgpu: " + report), "expected the report '" + report + "' in:\n" + r.stdout());
        String detail = switch (fault) {
            case "kernel-out-of-bounds" -> "bytes past its end";
            case "use-after-free" -> "freed by cuMemFree";
            case "double-free" -> "was already freed by cuMemFree";
            default -> "bytes past the end of allocation #1 (256 bytes";
        };
        assertTrue(r.stdout().contains(detail), "expected '" + detail + "' in:\n" + r.stdout());
    }
}
