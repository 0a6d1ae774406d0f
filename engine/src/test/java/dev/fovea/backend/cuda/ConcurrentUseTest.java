package dev.fovea.backend.cuda;

import dev.fovea.backend.Backend;
import dev.fovea.backend.cpu.ReferenceBackend;
import dev.fovea.primitives.Activation;
import dev.fovea.primitives.Conv2dParams;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.testing.Arrays2;
import dev.fovea.testing.GpuTests;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * One backend used from several threads at once (a data-loading thread uploading while the
 * training thread computes, or a user's own threads): every thread must get its own results, with
 * each thread's work entering the device's context and the shared stream, allocator, staging
 * buffers and handles kept consistent.
 */
@Tag("gpu")
class ConcurrentUseTest {
    private static final Backend REF = new ReferenceBackend();

    @BeforeEach
    void gpu() {
        GpuTests.requireGpu();
    }

    @Test
    void threadsSharingOneBackendEachGetTheirOwnResults() throws Exception {
        Conv2dParams p = Conv2dParams.of(1, 1);
        float[] w = Arrays2.random(4 * 3 * 9, 99);
        try (CudaBackend cuda = new CudaBackend()) {
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<?>> futures = new ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    long seed = t;
                    futures.add(pool.submit(() -> {
                        for (int round = 0; round < 15; round++) {
                            float[] x = Arrays2.random(2 * 3 * 6 * 6, seed * 100 + round);
                            float[] expected;
                            try (Tensor rx = REF.upload(Shape.of(2, 3, 6, 6), x);
                                 Tensor rw = REF.upload(Shape.of(4, 3, 3, 3), w);
                                 Tensor ry = REF.activation(REF.conv2d(rx, rw, null, p), Activation.RELU, 0)) {
                                expected = REF.download(ry);
                            }
                            try (Tensor dx = cuda.upload(Shape.of(2, 3, 6, 6), x);
                                 Tensor dw = cuda.upload(Shape.of(4, 3, 3, 3), w);
                                 Tensor conv = cuda.conv2d(dx, dw, null, p);
                                 Tensor dy = cuda.activation(conv, Activation.RELU, 0)) {
                                Arrays2.assertClose("thread " + seed + " round " + round, expected, cuda.download(dy),
                                        1e-4, 1e-4);
                            }
                        }
                        return null;
                    }));
                }
                for (Future<?> f : futures) {
                    f.get();
                }
            } finally {
                pool.shutdown();
            }
        }
    }
}
