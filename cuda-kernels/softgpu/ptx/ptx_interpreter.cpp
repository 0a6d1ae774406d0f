// Runs a decoded kernel over a grid. Blocks are shared out over the driver's worker threads
// (parallelFor, as the source route does). Within a block, a kernel without bar.sync runs its
// threads one after another, each to its end, on one reused slot array: a thread cannot observe
// another of its block without a barrier (Fovea's kernels use neither shared memory nor barriers).
// A kernel with bar.sync keeps a slot array per thread and runs the block in phases: every thread
// runs until it reaches a barrier or exits, then all continue past it, which is exactly the
// ordering bar.sync guarantees.
#include "ptx_exec.h"
#include "ptx_program.h"

#include "../driver/workers.h"

#include <atomic>
#include <cstring>
#include <mutex>
#include <sstream>
#include <vector>

namespace softgpu::ptx {

struct GridRun {
    const Program* program = nullptr;
    const Kernel* kernel = nullptr;
    Dim3 grid{1, 1, 1};
    Dim3 block{1, 1, 1};
    size_t sharedBytes = 0;
    const std::vector<uint8_t>* params = nullptr;
    const Locate* locate = nullptr;
    std::atomic<bool> failed{false};
    std::mutex mutex;
    Fault first;
};

namespace {

// Shared memory is uninitialised on a GPU; the interpreter fills it with the driver's pattern for
// fresh device memory (a NaN as float32), so a read before any write shows.
constexpr uint32_t UNWRITTEN = 0x7FC0DEADu;

std::string dims(const uint32_t v[3]) {
    std::ostringstream s;
    s << "(" << v[0] << ", " << v[1] << ", " << v[2] << ")";
    return s.str();
}

// Runs one thread until it exits, reaches a barrier or faults. TRACK marks each executed
// instruction for the coverage report.
template <bool TRACK>
inline void run(Thread& t, const Kernel& k) {
    const Instr* code = k.code.data();
    std::atomic<uint8_t>* ran = k.ran.get();
    const uint64_t* R = t.R;
    for (;;) {
        uint32_t pc = t.pc;
        const Instr& in = code[pc];
        t.pc = pc + 1;
        if (in.guard != NO_SLOT && ((R[in.guard] != 0) == in.guardNegated)) continue;
        if constexpr (TRACK) {
            if (ran[pc].load(std::memory_order_relaxed) == 0) ran[pc].store(1, std::memory_order_relaxed);
        }
        in.fn(t, in);
        if (t.status != RUNNING) return;
    }
}

inline void execute(Thread& t, const Kernel& k) {
    if (k.track) {
        run<true>(t, k);
    } else {
        run<false>(t, k);
    }
}

void initialise(uint64_t* R, const Kernel& k, const GridRun& g) {
    std::memset(R, 0, sizeof(uint64_t) * k.slots);
    std::memcpy(R + k.constantBase, k.constants.data(), sizeof(uint64_t) * k.constants.size());
    R[SLOT_NTID_X] = g.block.x;
    R[SLOT_NTID_Y] = g.block.y;
    R[SLOT_NTID_Z] = g.block.z;
    R[SLOT_NCTAID_X] = g.grid.x;
    R[SLOT_NCTAID_Y] = g.grid.y;
    R[SLOT_NCTAID_Z] = g.grid.z;
    unsigned long long threads = (unsigned long long)g.block.x * g.block.y * g.block.z;
    R[SLOT_NWARPID] = (threads + 31) / 32;
    R[SLOT_ZERO] = 0;
}

void place(uint64_t* R, Worker& w, const Dim3& block, unsigned long long linear) {
    w.thread[0] = unsigned(linear % block.x);
    w.thread[1] = unsigned(linear / block.x % block.y);
    w.thread[2] = unsigned(linear / block.x / block.y);
    R[SLOT_TID_X] = w.thread[0];
    R[SLOT_TID_Y] = w.thread[1];
    R[SLOT_TID_Z] = w.thread[2];
    R[SLOT_LANEID] = linear % 32;
    R[SLOT_WARPID] = linear / 32;
}

void runBlocks(void* self, long long begin, long long end) {
    GridRun& g = *static_cast<GridRun*>(self);
    const Kernel& k = *g.kernel;
    Worker w;
    w.locate = g.locate;
    w.grid = &g;
    const unsigned long long threads = (unsigned long long)g.block.x * g.block.y * g.block.z;
    const size_t files = k.barriers ? size_t(threads) : 1;
    std::vector<uint64_t> slots(files * k.slots);
    const size_t localWords = (k.localBytes + 7) / 8;
    std::vector<uint64_t> local(files * localWords + 1);
    std::vector<uint32_t> shared((g.sharedBytes + 3) / 4 + 2);
    for (size_t f = 0; f < files; f++) initialise(slots.data() + f * k.slots, k, g);

    Thread t;
    t.worker = &w;
    t.params = g.params->data();
    t.paramBytes = g.params->size();
    t.shared = g.sharedBytes > 0 ? reinterpret_cast<uint8_t*>(shared.data()) : nullptr;
    t.sharedBytes = g.sharedBytes;
    t.localBytes = k.localBytes;
    std::vector<uint32_t> pcs(files);
    std::vector<uint8_t> status(files);

    for (long long b = begin; b < end; b++) {
        if (g.failed.load(std::memory_order_relaxed)) return;
        w.block[0] = unsigned(b % g.grid.x);
        w.block[1] = unsigned(b / g.grid.x % g.grid.y);
        w.block[2] = unsigned(b / g.grid.x / g.grid.y);
        for (size_t f = 0; f < files; f++) {
            uint64_t* R = slots.data() + f * k.slots;
            R[SLOT_CTAID_X] = w.block[0];
            R[SLOT_CTAID_Y] = w.block[1];
            R[SLOT_CTAID_Z] = w.block[2];
        }
        for (uint32_t& word : shared) word = UNWRITTEN;
        if (!k.barriers) {
            t.R = slots.data();
            t.local = k.localBytes > 0 ? reinterpret_cast<uint8_t*>(local.data()) : nullptr;
            for (unsigned long long i = 0; i < threads; i++) {
                place(t.R, w, g.block, i);
                t.pc = 0;
                t.status = RUNNING;
                execute(t, k);
                if (t.status == FAULTED) return;
            }
            continue;
        }
        // Phases between barriers.
        for (size_t i = 0; i < files; i++) {
            pcs[i] = 0;
            status[i] = RUNNING;
        }
        bool waiting = true;
        while (waiting) {
            waiting = false;
            for (size_t i = 0; i < files; i++) {
                if (status[i] == EXITED) continue;
                t.R = slots.data() + i * k.slots;
                t.local = k.localBytes > 0 ? reinterpret_cast<uint8_t*>(local.data() + i * localWords) : nullptr;
                place(t.R, w, g.block, i);
                t.pc = pcs[i];
                t.status = RUNNING;
                execute(t, k);
                if (t.status == FAULTED) return;
                pcs[i] = t.pc;
                status[i] = t.status;
                if (t.status == AT_BARRIER) waiting = true;
            }
        }
    }
}

}  // namespace

void fault(Thread& t, const Instr& in, int code, const std::string& what) {
    t.status = FAULTED;
    Worker& w = *t.worker;
    GridRun& g = *w.grid;
    std::lock_guard<std::mutex> l(g.mutex);
    if (g.failed.load()) return;
    const Site& site = g.kernel->sites[in.site];
    g.first.code = code;
    g.first.message = "module " + g.program->label + ", kernel " + g.kernel->name + ", line " +
                      std::to_string(site.line) + ": `" + site.text + "`: " + what + " (block " + dims(w.block) +
                      ", thread " + dims(w.thread) + ")";
    g.failed.store(true);
}

uint8_t* globalMiss(Thread& t, const Instr& in, uint64_t address, size_t bytes, bool write) {
    Worker& w = *t.worker;
    uintptr_t lo = 0;
    uintptr_t hi = 0;
    std::string why;
    if ((*w.locate)(uintptr_t(address), bytes, &lo, &hi, &why)) {
        RangeCache& c = w.cache;
        c.lo[c.next] = lo;
        c.hi[c.next] = hi;
        c.next = (c.next + 1) % RangeCache::SIZE;
        return reinterpret_cast<uint8_t*>(address);
    }
    fault(t, in, 700, std::string(write ? "write of " : "read of ") + why);
    return nullptr;
}

uint8_t* windowMiss(Thread& t, const Instr& in, const char* space, uint64_t address, size_t bytes, size_t align,
                    size_t limit, bool write) {
    std::string access = std::string(write ? "write of " : "read of ") + std::to_string(bytes) + " bytes at " + space +
                         " address " + std::to_string(address);
    if ((address & (align - 1)) != 0) {
        fault(t, in, 716, access + ": misaligned");
    } else {
        fault(t, in, 700, access + ": outside the " + std::to_string(limit) + " bytes of " + space + " memory");
    }
    return nullptr;
}

Fault run(const Program& program, const Kernel& k, Dim3 grid, Dim3 block, unsigned dynamicShared,
          const std::vector<uint8_t>& params, const Locate& locate) {
    GridRun g;
    g.program = &program;
    g.kernel = &k;
    g.grid = grid;
    g.block = block;
    g.sharedBytes = k.sharedBytes + dynamicShared;
    g.params = &params;
    g.locate = &locate;
    long long blocks = (long long)grid.x * grid.y * grid.z;
    parallelFor(blocks, 1, &runBlocks, &g);
    return g.failed.load() ? g.first : Fault{};
}

}  // namespace softgpu::ptx
