// The software GPU's PTX interpreter (FOVEA_SOFTGPU_KERNELS=ptx): a module as it runs.
//
// cuModuleLoadData parses the whole text (ptx_parser.cpp) and binds every instruction to a handler
// (ptx_decode.cpp) before it returns, so an instruction, modifier or operand the interpreter does not
// implement fails the load, naming the module, kernel, line and instruction, instead of being
// skipped when it runs. What runs is then a flat array of decoded instructions per kernel
// (ptx_interpreter.cpp): every operand is an index into one array of 64-bit slots per thread that
// holds the registers, the special registers and the immediates, so reading an operand is one load.
#ifndef FOVEA_SOFTGPU_PTX_PROGRAM_H
#define FOVEA_SOFTGPU_PTX_PROGRAM_H

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace softgpu::ptx {

struct Thread;
struct Instr;
using Handler = void (*)(Thread&, const Instr&);

constexpr uint32_t NO_SLOT = 0xFFFFFFFFu;

// Slots every kernel has, in this order, before its registers and immediates: the special
// registers (written per block and per thread) and a constant zero.
enum SpecialSlot : uint32_t {
    SLOT_TID_X, SLOT_TID_Y, SLOT_TID_Z,
    SLOT_NTID_X, SLOT_NTID_Y, SLOT_NTID_Z,
    SLOT_CTAID_X, SLOT_CTAID_Y, SLOT_CTAID_Z,
    SLOT_NCTAID_X, SLOT_NCTAID_Y, SLOT_NCTAID_Z,
    SLOT_LANEID, SLOT_WARPID, SLOT_NWARPID,
    SLOT_ZERO,
    SPECIAL_SLOTS
};

// One decoded instruction. The meaning of the operand fields is the handler's (ptx_decode.cpp
// sets them); `op` holds slot indices, `offset` a byte offset for memory operands, `target` a
// branch's instruction index.
struct Instr {
    Handler fn = nullptr;
    uint32_t op[4] = {NO_SLOT, NO_SLOT, NO_SLOT, NO_SLOT};
    uint32_t vec[4] = {NO_SLOT, NO_SLOT, NO_SLOT, NO_SLOT};  // vector operand elements (ld/st .v2/.v4)
    int64_t offset = 0;
    uint32_t target = 0;
    uint32_t guard = NO_SLOT;  // predicate slot of @p / @!p, or NO_SLOT
    bool guardNegated = false;
    uint8_t width = 0;         // access or register width in bytes, where a handler needs it
    uint8_t count = 0;         // vector length
    uint8_t mode = 0;          // rounding mode (Round / IntRound) or comparison, per handler
    uint8_t flags = 0;         // FLAG_* below
    uint32_t site = 0;         // index into Kernel::sites (line, text, form) for reports and coverage
};

enum InstrFlag : uint8_t {
    FLAG_FTZ = 1,      // .ftz
    FLAG_SAT = 2,      // .sat
    FLAG_NEGATE_C = 4, // setp's combining predicate is written !%p
};

// Where an instruction came from: for fault reports and the coverage report.
struct Site {
    int line = 0;
    std::string text;  // the statement as written, whitespace collapsed
    uint32_t form = 0; // index into Program::forms
};

struct Param {
    std::string name;
    std::string type;   // .u64, .f32, ...
    size_t size = 0;
    size_t align = 0;
    size_t offset = 0;  // in the parameter buffer
    bool pointer = false;  // loaded and converted with cvta.to.global: checked at launch as a pointer
};

struct Kernel {
    std::string name;
    int line = 0;
    std::vector<Param> params;
    size_t paramBytes = 0;
    std::vector<Instr> code;
    std::vector<Site> sites;
    uint32_t slots = 0;                  // registers + special + immediates
    std::vector<uint64_t> constants;     // initial values of slots [constantBase, slots)
    uint32_t constantBase = 0;
    size_t sharedBytes = 0;              // static .shared (module and kernel scope); dynamic shared memory follows
    size_t localBytes = 0;               // .local per thread
    bool barriers = false;               // uses bar.sync: threads of a block run in phases
    // Which instructions ever ran, one flag per instruction: kept only when the coverage report
    // was asked for (FOVEA_SOFTGPU_PTX_COVERAGE), so that other runs pay nothing for it.
    bool track = false;
    std::unique_ptr<std::atomic<uint8_t>[]> ran;
};

struct Program {
    std::string label;   // the module's name in reports
    std::vector<std::unique_ptr<Kernel>> kernels;
    std::vector<std::string> forms;  // distinct instruction forms ("add.s64", "@p bra", ...)

    const Kernel* find(const std::string& name) const;
};

// Parses and decodes PTX text. Returns null with *error set ("module M, kernel K, line N: `text`:
// why") when anything in it is malformed or not implemented.
std::unique_ptr<Program> load(const std::string& text, const std::string& label, std::string* error);

// What a launch needs of the driver: whether [p, p + n) lies inside one live block of the
// launching device's memory. On success *lo and *hi bound that block (the interpreter caches it);
// on failure *why says where the range lies instead.
using Locate = std::function<bool(uintptr_t p, size_t n, uintptr_t* lo, uintptr_t* hi, std::string* why)>;

struct Dim3 {
    unsigned x, y, z;
};

// What stopped a grid: `code` is the CUresult a GPU would report (700 illegal address, 716
// misaligned address, 719 launch failure for a trap), `message` names the module, kernel, line,
// instruction, block and thread. code 0: the grid ran to its end.
struct Fault {
    int code = 0;
    std::string message;
};

// Runs a grid: blocks shared out over the driver's worker threads. `params` holds the parameter
// buffer laid out as Kernel::params says. Stops at the first fault.
Fault run(const Program& program, const Kernel& k, Dim3 grid, Dim3 block, unsigned dynamicShared,
          const std::vector<uint8_t>& params, const Locate& locate);

// Coverage (FOVEA_SOFTGPU_PTX_COVERAGE=<file>): a loaded program is registered; when the process
// exits (or the variable's file is requested) every form of every program loaded so far is written
// with how many of its instructions exist and how many ran.
void registerCoverage(std::shared_ptr<Program> program);

}  // namespace softgpu::ptx

#endif
