package dev.fovea.backend.cuda;

import dev.fovea.tensor.DType;
import dev.fovea.tensor.Device;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import jcuda.Pointer;
import jcuda.Sizeof;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUevent;
import jcuda.driver.CUevent_flags;
import jcuda.driver.CUstream;
import jcuda.driver.CUstream_flags;
import jcuda.driver.JCudaDriver;
import jcuda.jcublas.JCublas2;
import jcuda.jcublas.cublasHandle;
import jcuda.jcublas.cublasMath;
import jcuda.jcudnn.JCudnn;
import jcuda.jcudnn.cudnnHandle;
import jcuda.runtime.cudaStream_t;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One GPU as the backend uses it: its primary context, one stream on which every operation is
 * queued in order, the cuBLAS and cuDNN handles bound to that stream, the caching allocator, the
 * shared cuDNN workspace, the PTX kernels and a pinned host buffer for transfers. Host code waits
 * on the stream only when it reads results (downloads) or times work. Because all work is queued
 * on that one stream in order, memory freed to the allocator may be handed out again at once: any
 * kernel still reading it runs before whatever the new owner queues.
 *
 * <p>Only the driver API is used (JCuda's runtime library reaches the driver through private
 * interfaces): cuBLAS and cuDNN receive the driver stream as their {@code cudaStream_t}, which is
 * the same handle.
 */
final class CudaDevice implements AutoCloseable {
    final Device device;
    final CUstream stream = new CUstream();
    private final cublasHandle cublas = new cublasHandle();
    /** Null when cuDNN is not installed. */
    private final cudnnHandle cudnn;
    final DeviceAllocator<CUdeviceptr> allocator = new DeviceAllocator<>(new CudaRawMemory());
    final Workspace<CUdeviceptr> workspace;
    final Kernels kernels;

    private final int index;
    private final CUdevice cuDevice = new CUdevice();
    private final CUcontext context = new CUcontext();
    /** The device each thread last made current; several backends may share a thread. */
    private static final ThreadLocal<CudaDevice> CURRENT = new ThreadLocal<>();
    private Pointer pinned;
    private long pinnedBytes;

    CudaDevice(CudaStatus status, CudaOptions options) {
        this.index = options.device();
        this.device = Device.cuda(index);
        String ctx = "cuda:" + index;
        Check.driver(JCudaDriver.cuDeviceGet(cuDevice, index), "cuDeviceGet", ctx);
        // The device's primary context: the one the CUDA runtime inside cuBLAS and cuDNN uses too.
        Check.driver(JCudaDriver.cuDevicePrimaryCtxRetain(context, cuDevice), "cuDevicePrimaryCtxRetain", ctx);
        enter();
        Check.driver(JCudaDriver.cuStreamCreate(stream, CUstream_flags.CU_STREAM_DEFAULT), "cuStreamCreate", ctx);
        cudaStream_t libraryStream = new cudaStream_t(stream);
        Check.cublas(JCublas2.cublasCreate(cublas), "cublasCreate", ctx);
        Check.cublas(JCublas2.cublasSetStream(cublas, libraryStream), "cublasSetStream", ctx);
        Check.cublas(JCublas2.cublasSetMathMode(cublas, cublasMathMode(options.tensorCores())), "cublasSetMathMode", ctx);
        if (status.cudnnAvailable()) {
            cudnn = new cudnnHandle();
            Check.cudnn(JCudnn.cudnnCreate(cudnn), "cudnnCreate", ctx);
            Check.cudnn(JCudnn.cudnnSetStream(cudnn, libraryStream), "cudnnSetStream", ctx);
        } else {
            cudnn = null;
        }
        workspace = new Workspace<>(allocator, options.workspaceCapBytes());
        int[] sms = {0};
        JCudaDriver.cuDeviceGetAttribute(sms, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, cuDevice);
        kernels = new Kernels(stream, LaunchConfig.maxGridFor(sms[0]), this::enter);
    }

    /** The cuBLAS handle, with this device's context made current (cuBLAS launches in the current one). */
    cublasHandle cublas() {
        enter();
        return cublas;
    }

    /** The cuDNN handle (null without cuDNN), with this device's context made current. */
    cudnnHandle cudnn() {
        enter();
        return cudnn;
    }

    /** cuBLAS 11 uses TF32 only in CUBLAS_TF32_TENSOR_OP_MATH; its default is full FP32. */
    static int cublasMathMode(boolean tensorCores) {
        return tensorCores ? cublasMath.CUBLAS_TF32_TENSOR_OP_MATH : cublasMath.CUBLAS_DEFAULT_MATH;
    }

    /**
     * Makes this device current on the calling thread, unless it already is. Every path to the GPU
     * passes here — allocation, launches, copies, the library handles — so no op can forget it.
     */
    void enter() {
        if (CURRENT.get() != this) {
            Check.driver(JCudaDriver.cuCtxSetCurrent(context), "cuCtxSetCurrent", "cuda:" + index);
            CURRENT.set(this);
        }
    }

    /** Uninitialised device memory for {@code length} elements. */
    CudaStorage allocate(DType dtype, int length, String context) {
        enter();
        long bytes = Math.max(1L, (long) length * dtype.bytes());
        return new CudaStorage(device, dtype, length, allocator, allocator.allocate(bytes, context));
    }

