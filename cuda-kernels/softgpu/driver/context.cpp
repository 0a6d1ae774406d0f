// Devices and contexts: cuInit, the device queries and the context calls.
#include "context.h"

#include "counters.h"
#include "streams.h"

#include <cstdlib>
#include <cstring>
#include <sstream>

namespace softgpu {

void installState(State* s);

namespace {

using Guard = std::lock_guard<std::recursive_mutex>;

const char* const DEVICE_NAME = "Fovea SoftGPU";
constexpr int DRIVER_VERSION = 11080;  // behaves as a driver for CUDA 11.8

void exitReport() {
    State* s = state();
    if (s == nullptr || !s->config.leakReport) {
        return;
    }
    std::ostringstream m;
    m << "at exit: " << counter(LIVE_DEVICE_ALLOCATIONS) << " device allocations (" << counter(LIVE_DEVICE_BYTES)
      << " bytes), " << counter(LIVE_HOST_ALLOCATIONS) << " pinned host allocations, " << counter(LIVE_STREAMS)
      << " streams, " << counter(LIVE_EVENTS) << " events, " << counter(LIVE_MODULES) << " modules, "
      << counter(LIVE_CONTEXTS) << " contexts, " << counter(LIVE_CUBLAS_HANDLES) << " cuBLAS handles, "
      << counter(LIVE_CUDNN_HANDLES) << " cuDNN handles, " << counter(LIVE_CUDNN_DESCRIPTORS)
      << " cuDNN descriptors alive; " << counter(LEAKED) << " objects leaked into destroyed contexts; "
      << counter(FAULTS) << " faults";
    report(m.str());
}

CUresult deviceOf(CUdevice dev, Device** out) {
    if (state() == nullptr) return CUDA_ERROR_NOT_INITIALIZED;
    if (dev < 0 || dev >= (int)state()->devices.size()) return CUDA_ERROR_INVALID_DEVICE;
    *out = &state()->devices[dev];
    return CUDA_SUCCESS;
}

bool live(Context* c) {
    return state() != nullptr && c != nullptr && state()->contexts.count(c) != 0 && c->alive;
}

}  // namespace

bool initialised() {
    return state() != nullptr;
}

void activate(Context* c) {
    c->alive = true;
    c->sticky = CUDA_SUCCESS;
    c->legacy = std::make_unique<Stream>(Stream{c, true, true, {}});
    state()->contexts.insert(c);
    count(LIVE_CONTEXTS);
}

void destroyContext(Context* c, const char* why) {
    drainContext(c);
    State* s = state();
    for (const std::string& r : s->memory.checkQuarantine()) {
        poison(c, CUDA_ERROR_ILLEGAL_ADDRESS, r);
    }
    std::ostringstream leaks;
    long long leaked = 0;
    auto blocks = s->memory.blocksOf(c);
    if (!blocks.empty()) {
        size_t bytes = 0;
        for (const Allocation* a : blocks) bytes += a->bytes;
        leaks << " " << blocks.size() << " device allocation(s) of " << bytes << " bytes";
        leaked += (long long)blocks.size();
        std::vector<uintptr_t> bases;
        for (const Allocation* a : blocks) bases.push_back(a->base);
        for (uintptr_t p : bases) {
            const Allocation* a = s->memory.find(p);
            size_t charged = a->charged;
            std::string ignored;
            s->memory.free(p, why, &ignored);
            c->device->usedMemory -= charged;
            count(LIVE_DEVICE_ALLOCATIONS, -1);
            count(LIVE_DEVICE_BYTES, -(long long)charged);
        }
    }
    if (!c->streams.empty()) {
        leaks << " " << c->streams.size() << " stream(s)";
        leaked += (long long)c->streams.size();
        while (!c->streams.empty()) destroyStream(*c->streams.begin());
    }
    if (!c->events.empty()) {
        leaks << " " << c->events.size() << " event(s)";
        leaked += (long long)c->events.size();
        for (Event* e : c->events) {
            s->events.erase(e);
            count(LIVE_EVENTS, -1);
            delete e;
        }
        c->events.clear();
    }
    if (!c->modules.empty()) {
        leaks << " " << c->modules.size() << " module(s)";
        leaked += (long long)c->modules.size();
        while (!c->modules.empty()) destroyModule(*c->modules.begin());
    }
    if (leaked > 0) {
        count(LEAKED, leaked);
        report("leak: " + std::string(why) + " destroyed cuda:" + std::to_string(c->device->ordinal) +
               "'s context with" + leaks.str() + " still alive");
    }
    c->legacy.reset();
    c->alive = false;
    s->contexts.erase(c);
    count(LIVE_CONTEXTS, -1);
}

}  // namespace softgpu

