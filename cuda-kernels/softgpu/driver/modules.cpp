// cuModuleLoadData and friends. The software GPU cannot JIT-compile PTX; it reads the module's
// header and entry points, checks them as the driver's JIT would reject them (a PTX ISA newer than
// the driver, a target above the device), and resolves each entry point to the CPU build of the
// kernel's CUDA C source, whose parameter list must match the PTX's: a stale PTX file fails here.
#include "modules.h"

#include "context.h"
#include "counters.h"
#include "streams.h"

#include <cstring>
#include <regex>
#include <sstream>

namespace softgpu {

namespace {

// A CUDA 11.8 driver JIT-compiles PTX up to ISA 7.8.
constexpr int MAX_PTX_MAJOR = 7;
constexpr int MAX_PTX_MINOR = 8;

size_t sizeOf(const std::string& type) {
    if (type == ".u64" || type == ".s64" || type == ".b64" || type == ".f64") return 8;
    if (type == ".u32" || type == ".s32" || type == ".b32" || type == ".f32") return 4;
    if (type == ".u16" || type == ".s16" || type == ".b16" || type == ".f16") return 2;
    if (type == ".u8" || type == ".s8" || type == ".b8") return 1;
    return 0;
}

// Whether a PTX parameter type carries a C parameter of kind p/i/f/l.
bool compatible(const std::string& type, char kind) {
    switch (kind) {
        case 'p':
        case 'l': return type == ".u64" || type == ".s64" || type == ".b64";
        case 'i': return type == ".u32" || type == ".s32" || type == ".b32";
        case 'f': return type == ".f32" || type == ".b32";
        default: return false;
    }
}

std::string cParams(const std::string& kinds) {
    std::string out;
    for (char k : kinds) {
        if (!out.empty()) out += ", ";
        out += k == 'p' ? "pointer" : k == 'i' ? "int" : k == 'f' ? "float" : "long long";
    }
    return "(" + out + ")";
}

std::string ptxParams(const PtxEntry& e) {
    std::string out;
    for (const PtxParam& p : e.params) {
        if (!out.empty()) out += ", ";
        out += p.type;
    }
    return "(" + out + ")";
}

}  // namespace

bool parsePtx(const std::string& text, PtxModule* out, std::string* error) {
    std::istringstream in(text);
    std::string line;
    int number = 0;
    PtxEntry* open = nullptr;  // an entry whose parameter list is being read
    static const std::regex version(R"(^\s*\.version\s+(\d+)\.(\d+)\s*$)");
    static const std::regex target(R"(^\s*\.target\s+sm_(\d+)\w*)");
    static const std::regex entry(R"(\.entry\s+([A-Za-z_$][\w$]*)\s*\(?)");
    static const std::regex param(R"(^\s*\.param\s+(\.\w+)\s+(?:\.ptr\s+(?:\.\w+\s+)*)?(?:\.align\s+\d+\s+)?([\w$]+))");
    while (std::getline(in, line)) {
        number++;
        std::smatch m;
        if (open != nullptr) {
            if (std::regex_search(line, m, param)) {
                size_t size = sizeOf(m[1]);
                if (size == 0) {
                    *error = "line " + std::to_string(number) + ": parameter type " + m[1].str() + " of " + open->name +
                             " is not supported";
                    return false;
                }
                open->params.push_back(PtxParam{m[1], size});
            }
            if (line.find(')') != std::string::npos) {
                open = nullptr;
            }
            continue;
        }
        if (std::regex_match(line, m, version)) {
            out->versionMajor = std::stoi(m[1]);
            out->versionMinor = std::stoi(m[2]);
        } else if (std::regex_search(line, m, target)) {
            out->target = std::stoi(m[1]);
        } else if (line.find(".entry") != std::string::npos && std::regex_search(line, m, entry)) {
            out->entries.push_back(PtxEntry{m[1], number, {}});
            if (line.find('(') != std::string::npos && line.find(')') == std::string::npos) {
                open = &out->entries.back();
            } else if (line.find('(') == std::string::npos) {
                open = &out->entries.back();  // "(" on the next line
            }
        }
    }
    if (out->versionMajor == 0) {
        *error = "no .version directive: not PTX text";
        return false;
    }
    if (out->target == 0) {
        *error = "no .target sm_NN directive";
        return false;
    }
    return true;
}

void destroyModule(Module* m) {
    for (auto& [name, f] : m->functions) {
        state()->functions.erase(f);
        delete f;
    }
    m->context->modules.erase(m);
    state()->modules.erase(m);
    count(LIVE_MODULES, -1);
    delete m;
}

}  // namespace softgpu

