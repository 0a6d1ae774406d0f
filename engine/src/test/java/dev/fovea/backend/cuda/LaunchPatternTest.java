package dev.fovea.backend.cuda;

import dev.fovea.backend.Backend;
import dev.fovea.backend.BatchNormOutput;
import dev.fovea.backend.Grads;
import dev.fovea.backend.cpu.ReferenceBackend;
import dev.fovea.backend.cuda.SoftGpuCounters.Counter;
import dev.fovea.backend.cuda.SoftGpuCounters.Snapshot;
import dev.fovea.primitives.BatchNormParams;
import dev.fovea.primitives.Conv2dParams;
import dev.fovea.primitives.ConvGeometry;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.testing.Arrays2;
import dev.fovea.testing.GpuTests;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static dev.fovea.backend.cuda.CudaDevice.ptr;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * How ops use a GPU, beyond whether their results are right (CudaBackendGpuTest): which kernels
 * they launch over how many work items, and how many cuBLAS calls they make. Channel reductions
 * must run one thread per (n, c) plane and then one per channel, never one thread per channel
 * looping over the whole batch; the im2col route's weight gradient must make one strided-batched
 * GEMM per chunk of images, not one GEMM per image. Runs in `mvn verify` with and without cuDNN;
 * the kernel routes are driven directly where cuDNN would take the op.
 */
@Tag("gpu")
class LaunchPatternTest {
    private static final Backend REF = new ReferenceBackend();
    private static CudaBackend cuda;

    /** One kernel launch: the kernel and its work items (the W its doc comment states). */
    private record Launch(KernelRef kernel, long work) {
        @Override
        public String toString() {
            return kernel + " x " + work;
        }
    }

    @BeforeAll
    static void open() {
        if (CudaProbe.status().available()) {
            cuda = new CudaBackend();
        }
    }

    @BeforeEach
    void requireGpu() {
        GpuTests.requireGpu();
    }

    @AfterAll
    static void close() {
        if (cuda != null) {
            cuda.close();
        }
    }

    /** The launches {@code op} makes, in order. */
    private static List<Launch> launches(Runnable op) {
        List<Launch> seen = Collections.synchronizedList(new ArrayList<>());
        cuda.gpu().kernels.monitor((k, work) -> seen.add(new Launch(k, work)));
        try {
            op.run();
        } finally {
            cuda.gpu().kernels.monitor(null);
        }
        return List.copyOf(seen);
    }

    private static Tensor random(Shape s, long seed) {
        return cuda.upload(s, Arrays2.random(s.size(), seed));
    }

    private static Tensor host(Tensor t) {
        return REF.upload(t.shape(), cuda.download(t));
    }

    @Test
    void biasGradientsRunOneThreadPerPlaneThenOnePerChannel() {
        // Dilated with a short reduction: the direct kernel with and without cuDNN.
        int n = 16;
        int k = 6;
        Conv2dParams p = Conv2dParams.of(1, 2).withDilation(2);
        Tensor x = random(Shape.of(n, 3, 10, 10), 1);
        Tensor w = random(Shape.of(k, 3, 3, 3), 2);
        Tensor dy = random(Shape.of(n, k, 10, 10), 3);
        List<Launch> conv = launches(() -> cuda.conv2dBackward(dy, x, w, true, true, p));
        assertEquals(List.of(new Launch(KernelConv.CONV_DIRECT_BACKWARD_DATA, (long) n * 3 * 100),
                new Launch(KernelConv.CONV_DIRECT_BACKWARD_FILTER, (long) k * 27),
                new Launch(Reductions.SUM_CHUNKS, (long) n * k), new Launch(Reductions.SUM_SLICES, k)), conv);
        // One image: the plane sums are the gradient.
        List<Launch> one = launches(() -> cuda.conv2dBackward(random(Shape.of(1, k, 10, 10), 4),
                random(Shape.of(1, 3, 10, 10), 5), w, true, false, p));
        assertEquals(new Launch(Reductions.SUM_CHUNKS, k), one.get(one.size() - 1), one.toString());
        // A linear layer's [N, F]: one value per plane, so the channel pass alone.
        Tensor in = random(Shape.of(32, 10), 6);
        Tensor lw = random(Shape.of(7, 10), 7);
        List<Launch> linear = launches(() -> cuda.linearBackward(random(Shape.of(32, 7), 8), in, lw, true, true));
        assertEquals(List.of(new Launch(Reductions.SUM_SLICES, 7)), linear);
    }

