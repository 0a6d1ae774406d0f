// Tiling constants and small helpers shared by the convolution kernels.
#ifndef FOVEA_SOFTGPU_CUDNN_CONV_TILES_H
#define FOVEA_SOFTGPU_CUDNN_CONV_TILES_H

#include "cudnn/conv_kernels.h"
#include "cudnn/gemm.h"

#include <algorithm>
#include <climits>

namespace cudnn {

constexpr int kTilePixels = 64;                 // GEMM columns (output or input pixels) per task
constexpr long long kReduceChunk = 256;         // reduction rows gathered at once (the B tile stays in L2)
constexpr long long kFarAway = LLONG_MIN / 4;   // position of padding columns: every tap lands outside

inline int tileColumns(long long n) { return int(std::min<long long>(kTilePixels, roundUp(n, kTileCols))); }

// Images per workspace chunk: as many as kChunkBudgetBytes holds, at least one.
inline long long chunkImages(long long perImageBytes, int n) {
    long long c = (long long)kChunkBudgetBytes / std::max(1LL, perImageBytes);
    return std::max(1LL, std::min<long long>(c, n));
}

inline bool inside(long long i, int extent) { return (unsigned long long)i < (unsigned long long)extent; }

}  // namespace cudnn

#endif
