package dev.fovea.backend.cuda;

import dev.fovea.backend.BatchNormOutput;
import dev.fovea.backend.Grads;
import dev.fovea.backend.PoolOutput;
import dev.fovea.backend.cuda.SoftGpuCounters.Counter;
import dev.fovea.backend.cuda.SoftGpuCounters.Snapshot;
import dev.fovea.primitives.Activation;
import dev.fovea.primitives.BatchNormParams;
import dev.fovea.primitives.BinaryOp;
import dev.fovea.primitives.Conv2dParams;
import dev.fovea.primitives.LossKind;
import dev.fovea.primitives.Pool2dParams;
import dev.fovea.primitives.PoolKind;
import dev.fovea.optim.Adam;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.testing.Arrays2;
import dev.fovea.testing.GpuTests;
import jcuda.Pointer;
import jcuda.Sizeof;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUstream;
import jcuda.driver.JCudaDriver;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * What the software GPU shows about the backend that a real GPU hides: objects left alive when a
 * backend closes, and host reads that skip a synchronisation. (Its counters are absent on a real
 * driver; these tests then skip.)
 */
@Tag("gpu")
class SoftGpuTest {

    @BeforeEach
    void softGpu() {
        GpuTests.requireGpu();
        assumeTrue(SoftGpuCounters.attach().isPresent() || "1".equals(System.getenv(GpuTests.REQUIRE)),
                "the GPU is not the software GPU");
    }

    private static SoftGpuCounters counters() {
        return SoftGpuCounters.attach().orElseThrow(() -> new AssertionError("no software GPU counters in this process"));
    }

    private static final List<Counter> LIVE = List.of(Counter.LIVE_DEVICE_ALLOCATIONS, Counter.LIVE_DEVICE_BYTES,
            Counter.LIVE_HOST_ALLOCATIONS, Counter.LIVE_STREAMS, Counter.LIVE_EVENTS, Counter.LIVE_MODULES,
            Counter.LIVE_CUBLAS_HANDLES, Counter.LIVE_CUDNN_HANDLES, Counter.LIVE_CUDNN_DESCRIPTORS, Counter.LEAKED,
            Counter.FAULTS);

    @Test
    void closingABackendReleasesEveryDeviceObject() {
        Snapshot before = counters().snapshot();
        CudaBackend cuda = new CudaBackend();
        // Every kind of op, with cuDNN where it is installed; the tensors are deliberately left open.
        Tensor x = cuda.upload(Shape.of(4, 3, 8, 8), Arrays2.random(4 * 3 * 8 * 8, 1));
        Tensor w = cuda.upload(Shape.of(6, 3, 3, 3), Arrays2.random(6 * 3 * 9, 2));
        Tensor b = cuda.upload(Shape.of(6), Arrays2.random(6, 3));
        Tensor y = cuda.conv2d(x, w, b, Conv2dParams.of(1, 1));
        Grads g = cuda.conv2dBackward(y, x, w, true, true, Conv2dParams.of(1, 1));
        PoolOutput p = cuda.pool2d(y, Pool2dParams.of(PoolKind.MAX, 2));
        cuda.pool2dBackward(p.output(), y, p, Pool2dParams.of(PoolKind.MAX, 2));
        Tensor gamma = cuda.upload(Shape.of(6), Arrays2.random(6, 4));
        Tensor rm = cuda.zeros(Shape.of(6));
        Tensor rv = cuda.zeros(Shape.of(6));
        BatchNormOutput bn = cuda.batchNormTraining(y, gamma, gamma, rm, rv, new BatchNormParams(0.1, 1e-5));
        cuda.batchNormBackward(y, y, gamma, bn);
        Tensor r = cuda.activation(y, Activation.RELU, 0);
        cuda.softmax(r, 1, true);
        Tensor logits = cuda.upload(Shape.of(4, 5), Arrays2.random(20, 5));
        Tensor labels = cuda.upload(Shape.of(4), new float[]{0, 1, 2, 3});
        cuda.download(cuda.loss(LossKind.CROSS_ENTROPY, logits, labels));
        Adam adam = new Adam(1e-3, 0.9, 0.999, 1e-8, 0, false);
        cuda.optimizerUpdate(adam, w, g.weight(), List.of(cuda.zeros(w.shape()), cuda.zeros(w.shape())), 1, 1e-3);
        cuda.timeMs(() -> cuda.binary(BinaryOp.ADD, x, x));
        cuda.synchronize();
        Snapshot during = counters().snapshot().since(before);
        assertTrue(during.get(Counter.LIVE_DEVICE_ALLOCATIONS) > 0 && during.get(Counter.LIVE_STREAMS) == 1
                && during.get(Counter.LIVE_MODULES) > 0 && during.get(Counter.LIVE_CUBLAS_HANDLES) == 1, during.toString());
        cuda.close();
        Snapshot after = counters().snapshot().since(before);
        for (Counter c : LIVE) {
            assertEquals(0, after.get(c), c + " after the backend closed: " + after);
        }
        IllegalStateException dead = assertThrows(IllegalStateException.class, () -> cuda.download(x));
        assertTrue(dead.getMessage().contains("after its backend was closed"), dead.getMessage());
    }