    @Test
    void preluWeightGradientRunsOneThreadPerPlaneOrSegment() {
        Shape xs = Shape.of(8, 4, 16, 16);
        Tensor x = random(xs, 10);
        Tensor dy = random(xs, 11);
        List<Launch> perChannel = launches(() -> cuda.preluBackward(dy, x, random(Shape.of(4), 12)));
        assertEquals(List.of(new Launch(CudaPointwise.PRELU_BACKWARD_DATA, xs.size()),
                new Launch(CudaPointwise.PRELU_WEIGHT_PARTIALS, 8 * 4), new Launch(Reductions.SUM_SLICES, 4)), perChannel);
        List<Launch> shared = launches(() -> cuda.preluBackward(dy, x, random(Shape.of(1), 13)));
        assertEquals(List.of(new Launch(CudaPointwise.PRELU_BACKWARD_DATA, xs.size()),
                new Launch(CudaPointwise.PRELU_WEIGHT_PARTIALS, xs.size() / 1024), new Launch(Reductions.SUM_SLICES, 1)), shared);
    }

    @Test
    void batchNormKernelsRunOneThreadPerPlaneThenOnePerChannel() {
        // The route without cuDNN, whether or not it is installed here.
        CudaPoolNorm kernels = new CudaPoolNorm(cuda.gpu(), new Router(false, s -> { }), null);
        int n = 16;
        int c = 3;
        Shape xs = Shape.of(n, c, 9, 9);
        Tensor x = random(xs, 20);
        Tensor gamma = random(Shape.of(c), 21);
        Tensor beta = random(Shape.of(c), 22);
        Tensor rm = cuda.zeros(Shape.of(c));
        Tensor rv = cuda.zeros(Shape.of(c));
        BatchNormParams p = new BatchNormParams(0.1, 1e-5);
        BatchNormOutput[] out = new BatchNormOutput[1];
        List<Launch> forward = launches(() -> out[0] = kernels.batchNormTraining(x, gamma, beta, rm, rv, p));
        assertEquals(List.of(new Launch(CudaPoolNorm.BATCHNORM_PLANE_STATS, n * c), new Launch(CudaPoolNorm.BATCHNORM_COMBINE_STATS, c),
                new Launch(CudaPoolNorm.BATCHNORM_APPLY, xs.size())), forward);
        Tensor dy = random(xs, 23);
        Grads[] g = new Grads[1];
        List<Launch> backward = launches(() -> g[0] = kernels.batchNormBackward(dy, x, gamma, out[0]));
        assertEquals(List.of(new Launch(CudaPoolNorm.BATCHNORM_PLANE_GRADS, n * c), new Launch(Reductions.SUM_SLICES, c),
                new Launch(Reductions.SUM_SLICES, c), new Launch(CudaPoolNorm.BATCHNORM_BACKWARD_DATA, xs.size())), backward);
        // And the results are the reference's (FP32 sums of 1296 values against double ones).
        Tensor hx = host(x);
        Tensor hg = host(gamma);
        Tensor hrm = REF.zeros(Shape.of(c));
        Tensor hrv = REF.zeros(Shape.of(c));
        BatchNormOutput expected = REF.batchNormTraining(hx, hg, host(beta), hrm, hrv, p);
        Arrays2.assertClose("batch norm output", REF.download(expected.output()), cuda.download(out[0].output()), 1e-4, 1e-4);
        Arrays2.assertClose("running var", REF.download(hrv), cuda.download(rv), 1e-5, 1e-4);
        Grads eg = REF.batchNormBackward(host(dy), hx, hg, expected);
        Arrays2.assertClose("dgamma", REF.download(eg.weight()), cuda.download(g[0].weight()), 1e-4, 1e-4);
        Arrays2.assertClose("dbeta", REF.download(eg.bias()), cuda.download(g[0].bias()), 1e-4, 1e-4);
        Arrays2.assertClose("dx", REF.download(eg.input()), cuda.download(g[0].input()), 1e-4, 1e-4);
    }