using namespace softgpu;
using Guard = std::lock_guard<std::recursive_mutex>;

CU_API CUresult cuInit(unsigned int flags) {
    Guard l(lock());
    if (flags != 0) return CUDA_ERROR_INVALID_VALUE;
    if (state() != nullptr) return CUDA_SUCCESS;
    auto* s = new State();
    std::string error;
    if (!Config::fromEnvironment(&s->config, &error)) {
        report("cuInit: " + error);
        delete s;
        return CUDA_ERROR_INVALID_VALUE;
    }
    if (s->config.devices == 0) {
        delete s;
        return CUDA_ERROR_NO_DEVICE;
    }
    for (int i = 0; i < s->config.devices; i++) {
        s->devices.push_back(Device{i, s->config.ccMajor, s->config.ccMinor, s->config.memoryBytes});
    }
    s->memory.setQuarantineLimit(s->config.quarantineBytes);
    installState(s);
    counter(MAGIC);  // creates the counters' memfd now, so a process can find it right after cuInit
    std::atexit(exitReport);
    return CUDA_SUCCESS;
}

CU_API CUresult cuDriverGetVersion(int* version) {
    if (version == nullptr) return CUDA_ERROR_INVALID_VALUE;
    *version = DRIVER_VERSION;
    return CUDA_SUCCESS;
}

CU_API CUresult cuDeviceGetCount(int* n) {
    Guard l(lock());
    if (state() == nullptr) return CUDA_ERROR_NOT_INITIALIZED;
    if (n == nullptr) return CUDA_ERROR_INVALID_VALUE;
    *n = (int)state()->devices.size();
    return CUDA_SUCCESS;
}

CU_API CUresult cuDeviceGet(CUdevice* dev, int ordinal) {
    Guard l(lock());
    Device* d = nullptr;
    CUresult rc = deviceOf(ordinal, &d);
    if (rc != CUDA_SUCCESS) return rc;
    if (dev == nullptr) return CUDA_ERROR_INVALID_VALUE;
    *dev = ordinal;
    return CUDA_SUCCESS;
}

CU_API CUresult cuDeviceGetName(char* name, int len, CUdevice dev) {
    Guard l(lock());
    Device* d = nullptr;
    CUresult rc = deviceOf(dev, &d);
    if (rc != CUDA_SUCCESS) return rc;
    if (name == nullptr || len <= 0) return CUDA_ERROR_INVALID_VALUE;
    std::strncpy(name, DEVICE_NAME, (size_t)len - 1);
    name[len - 1] = '\0';
    return CUDA_SUCCESS;
}

CU_API CUresult cuDeviceTotalMem_v2(size_t* bytes, CUdevice dev) {
    Guard l(lock());
    Device* d = nullptr;
    CUresult rc = deviceOf(dev, &d);
    if (rc != CUDA_SUCCESS) return rc;
    if (bytes == nullptr) return CUDA_ERROR_INVALID_VALUE;
    *bytes = d->totalMemory;
    return CUDA_SUCCESS;
}

CU_API CUresult cuDeviceComputeCapability(int* major, int* minor, CUdevice dev) {
    Guard l(lock());
    Device* d = nullptr;
    CUresult rc = deviceOf(dev, &d);
    if (rc != CUDA_SUCCESS) return rc;
    if (major == nullptr || minor == nullptr) return CUDA_ERROR_INVALID_VALUE;
    *major = d->ccMajor;
    *minor = d->ccMinor;
    return CUDA_SUCCESS;
}