using namespace softgpu;

namespace {

using Guard = std::lock_guard<std::recursive_mutex>;

// Loads PTX text; on failure the reason goes to *log (the JIT error log) and the report.
CUresult load(CUmodule* out, const void* image, std::string* log) {
    Context* ctx = nullptr;
    CUresult rc = requireContext(&ctx);
    if (rc != CUDA_SUCCESS) return rc;
    if (out == nullptr || image == nullptr) return CUDA_ERROR_INVALID_VALUE;
    const auto* bytes = static_cast<const unsigned char*>(image);
    if (bytes[0] == 0x7F && bytes[1] == 'E' && bytes[2] == 'L' && bytes[3] == 'F') {
        *log = "a cubin/ELF image: the software GPU runs PTX modules only";
        report("cuModuleLoadData: " + *log);
        return CUDA_ERROR_INVALID_IMAGE;
    }
    std::string text(static_cast<const char*>(image));
    PtxModule ptx;
    std::string error;
    if (!parsePtx(text, &ptx, &error)) {
        *log = "PTX: " + error;
        report("cuModuleLoadData: " + *log);
        return CUDA_ERROR_INVALID_PTX;
    }
    std::string label = ptx.entries.empty() ? "(no entry points)" : ptx.entries.front().name;
    if (ptx.versionMajor > MAX_PTX_MAJOR || (ptx.versionMajor == MAX_PTX_MAJOR && ptx.versionMinor > MAX_PTX_MINOR)) {
        *log = "module " + label + ": PTX ISA " + std::to_string(ptx.versionMajor) + "." +
               std::to_string(ptx.versionMinor) + " is newer than this driver supports (" + std::to_string(MAX_PTX_MAJOR) +
               "." + std::to_string(MAX_PTX_MINOR) + ", CUDA 11.8)";
        report("cuModuleLoadData: " + *log);
        return CUDA_ERROR_UNSUPPORTED_PTX_VERSION;
    }
    int cc = ctx->device->ccMajor * 10 + ctx->device->ccMinor;
    if (ptx.target > cc) {
        *log = "module " + label + ": .target sm_" + std::to_string(ptx.target) +
               " cannot be compiled for this GPU (compute capability " + std::to_string(ctx->device->ccMajor) + "." +
               std::to_string(ctx->device->ccMinor) + ")";
        report("cuModuleLoadData: " + *log);
        return CUDA_ERROR_INVALID_PTX;
    }
    for (const PtxEntry& e : ptx.entries) {
        const KernelImpl* impl = findKernel(e.name);
        if (impl == nullptr) continue;  // reported by cuModuleGetFunction if it is ever asked for
        bool same = impl->params.size() == e.params.size();
        for (size_t i = 0; same && i < e.params.size(); i++) {
            same = compatible(e.params[i].type, impl->params[i]);
        }
        if (!same) {
            *log = "module " + label + ", line " + std::to_string(e.line) + ": entry " + e.name + " takes " +
                   ptxParams(e) + " in the PTX but " + cParams(impl->params) +
                   " in its CUDA C source: the PTX is stale (regenerate it with cuda-kernels/scripts/build-ptx.sh)";
            report("cuModuleLoadData: " + *log);
            return CUDA_ERROR_INVALID_PTX;
        }
    }
    auto* m = new Module{ctx, label, std::move(ptx), {}};
    ctx->modules.insert(m);
    state()->modules.insert(m);
    count(LIVE_MODULES);
    *out = m;
    return CUDA_SUCCESS;
}

}  // namespace

