// cuLaunchKernel: checks the launch as the driver does (context, limits, parameters), copies the
// arguments (the caller may reuse them at once), checks every pointer argument against live device
// memory of the launching device, and queues the grid; the red zones of the blocks the kernel was
// given are checked after it ran, so an out-of-bounds write is reported naming the kernel.
#include "modules.h"

#include "counters.h"
#include "streams.h"

#include <cstring>
#include <sstream>

using namespace softgpu;

namespace {

using Guard = std::lock_guard<std::recursive_mutex>;

bool launchFailureInjected(const std::string& kernel) {
    State* s = state();
    long long n = ++s->launchCalls;
    const Config& c = s->config;
    return (c.failLaunch > 0 && n == c.failLaunch) || (!c.failLaunchKernel.empty() && c.failLaunchKernel == kernel);
}

std::string dims(unsigned x, unsigned y, unsigned z) {
    std::ostringstream s;
    s << "(" << x << ", " << y << ", " << z << ")";
    return s.str();
}

}  // namespace

CU_API CUresult cuLaunchKernel(CUfunction f, unsigned gridX, unsigned gridY, unsigned gridZ, unsigned blockX,
                               unsigned blockY, unsigned blockZ, unsigned sharedBytes, CUstream stream, void** params,
                               void** extra) {
    Guard l(lock());
    Context* ctx = nullptr;
    CUresult rc = requireContext(&ctx);
    if (rc != CUDA_SUCCESS) return rc;
    if (f == nullptr || state()->functions.count(f) == 0) return CUDA_ERROR_INVALID_HANDLE;
    const std::string& name = f->entry->name;
    if (f->module->context != ctx) {
        report("cuLaunchKernel(" + name + "): the function belongs to cuda:" +
               std::to_string(f->module->context->device->ordinal) + "'s context, but cuda:" +
               std::to_string(ctx->device->ordinal) + "'s is current on this thread");
        return CUDA_ERROR_INVALID_HANDLE;
    }
    Stream* s = nullptr;
    if ((rc = resolveStream(stream, ctx, &s)) != CUDA_SUCCESS) return rc;
    unsigned long long threads = (unsigned long long)blockX * blockY * blockZ;
    if (gridX == 0 || gridY == 0 || gridZ == 0 || blockX == 0 || blockY == 0 || blockZ == 0 || threads > 1024 ||
        blockX > 1024 || blockY > 1024 || blockZ > 64 || gridX > 2147483647u || gridY > 65535 || gridZ > 65535 ||
        sharedBytes > 48 * 1024) {
        report("cuLaunchKernel(" + name + "): grid " + dims(gridX, gridY, gridZ) + ", block " +
               dims(blockX, blockY, blockZ) + ", " + std::to_string(sharedBytes) +
               " bytes of shared memory exceed the device's limits (1024 threads a block, block z <= 64, grid y/z <= "
               "65535, 48 KiB shared memory)");
        return CUDA_ERROR_INVALID_VALUE;
    }
    if (extra != nullptr) {
        report("cuLaunchKernel(" + name + "): arguments through `extra` are not supported by the software GPU");
        return CUDA_ERROR_NOT_SUPPORTED;
    }
    const std::vector<PtxParam>& decl = f->entry->params;
    if (!decl.empty() && params == nullptr) {
        report("cuLaunchKernel(" + name + "): kernelParams is null but the kernel takes " +
               std::to_string(decl.size()) + " parameters");
        return CUDA_ERROR_INVALID_VALUE;
    }
    // The driver reads exactly the declared parameters: copy each by its PTX size.
    std::vector<Slot> args(decl.size());
    std::vector<uintptr_t> pointers;
    for (size_t i = 0; i < decl.size(); i++) {
        if (params[i] == nullptr) {
            report("cuLaunchKernel(" + name + "): kernelParams[" + std::to_string(i) + "] is null");
            return CUDA_ERROR_INVALID_VALUE;
        }
        args[i].fill(0);
        std::memcpy(args[i].data(), params[i], decl[i].size);
        if (f->impl->params[i] != 'p') continue;
        uintptr_t p;
        std::memcpy(&p, args[i].data(), sizeof(p));
        if (p == 0) continue;  // documented nullable pointers
        // A pointer may point anywhere inside a block, or one past its end (nothing read there).
        Location where = state()->memory.locate(p, 1, ctx->device);
        bool ok = where.kind == Location::INSIDE ||
                  (where.kind == Location::OUT_OF_BOUNDS && p == where.allocation->base + where.allocation->bytes);
        if (!ok) {
            poison(ctx, CUDA_ERROR_ILLEGAL_ADDRESS,
                   "cuLaunchKernel(" + name + "): pointer argument " + std::to_string(i) + " " + where.describe(p, 1));
            return CUDA_ERROR_ILLEGAL_ADDRESS;
        }
        pointers.push_back(p);
    }
    if (launchFailureInjected(name)) {
        report("cuLaunchKernel(" + name + "): failed, injected by FOVEA_SOFTGPU_FAIL_LAUNCH (launch " +
               std::to_string(state()->launchCalls) + ")");
        return CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES;
    }
    count(LAUNCHES);
    const KernelImpl* impl = f->impl;
    Dim grid{gridX, gridY, gridZ};
    Dim block{blockX, blockY, blockZ};
    enqueue(s, "cuLaunchKernel", name + " grid " + dims(gridX, gridY, gridZ) + " block " + dims(blockX, blockY, blockZ),
            [impl, grid, block, args = std::move(args)] { impl->run(*impl, grid, block, args); }, std::move(pointers));
    return CUDA_SUCCESS;
}