CU_API CUresult cuDeviceGetAttribute(int* value, int attribute, CUdevice dev) {
    Guard l(lock());
    Device* d = nullptr;
    CUresult rc = deviceOf(dev, &d);
    if (rc != CUDA_SUCCESS) return rc;
    if (value == nullptr) return CUDA_ERROR_INVALID_VALUE;
    switch (attribute) {
        case CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_BLOCK: *value = 1024; break;
        case CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_X: *value = 1024; break;
        case CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_Y: *value = 1024; break;
        case CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_Z: *value = 64; break;
        case CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_X: *value = 2147483647; break;
        case CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_Y: *value = 65535; break;
        case CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_Z: *value = 65535; break;
        case CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK: *value = 48 * 1024; break;
        case CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN: *value = 64 * 1024; break;
        case CU_DEVICE_ATTRIBUTE_TOTAL_CONSTANT_MEMORY: *value = 64 * 1024; break;
        case CU_DEVICE_ATTRIBUTE_WARP_SIZE: *value = 32; break;
        case CU_DEVICE_ATTRIBUTE_MAX_REGISTERS_PER_BLOCK: *value = 65536; break;
        case CU_DEVICE_ATTRIBUTE_CLOCK_RATE: *value = 1590000; break;
        case CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT: *value = state()->config.multiprocessors; break;
        case CU_DEVICE_ATTRIBUTE_INTEGRATED: *value = 0; break;
        case CU_DEVICE_ATTRIBUTE_CAN_MAP_HOST_MEMORY: *value = 0; break;
        case CU_DEVICE_ATTRIBUTE_COMPUTE_MODE: *value = 0; break;
        case CU_DEVICE_ATTRIBUTE_CONCURRENT_KERNELS: *value = 0; break;
        case CU_DEVICE_ATTRIBUTE_PCI_BUS_ID: *value = dev + 1; break;
        case CU_DEVICE_ATTRIBUTE_PCI_DEVICE_ID: *value = 0; break;
        case CU_DEVICE_ATTRIBUTE_PCI_DOMAIN_ID: *value = 0; break;
        case CU_DEVICE_ATTRIBUTE_MEMORY_CLOCK_RATE: *value = 5001000; break;
        case CU_DEVICE_ATTRIBUTE_GLOBAL_MEMORY_BUS_WIDTH: *value = 256; break;
        case CU_DEVICE_ATTRIBUTE_L2_CACHE_SIZE: *value = 4 << 20; break;
        case CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_MULTIPROCESSOR: *value = 1024; break;
        case CU_DEVICE_ATTRIBUTE_ASYNC_ENGINE_COUNT: *value = 0; break;
        case CU_DEVICE_ATTRIBUTE_UNIFIED_ADDRESSING: *value = 1; break;
        case CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR: *value = d->ccMajor; break;
        case CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR: *value = d->ccMinor; break;
        case CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_MULTIPROCESSOR: *value = 64 * 1024; break;
        case CU_DEVICE_ATTRIBUTE_MAX_REGISTERS_PER_MULTIPROCESSOR: *value = 65536; break;
        case CU_DEVICE_ATTRIBUTE_MANAGED_MEMORY: *value = 0; break;
        default:
            report("cuDeviceGetAttribute: attribute " + std::to_string(attribute) +
                   " is not modelled by the software GPU; returning CUDA_ERROR_INVALID_VALUE");
            return CUDA_ERROR_INVALID_VALUE;
    }
    return CUDA_SUCCESS;
}

CU_API CUresult cuDeviceGetUuid(unsigned char* uuid, CUdevice dev) {
    Guard l(lock());
    Device* d = nullptr;
    CUresult rc = deviceOf(dev, &d);
    if (rc != CUDA_SUCCESS) return rc;
    if (uuid == nullptr) return CUDA_ERROR_INVALID_VALUE;
    const char tag[] = "FoveaSoftGPU";
    std::memset(uuid, 0, 16);
    std::memcpy(uuid, tag, sizeof(tag) - 1);
    uuid[15] = (unsigned char)dev;
    return CUDA_SUCCESS;
}