    /** A float32 tensor of {@code shape} on this device, uninitialised. */
    Tensor tensor(Shape shape, String context) {
        return new Tensor(shape, allocate(DType.FLOAT32, shape.size(), context));
    }

    /** The device address of a tensor of this backend. */
    static CUdeviceptr ptr(Tensor t) {
        if (!(t.storage() instanceof CudaStorage s)) {
            throw new IllegalArgumentException("tensor " + t + " is not on a CUDA device; upload it first");
        }
        return s.pointer();
    }

    /** Copies host floats to {@code dst} through the pinned staging buffer. */
    synchronized void upload(float[] data, CUdeviceptr dst) {
        long bytes = (long) data.length * Sizeof.FLOAT;
        if (bytes == 0) {
            return;
        }
        enter();
        staging(bytes).asFloatBuffer().put(data);
        Check.driver(JCudaDriver.cuMemcpyHtoDAsync(dst, pinned, bytes, stream),
                "cuMemcpyHtoDAsync(" + bytes + " bytes)", "upload");
        // The staging buffer is reused by the next transfer.
        synchronize("upload");
    }

    synchronized float[] downloadFloats(CUdeviceptr src, int n) {
        float[] out = new float[n];
        if (n > 0) {
            copyToStaging(src, (long) n * Sizeof.FLOAT).asFloatBuffer().get(out);
        }
        return out;
    }

    synchronized int[] downloadInts(CUdeviceptr src, int n) {
        int[] out = new int[n];
        if (n > 0) {
            copyToStaging(src, (long) n * Sizeof.INT).asIntBuffer().get(out);
        }
        return out;
    }

    private ByteBuffer copyToStaging(CUdeviceptr src, long bytes) {
        enter();
        ByteBuffer b = staging(bytes);
        Check.driver(JCudaDriver.cuMemcpyDtoHAsync(pinned, src, bytes, stream),
                "cuMemcpyDtoHAsync(" + bytes + " bytes)", "download");
        synchronize("download");
        return b;
    }

    /** The pinned buffer, grown to at least {@code bytes}, as a native-order view of its first bytes. */
    private ByteBuffer staging(long bytes) {
        if (bytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("transfer of " + bytes + " bytes exceeds 2 GiB; split the tensor");
        }
        if (pinned == null || pinnedBytes < bytes) {
            if (pinned != null) {
                Check.driver(JCudaDriver.cuMemFreeHost(pinned), "cuMemFreeHost", "pinned staging buffer");
            }
            pinned = new Pointer();
            Check.driver(JCudaDriver.cuMemAllocHost(pinned, bytes), "cuMemAllocHost(" + bytes + ")",
                    "pinned staging buffer");
            pinnedBytes = bytes;
        }
        return pinned.getByteBuffer(0, bytes).order(ByteOrder.nativeOrder());
    }

    void copyDeviceToDevice(CUdeviceptr src, CUdeviceptr dst, long bytes, String context) {
        enter();
        Check.driver(JCudaDriver.cuMemcpyDtoDAsync(dst, src, bytes, stream), "cuMemcpyDtoDAsync", context);
    }

    void zero(CUdeviceptr dst, long bytes, String context) {
        enter();
        Check.driver(JCudaDriver.cuMemsetD32Async(dst, 0, bytes / Sizeof.INT, stream), "cuMemsetD32Async", context);
    }

    void synchronize(String context) {
        enter();
        Check.driver(JCudaDriver.cuStreamSynchronize(stream), "cuStreamSynchronize", context);
    }

    /** Milliseconds the GPU spent on the work {@code body} queues, measured with CUDA events. */
    float timeMs(Runnable body) {
        enter();
        CUevent start = new CUevent();
        CUevent stop = new CUevent();
        Check.driver(JCudaDriver.cuEventCreate(start, CUevent_flags.CU_EVENT_DEFAULT), "cuEventCreate", "timing");
        try {
            Check.driver(JCudaDriver.cuEventCreate(stop, CUevent_flags.CU_EVENT_DEFAULT), "cuEventCreate", "timing");
            try {
                Check.driver(JCudaDriver.cuEventRecord(start, stream), "cuEventRecord", "timing");
                body.run();
                Check.driver(JCudaDriver.cuEventRecord(stop, stream), "cuEventRecord", "timing");
                Check.driver(JCudaDriver.cuEventSynchronize(stop), "cuEventSynchronize", "timing");
                float[] ms = {0};
                Check.driver(JCudaDriver.cuEventElapsedTime(ms, start, stop), "cuEventElapsedTime", "timing");
                return ms[0];
            } finally {
                JCudaDriver.cuEventDestroy(stop);
            }
        } finally {
            JCudaDriver.cuEventDestroy(start);
        }
    }

    @Override
    public synchronized void close() {
        enter();
        JCudaDriver.cuStreamSynchronize(stream);
        kernels.close();
        workspace.close();
        allocator.close();
        if (cudnn != null) {
            JCudnn.cudnnDestroy(cudnn);
        }
        JCublas2.cublasDestroy(cublas);
        JCudaDriver.cuStreamDestroy(stream);
        if (pinned != null) {
            JCudaDriver.cuMemFreeHost(pinned);
            pinned = null;
        }
        JCudaDriver.cuDevicePrimaryCtxRelease(cuDevice);
        CURRENT.remove();
    }
}