    @Test
    void uploadsDoNotWaitForTheGpuOnlyReadsDo() {
        try (CudaBackend cuda = new CudaBackend()) {
            Snapshot before = counters().snapshot();
            float[] data = Arrays2.random(1000, 3);
            Tensor a = cuda.upload(Shape.of(1000), data);
            Tensor b = cuda.upload(Shape.of(1000), data);
            Tensor c = cuda.upload(Shape.of(1000), data);
            Tensor sum = cuda.binary(BinaryOp.ADD, cuda.binary(BinaryOp.ADD, a, b), c);
            Snapshot queued = counters().snapshot().since(before);
            assertEquals(3, queued.get(Counter.HTOD_COPIES), queued.toString());
            assertEquals(0, queued.get(Counter.SYNCHRONIZATIONS), "uploads must not synchronise: " + queued);
            float[] out = cuda.download(sum);
            assertEquals(3 * data[7], out[7], 1e-6);
            Snapshot read = counters().snapshot().since(before);
            assertEquals(1, read.get(Counter.SYNCHRONIZATIONS), "one wait, for the download: " + read);
            // Reusing the host array at once is safe: upload copied it into pinned memory already.
            java.util.Arrays.fill(data, 0f);
            assertEquals(out[7] / 3, cuda.download(a)[7], 1e-6);
        }
    }

    @Test
    void aHostReadWithoutSynchronisationSeesTheMemoryAsItWas() {
        // The driver API directly, as the backend uses it: the copy into pinned memory lands only
        // when the host synchronises with the stream.
        CUdevice dev = new CUdevice();
        JCudaDriver.cuDeviceGet(dev, 0);
        CUcontext ctx = new CUcontext();
        assertEquals(0, JCudaDriver.cuDevicePrimaryCtxRetain(ctx, dev));
        CUstream stream = new CUstream();
        CUdeviceptr d = new CUdeviceptr();
        Pointer pinned = new Pointer();
        try {
            assertEquals(0, JCudaDriver.cuCtxSetCurrent(ctx));
            assertEquals(0, JCudaDriver.cuStreamCreate(stream, 0));
            assertEquals(0, JCudaDriver.cuMemAlloc(d, 16 * Sizeof.FLOAT));
            assertEquals(0, JCudaDriver.cuMemAllocHost(pinned, 16 * Sizeof.FLOAT));
            float[] fresh = new float[16];
            assertEquals(0, JCudaDriver.cuMemcpyDtoH(Pointer.to(fresh), d, 16 * Sizeof.FLOAT));
            assertTrue(Float.isNaN(fresh[0]) && Float.isNaN(fresh[15]), "new device memory reads as NaN, not zeros");
            FloatBuffer host = pinned.getByteBuffer(0, 16 * Sizeof.FLOAT).order(ByteOrder.nativeOrder()).asFloatBuffer();
            for (int i = 0; i < 16; i++) {
                host.put(i, -1f);
            }
            assertEquals(0, JCudaDriver.cuMemsetD32Async(d, Float.floatToIntBits(2.5f), 16, stream));
            assertEquals(0, JCudaDriver.cuMemcpyDtoHAsync(pinned, d, 16 * Sizeof.FLOAT, stream));
            assertEquals(-1f, host.get(0), "read before synchronising: the copy has not run yet");
            assertEquals(0, JCudaDriver.cuStreamSynchronize(stream));
            assertEquals(2.5f, host.get(0));
            assertEquals(2.5f, host.get(15));
        } finally {
            JCudaDriver.cuMemFreeHost(pinned);
            JCudaDriver.cuMemFree(d);
            JCudaDriver.cuStreamDestroy(stream);
            JCudaDriver.cuDevicePrimaryCtxRelease(dev);
        }
    }
}