CU_API CUresult cuDeviceGetPCIBusId(char* id, int len, CUdevice dev) {
    Guard l(lock());
    Device* d = nullptr;
    CUresult rc = deviceOf(dev, &d);
    if (rc != CUDA_SUCCESS) return rc;
    if (id == nullptr || len < 13) return CUDA_ERROR_INVALID_VALUE;
    std::snprintf(id, (size_t)len, "0000:%02x:00.0", dev + 1);
    return CUDA_SUCCESS;
}

CU_API CUresult cuDeviceCanAccessPeer(int* can, CUdevice dev, CUdevice peer) {
    Guard l(lock());
    Device* d = nullptr;
    CUresult rc = deviceOf(dev, &d);
    if (rc == CUDA_SUCCESS) rc = deviceOf(peer, &d);
    if (rc != CUDA_SUCCESS) return rc;
    if (can == nullptr) return CUDA_ERROR_INVALID_VALUE;
    *can = 0;  // no peer access: a kernel on one device may not touch another's memory
    return CUDA_SUCCESS;
}

// ---- primary contexts -------------------------------------------------------------------------

CU_API CUresult cuDevicePrimaryCtxRetain(CUcontext* out, CUdevice dev) {
    Guard l(lock());
    Device* d = nullptr;
    CUresult rc = deviceOf(dev, &d);
    if (rc != CUDA_SUCCESS) return rc;
    if (out == nullptr) return CUDA_ERROR_INVALID_VALUE;
    if (d->primary == nullptr) {
        d->primary = new Context{d, true};  // kept for the process: its handle stays valid across resets
        d->primary->alive = false;
    }
    if (d->primaryRefs == 0) {
        activate(d->primary);
    }
    d->primaryRefs++;
    *out = d->primary;
    return CUDA_SUCCESS;
}

CU_API CUresult cuDevicePrimaryCtxRelease_v2(CUdevice dev) {
    Guard l(lock());
    Device* d = nullptr;
    CUresult rc = deviceOf(dev, &d);
    if (rc != CUDA_SUCCESS) return rc;
    if (d->primaryRefs == 0) return CUDA_ERROR_INVALID_CONTEXT;
    if (--d->primaryRefs == 0) {
        destroyContext(d->primary, "cuDevicePrimaryCtxRelease (last reference)");
    }
    return CUDA_SUCCESS;
}

CU_API CUresult cuDevicePrimaryCtxReset_v2(CUdevice dev) {
    Guard l(lock());
    Device* d = nullptr;
    CUresult rc = deviceOf(dev, &d);
    if (rc != CUDA_SUCCESS) return rc;
    if (d->primary != nullptr && d->primary->alive) {
        destroyContext(d->primary, "cuDevicePrimaryCtxReset");
        d->primaryRefs = 0;
    }
    return CUDA_SUCCESS;
}

CU_API CUresult cuDevicePrimaryCtxGetState(CUdevice dev, unsigned int* flags, int* active) {
    Guard l(lock());
    Device* d = nullptr;
    CUresult rc = deviceOf(dev, &d);
    if (rc != CUDA_SUCCESS) return rc;
    if (flags == nullptr || active == nullptr) return CUDA_ERROR_INVALID_VALUE;
    *flags = 0;
    *active = d->primaryRefs > 0 ? 1 : 0;
    return CUDA_SUCCESS;
}

CU_API CUresult cuDevicePrimaryCtxSetFlags_v2(CUdevice dev, unsigned int flags) {
    Guard l(lock());
    Device* d = nullptr;
    return deviceOf(dev, &d);
}

// ---- contexts ---------------------------------------------------------------------------------

