/*
 * A stand-in for the NVIDIA driver library libcuda.so.1, built by StubDriverTest with gcc so that
 * a forked JVM sees "a driver is present but unusable".
 *
 * By default every entry point returns FOVEA_STUB_CUDA_RESULT from the environment, or 34
 * (CUDA_ERROR_STUB_LIBRARY, what the CUDA toolkit's own stub returns). With FOVEA_STUB_GPU set to
 * "name,major,minor,bytes" the device queries succeed and describe that one GPU, while everything
 * else (context creation first) still fails: the probe then gets past the device queries and must
 * report the GPU and the context call's failure.
 * The JCuda driver binding is loaded with lazy symbol binding, so only called functions must exist.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int stub_result(void) {
    const char *s = getenv("FOVEA_STUB_CUDA_RESULT");
    return s != NULL ? atoi(s) : 34;
}

static char gpu_name[200];
static int gpu_major, gpu_minor;
static unsigned long long gpu_bytes;

/* Parses FOVEA_STUB_GPU; returns 1 when a fake GPU is configured. */
static int gpu(void) {
    const char *s = getenv("FOVEA_STUB_GPU");
    return s != NULL && sscanf(s, "%199[^,],%d,%d,%llu", gpu_name, &gpu_major, &gpu_minor, &gpu_bytes) == 4;
}

int cuInit(unsigned int flags) {
    (void) flags;
    return gpu() ? 0 : stub_result();
}

int cuDriverGetVersion(int *v) {
    if (!gpu()) return stub_result();
    *v = 12040;
    return 0;
}

int cuDeviceGetCount(int *n) {
    if (!gpu()) return stub_result();
    *n = 1;
    return 0;
}

int cuDeviceGet(int *dev, int ordinal) {
    if (!gpu() || ordinal != 0) return stub_result();
    *dev = 0;
    return 0;
}

int cuDeviceGetName(char *name, int len, int dev) {
    (void) dev;
    if (!gpu()) return stub_result();
    strncpy(name, gpu_name, (size_t) len);
    name[len - 1] = 0;
    return 0;
}

int cuDeviceGetAttribute(int *value, int attribute, int dev) {
    (void) dev;
    if (!gpu()) return stub_result();
    /* 75, 76: CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, _MINOR */
    *value = attribute == 75 ? gpu_major : attribute == 76 ? gpu_minor : 0;
    return 0;
}

int cuDeviceTotalMem_v2(unsigned long long *bytes, int dev) {
    (void) dev;
    if (!gpu()) return stub_result();
    *bytes = gpu_bytes;
    return 0;
}

#define STUB(name) int name() { return stub_result(); }

STUB(cuDevicePrimaryCtxRetain)
STUB(cuDevicePrimaryCtxRelease_v2)
STUB(cuCtxSetCurrent)
STUB(cuCtxGetCurrent)
STUB(cuGetErrorName)
STUB(cuGetErrorString)
STUB(cuGetProcAddress)
STUB(cuGetProcAddress_v2)
STUB(cuGetExportTable)
