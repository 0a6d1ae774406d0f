#include "memory.h"

#include <cstdlib>
#include <cstring>
#include <sstream>

namespace softgpu {
namespace {

size_t roundUp(size_t v, size_t g) {
    return (v + g - 1) / g * g;
}

void fill(unsigned char* p, size_t bytes, uint32_t pattern) {
    size_t words = bytes / 4;
    auto* w = reinterpret_cast<uint32_t*>(p);
    for (size_t i = 0; i < words; i++) {
        w[i] = pattern;
    }
    std::memcpy(p + words * 4, &pattern, bytes - words * 4);
}

// The red-zone byte at offset `at` from a block's (aligned) start.
unsigned char canaryByte(size_t at) {
    return (unsigned char)(CANARY_WORD >> (8 * (at % 4)));
}

void paintCanary(unsigned char* raw, size_t from, size_t to) {
    for (size_t i = from; i < to; i++) {
        raw[i] = canaryByte(i);
    }
}

std::string hex(uintptr_t p) {
    std::ostringstream s;
    s << "0x" << std::hex << p;
    return s.str();
}

std::string name(const Allocation& a) {
    std::ostringstream s;
    s << "allocation #" << a.id << " (" << a.bytes << " bytes at " << hex(a.base) << ")";
    return s.str();
}

}  // namespace

std::string Location::describe(uintptr_t p, size_t n) const {
    std::ostringstream s;
    s << "[" << hex(p) << ", +" << n << " bytes) ";
    switch (kind) {
        case INSIDE: s << "lies inside " << name(*allocation); break;
        case OUT_OF_BOUNDS: {
            uintptr_t end = p + n;
            uintptr_t limit = allocation->base + allocation->bytes;
            if (p < allocation->base) {
                s << "starts " << (allocation->base - p) << " bytes before " << name(*allocation);
            } else {
                s << "ends " << (end - limit) << " bytes past the end of " << name(*allocation);
            }
            break;
        }
        case FREED: s << "is in " << name(*allocation) << ", freed by " << allocation->freedBy; break;
        case OTHER_DEVICE: s << "is memory of another device (" << name(*allocation) << ")"; break;
        case UNKNOWN: s << "is not device memory of the software GPU"; break;
    }
    return s.str();
}

Memory::~Memory() {
    // Process exit: the OS reclaims everything; nothing to release explicitly.
}

const Allocation* Memory::allocate(Device* device, Context* context, size_t bytes) {
    size_t user = roundUp(bytes == 0 ? 1 : bytes, GRANULE);
    size_t span = GRANULE + user + GRANULE;
    auto* raw = static_cast<unsigned char*>(std::aligned_alloc(GRANULE, span));
    if (raw == nullptr) {
        return nullptr;
    }
    Allocation a;
    a.raw = raw;
    a.span = span;
    a.base = reinterpret_cast<uintptr_t>(raw + GRANULE);
    a.bytes = bytes;
    a.charged = user;
    a.device = device;
    a.context = context;
    a.id = nextId_++;
    paintCanary(raw, 0, GRANULE);
    fill(raw + GRANULE, bytes, FRESH_PATTERN);
    paintCanary(raw, GRANULE + bytes, span);
    auto it = live_.emplace(a.base, a).first;
    return &it->second;
}

bool Memory::free(uintptr_t p, const std::string& call, std::string* why) {
    auto it = live_.find(p);
    if (it == live_.end()) {
        Location where = locate(p, 1, nullptr);
        if (where.kind == Location::FREED && where.allocation->base == p) {
            *why = "double free: " + name(*where.allocation) + " was already freed by " + where.allocation->freedBy;
        } else if (where.allocation != nullptr && where.kind != Location::FREED) {
            *why = hex(p) + " is not the start of an allocation (" + where.describe(p, 1) + ")";
        } else {
            *why = hex(p) + " is not an allocation of the software GPU";
        }
        return false;
    }
    Allocation a = it->second;
    live_.erase(it);
    fill(a.raw + GRANULE, a.bytes, FREED_PATTERN);
    a.freedBy = call;
    quarantineBytes_ += a.span;
    quarantine_.push_back(a);
    auto reports = evict();
    pendingReports_.insert(pendingReports_.end(), reports.begin(), reports.end());
    return true;
}

std::vector<std::string> Memory::evict() {
    std::vector<std::string> reports;
    while (quarantineBytes_ > quarantineLimit_ && !quarantine_.empty()) {
        Allocation a = quarantine_.front();
        quarantine_.pop_front();
        quarantineBytes_ -= a.span;
        const auto* w = reinterpret_cast<const uint32_t*>(a.raw + GRANULE);
        for (size_t i = 0; i < a.bytes / 4; i++) {
            if (w[i] != FREED_PATTERN) {
                reports.push_back("write after free: " + name(a) + ", freed by " + a.freedBy + ", was written at offset " +
                                  std::to_string(i * 4));
                break;
            }
        }
        release(a);
    }
    return reports;
}

void Memory::release(Allocation& a) {
    std::free(a.raw);
    a.raw = nullptr;
}

Location Memory::locate(uintptr_t p, size_t n, const Device* device) const {
    Location loc;
    auto it = live_.upper_bound(p);
    if (it != live_.begin()) {
        const Allocation& a = std::prev(it)->second;
        uintptr_t start = reinterpret_cast<uintptr_t>(a.raw);
        if (p < start + a.span) {
            loc.allocation = &a;
            if (device != nullptr && a.device != device) {
                loc.kind = Location::OTHER_DEVICE;
            } else if (p >= a.base && p + n <= a.base + a.bytes) {
                loc.kind = Location::INSIDE;
            } else {
                loc.kind = Location::OUT_OF_BOUNDS;
            }
            return loc;
        }
    }
    // The range may start in the red zone before a block.
    if (it != live_.end() && p + n > reinterpret_cast<uintptr_t>(it->second.raw)) {
        loc.kind = Location::OUT_OF_BOUNDS;
        loc.allocation = &it->second;
        return loc;
    }
    for (auto q = quarantine_.rbegin(); q != quarantine_.rend(); ++q) {
        uintptr_t start = reinterpret_cast<uintptr_t>(q->raw);
        if (p >= start && p < start + q->span) {
            loc.kind = Location::FREED;
            loc.allocation = &*q;
            return loc;
        }
    }
    return loc;
}

const Allocation* Memory::find(uintptr_t p) const {
    Location loc = locate(p, 0, nullptr);
    return loc.kind == Location::INSIDE || (loc.kind == Location::OUT_OF_BOUNDS && p == loc.allocation->base +
                                            loc.allocation->bytes) ? loc.allocation : nullptr;
}

bool Memory::canaryIntact(const Allocation& a, std::string* detail) const {
    for (size_t i = 0; i < GRANULE; i++) {
        if (a.raw[i] != canaryByte(i)) {
            *detail = "written " + std::to_string(GRANULE - i) + " bytes before its start";
            return false;
        }
    }
    for (size_t i = GRANULE + a.bytes; i < a.span; i++) {
        if (a.raw[i] != canaryByte(i)) {
            *detail = "written " + std::to_string(i - GRANULE - a.bytes) + " bytes past its end";
            return false;
        }
    }
    return true;
}

std::vector<std::string> Memory::checkCanaries(const std::vector<uintptr_t>& addresses) {
    std::vector<std::string> reports;
    reports.swap(pendingReports_);
    auto check = [&](Allocation& a) {
        std::string detail;
        if (!canaryIntact(a, &detail)) {
            reports.push_back("out-of-bounds write: " + name(a) + " " + detail);
            paintCanary(a.raw, 0, GRANULE);
            paintCanary(a.raw, GRANULE + a.bytes, a.span);
        }
    };
    if (addresses.empty()) {
        for (auto& [base, a] : live_) {
            check(a);
        }
    } else {
        for (uintptr_t p : addresses) {
            auto it = live_.upper_bound(p);
            if (it != live_.begin()) {
                Allocation& a = std::prev(it)->second;
                if (p >= a.base && p <= a.base + a.bytes) {
                    check(a);
                }
            }
        }
    }
    return reports;
}

std::vector<std::string> Memory::checkQuarantine() {
    std::vector<std::string> reports;
    reports.swap(pendingReports_);
    for (Allocation& a : quarantine_) {
        const auto* w = reinterpret_cast<const uint32_t*>(a.raw + GRANULE);
        for (size_t i = 0; i < a.bytes / 4; i++) {
            if (w[i] != FREED_PATTERN) {
                reports.push_back("write after free: " + name(a) + ", freed by " + a.freedBy + ", was written at offset " +
                                  std::to_string(i * 4));
                fill(a.raw + GRANULE, a.bytes, FREED_PATTERN);
                break;
            }
        }
    }
    return reports;
}

std::vector<const Allocation*> Memory::blocksOf(const Context* context) const {
    std::vector<const Allocation*> out;
    for (const auto& [base, a] : live_) {
        if (a.context == context) {
            out.push_back(&a);
        }
    }
    return out;
}

void* Memory::allocateHost(size_t bytes) {
    void* p = std::aligned_alloc(4096, roundUp(bytes == 0 ? 1 : bytes, 4096));
    if (p != nullptr) {
        host_[reinterpret_cast<uintptr_t>(p)] = bytes;
    }
    return p;
}

bool Memory::freeHost(void* p) {
    auto it = host_.find(reinterpret_cast<uintptr_t>(p));
    if (it == host_.end()) {
        return false;
    }
    host_.erase(it);
    std::free(p);
    return true;
}

bool Memory::isPinned(const void* p, size_t n) const {
    uintptr_t a = reinterpret_cast<uintptr_t>(p);
    auto it = host_.upper_bound(a);
    if (it == host_.begin()) {
        return false;
    }
    --it;
    return a >= it->first && a + n <= it->first + it->second;
}

}  // namespace softgpu
