package dev.fovea.softgpu.ptx;

import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.JCudaDriver;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a {@link Plan} in a forked JVM through the real JCuda JNI libraries on the software GPU:
 * loads PTX modules with cuModuleLoadData, allocates and fills device buffers, launches kernels with
 * cuLaunchKernel, synchronises and saves buffers. Every call's CUresult is printed, one line each
 * ("load ID RC", "launch N RC", "sync RC", "save BUF RC"), so the test sees failures as a real
 * program would; the driver's own reports (a load error's reason, a fault) go to stderr.
 *
 * <pre>
 * module ID FILE                          PTX text to load
 * alloc BUF BYTES [FILE]                  cuMemAlloc, filled from FILE (else the driver's fresh pattern)
 * launch ID ENTRY GRID BLOCK SHARED ARG*  ARG: b:BUF, null, i:INT, f:FLOAT_BITS
 * sync                                    cuCtxSynchronize
 * save BUF FILE                           cuMemcpyDtoH into FILE
 * reset                                   a fresh primary context (after a fault poisoned the last)
 * </pre>
 */
public final class PtxRunner {
    private PtxRunner() {
    }

    public static void main(String[] args) throws IOException {
        JCudaDriver.setExceptionsEnabled(false);
        check("init", JCudaDriver.cuInit(0));
        CUdevice dev = new CUdevice();
        check("device", JCudaDriver.cuDeviceGet(dev, 0));
        CUcontext ctx = new CUcontext();
        check("retain", JCudaDriver.cuDevicePrimaryCtxRetain(ctx, dev));
        check("current", JCudaDriver.cuCtxSetCurrent(ctx));
        Map<String, CUmodule> modules = new HashMap<>();
        Map<String, CUdeviceptr> buffers = new HashMap<>();
        Map<String, Integer> sizes = new HashMap<>();
        int launches = 0;
        for (String line : Files.readAllLines(Path.of(args[0]))) {
            String[] f = line.trim().split(" ");
            switch (f[0]) {
                case "module" -> {
                    byte[] text = Files.readAllBytes(Path.of(f[2]));
                    CUmodule m = new CUmodule();
                    int rc = JCudaDriver.cuModuleLoadData(m, Arrays.copyOf(text, text.length + 1));
                    System.out.println("load " + f[1] + " " + rc);
                    modules.put(f[1], rc == 0 ? m : null);
                }
                case "alloc" -> {
                    CUdeviceptr p = new CUdeviceptr();
                    int bytes = Integer.parseInt(f[2]);
                    check("alloc " + f[1], JCudaDriver.cuMemAlloc(p, Math.max(1, bytes)));
                    if (f.length > 3) {
                        byte[] data = Files.readAllBytes(Path.of(f[3]));
                        check("upload " + f[1], JCudaDriver.cuMemcpyHtoD(p, Pointer.to(data), data.length));
                    }
                    buffers.put(f[1], p);
                    sizes.put(f[1], bytes);
                }
                case "launch" -> {
                    int n = launches++;
                    CUmodule m = modules.get(f[1]);
                    if (m == null) {
                        System.out.println("launch " + n + " unloaded");
                        continue;
                    }
                    CUfunction fn = new CUfunction();
                    int rc = JCudaDriver.cuModuleGetFunction(fn, m, f[2]);
                    if (rc == 0) {
                        List<Pointer> params = new ArrayList<>();
                        for (int i = 6; i < f.length; i++) {
                            params.add(argument(f[i], buffers));
                        }
                        rc = JCudaDriver.cuLaunchKernel(fn, Integer.parseInt(f[3]), 1, 1, Integer.parseInt(f[4]), 1, 1,
                                Integer.parseInt(f[5]), null, Pointer.to(params.toArray(new Pointer[0])), null);
                    }
                    System.out.println("launch " + n + " " + rc);
                }
                case "sync" -> System.out.println("sync " + JCudaDriver.cuCtxSynchronize());
                case "save" -> {
                    byte[] data = new byte[sizes.get(f[1])];
                    int rc = JCudaDriver.cuMemcpyDtoH(Pointer.to(data), buffers.get(f[1]), data.length);
                    System.out.println("save " + f[1] + " " + rc);
                    if (rc == 0) {
                        Files.write(Path.of(f[2]), data);
                    }
                }
                case "reset" -> {
                    // Frees what the section made (calls that fail in a faulted context are ignored),
                    // then releases the last reference, which resets the context.
                    buffers.values().forEach(JCudaDriver::cuMemFree);
                    modules.values().stream().filter(m -> m != null).forEach(JCudaDriver::cuModuleUnload);
                    check("release", JCudaDriver.cuDevicePrimaryCtxRelease(dev));
                    check("retain", JCudaDriver.cuDevicePrimaryCtxRetain(ctx, dev));
                    check("current", JCudaDriver.cuCtxSetCurrent(ctx));
                    modules.clear();
                    buffers.clear();
                    sizes.clear();
                }
                case "" -> {
                }
                default -> throw new IllegalArgumentException("unknown plan line: " + line);
            }
        }
        System.out.flush();
    }

    private static Pointer argument(String a, Map<String, CUdeviceptr> buffers) {
        if (a.equals("null")) {
            return Pointer.to(new CUdeviceptr());
        }
        if (a.startsWith("b:")) {
            CUdeviceptr p = buffers.get(a.substring(2));
            if (p == null) {
                throw new IllegalArgumentException("no buffer " + a);
            }
            return Pointer.to(p);
        }
        if (a.startsWith("i:")) {
            return Pointer.to(new int[] {Integer.parseInt(a.substring(2))});
        }
        if (a.startsWith("f:")) {
            return Pointer.to(new float[] {Float.intBitsToFloat(Integer.parseInt(a.substring(2)))});
        }
        throw new IllegalArgumentException("unknown argument " + a);
    }

    private static void check(String what, int rc) {
        if (rc != 0) {
            System.out.println("error " + what + " " + rc);
            System.out.flush();
            System.exit(3);
        }
    }
}
