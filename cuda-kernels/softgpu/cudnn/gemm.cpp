#include "cudnn/gemm.h"

#include <atomic>
#include <cstring>

namespace cudnn {

namespace {

typedef float v4 __attribute__((vector_size(16)));

inline v4 load4(const float* p) {
    v4 v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

inline void store4(float* p, v4 v) { std::memcpy(p, &v, sizeof v); }

uint64_t splitmix(uint64_t& state) {
    uint64_t z = (state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

}  // namespace

void gemmPanels(const float* panels, long long panelStride, int panelCount, long long kCount, const float* B,
                long long ldb, int nb, float* C, long long ldc, bool accumulate) {
    for (int p = 0; p < panelCount; p++) {
        const float* ap = panels + p * panelStride;
        float* c0 = C + (long long)p * kPanelRows * ldc;
        float* c1 = c0 + ldc;
        float* c2 = c1 + ldc;
        float* c3 = c2 + ldc;
        for (int j = 0; j < nb; j += kTileCols) {
            v4 a0l, a0h, a1l, a1h, a2l, a2h, a3l, a3h;
            if (accumulate) {
                a0l = load4(c0 + j), a0h = load4(c0 + j + 4);
                a1l = load4(c1 + j), a1h = load4(c1 + j + 4);
                a2l = load4(c2 + j), a2h = load4(c2 + j + 4);
                a3l = load4(c3 + j), a3h = load4(c3 + j + 4);
            } else {
                a0l = a0h = a1l = a1h = a2l = a2h = a3l = a3h = v4{0, 0, 0, 0};
            }
            const float* a = ap;
            const float* b = B + j;
            for (long long k = 0; k < kCount; k++) {
                v4 bl = load4(b), bh = load4(b + 4);
                float x0 = a[0], x1 = a[1], x2 = a[2], x3 = a[3];
                a0l += x0 * bl;
                a0h += x0 * bh;
                a1l += x1 * bl;
                a1h += x1 * bh;
                a2l += x2 * bl;
                a2h += x2 * bh;
                a3l += x3 * bl;
                a3h += x3 * bh;
                a += kPanelRows;
                b += ldb;
            }
            store4(c0 + j, a0l), store4(c0 + j + 4, a0h);
            store4(c1 + j, a1l), store4(c1 + j + 4, a1h);
            store4(c2 + j, a2l), store4(c2 + j + 4, a2h);
            store4(c3 + j, a3l), store4(c3 + j + 4, a3h);
        }
    }
}

float* scratch(int slot, size_t count) {
    thread_local std::vector<float> buffers[kScratchSlots];
    std::vector<float>& b = buffers[slot];
    if (b.size() < count) b.resize(count);
    return b.data();
}

long long* scratchIndex(int slot, size_t count) {
    thread_local std::vector<long long> buffers[kScratchSlots];
    std::vector<long long>& b = buffers[slot];
    if (b.size() < count) b.resize(count);
    return b.data();
}

uint64_t nondeterministicSeed() {
    static std::atomic<uint64_t> calls{0x6a09e667f3bcc908ull};
    uint64_t s = calls.fetch_add(1, std::memory_order_relaxed);
    return splitmix(s);
}

void permutation(uint64_t seed, uint64_t salt, int n, int* out) {
    uint64_t state = seed ^ (salt * 0xd1b54a32d192ed03ull);
    for (int i = 0; i < n; i++) out[i] = i;
    for (int i = n - 1; i > 0; i--) {
        int j = int(splitmix(state) % uint64_t(i + 1));
        int t = out[i];
        out[i] = out[j];
        out[j] = t;
    }
}

}  // namespace cudnn