CU_API CUresult cuModuleLoadData(CUmodule* out, const void* image) {
    Guard l(lock());
    std::string log;
    return load(out, image, &log);
}

CU_API CUresult cuModuleLoadDataEx(CUmodule* out, const void* image, unsigned int n, int* options, void** values) {
    Guard l(lock());
    std::string log;
    CUresult rc = load(out, image, &log);
    char* errorLog = nullptr;
    size_t errorSize = 0;
    for (unsigned i = 0; options != nullptr && values != nullptr && i < n; i++) {
        if (options[i] == CU_JIT_ERROR_LOG_BUFFER) errorLog = static_cast<char*>(values[i]);
        if (options[i] == CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES) errorSize = (size_t)(uintptr_t)values[i];
    }
    if (errorLog != nullptr && errorSize > 0) {
        std::strncpy(errorLog, rc == CUDA_SUCCESS ? "" : log.c_str(), errorSize - 1);
        errorLog[errorSize - 1] = '\0';
        for (unsigned i = 0; i < n; i++) {
            if (options[i] == CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES) {
                values[i] = (void*)(uintptr_t)std::min(errorSize, (rc == CUDA_SUCCESS ? 0 : log.size()) + 1);
            }
        }
    }
    return rc;
}

CU_API CUresult cuModuleUnload(CUmodule m) {
    Guard l(lock());
    if (state() == nullptr) return CUDA_ERROR_NOT_INITIALIZED;
    if (m == nullptr || state()->modules.count(m) == 0) return CUDA_ERROR_INVALID_HANDLE;
    drainContext(m->context);  // queued launches still use its functions
    destroyModule(m);
    return CUDA_SUCCESS;
}

CU_API CUresult cuModuleGetFunction(CUfunction* out, CUmodule m, const char* name) {
    Guard l(lock());
    Context* ctx = nullptr;
    CUresult rc = requireContext(&ctx);
    if (rc != CUDA_SUCCESS) return rc;
    if (out == nullptr || name == nullptr) return CUDA_ERROR_INVALID_VALUE;
    if (m == nullptr || state()->modules.count(m) == 0) return CUDA_ERROR_INVALID_HANDLE;
    auto found = m->functions.find(name);
    if (found != m->functions.end()) {
        *out = found->second;
        return CUDA_SUCCESS;
    }
    const PtxEntry* entry = nullptr;
    for (const PtxEntry& e : m->ptx.entries) {
        if (e.name == name) entry = &e;
    }
    if (entry == nullptr) return CUDA_ERROR_NOT_FOUND;
    const KernelImpl* impl = findKernel(name);
    if (impl == nullptr) {
        report(std::string("cuModuleGetFunction: ") + name + " is in the PTX but the software GPU has no CPU build of it"
               " (FOVEA_SOFTGPU_KERNELS=source runs cuda-kernels/src/*.cu)");
        return CUDA_ERROR_NOT_FOUND;
    }
    auto* f = new Function{m, entry, impl};
    m->functions.emplace(name, f);
    state()->functions.insert(f);
    *out = f;
    return CUDA_SUCCESS;
}

CU_API CUresult cuFuncGetAttribute(int* value, int attribute, CUfunction f) {
    Guard l(lock());
    if (state() == nullptr) return CUDA_ERROR_NOT_INITIALIZED;
    if (f == nullptr || state()->functions.count(f) == 0) return CUDA_ERROR_INVALID_HANDLE;
    if (value == nullptr) return CUDA_ERROR_INVALID_VALUE;
    switch (attribute) {
        case CU_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK: *value = 1024; break;
        case CU_FUNC_ATTRIBUTE_NUM_REGS: *value = 32; break;
        case CU_FUNC_ATTRIBUTE_PTX_VERSION:
            *value = f->module->ptx.versionMajor * 10 + f->module->ptx.versionMinor;
            break;
        case CU_FUNC_ATTRIBUTE_BINARY_VERSION:
            *value = f->module->context->device->ccMajor * 10 + f->module->context->device->ccMinor;
            break;
        default: *value = 0; break;
    }
    return CUDA_SUCCESS;
}
