// Device and pinned host memory of the software GPU. A device allocation is host memory between
// two red zones (canaries): new memory is filled with a NaN pattern, freed memory is poisoned and
// kept in a quarantine for a while, so that reads of uninitialised or freed memory give NaN and
// writes past the end or into freed memory are found by the next check.
#ifndef FOVEA_SOFTGPU_DRIVER_MEMORY_H
#define FOVEA_SOFTGPU_DRIVER_MEMORY_H

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <vector>

namespace softgpu {

struct Context;
struct Device;

// Fill patterns (as float32 they are NaNs; "uninitialised" is quiet, "freed" negative).
constexpr uint32_t FRESH_PATTERN = 0x7FC0DEADu;
constexpr uint32_t FREED_PATTERN = 0xFFC0F8EEu;
// Red zones hold a signalling NaN word: float arithmetic on it always changes its bits (it turns
// quiet), so even a kernel that adds a tiny value to what it reads past the end is caught, which a
// large-magnitude pattern would hide (x + 0.1 == x at 1e7). Bytes are laid out from the block's
// start, which is 256-byte aligned, so a red zone byte's value depends on its address only.
constexpr uint32_t CANARY_WORD = 0x7FA5A5A5u;
// cudaMalloc aligns to 256 bytes; the red zones are that wide on each side (and the rest of the
// last 256-byte granule after the user's bytes belongs to the red zone too).
constexpr size_t GRANULE = 256;

struct Allocation {
    uintptr_t base = 0;      // the device pointer handed out
    size_t bytes = 0;        // as requested
    size_t charged = 0;      // counted against the device's memory (rounded to the granule)
    unsigned char* raw = nullptr;  // start of the block, including the front red zone
    size_t span = 0;         // bytes of the whole block
    Device* device = nullptr;
    Context* context = nullptr;
    uint64_t id = 0;         // 1, 2, ... in allocation order
    std::string freedBy;     // for quarantined blocks: the call that freed it
};

// Where a device address range lies, for reports and checks.
struct Location {
    enum Kind { INSIDE, OUT_OF_BOUNDS, FREED, OTHER_DEVICE, UNKNOWN } kind = UNKNOWN;
    const Allocation* allocation = nullptr;
    std::string describe(uintptr_t p, size_t n) const;
};

class Memory {
public:
    ~Memory();

    // A new block of `bytes` (at least 1) for `device`, filled with FRESH_PATTERN; null when the
    // host itself has no memory left. Device memory accounting is the caller's.
    const Allocation* allocate(Device* device, Context* context, size_t bytes);

    // Frees the block starting at p: poisons it and moves it to the quarantine. Returns false
    // (with the reason) for an address that is not the start of a live block.
    bool free(uintptr_t p, const std::string& call, std::string* why);

    // Where [p, p + n) lies relative to the blocks of `device` (null: any device).
    Location locate(uintptr_t p, size_t n, const Device* device) const;

    // The live block containing p, or null.
    const Allocation* find(uintptr_t p) const;

    // Blocks whose red zones were overwritten (each reported once, then repaired), among the
    // live blocks at `addresses` or, for an empty list, all live blocks.
    std::vector<std::string> checkCanaries(const std::vector<uintptr_t>& addresses);

    // Quarantined blocks whose poison was overwritten (write after free); checked when a block
    // leaves the quarantine and by checkQuarantine().
    std::vector<std::string> checkQuarantine();

    // Live blocks of a context (for the leak report when it is destroyed).
    std::vector<const Allocation*> blocksOf(const Context* context) const;

    // Pinned host memory.
    void* allocateHost(size_t bytes);
    bool freeHost(void* p);
    bool isPinned(const void* p, size_t n) const;
    size_t liveHostAllocations() const { return host_.size(); }

    void setQuarantineLimit(size_t bytes) { quarantineLimit_ = bytes; }

private:
    bool canaryIntact(const Allocation& a, std::string* detail) const;
    void release(Allocation& a);
    std::vector<std::string> evict();

    std::map<uintptr_t, Allocation> live_;       // by base address
    std::deque<Allocation> quarantine_;
    size_t quarantineBytes_ = 0;
    size_t quarantineLimit_ = size_t(64) << 20;
    uint64_t nextId_ = 1;
    std::map<uintptr_t, size_t> host_;           // pinned blocks: address -> bytes
    std::vector<std::string> pendingReports_;    // from evictions, returned by the next check
};

}  // namespace softgpu

#endif
