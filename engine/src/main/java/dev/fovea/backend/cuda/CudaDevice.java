package dev.fovea.backend.cuda;

import dev.fovea.tensor.DType;
import dev.fovea.tensor.Device;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import jcuda.Sizeof;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUevent;
import jcuda.driver.CUevent_flags;
import jcuda.driver.CUresult;
import jcuda.driver.CUstream;
import jcuda.driver.CUstream_flags;
import jcuda.driver.JCudaDriver;
import jcuda.jcublas.JCublas2;
import jcuda.jcublas.cublasHandle;
import jcuda.jcublas.cublasMath;
import jcuda.jcublas.cublasStatus;
import jcuda.jcudnn.JCudnn;
import jcuda.jcudnn.cudnnHandle;
import jcuda.jcudnn.cudnnStatus;
import jcuda.runtime.cudaStream_t;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToIntFunction;

/**
 * One GPU as the backend uses it: its primary context, one stream on which every operation is
 * queued in order, the cuBLAS and cuDNN handles bound to that stream, the caching allocator, the
 * shared cuDNN workspace, the PTX kernels and pinned buffers for transfers. Host code waits on the
 * stream only when it reads results (downloads) or times work. Because all work is queued on that
 * one stream in order, memory freed to the allocator may be handed out again at once: any kernel
 * still reading it runs before whatever the new owner queues.
 *
 * <p>Every path to the GPU — allocation, launches, copies, library calls — enters the device's
 * context first ({@link #enter}), so no op can forget to. Only the driver API is used (JCuda's
 * runtime library reaches the driver through private interfaces): cuBLAS and cuDNN receive the
 * driver stream as their {@code cudaStream_t}, which is the same handle.
 */
final class CudaDevice implements AutoCloseable {
    final Device device;
    final CUstream stream = new CUstream();
    final DeviceAllocator<CUdeviceptr> allocator = new DeviceAllocator<>(new CudaRawMemory());
    final Workspace<CUdeviceptr> workspace;
    final Kernels kernels;

    private final int index;
    private final boolean syncCheck;
    private final CUdevice cuDevice = new CUdevice();
    private final CUcontext context = new CUcontext();
    private final cublasHandle cublas = new cublasHandle();
    /** Null when cuDNN is not installed. */
    private final cudnnHandle cudnn;
    private final Transfers transfers;
    /** What close() must undo, in reverse order; filled as the constructor acquires it. */
    private final List<Runnable> undo = new ArrayList<>();
    /** The device each thread last made current; several backends may share a thread. */
    private static final ThreadLocal<CudaDevice> CURRENT = new ThreadLocal<>();

