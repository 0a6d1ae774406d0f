// The small matrix-multiply core every convolution algorithm ends in, and the helpers that make
// the non-deterministic algorithms non-deterministic on purpose.
//
// C (rows x nb) = or += A (rows x K, packed in panels of 4 rows) * B (K x nb, row stride ldb).
// Each C element is summed in ascending k order whatever the blocking, tile or thread, so an
// algorithm built on it is deterministic unless it splits the sum itself.
#ifndef FOVEA_SOFTGPU_CUDNN_GEMM_H
#define FOVEA_SOFTGPU_CUDNN_GEMM_H

#include <cstddef>
#include <cstdint>
#include <vector>

namespace cudnn {

constexpr int kPanelRows = 4;   // rows of A per packed panel
constexpr int kTileCols = 8;    // columns of C per micro tile; nb must be a multiple

inline long long roundUp(long long v, long long m) { return (v + m - 1) / m * m; }

// A panel p holds rows [4p, 4p+4): element (row 4p+i, k) at panels[p * panelStride + k * 4 + i].
// Computes rows [0, 4 * panelCount) of C over k in [0, kCount); B row k is at B + k * ldb. To
// work on a slice [k0, k0 + kCount) of a longer sum pass panels + 4 * k0 and B's row k0.
// accumulate: add to C's contents (in k order after them) instead of overwriting.
void gemmPanels(const float* panels, long long panelStride, int panelCount, long long kCount, const float* B,
                long long ldb, int nb, float* C, long long ldc, bool accumulate);

// A scratch vector per thread and purpose (work items run on the driver's worker threads),
// grown as needed and never shrunk. Several slots exist because one work item needs several.
float* scratch(int slot, size_t count);
long long* scratchIndex(int slot, size_t count);
constexpr int kScratchSlots = 6;

// A fresh seed per call of a non-deterministic algorithm: the order in which such an algorithm
// combines its partial sums varies from call to call, like the atomics of a real GPU.
uint64_t nondeterministicSeed();

// A permutation of [0, n) drawn from seed and salt (e.g. the tile index).
void permutation(uint64_t seed, uint64_t salt, int n, int* out);

}  // namespace cudnn

#endif
