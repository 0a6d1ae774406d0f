package dev.fovea.backend.cuda;

import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUresult;
import jcuda.driver.JCudaDriver;
import jcuda.jcublas.JCublas2;
import jcuda.jcublas.cublasHandle;
import jcuda.jcudnn.JCudnn;
import jcuda.jcudnn.cudnnHandle;
import jcuda.jcudnn.cudnnStatus;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The only code that touches JCuda before the probe has said yes. Each library is tried in the
 * order it depends on the previous one; a missing native library surfaces as a {@link LinkageError}
 * (UnsatisfiedLinkError on the first try, NoClassDefFoundError after), a present but unusable one as
 * an error code. Only the driver API is used: JCuda's runtime library carries NVIDIA's runtime
 * linked in statically, which reaches the driver through private interfaces, so Fovea never calls it.
 */
final class NativeProbe {
    private NativeProbe() {
    }

    static CudaStatus run() {
        int rc;
        try {
            JCudaDriver.setExceptionsEnabled(false);
            rc = JCudaDriver.cuInit(0);
        } catch (LinkageError e) {
            return CudaStatus.unavailable(CudaReasons.driverNotLoaded(CudaReasons.linkageDetail(e)));
        }
        if (rc != CUresult.CUDA_SUCCESS) {
            return CudaStatus.unavailable(CudaReasons.errorCode("cuInit", rc, CUresult.stringFor(rc)));
        }
        int[] driverVersion = {0};
        JCudaDriver.cuDriverGetVersion(driverVersion);
        int[] count = {0};
        rc = JCudaDriver.cuDeviceGetCount(count);
        if (rc != CUresult.CUDA_SUCCESS) {
            return CudaStatus.unavailable(CudaReasons.errorCode("cuDeviceGetCount", rc, CUresult.stringFor(rc)));
        }
        if (count[0] == 0) {
            return CudaStatus.unavailable(CudaReasons.noDevice());
        }
        List<GpuInfo> gpus = new ArrayList<>();
        for (int i = 0; i < count[0]; i++) {
            CUdevice dev = new CUdevice();
            rc = JCudaDriver.cuDeviceGet(dev, i);
            if (rc != CUresult.CUDA_SUCCESS) {
                return CudaStatus.unavailable(CudaReasons.errorCode("cuDeviceGet(" + i + ")", rc, CUresult.stringFor(rc)));
            }
            gpus.add(describe(i, dev));
        }

        GpuInfo first = gpus.stream().filter(GpuInfo::supported).findFirst().orElse(null);
        if (first == null) {
            return CudaStatus.unavailable(CudaReasons.unsupportedGpus(gpus), gpus, driverVersion[0]);
        }

        // cuBLAS and cuDNN handles belong to the context current when they are created.
        CUdevice device = new CUdevice();
        JCudaDriver.cuDeviceGet(device, first.index());
        CUcontext previous = new CUcontext();
        JCudaDriver.cuCtxGetCurrent(previous);
        CUcontext context = new CUcontext();
        rc = JCudaDriver.cuDevicePrimaryCtxRetain(context, device);
        if (rc != CUresult.CUDA_SUCCESS) {
            return CudaStatus.unavailable(CudaReasons.errorCode("cuDevicePrimaryCtxRetain(" + first.index() + ")", rc,
                    CUresult.stringFor(rc)), gpus, driverVersion[0]);
        }
        try {
            rc = JCudaDriver.cuCtxSetCurrent(context);
            if (rc != CUresult.CUDA_SUCCESS) {
                return CudaStatus.unavailable(CudaReasons.errorCode("cuCtxSetCurrent", rc, CUresult.stringFor(rc)), gpus,
                        driverVersion[0]);
            }
            return probeLibraries(gpus, driverVersion[0]);
        } finally {
            JCudaDriver.cuCtxSetCurrent(previous);
            JCudaDriver.cuDevicePrimaryCtxRelease(device);
        }
    }

    /** cuBLAS (required) and cuDNN (optional), with the first usable GPU's context current. */
    private static CudaStatus probeLibraries(List<GpuInfo> gpus, int driverVersion) {
        int rc;
        int cublasVersion;
        try {
            JCublas2.setExceptionsEnabled(false);
            cublasHandle handle = new cublasHandle();
            rc = JCublas2.cublasCreate(handle);
            if (rc != 0) {
                return CudaStatus.unavailable(CudaReasons.cublasFailed(rc), gpus, driverVersion);
            }
            int[] v = {0};
            JCublas2.cublasGetVersion(handle, v);
            JCublas2.cublasDestroy(handle);
            cublasVersion = v[0];
        } catch (LinkageError e) {
            return CudaStatus.unavailable(CudaReasons.cublasNotLoaded(CudaReasons.linkageDetail(e)), gpus, driverVersion);
        }

        long cudnnVersion = 0;
        String cudnnReason = null;
        try {
            JCudnn.setExceptionsEnabled(false);
            cudnnVersion = JCudnn.cudnnGetVersion();
            if (cudnnVersion < 8000) {
                cudnnReason = CudaReasons.cudnnTooOld(CudaVersions.cudnn(cudnnVersion));
            } else {
                // Loading is not enough: a cuDNN built for another CUDA major fails when it starts.
                cudnnHandle handle = new cudnnHandle();
                rc = JCudnn.cudnnCreate(handle);
                if (rc == cudnnStatus.CUDNN_STATUS_SUCCESS) {
                    JCudnn.cudnnDestroy(handle);
                } else {
                    cudnnReason = CudaReasons.cudnnFailed(cudnnStatus.stringFor(rc), rc);
                }
            }
        } catch (LinkageError e) {
            cudnnReason = CudaReasons.cudnnNotLoaded(CudaReasons.linkageDetail(e));
        }
        return new CudaStatus(true, null, gpus, driverVersion, cublasVersion, cudnnReason == null, cudnnVersion,
                cudnnReason);
    }

    /** Name, compute capability and memory of device {@code i}. */
    private static GpuInfo describe(int i, CUdevice dev) {
        byte[] name = new byte[256];
        JCudaDriver.cuDeviceGetName(name, name.length, dev);
        int len = 0;
        while (len < name.length && name[len] != 0) {
            len++;
        }
        int[] major = {0};
        int[] minor = {0};
        JCudaDriver.cuDeviceGetAttribute(major, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, dev);
        JCudaDriver.cuDeviceGetAttribute(minor, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, dev);
        long[] bytes = {0};
        JCudaDriver.cuDeviceTotalMem(bytes, dev);
        return new GpuInfo(i, new String(name, 0, len, StandardCharsets.UTF_8), major[0], minor[0], bytes[0]);
    }
}