    CudaDevice(CudaStatus status, CudaOptions options) {
        this.index = options.device();
        this.device = Device.cuda(index);
        this.syncCheck = options.syncCheck();
        String ctx = "cuda:" + index;
        try {
            Check.driver(JCudaDriver.cuDeviceGet(cuDevice, index), "cuDeviceGet", ctx);
            // The device's primary context: the one the CUDA runtime inside cuBLAS and cuDNN uses too.
            Check.driver(JCudaDriver.cuDevicePrimaryCtxRetain(context, cuDevice), "cuDevicePrimaryCtxRetain", ctx);
            undo.add(() -> {
                JCudaDriver.cuDevicePrimaryCtxRelease(cuDevice);
                CURRENT.remove();
            });
            enter();
            Check.driver(JCudaDriver.cuStreamCreate(stream, CUstream_flags.CU_STREAM_DEFAULT), "cuStreamCreate", ctx);
            undo.add(() -> JCudaDriver.cuStreamDestroy(stream));
            cudaStream_t libraryStream = new cudaStream_t(stream);
            Check.cublas(JCublas2.cublasCreate(cublas), "cublasCreate", ctx);
            undo.add(() -> JCublas2.cublasDestroy(cublas));
            Check.cublas(JCublas2.cublasSetStream(cublas, libraryStream), "cublasSetStream", ctx);
            Check.cublas(JCublas2.cublasSetMathMode(cublas, cublasMathMode(options.tensorCores())),
                    "cublasSetMathMode", ctx);
            if (status.cudnnAvailable()) {
                cudnn = new cudnnHandle();
                Check.cudnn(JCudnn.cudnnCreate(cudnn), "cudnnCreate", ctx);
                undo.add(() -> JCudnn.cudnnDestroy(cudnn));
                Check.cudnn(JCudnn.cudnnSetStream(cudnn, libraryStream), "cudnnSetStream", ctx);
            } else {
                cudnn = null;
            }
            transfers = new Transfers(stream, this::enter);
            undo.add(transfers::close);
            undo.add(allocator::close);
            workspace = new Workspace<>(allocator, options.workspaceCapBytes());
            undo.add(workspace::close);
            int[] sms = {0};
            JCudaDriver.cuDeviceGetAttribute(sms, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, cuDevice);
            kernels = new Kernels(stream, LaunchConfig.maxGridFor(sms[0]), this::enter, this::afterWork);
            undo.add(kernels::close);
        } catch (RuntimeException e) {
            release();
            throw e;
        }
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

    /** The cuDNN handle for calls that queue no GPU work (algorithm queries, workspace sizes). */
    cudnnHandle cudnnHandle() {
        enter();
        return cudnn;
    }

    /**
     * Runs one cuDNN call on this device's handle. An internal allocation failure of cuDNN
     * (CUDNN_STATUS_ALLOC_FAILED) is treated as Fovea's own out-of-memory: the allocator's cache is
     * released and the call retried once, then it is a {@link DeviceOutOfMemoryException}. Library
     * calls are serialised per device: cuDNN and cuBLAS do not allow one handle to be used by two
     * host threads at the same time, and a backend may be shared by several.
     */
    synchronized void cudnn(String call, String context, ToIntFunction<cudnnHandle> body) {
        enter();
        int rc = body.applyAsInt(cudnn);
        if (rc == cudnnStatus.CUDNN_STATUS_ALLOC_FAILED) {
            allocator.releaseCache();
            rc = body.applyAsInt(cudnn);
            if (rc == cudnnStatus.CUDNN_STATUS_ALLOC_FAILED) {
                throw DeviceOutOfMemoryException.insideLibrary(context, call + " (cuDNN)", allocator.currentBytes(),
                        allocator.freeBytes());
            }
        }
        Check.cudnn(rc, call, context);
        afterWork(call, context);
    }

    /** Runs one cuBLAS call on this device's handle; CUBLAS_STATUS_ALLOC_FAILED as for {@link #cudnn}. */
    synchronized void cublas(String call, String context, ToIntFunction<cublasHandle> body) {
        enter();
        int rc = body.applyAsInt(cublas);
        if (rc == cublasStatus.CUBLAS_STATUS_ALLOC_FAILED) {
            allocator.releaseCache();
            rc = body.applyAsInt(cublas);
            if (rc == cublasStatus.CUBLAS_STATUS_ALLOC_FAILED) {
                throw DeviceOutOfMemoryException.insideLibrary(context, call + " (cuBLAS)", allocator.currentBytes(),
                        allocator.freeBytes());
            }
        }
        Check.cublas(rc, call, context);
        afterWork(call, context);
    }

    /**
     * After queueing GPU work: with --cuda-sync-check, waits for it, so that a fault is reported by
     * the op and call that caused it rather than by whatever synchronises next.
     */
    void afterWork(String call, String context) {
        if (syncCheck) {
            int rc = JCudaDriver.cuStreamSynchronize(stream);
            if (rc != CUresult.CUDA_SUCCESS) {
                throw new CudaException(context + ": " + call + " failed on the GPU with " + CUresult.stringFor(rc)
                        + " (" + rc + "), found by --cuda-sync-check right after it");
            }
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

    /** Queues the copy of host floats to {@code dst}; the array may be reused at once. */
    void upload(float[] data, CUdeviceptr dst) {
        transfers.upload(data, dst, "upload");
        afterWork("cuMemcpyHtoDAsync", "upload");
    }

    float[] downloadFloats(CUdeviceptr src, int n) {
        return transfers.downloadFloats(src, n, "download");
    }

    /** {@code counts[i]} floats from each of {@code sources}, with one wait for the stream. */
    List<float[]> downloadFloats(List<CUdeviceptr> sources, int[] counts) {
        return transfers.downloadFloats(sources, counts, "download");
    }

    int[] downloadInts(CUdeviceptr src, int n) {
        return transfers.downloadInts(src, n, "download");
    }

    void copyDeviceToDevice(CUdeviceptr src, CUdeviceptr dst, long bytes, String context) {
        enter();
        Check.driver(JCudaDriver.cuMemcpyDtoDAsync(dst, src, bytes, stream), "cuMemcpyDtoDAsync", context);
        afterWork("cuMemcpyDtoDAsync", context);
    }

    void zero(CUdeviceptr dst, long bytes, String context) {
        enter();
        Check.driver(JCudaDriver.cuMemsetD32Async(dst, 0, bytes / Sizeof.INT, stream), "cuMemsetD32Async", context);
        afterWork("cuMemsetD32Async", context);
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
                enter();
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

    /** Waits for the queued work, then releases everything the device holds, in reverse order. */
    @Override
    public synchronized void close() {
        enter();
        JCudaDriver.cuStreamSynchronize(stream);
        release();
    }

    private void release() {
        for (int i = undo.size() - 1; i >= 0; i--) {
            undo.get(i).run();
        }
        undo.clear();
    }
}
