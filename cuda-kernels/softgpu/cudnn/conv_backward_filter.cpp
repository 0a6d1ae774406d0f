// Backward filter: a GEMM per group summed over images: dw[k][(c, r, s)] = sum over (n, output
// pixel) of dy[n][k][pixel] * x[n][c][the pixel's tap (r, s)].
//
// ALGO_1 materialises im2col and packed dy in the workspace and sums every element in one fixed
// order. ALGO_0 (host partials) and ALGO_3 (partials in the workspace) sum chunks of images
// separately and add the partial filters in an order drawn afresh for every call, as a GPU's
// atomics would: their results differ in the last bits from call to call.
#include "cudnn/conv_kernels.h"
#include "cudnn/conv_tiles.h"
#include "cudnn/gather.h"
#include "cudnn/gemm.h"
#include "softgpu.h"

#include <algorithm>
#include <cstring>
#include <vector>

namespace cudnn {

namespace {

constexpr int kFilterRows = 32;  // output channels per task (8 panels)

struct FilterTiles {
    long long crs, crsPadded, pq;
    int kgPadded, rowBlocks, tn;
    long long colTiles;
};

FilterTiles filterTiles(const ConvShape& s) {
    FilterTiles f;
    f.crs = s.crs();
    f.crsPadded = roundUp(f.crs, kTileCols);
    f.pq = s.pq();
    f.kgPadded = int(roundUp(s.Kg, kPanelRows));
    f.rowBlocks = (f.kgPadded + kFilterRows - 1) / kFilterRows;
    f.tn = tileColumns(f.crs);
    f.colTiles = (f.crs + f.tn - 1) / f.tn;
    return f;
}

// Packs dy rows [m0, m0 + rows) (output channels of group g) over pixels [p0, p1) into panels.
void packDy(const ConvShape& s, const float* dyg, int m0, int rows, long long p0, long long p1, float* out) {
    long long len = p1 - p0;
    for (int r = 0; r < rows; r += kPanelRows) {
        float* panel = out + (long long)r * len;
        for (int i = 0; i < kPanelRows; i++) {
            int k = m0 + r + i;
            if (k >= s.Kg) {
                for (long long e = 0; e < len; e++) panel[e * kPanelRows + i] = 0.0f;
                continue;
            }
            const float* dyk = dyg + k * s.y.sc;
            long long p = p0 / s.Q, q = p0 % s.Q;
            for (long long e = 0; e < len; e++) {
                panel[e * kPanelRows + i] = loadIn(dyk + p * s.y.sh + q * s.y.sw, s.tf32);
                if (++q == s.Q) {
                    q = 0;
                    p++;
                }
            }
        }
    }
}

// Rows = pixels [p0, p1), columns = filter taps [j0, j0 + nb) (padding columns gather zeros).
void gatherTaps(const ConvShape& s, const float* xg, long long p0, long long p1, long long j0, int count, int nb,
                float* B) {
    long long* coff = scratchIndex(3, nb);
    long long* roff = scratchIndex(4, nb);
    long long* soff = scratchIndex(5, nb);
    long long* toff = scratchIndex(2, nb);  // the tap's whole offset from the window's corner
    int rs = s.R * s.S;
    for (int j = 0; j < nb; j++) {
        if (j < count) {
            long long tap = j0 + j;
            coff[j] = (tap / rs) * s.x.sc;
            roff[j] = (long long)(int(tap % rs) / s.S) * s.dilH;
            soff[j] = (long long)(tap % s.S) * s.dilW;
            toff[j] = coff[j] + roff[j] * s.x.sh + soff[j] * s.x.sw;
        } else {
            coff[j] = 0;
            roff[j] = soff[j] = kFarAway;
        }
    }
    long long spanH = (long long)(s.R - 1) * s.dilH, spanW = (long long)(s.S - 1) * s.dilW;
    for (long long pix = p0; pix < p1; pix++) {
        long long hb = (pix / s.Q) * s.strH - s.padH, wb = (pix % s.Q) * s.strW - s.padW;
        float* row = B + (pix - p0) * nb;
        if (hb >= 0 && hb + spanH < s.H && wb >= 0 && wb + spanW < s.W) {  // the whole window is inside
            copyRow(s.tf32, row, xg + hb * s.x.sh + wb * s.x.sw, toff, count, nb);
            continue;
        }
        for (int j = 0; j < nb; j++) {
            long long ih = hb + roff[j], iw = wb + soff[j];
            row[j] = inside(ih, s.H) && inside(iw, s.W) ? loadIn(xg + coff[j] + ih * s.x.sh + iw * s.x.sw, s.tf32)
                                                        : 0.0f;
        }
    }
}

// dw = alpha * acc + beta * dw, acc laid out [g][kgPadded][crsPadded].
void storeFilter(const ConvShape& s, const FilterTiles& f, const float* acc, float* dw, float alpha, float beta) {
    int rs = s.R * s.S;
    softgpu::parallel_for((long long)s.G * s.Kg, 1, [&](long long begin, long long end) {
        for (long long gk = begin; gk < end; gk++) {
            int g = int(gk / s.Kg), k = int(gk % s.Kg);
            const float* row = acc + ((long long)g * f.kgPadded + k) * f.crsPadded;
            for (long long j = 0; j < f.crs; j++) {
                int c = int(j / rs), r = int(j % rs) / s.S, t = int(j % s.S);
                float* d = dw + s.wAt((long long)g * s.Kg + k, c, r, t);
                *d = blend(alpha, row[j], beta, d);
            }
        }
    });
}

// ALGO_0 and ALGO_3: each chunk of images sums into its own partial filter (host memory for ALGO_0,
// the workspace for ALGO_3); the partials are then added in a per-call random order.
void runFilterPartials(const ConvShape& s, int chunks, float* partials, const float* x, const float* dy, float* dw,
                       float alpha, float beta, uint64_t seed) {
    FilterTiles f = filterTiles(s);
    long long partialSize = (long long)s.G * f.kgPadded * f.crsPadded;
    long long tasksPerChunk = (long long)s.G * f.rowBlocks;
    // One task per (image chunk, group, block of output channels): dy is packed once per pixel
    // chunk and multiplied with every column tile of gathered taps.
    softgpu::parallel_for(chunks * tasksPerChunk, 1, [&](long long begin, long long end) {
        float* A = scratch(0, size_t(kFilterRows) * kReduceChunk);
        float* B = scratch(1, size_t(kReduceChunk) * f.tn);
        for (long long task = begin; task < end; task++) {
            int chunk = int(task / tasksPerChunk);
            int g = int(task / f.rowBlocks % s.G);
            int m0 = int(task % f.rowBlocks) * kFilterRows;
            int rows = std::min(kFilterRows, f.kgPadded - m0);
            float* C = partials + chunk * partialSize + ((long long)g * f.kgPadded + m0) * f.crsPadded;
            long long n0 = (long long)s.N * chunk / chunks, n1 = (long long)s.N * (chunk + 1) / chunks;
            if (n0 == n1) {  // an empty chunk (more chunks than images) contributes zeros
                for (int r = 0; r < rows; r++) std::fill(C + r * f.crsPadded, C + (r + 1) * f.crsPadded, 0.0f);
                continue;
            }
            bool first = true;
            for (long long n = n0; n < n1; n++) {
                const float* xg = x + n * s.x.sn + (long long)g * s.Cg * s.x.sc;
                const float* dyg = dy + n * s.y.sn + (long long)g * s.Kg * s.y.sc;
                for (long long p0 = 0; p0 < f.pq; p0 += kReduceChunk) {
                    long long p1 = std::min(f.pq, p0 + kReduceChunk);
                    packDy(s, dyg, m0, rows, p0, p1, A);
                    for (long long j0 = 0; j0 < f.crs; j0 += f.tn) {
                        int count = int(std::min<long long>(f.tn, f.crs - j0));
                        int nb = int(roundUp(count, kTileCols));
                        gatherTaps(s, xg, p0, p1, j0, count, nb, B);
                        gemmPanels(A, kPanelRows * (p1 - p0), rows / kPanelRows, p1 - p0, B, nb, nb, C + j0,
                                   f.crsPadded, !first);
                    }
                    first = false;
                }
            }
        }
    });
    // Sum the partials tile by tile in a per-call order, into partial 0.
    long long tiles = (long long)s.G * f.rowBlocks * f.colTiles;
    softgpu::parallel_for(tiles, 1, [&](long long begin, long long end) {
        int order[16];
        float* sum = scratch(2, size_t(kFilterRows) * f.tn);
        for (long long tile = begin; tile < end; tile++) {
            int g = int(tile / (f.rowBlocks * f.colTiles));
            int m0 = int(tile / f.colTiles % f.rowBlocks) * kFilterRows;
            int rows = std::min(kFilterRows, f.kgPadded - m0);
            long long j0 = tile % f.colTiles * f.tn;
            int nb = int(roundUp(std::min<long long>(f.tn, f.crs - j0), kTileCols));
            long long offset = ((long long)g * f.kgPadded + m0) * f.crsPadded + j0;
            permutation(seed, uint64_t(tile), chunks, order);
            for (int r = 0; r < rows; r++) {
                float* srow = sum + r * nb;
                std::memcpy(srow, partials + order[0] * partialSize + offset + r * f.crsPadded, nb * sizeof(float));
                for (int i = 1; i < chunks; i++) {
                    const float* prow = partials + order[i] * partialSize + offset + r * f.crsPadded;
                    for (int j = 0; j < nb; j++) srow[j] += prow[j];
                }
            }
            for (int r = 0; r < rows; r++) {
                std::memcpy(partials + offset + r * f.crsPadded, sum + r * nb, nb * sizeof(float));
            }
        }
    });
    storeFilter(s, f, partials, dw, alpha, beta);
}

int filterChunks(const ConvShape& s, int algo) {
    return std::min(s.N, algo == CUDNN_CONVOLUTION_BWD_FILTER_ALGO_3 ? 4 : 8);
}

struct Im2colSizes {
    long long colFloats, dyFloats, chunk;
};

Im2colSizes im2colSizes(const ConvShape& s) {
    FilterTiles f = filterTiles(s);
    Im2colSizes z;
    z.colFloats = (long long)s.G * f.pq * f.crsPadded;
    z.dyFloats = (long long)s.G * f.kgPadded * f.pq;
    z.chunk = chunkImages((z.colFloats + z.dyFloats) * 4, s.N);
    return z;
}

// ALGO_1: im2col (pixels x taps) and packed dy of a chunk of images in the workspace, then one
// GEMM pass per output tile over the images in order: a single fixed summation order.
void runFilterIm2col(const ConvShape& s, void* workspace, const float* x, const float* dy, float* dw, float alpha,
                     float beta) {
    FilterTiles f = filterTiles(s);
    Im2colSizes z = im2colSizes(s);
    float* col = static_cast<float*>(workspace);
    float* dyPacked = col + z.chunk * z.colFloats;
    std::vector<float> acc(size_t(s.G) * f.kgPadded * f.crsPadded, 0.0f);
    long long tiles = (long long)s.G * f.rowBlocks * f.colTiles;
    for (long long n0 = 0; n0 < s.N; n0 += z.chunk) {
        long long cn = std::min<long long>(z.chunk, s.N - n0);
        softgpu::parallel_for(cn * s.G, 1, [&](long long begin, long long end) {
            for (long long item = begin; item < end; item++) {
                long long ni = item / s.G;
                int g = int(item % s.G);
                const float* xg = x + (n0 + ni) * s.x.sn + (long long)g * s.Cg * s.x.sc;
                const float* dyg = dy + (n0 + ni) * s.y.sn + (long long)g * s.Kg * s.y.sc;
                float* colImage = col + (ni * s.G + g) * f.pq * f.crsPadded;
                for (long long p0 = 0; p0 < f.pq; p0 += kReduceChunk) {
                    long long p1 = std::min(f.pq, p0 + kReduceChunk);
                    gatherTaps(s, xg, p0, p1, 0, int(f.crs), int(f.crsPadded), colImage + p0 * f.crsPadded);
                }
                packDy(s, dyg, 0, f.kgPadded, 0, f.pq, dyPacked + (ni * s.G + g) * f.kgPadded * f.pq);
            }
        });
        softgpu::parallel_for(tiles, 1, [&](long long begin, long long end) {
            for (long long tile = begin; tile < end; tile++) {
                int g = int(tile / (f.rowBlocks * f.colTiles));
                int m0 = int(tile / f.colTiles % f.rowBlocks) * kFilterRows;
                int rows = std::min(kFilterRows, f.kgPadded - m0);
                long long j0 = tile % f.colTiles * f.tn;
                int nb = int(roundUp(std::min<long long>(f.tn, f.crs - j0), kTileCols));
                float* C = acc.data() + ((long long)g * f.kgPadded + m0) * f.crsPadded + j0;
                for (long long ni = 0; ni < cn; ni++) {
                    const float* a = dyPacked + ((ni * s.G + g) * f.kgPadded + m0) * f.pq;
                    const float* b = col + (ni * s.G + g) * f.pq * f.crsPadded + j0;
                    gemmPanels(a, kPanelRows * f.pq, rows / kPanelRows, f.pq, b, f.crsPadded, nb, C, f.crsPadded,
                               n0 + ni > 0);
                }
            }
        });
    }
    storeFilter(s, f, acc.data(), dw, alpha, beta);
}

}  // namespace

// ---- backward filter: the table ----------------------------------------------------------------

const char* backwardFilterAlgoName(int algo) {
    static const char* const names[] = {"CUDNN_CONVOLUTION_BWD_FILTER_ALGO_0",
                                        "CUDNN_CONVOLUTION_BWD_FILTER_ALGO_1",
                                        "CUDNN_CONVOLUTION_BWD_FILTER_ALGO_FFT",
                                        "CUDNN_CONVOLUTION_BWD_FILTER_ALGO_3",
                                        "CUDNN_CONVOLUTION_BWD_FILTER_ALGO_WINOGRAD",
                                        "CUDNN_CONVOLUTION_BWD_FILTER_ALGO_WINOGRAD_NONFUSED",
                                        "CUDNN_CONVOLUTION_BWD_FILTER_ALGO_FFT_TILING"};
    return algo >= 0 && algo < CUDNN_CONVOLUTION_BWD_FILTER_ALGO_COUNT ? names[algo]
                                                                       : "an invalid backward-filter algorithm";
}

bool backwardFilterDeterministic(int algo) { return algo == CUDNN_CONVOLUTION_BWD_FILTER_ALGO_1; }

bool backwardFilterSupported(const ConvShape&, int algo, std::string* why) {
    if (algo == CUDNN_CONVOLUTION_BWD_FILTER_ALGO_0 || algo == CUDNN_CONVOLUTION_BWD_FILTER_ALGO_1 ||
        algo == CUDNN_CONVOLUTION_BWD_FILTER_ALGO_3) {
        return true;
    }
    if (why) *why = std::string(backwardFilterAlgoName(algo)) + " is not implemented by the software GPU";
    return false;
}

size_t backwardFilterWorkspace(const ConvShape& s, int algo) {
    if (algo == CUDNN_CONVOLUTION_BWD_FILTER_ALGO_1) {
        Im2colSizes z = im2colSizes(s);
        return size_t(z.chunk * (z.colFloats + z.dyFloats)) * sizeof(float);
    }
    if (algo == CUDNN_CONVOLUTION_BWD_FILTER_ALGO_3) {
        FilterTiles f = filterTiles(s);
        return size_t(filterChunks(s, algo)) * s.G * f.kgPadded * f.crsPadded * sizeof(float);
    }
    return 0;
}

void runBackwardFilter(const ConvShape& s, int algo, const float* x, const float* dy, void* workspace, float* dw,
                       float alpha, float beta, uint64_t seed) {
    if (algo == CUDNN_CONVOLUTION_BWD_FILTER_ALGO_1) {
        runFilterIm2col(s, workspace, x, dy, dw, alpha, beta);
        return;
    }
    int chunks = filterChunks(s, algo);
    FilterTiles f = filterTiles(s);
    if (algo == CUDNN_CONVOLUTION_BWD_FILTER_ALGO_3) {
        runFilterPartials(s, chunks, static_cast<float*>(workspace), x, dy, dw, alpha, beta, seed);
    } else {
        std::vector<float> partials(size_t(chunks) * s.G * f.kgPadded * f.crsPadded);
        runFilterPartials(s, chunks, partials.data(), x, dy, dw, alpha, beta, seed);
    }
}

}  // namespace cudnn
