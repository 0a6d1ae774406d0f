/*
 * A stand-in for the NVIDIA driver library libcuda.so.1, built by StubDriverTest with gcc so that
 * a forked JVM sees "a driver is present but unusable". Every entry point the CUDA probe may
 * call returns the same error: FOVEA_STUB_CUDA_RESULT from the environment, or 34
 * (CUDA_ERROR_STUB_LIBRARY, what the CUDA toolkit's own stub returns). The JCuda driver binding
 * is loaded with lazy symbol binding, so only functions that are actually called must exist.
 */
#include <stdlib.h>

static int stub_result(void) {
    const char *s = getenv("FOVEA_STUB_CUDA_RESULT");
    return s != NULL ? atoi(s) : 34;
}

#define STUB(name) int name() { return stub_result(); }

STUB(cuInit)
STUB(cuDriverGetVersion)
STUB(cuDeviceGetCount)
STUB(cuDeviceGet)
STUB(cuDeviceGetName)
STUB(cuDeviceGetAttribute)
STUB(cuDeviceTotalMem_v2)
STUB(cuDevicePrimaryCtxRetain)
STUB(cuDevicePrimaryCtxRelease_v2)
STUB(cuCtxSetCurrent)
STUB(cuGetErrorName)
STUB(cuGetErrorString)
STUB(cuGetProcAddress)
STUB(cuGetProcAddress_v2)
