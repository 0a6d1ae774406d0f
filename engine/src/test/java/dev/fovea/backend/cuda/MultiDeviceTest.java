package dev.fovea.backend.cuda;

import dev.fovea.backend.Backend;
import dev.fovea.backend.cpu.ReferenceBackend;
import dev.fovea.primitives.Conv2dParams;
import dev.fovea.optim.Adam;
import dev.fovea.optim.OptimizerConfig;
import dev.fovea.optim.Sgd;
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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Two GPUs driven from one thread (the software GPU runs with FOVEA_SOFTGPU_DEVICES=2 in the
 * tests): every op, optimiser updates included, must run in its own device's context whatever the
 * thread last used; the software GPU refuses a launch whose function or memory belongs to another
 * context, as a real driver would fail it.
 */
@Tag("gpu")
class MultiDeviceTest {
    private static final Backend REF = new ReferenceBackend();

    @BeforeEach
    void twoGpus() {
        GpuTests.requireGpu();
        assumeTrue(CudaProbe.status().usableGpus().size() >= 2 || "1".equals(System.getenv(GpuTests.REQUIRE)),
                "one GPU only: " + CudaProbe.status().gpus());
    }

    private static CudaBackend open(int device) {
        return new CudaBackend(CudaOptions.defaults().withDevice(device), s -> { });
    }

    /** A weight, its gradient and optimiser state on one backend. */
    private record Slot(Backend b, Tensor w, Tensor g, List<Tensor> state) implements AutoCloseable {
        static Slot on(Backend b, OptimizerConfig config) {
            List<Tensor> state = new ArrayList<>();
            for (int i = 0; i < config.stateNames().size(); i++) {
                state.add(b.zeros(Shape.of(4, 3, 3, 3)));
            }
            return new Slot(b, b.upload(Shape.of(4, 3, 3, 3), Arrays2.random(108, 2)),
                    b.upload(Shape.of(4, 3, 3, 3), Arrays2.random(108, 3)), state);
        }

        void update(OptimizerConfig config, long step) {
            b.optimizerUpdate(config, w, g, state, step, config.lr());
        }

        @Override
        public void close() {
            w.close();
            g.close();
            state.forEach(Tensor::close);
        }
    }

    @Test
    void oneThreadAlternatingBetweenTwoDevicesGetsTheRightContextEveryTime() {
        List<OptimizerConfig> configs = List.of(new Sgd(0.1, 0.9, 0, false, 0.01), new Adam(0.01, 0.9, 0.999, 1e-8, 0, false));
        try (CudaBackend first = open(0); CudaBackend second = open(1)) {
            for (OptimizerConfig config : configs) {
                try (Slot ref = Slot.on(REF, config); Slot a = Slot.on(first, config); Slot b = Slot.on(second, config);
                     Slot scratch = Slot.on(first, config)) {
                    for (long step = 1; step <= 3; step++) {
                        ref.update(config, step);
                        // Each update directly follows the other device's work on this thread.
                        a.update(config, step);
                        b.update(config, step);
                        Tensor x = second.upload(Shape.of(1, 3, 5, 5), Arrays2.random(75, 4));
                        scratch.update(config, step);
                        second.conv2d(x, b.w(), null, Conv2dParams.of(1, 1)).close();
                        x.close();
                    }
                    float[] expected = REF.download(ref.w());
                    Arrays2.assertClose("cuda:0 " + config.name(), expected, first.download(a.w()), 1e-4, 1e-4);
                    Arrays2.assertClose("cuda:1 " + config.name(), expected, second.download(b.w()), 1e-4, 1e-4);
                }
            }
        }
    }

    @Test
    void anOptimizerUpdateFirstOnAFreshThreadEntersItsContext() throws Exception {
        OptimizerConfig sgd = new Sgd(0.1, 0, 0, false, 0);
        try (CudaBackend second = open(1)) {
            Tensor w = second.upload(Shape.of(5), new float[]{1, 2, 3, 4, 5});
            Tensor g = second.upload(Shape.of(5), new float[]{1, 1, 1, 1, 1});
            ExecutorService pool = Executors.newSingleThreadExecutor();
            try {
                // A thread that never touched the backend: no context is current on it.
                Future<float[]> f = pool.submit(() -> {
                    second.optimizerUpdate(sgd, w, g, List.of(), 1, 0.1);
                    return second.download(w);
                });
                Arrays2.assertClose("sgd on a fresh thread", new float[]{0.9f, 1.9f, 2.9f, 3.9f, 4.9f}, f.get(), 1e-6, 1e-6);
            } finally {
                pool.shutdown();
                w.close();
                g.close();
            }
        }
    }

    @Test
    void eachBackendRunsOnItsOwnDevice() {
        try (CudaBackend first = open(0); CudaBackend second = open(1)) {
            assertEquals("cuda:0", first.device().toString());
            assertEquals("cuda:1", second.device().toString());
        }
    }
}
