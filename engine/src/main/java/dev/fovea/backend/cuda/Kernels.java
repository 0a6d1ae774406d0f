package dev.fovea.backend.cuda;

import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.CUstream;
import jcuda.driver.JCudaDriver;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;

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
    private final Map<String, CUmodule> modules = new HashMap<>();
    private final Map<Kernel, CUfunction> functions = new EnumMap<>(Kernel.class);

    Kernels(CUstream stream, int maxGrid, Runnable enter) {
        this.stream = stream;
        this.maxGrid = maxGrid;
        this.enter = enter;
    }

    /**
     * Launches {@code k} over {@code work} items (its W in KERNELS.md). {@code context} names the
     * op and shapes for errors. Nothing is launched for zero work.
     */
    void launch(Kernel k, long work, String context, Object... args) {
        k.checkArguments(args);
        LaunchConfig cfg = LaunchConfig.forElements(work, maxGrid);
        if (cfg.empty()) {
            return;
        }
        enter.run();
        Pointer[] params = new Pointer[args.length];
        for (int i = 0; i < args.length; i++) {
            Object a = args[i];
            params[i] = switch (k.signature().charAt(i)) {
                case 'p' -> Pointer.to(a == null ? NULL_POINTER : (Pointer) a);
                case 'i' -> Pointer.to(new int[]{(Integer) a});
                default -> Pointer.to(new float[]{(Float) a});
            };
        }
        Check.driver(JCudaDriver.cuLaunchKernel(function(k), cfg.gridX(), 1, 1, cfg.blockX(), 1, 1, 0, stream,
                Pointer.to(params), null), "cuLaunchKernel(" + k.entry() + ", grid " + cfg.gridX() + ")", context);
    }

    private synchronized CUfunction function(Kernel k) {
        CUfunction f = functions.get(k);
        if (f == null) {
            f = new CUfunction();
            Check.driver(JCudaDriver.cuModuleGetFunction(f, module(k), k.entry()), "cuModuleGetFunction",
                    "PTX module " + k.module());
            functions.put(k, f);
        }
        return f;
    }

    private CUmodule module(Kernel k) {
        CUmodule m = modules.get(k.module());
        if (m == null) {
            byte[] ptx = readPtx(k.resource());
            m = new CUmodule();
            Check.driver(JCudaDriver.cuModuleLoadData(m, ptx), "cuModuleLoadData", "PTX module " + k.resource());
            modules.put(k.module(), m);
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
