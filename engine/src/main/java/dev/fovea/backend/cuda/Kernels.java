package dev.fovea.backend.cuda;

import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUjit_option;
import jcuda.driver.CUresult;
import jcuda.driver.JITOptions;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.CUstream;
import jcuda.driver.JCudaDriver;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ObjLongConsumer;

/**
 * Loads Fovea's PTX modules from the classpath (the driver JIT-compiles them for the GPU at hand)
 * and launches their entry points on the backend's stream with the launch rule every kernel
 * follows: a 1-D grid, 256 threads per block, a grid-stride loop inside.
 */
final class Kernels implements AutoCloseable {
    private static final Pointer NULL_POINTER = new CUdeviceptr();

    private final CUstream stream;
    private final int maxGrid;
    /** Makes the device's context current: modules load into it and functions launch in it. */
    private final Runnable enter;
    /** Called after each launch with the kernel and op (the device's --cuda-sync-check). */
    private final java.util.function.BiConsumer<String, String> afterLaunch;
    private final Map<String, CUmodule> modules = new HashMap<>();
    private final Map<KernelRef, CUfunction> functions = new HashMap<>();
    /** Told of each launch (kernel, work items), or null: how ops use the GPU, for this package's tests. */
    private volatile ObjLongConsumer<KernelRef> monitor;

    Kernels(CUstream stream, int maxGrid, Runnable enter, java.util.function.BiConsumer<String, String> afterLaunch) {
        this.stream = stream;
        this.maxGrid = maxGrid;
        this.enter = enter;
        this.afterLaunch = afterLaunch;
    }

    /**
     * Launches {@code k} over {@code work} items (its W, stated in the doc comment above the
     * kernel in its .cu source), after checking {@code args} against the entry's parameters in the
     * PTX. {@code context} names the op and shapes for errors. Nothing is launched for zero work.
     */
    void launch(KernelRef k, long work, String context, Object... args) {
        List<PtxParam> signature = k.checkArguments(args);
        LaunchConfig cfg = LaunchConfig.forElements(work, maxGrid);
        if (cfg.empty()) {
            return;
        }
        ObjLongConsumer<KernelRef> m = monitor;
        if (m != null) {
            m.accept(k, work);
        }
        enter.run();
        Pointer[] params = new Pointer[args.length];
        for (int i = 0; i < args.length; i++) {
            Object a = args[i];
            params[i] = switch (signature.get(i)) {
                case POINTER -> Pointer.to(a == null ? NULL_POINTER : (Pointer) a);
                case INT -> Pointer.to(new int[]{(Integer) a});
                case FLOAT -> Pointer.to(new float[]{(Float) a});
            };
        }
        String call = "cuLaunchKernel(" + k.entry() + ", grid " + cfg.gridX() + ")";
        Check.driver(JCudaDriver.cuLaunchKernel(function(k), cfg.gridX(), 1, 1, cfg.blockX(), 1, 1, 0, stream,
                Pointer.to(params), null), call, context);
        afterLaunch.accept(call, context);
    }

    /** Reports every later launch to {@code m} (null: to nobody). */
    void monitor(ObjLongConsumer<KernelRef> m) {
        monitor = m;
    }

    private synchronized CUfunction function(KernelRef k) {
        CUfunction f = functions.get(k);
        if (f == null) {
            f = new CUfunction();
            Check.driver(JCudaDriver.cuModuleGetFunction(f, module(k), k.entry()), "cuModuleGetFunction",
                    "PTX module " + k.module());
            functions.put(k, f);
        }
        return f;
    }

    private CUmodule module(KernelRef k) {
        CUmodule m = modules.get(k.module());
        if (m == null) {
            m = load(readPtx(k.resource()), k.resource());
            modules.put(k.module(), m);
        }
        return m;
    }

    /** Bytes of the driver's JIT error log kept when a module fails to load. */
    static final int JIT_LOG_BYTES = 8192;

    /**
     * Loads a PTX module into the current context; when the driver's JIT rejects it, the error
     * names the module and carries the JIT's own error log (which says which line and why).
     */
    static CUmodule load(byte[] ptx, String resource) {
        CUmodule m = new CUmodule();
        JITOptions jit = new JITOptions();
        jit.putInt(CUjit_option.CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES, JIT_LOG_BYTES);
        jit.putBytes(CUjit_option.CU_JIT_ERROR_LOG_BUFFER, new byte[JIT_LOG_BYTES]);
        int rc = JCudaDriver.cuModuleLoadDataJIT(m, Pointer.to(ptx), jit);
        if (rc != CUresult.CUDA_SUCCESS) {
            String log = jit.getString(CUjit_option.CU_JIT_ERROR_LOG_BUFFER);
            throw new CudaException("PTX module " + resource + ": cuModuleLoadData failed with " + CUresult.stringFor(rc)
                    + " (" + rc + ")" + (log == null || log.isBlank() ? "" : "; the JIT's error log: " + log.strip()));
        }
        return m;
    }

    /** The PTX text, NUL-terminated as cuModuleLoadData expects. */
    static byte[] readPtx(String resource) {
        try (InputStream in = Kernels.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("PTX module " + resource + " is missing from the classpath;"
                        + " the engine jar is incomplete (regenerate with cuda-kernels/scripts/build-ptx.sh)");
            }
            byte[] text = in.readAllBytes();
            return Arrays.copyOf(text, text.length + 1);
        } catch (IOException e) {
            throw new IllegalStateException("PTX module " + resource + " could not be read: " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void close() {
        enter.run();
        for (CUmodule m : modules.values()) {
            JCudaDriver.cuModuleUnload(m);
        }
        modules.clear();
        functions.clear();
    }
}
