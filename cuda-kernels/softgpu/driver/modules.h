// PTX modules: what cuModuleLoadData reads of the PTX text (header, entry points and their
// .param lists) and the functions resolved from it.
#ifndef FOVEA_SOFTGPU_DRIVER_MODULES_H
#define FOVEA_SOFTGPU_DRIVER_MODULES_H

#include "kernels.h"
#include "state.h"

#include <map>
#include <string>
#include <vector>

namespace softgpu {

struct PtxParam {
    std::string type;  // .u64, .u32, .s32, .f32, ...
    size_t size;       // bytes
};

struct PtxEntry {
    std::string name;
    int line;  // 1-based line of the .entry directive
    std::vector<PtxParam> params;
};

// The parts of a PTX module the software GPU checks and uses.
struct PtxModule {
    int versionMajor = 0;
    int versionMinor = 0;
    int target = 0;  // sm_NN as NN
    std::vector<PtxEntry> entries;
};

// Parses PTX text; false with a message naming the line on malformed input.
bool parsePtx(const std::string& text, PtxModule* out, std::string* error);

}  // namespace softgpu

struct softgpu::Module {
    Context* context;
    std::string label;  // the first entry point's name, for reports
    PtxModule ptx;
    std::map<std::string, Function*> functions;
};

struct softgpu::Function {
    Module* module;
    const PtxEntry* entry;
    const KernelImpl* impl;
};

#endif