CU_API CUresult cuCtxCreate_v2(CUcontext* out, unsigned int flags, CUdevice dev) {
    Guard l(lock());
    Device* d = nullptr;
    CUresult rc = deviceOf(dev, &d);
    if (rc != CUDA_SUCCESS) return rc;
    if (out == nullptr) return CUDA_ERROR_INVALID_VALUE;
    auto* c = new Context{d, false};
    activate(c);
    contextStack().push_back(c);
    *out = c;
    return CUDA_SUCCESS;
}

CU_API CUresult cuCtxDestroy_v2(CUcontext c) {
    Guard l(lock());
    if (state() == nullptr) return CUDA_ERROR_NOT_INITIALIZED;
    if (!live(c)) return CUDA_ERROR_INVALID_CONTEXT;
    if (c->primary) return CUDA_ERROR_INVALID_CONTEXT;  // primary contexts are released, not destroyed
    destroyContext(c, "cuCtxDestroy");
    auto& stack = contextStack();
    for (auto it = stack.begin(); it != stack.end();) {
        it = *it == c ? stack.erase(it) : it + 1;
    }
    return CUDA_SUCCESS;
}

CU_API CUresult cuCtxSetCurrent(CUcontext c) {
    Guard l(lock());
    if (state() == nullptr) return CUDA_ERROR_NOT_INITIALIZED;
    if (c != nullptr && !live(c)) return CUDA_ERROR_INVALID_CONTEXT;
    setCurrent(c);
    return CUDA_SUCCESS;
}

CU_API CUresult cuCtxGetCurrent(CUcontext* out) {
    Guard l(lock());
    if (state() == nullptr) return CUDA_ERROR_NOT_INITIALIZED;
    if (out == nullptr) return CUDA_ERROR_INVALID_VALUE;
    *out = current();
    return CUDA_SUCCESS;
}

CU_API CUresult cuCtxPushCurrent_v2(CUcontext c) {
    Guard l(lock());
    if (state() == nullptr) return CUDA_ERROR_NOT_INITIALIZED;
    if (!live(c)) return CUDA_ERROR_INVALID_CONTEXT;
    contextStack().push_back(c);
    return CUDA_SUCCESS;
}

CU_API CUresult cuCtxPopCurrent_v2(CUcontext* out) {
    Guard l(lock());
    if (state() == nullptr) return CUDA_ERROR_NOT_INITIALIZED;
    auto& stack = contextStack();
    if (stack.empty()) return CUDA_ERROR_INVALID_CONTEXT;
    if (out != nullptr) *out = stack.back();
    stack.pop_back();
    return CUDA_SUCCESS;
}

CU_API CUresult cuCtxGetDevice(CUdevice* dev) {
    Guard l(lock());
    Context* c = nullptr;
    CUresult rc = requireContext(&c);
    if (c == nullptr) return rc;
    if (dev == nullptr) return CUDA_ERROR_INVALID_VALUE;
    *dev = c->device->ordinal;
    return CUDA_SUCCESS;
}

CU_API CUresult cuCtxSynchronize() {
    Guard l(lock());
    Context* c = nullptr;
    CUresult rc = requireContext(&c);
    if (c == nullptr) return rc;
    count(SYNCHRONIZATIONS);
    return drainContext(c);
}

CU_API CUresult cuCtxGetApiVersion(CUcontext c, unsigned int* version) {
    Guard l(lock());
    if (state() == nullptr) return CUDA_ERROR_NOT_INITIALIZED;
    if (c == nullptr) c = current();
    if (!live(c)) return CUDA_ERROR_INVALID_CONTEXT;
    if (version == nullptr) return CUDA_ERROR_INVALID_VALUE;
    *version = 3020;
    return CUDA_SUCCESS;
}

CU_API CUresult cuCtxGetFlags(unsigned int* flags) {
    Guard l(lock());
    Context* c = nullptr;
    CUresult rc = requireContext(&c);
    if (c == nullptr) return rc;
    if (flags == nullptr) return CUDA_ERROR_INVALID_VALUE;
    *flags = 0;
    return CUDA_SUCCESS;
}
