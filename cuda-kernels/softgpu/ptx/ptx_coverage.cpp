// Instruction-form coverage: with FOVEA_SOFTGPU_PTX_COVERAGE=<file>, every program loaded in ptx
// mode is kept, and at process exit the file gets one line per instruction form (the opcode with its
// modifiers; "@p " in front when the instruction is predicated) of everything loaded:
//
//     <form> TAB <instructions of that form> TAB <how many of them ran at least once>
//
// A predicated instruction counts as run when its predicate let it execute. Tests use it to show
// that every form the committed modules contain was executed by some test.
#include "ptx_program.h"

#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace softgpu::ptx {
namespace {

struct Registry {
    std::mutex mutex;
    std::vector<std::shared_ptr<Program>> programs;
    std::string path;
};

Registry& registry() {
    static Registry* r = new Registry();  // never destroyed: written from an atexit handler
    return *r;
}

void writeCoverage() {
    Registry& r = registry();
    std::lock_guard<std::mutex> l(r.mutex);
    std::map<std::string, std::pair<long, long>> forms;
    for (const auto& p : r.programs) {
        for (const auto& k : p->kernels) {
            for (size_t i = 0; i < k->code.size(); i++) {
                auto& entry = forms[p->forms[k->sites[k->code[i].site].form]];
                entry.first++;
                if (k->ran[i].load(std::memory_order_relaxed) != 0) entry.second++;
            }
        }
    }
    FILE* f = std::fopen(r.path.c_str(), "w");
    if (f == nullptr) {
        std::fprintf(stderr, "softgpu: FOVEA_SOFTGPU_PTX_COVERAGE=%s cannot be written\n", r.path.c_str());
        return;
    }
    for (const auto& [form, n] : forms) std::fprintf(f, "%s\t%ld\t%ld\n", form.c_str(), n.first, n.second);
    std::fclose(f);
}

}  // namespace

void registerCoverage(std::shared_ptr<Program> program) {
    const char* path = std::getenv("FOVEA_SOFTGPU_PTX_COVERAGE");
    if (path == nullptr || *path == '\0') return;
    Registry& r = registry();
    std::lock_guard<std::mutex> l(r.mutex);
    if (r.path.empty()) {
        r.path = path;
        std::atexit(writeCoverage);
    }
    r.programs.push_back(std::move(program));
}

}  // namespace softgpu::ptx