    private static SoftGpuCounters counters() {
        assumeTrue(SoftGpuCounters.attach().isPresent() || "1".equals(System.getenv(GpuTests.REQUIRE)),
                "the GPU is not the software GPU, whose counters this needs");
        return SoftGpuCounters.attach().orElseThrow(() -> new AssertionError("no software GPU counters"));
    }

    /** cuBLAS calls made by {@code op}. */
    private static long cublasCalls(Runnable op) {
        SoftGpuCounters counters = counters();
        cuda.synchronize();
        Snapshot before = counters.snapshot();
        op.run();
        cuda.synchronize();
        return counters.snapshot().since(before).get(Counter.CUBLAS_CALLS);
    }

    /**
     * The im2col route's weight gradient, driven directly (cuDNN would take the op where it is
     * installed): one strided-batched GEMM per chunk of images, then the per-image partial
     * gradients reduced in order — with a chunk limit that fits the whole batch, and with small
     * limits that split it into chunks of several images and a last chunk of one.
     */
    @Test
    void im2colWeightGradientMakesOneGemmPerChunkNotPerImage() {
        Conv2dParams p = Conv2dParams.of(1, 1);
        Shape xs = Shape.of(7, 3, 6, 6);
        Shape ws = Shape.of(4, 3, 3, 3);
        Tensor x = random(xs, 30);
        Tensor w = random(ws, 31);
        ConvGeometry g = ConvGeometry.of(xs, ws, p);
        Tensor dy = random(Shape.of(g.yDims()), 32);
        float[] expected = REF.download(REF.conv2dBackward(host(dy), host(x), host(w), false, false, p).weight());
        long perImage = 27L * 36 + 4L * 27;
        for (int images : new int[]{7, 3, 2}) {
            KernelConv conv = new KernelConv(cuda.gpu(), images * perImage);
            assertEquals(images, KernelConv.filterChunk(g, images * perImage));
            int chunks = (7 + images - 1) / images;
            try (Tensor dw = cuda.zeros(ws)) {
                long gemms = cublasCalls(() -> conv.im2colBackwardFilter(g, ptr(dy), ptr(x), ptr(dw), "test"));
                assertEquals(chunks, gemms, images + " images per chunk");
                Arrays2.assertClose("weight gradient, " + images + " images per chunk", expected, cuda.download(dw),
                        1e-4, 1e-4);
            }
        }
    }

    /** On the backend: a batch of 64 through the im2col route makes O(chunks) cuBLAS calls, not 64. */
    @Test
    void im2colConvolutionBackwardOfABatchIsTwoGemms() {
        assumeTrue(!GpuTests.cudnn(), "with cuDNN installed, convolutions go to cuDNN");
        Conv2dParams p = Conv2dParams.of(1, 1);
        Tensor x = random(Shape.of(64, 4, 8, 8), 40);
        Tensor w = random(Shape.of(8, 4, 3, 3), 41);
        Tensor dy = random(Shape.of(64, 8, 8, 8), 42);
        ConvGeometry g = ConvGeometry.of(x.shape(), w.shape(), p);
        assertEquals(64, KernelConv.chunk(g));
        assertEquals(64, KernelConv.filterChunk(g, KernelConv.COL_LIMIT));
        // The data gradient's batched GEMM and the weight gradient's.
        assertEquals(2, cublasCalls(() -> cuda.conv2dBackward(dy, x, w, true, true, p)));
    }
}
