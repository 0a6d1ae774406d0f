// The state an instruction handler works on: one thread's slots and program counter, its block's
// shared memory, its local memory, the kernel's parameter buffer, and the worker it runs on (which
// checks global addresses against device memory and records faults). Shared by the decoder, which
// instantiates the handlers, and the interpreter, which runs them.
#ifndef FOVEA_SOFTGPU_PTX_EXEC_H
#define FOVEA_SOFTGPU_PTX_EXEC_H

#include "ptx_program.h"

#include <cstdint>
#include <cstring>
#include <string>
#include <type_traits>

namespace softgpu::ptx {

enum Status : uint8_t { RUNNING = 0, EXITED, AT_BARRIER, FAULTED };

struct Worker;

struct Thread {
    uint64_t* R = nullptr;  // the slots (ptx_program.h)
    uint32_t pc = 0;
    uint8_t status = RUNNING;
    uint8_t* shared = nullptr;
    size_t sharedBytes = 0;
    uint8_t* local = nullptr;
    size_t localBytes = 0;
    const uint8_t* params = nullptr;
    size_t paramBytes = 0;
    Worker* worker = nullptr;
};

// The last device blocks a worker's accesses hit: most accesses of a kernel go to a few buffers,
// so a hit here avoids the driver's lookup (a map search under no lock: the allocation table does
// not change while a grid runs, because the driver lock is held by the thread that runs it).
struct RangeCache {
    static constexpr int SIZE = 4;
    uintptr_t lo[SIZE] = {0, 0, 0, 0};
    uintptr_t hi[SIZE] = {0, 0, 0, 0};
    unsigned next = 0;
};

struct Worker {
    RangeCache cache;
    const Locate* locate = nullptr;
    struct GridRun* grid = nullptr;
    uint32_t block[3] = {0, 0, 0};  // for fault reports
    uint32_t thread[3] = {0, 0, 0};
};

// Records a fault (the grid stops) and stops the thread.
void fault(Thread& t, const Instr& in, int code, const std::string& what);

// The slow path of a global access: asks the driver, caches the block or reports the fault.
uint8_t* globalMiss(Thread& t, const Instr& in, uint64_t address, size_t bytes, bool write);

// A global (or generic non-shared, non-local) access of `bytes` at `address`: the host pointer, or
// null after a fault. `align` is the alignment PTX requires (the access size).
inline uint8_t* globalAccess(Thread& t, const Instr& in, uint64_t address, size_t bytes, size_t align, bool write) {
    if ((address & (align - 1)) != 0) {
        fault(t, in, 716, (write ? "write of " : "read of ") + std::to_string(bytes) + " bytes at misaligned address " +
                              std::to_string(address) + " (needs " + std::to_string(align) + "-byte alignment)");
        return nullptr;
    }
    RangeCache& c = t.worker->cache;
    for (int i = 0; i < RangeCache::SIZE; i++) {
        if (address >= c.lo[i] && address + bytes <= c.hi[i] && address + bytes >= address) {
            return reinterpret_cast<uint8_t*>(address);
        }
    }
    return globalMiss(t, in, address, bytes, write);
}

// Shared, local and parameter space: a window of the thread's or block's own memory.
uint8_t* windowMiss(Thread& t, const Instr& in, const char* space, uint64_t address, size_t bytes, size_t align,
                    size_t limit, bool write);

inline uint8_t* windowAccess(Thread& t, const Instr& in, const char* space, uint8_t* base, size_t limit,
                             uint64_t address, size_t bytes, size_t align, bool write) {
    if ((address & (align - 1)) != 0 || address > limit || bytes > limit - address) {
        return windowMiss(t, in, space, address, bytes, align, limit, write);
    }
    return base + address;
}

// A generic address: inside this block's shared memory or this thread's local memory (their
// generic addresses are the host addresses of those buffers, see cvta), else global.
inline uint8_t* genericAccess(Thread& t, const Instr& in, uint64_t address, size_t bytes, size_t align, bool write) {
    uint64_t s = reinterpret_cast<uint64_t>(t.shared);
    if (t.sharedBytes > 0 && address >= s && address < s + t.sharedBytes) {
        return windowAccess(t, in, "shared", t.shared, t.sharedBytes, address - s, bytes, align, write);
    }
    uint64_t l = reinterpret_cast<uint64_t>(t.local);
    if (t.localBytes > 0 && address >= l && address < l + t.localBytes) {
        return windowAccess(t, in, "local", t.local, t.localBytes, address - l, bytes, align, write);
    }
    return globalAccess(t, in, address, bytes, align, write);
}

template <class T>
inline T get(const Thread& t, uint32_t slot) {
    T v;
    std::memcpy(&v, &t.R[slot], sizeof(T));
    return v;
}

// Writes a T into a slot: integers sign- or zero-extended by their type to 64 bits (so a register
// wider than the instruction's type holds the extended value, as PTX specifies for ld and cvt),
// floating-point values as their bits.
template <class T>
inline void put(Thread& t, uint32_t slot, T v) {
    if constexpr (std::is_integral_v<T> && std::is_signed_v<T>) {
        t.R[slot] = uint64_t(int64_t(v));
    } else if constexpr (std::is_integral_v<T>) {
        t.R[slot] = uint64_t(v);
    } else {
        uint64_t x = 0;
        std::memcpy(&x, &v, sizeof(T));
        t.R[slot] = x;
    }
}

}  // namespace softgpu::ptx

#endif
