// Forward convolution algorithms. All of them see the convolution as a GEMM per image and group:
// y[k][pixel] = sum over (c, r, s) of w[k][c][r][s] * x[c][pixel's window tap (r, s)], with the
// filter pre-rotated for CUDNN_CONVOLUTION. They differ in how the input columns reach the GEMM:
// gathered per tile, through an index table, or materialised as im2col in the workspace (Winograd,
// which changes the arithmetic itself, is in conv_winograd.cpp).
#include "cudnn/conv_kernels.h"
#include "cudnn/conv_tiles.h"
#include "cudnn/gather.h"
#include "cudnn/gemm.h"
#include "softgpu.h"

#include <algorithm>
#include <climits>
#include <cstring>
#include <vector>

namespace cudnn {

namespace {

// The A operand of every group: rows are the group's output channels (padded to whole panels),
// columns the reduction index (c, r, s).
std::vector<float> packFilters(const ConvShape& s, const float* w) {
    long long crs = s.crs();
    int panels = (s.Kg + kPanelRows - 1) / kPanelRows;
    long long groupSize = (long long)panels * kPanelRows * crs;
    std::vector<float> a(size_t(groupSize * s.G));
    int rs = s.R * s.S;
    softgpu::parallel_for((long long)s.G * panels, 1, [&](long long begin, long long end) {
        for (long long gp = begin; gp < end; gp++) {
            int g = int(gp / panels), p = int(gp % panels);
            float* out = a.data() + g * groupSize + (long long)p * kPanelRows * crs;
            for (long long kk = 0; kk < crs; kk++) {
                int c = int(kk / rs), r = int(kk % rs) / s.S, t = int(kk % s.S);
                for (int i = 0; i < kPanelRows; i++) {
                    int k = p * kPanelRows + i;
                    out[kk * kPanelRows + i] =
                        k < s.Kg ? loadIn(w + s.wAt((long long)g * s.Kg + k, c, r, t), s.tf32) : 0.0f;
                }
            }
        }
    });
    return a;
}

// Top-left input position of the window of each column of a pixel tile. Returns whether every
// tap of every real column lies inside the image (no padding involved): then the gathers skip
// their bounds tests.
bool tileOrigins(const ConvShape& s, long long j0, int count, int nb, long long* hb, long long* wb) {
    bool inside = true;
    long long spanH = (long long)(s.R - 1) * s.dilH, spanW = (long long)(s.S - 1) * s.dilW;
    for (int j = 0; j < nb; j++) {
        if (j < count) {
            long long pix = j0 + j;
            hb[j] = (pix / s.Q) * s.strH - s.padH;
            wb[j] = (pix % s.Q) * s.strW - s.padW;
            inside = inside && hb[j] >= 0 && hb[j] + spanH < s.H && wb[j] >= 0 && wb[j] + spanW < s.W;
        } else {
            hb[j] = wb[j] = kFarAway;
        }
    }
    return inside;
}

template <class Out>
void storeTile(const ConvShape& s, const Out& out, int n, int g, long long j0, int count, const float* C, int ldc) {
    for (int k = 0; k < s.Kg; k++) {
        for (int j = 0; j < count; j++) {
            long long pix = j0 + j;
            out.store(n, g * s.Kg + k, int(pix / s.Q), int(pix % s.Q), C[(long long)k * ldc + j]);
        }
    }
}

// IMPLICIT_GEMM and IMPLICIT_PRECOMP_GEMM: one task per (image, group, pixel tile) gathers the
// tile's input columns chunk by chunk into a local buffer (the GPU's shared memory) and
// multiplies. gather(xg, k0, k1, hb, wb, count, nb, inside, B) fills rows [k0, k1) of the column
// matrix; `inside`: no tap of the tile's first `count` columns leaves the image.
template <class Out, class Gather>
void implicitForward(const ConvShape& s, const float* x, const std::vector<float>& A, const Out& out,
                     const Gather& gather) {
    long long pq = s.pq(), crs = s.crs();
    int tn = tileColumns(pq);
    long long tiles = (pq + tn - 1) / tn;
    int panels = (s.Kg + kPanelRows - 1) / kPanelRows;
    long long groupSize = (long long)panels * kPanelRows * crs;
    softgpu::parallel_for((long long)s.N * s.G * tiles, 1, [&](long long begin, long long end) {
        long long* hb = scratchIndex(0, tn);
        long long* wb = scratchIndex(1, tn);
        float* C = scratch(0, size_t(panels) * kPanelRows * tn);
        float* B = scratch(1, size_t(kReduceChunk) * tn);
        for (long long task = begin; task < end; task++) {
            int n = int(task / (s.G * tiles)), g = int(task / tiles % s.G);
            long long j0 = task % tiles * tn;
            int count = int(std::min<long long>(tn, pq - j0));
            int nb = int(roundUp(count, kTileCols));
            bool allInside = tileOrigins(s, j0, count, nb, hb, wb);
            const float* xg = x + n * s.x.sn + (long long)g * s.Cg * s.x.sc;
            for (long long k0 = 0; k0 < crs; k0 += kReduceChunk) {
                long long k1 = std::min(crs, k0 + kReduceChunk);
                gather(xg, k0, k1, hb, wb, count, nb, allInside, B);
                gemmPanels(A.data() + g * groupSize + k0 * kPanelRows, kPanelRows * crs, panels, k1 - k0, B, nb, nb,
                           C, nb, k0 > 0);
            }
            storeTile(s, out, n, g, j0, count, C, nb);
        }
    });
}

template <class Out>
void runImplicitGemm(const ConvShape& s, const float* x, const float* w, const Out& out) {
    std::vector<float> A = packFilters(s, w);
    int rs = s.R * s.S;
    implicitForward(s, x, A, out,
                    [&](const float* xg, long long k0, long long k1, const long long* hb, const long long* wb,
                        int count, int nb, bool allInside, float* B) {
                        long long* base = scratchIndex(2, nb);
                        for (int j = 0; j < nb; j++) base[j] = j < count ? hb[j] * s.x.sh + wb[j] * s.x.sw : 0;
                        for (long long kk = k0; kk < k1; kk++) {
                            int c = int(kk / rs), r = int(kk % rs) / s.S, t = int(kk % s.S);
                            long long dr = (long long)r * s.dilH, ds = (long long)t * s.dilW;
                            const float* xt = xg + c * s.x.sc + dr * s.x.sh + ds * s.x.sw;
                            float* row = B + (kk - k0) * nb;
                            if (allInside) {
                                copyRow(s.tf32, row, xt, base, count, nb);
                            } else {
                                maskedRow(s.tf32, row, xt, base, hb, dr, s.H, wb, ds, s.W, nb);
                            }
                        }
                    });
}

// One filter tap of the precomputed table: its offset in the group's input, and its row and
// column displacement for the bounds test.
struct Tap {
    long long offset;
    int dr, ds;
};
static_assert(sizeof(Tap) == 16, "the workspace size assumes 16-byte taps");

template <class Out>
void runPrecompGemm(const ConvShape& s, const float* x, const float* w, void* workspace, const Out& out) {
    long long crs = s.crs();
    int rs = s.R * s.S;
    char* table = static_cast<char*>(workspace);
    for (long long kk = 0; kk < crs; kk++) {
        int c = int(kk / rs), r = int(kk % rs) / s.S, t = int(kk % s.S);
        Tap tap{c * s.x.sc + (long long)r * s.dilH * s.x.sh + (long long)t * s.dilW * s.x.sw, r * s.dilH, t * s.dilW};
        std::memcpy(table + kk * sizeof(Tap), &tap, sizeof(Tap));
    }
    std::vector<float> A = packFilters(s, w);
    implicitForward(s, x, A, out,
                    [&](const float* xg, long long k0, long long k1, const long long* hb, const long long* wb,
                        int count, int nb, bool allInside, float* B) {
                        long long* base = scratchIndex(2, nb);
                        for (int j = 0; j < nb; j++) base[j] = hb[j] == kFarAway ? 0 : hb[j] * s.x.sh + wb[j] * s.x.sw;
                        for (long long kk = k0; kk < k1; kk++) {
                            Tap tap;
                            std::memcpy(&tap, table + kk * sizeof(Tap), sizeof(Tap));
                            float* row = B + (kk - k0) * nb;
                            const float* xt = xg + tap.offset;
                            if (allInside) {
                                copyRow(s.tf32, row, xt, base, count, nb);
                            } else {
                                maskedRow(s.tf32, row, xt, base, hb, tap.dr, s.H, wb, tap.ds, s.W, nb);
                            }
                        }
                    });
}

long long gemmChunk(const ConvShape& s) {
    return chunkImages((long long)s.G * s.crs() * s.pq() * 4, s.N);
}

// GEMM: im2col of a chunk of images into the workspace (rows (c, r, s), columns output pixels),
// then a GEMM per (image, group, pixel tile) that reads its columns from there.
template <class Out>
void runGemm(const ConvShape& s, const float* x, const float* w, void* workspace, const Out& out) {
    std::vector<float> A = packFilters(s, w);
    float* col = static_cast<float*>(workspace);
    long long pq = s.pq(), crs = s.crs();
    int rs = s.R * s.S;
    long long chunk = gemmChunk(s);
    int tn = tileColumns(pq);
    long long tiles = (pq + tn - 1) / tn;
    int panels = (s.Kg + kPanelRows - 1) / kPanelRows;
    long long groupSize = (long long)panels * kPanelRows * crs;
    for (long long n0 = 0; n0 < s.N; n0 += chunk) {
        long long cn = std::min<long long>(chunk, s.N - n0);
        softgpu::parallel_for(cn * s.G * s.Cg, 1, [&](long long begin, long long end) {
            for (long long item = begin; item < end; item++) {
                long long ni = item / ((long long)s.G * s.Cg);
                int g = int(item / s.Cg % s.G), c = int(item % s.Cg);
                const float* xc = x + (n0 + ni) * s.x.sn + ((long long)g * s.Cg + c) * s.x.sc;
                for (int r = 0; r < s.R; r++) {
                    for (int t = 0; t < s.S; t++) {
                        float* dst = col + ((ni * s.G + g) * crs + (long long)c * rs + r * s.S + t) * pq;
                        for (int p = 0; p < s.P; p++) {
                            long long ih = (long long)p * s.strH - s.padH + (long long)r * s.dilH;
                            for (int q = 0; q < s.Q; q++) {
                                long long iw = (long long)q * s.strW - s.padW + (long long)t * s.dilW;
                                dst[(long long)p * s.Q + q] = inside(ih, s.H) && inside(iw, s.W)
                                                                  ? loadIn(xc + ih * s.x.sh + iw * s.x.sw, s.tf32)
                                                                  : 0.0f;
                            }
                        }
                    }
                }
            }
        });
        softgpu::parallel_for(cn * s.G * tiles, 1, [&](long long begin, long long end) {
            float* C = scratch(0, size_t(panels) * kPanelRows * tn);
            float* B = scratch(1, size_t(kReduceChunk) * tn);
            for (long long task = begin; task < end; task++) {
                long long ni = task / (s.G * tiles);
                int g = int(task / tiles % s.G);
                long long j0 = task % tiles * tn;
                int count = int(std::min<long long>(tn, pq - j0));
                int nb = int(roundUp(count, kTileCols));
                const float* colTile = col + (ni * s.G + g) * crs * pq + j0;
                for (long long k0 = 0; k0 < crs; k0 += kReduceChunk) {
                    long long k1 = std::min(crs, k0 + kReduceChunk);
                    const float* b = colTile + k0 * pq;
                    long long ldb = pq;
                    if (count != nb) {  // a ragged last tile: copy it into a zero-padded buffer
                        for (long long kk = k0; kk < k1; kk++) {
                            float* row = B + (kk - k0) * nb;
                            std::memcpy(row, colTile + kk * pq, sizeof(float) * count);
                            std::fill(row + count, row + nb, 0.0f);
                        }
                        b = B;
                        ldb = nb;
                    }
                    gemmPanels(A.data() + g * groupSize + k0 * kPanelRows, kPanelRows * crs, panels, k1 - k0, b, ldb,
                               nb, C, nb, k0 > 0);
                }
                storeTile(s, out, int(n0 + ni), g, j0, count, C, nb);
            }
        });
    }
}

}  // namespace

const char* forwardAlgoName(int algo) {
    static const char* const names[] = {"CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM",
                                        "CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM",
                                        "CUDNN_CONVOLUTION_FWD_ALGO_GEMM",
                                        "CUDNN_CONVOLUTION_FWD_ALGO_DIRECT",
                                        "CUDNN_CONVOLUTION_FWD_ALGO_FFT",
                                        "CUDNN_CONVOLUTION_FWD_ALGO_FFT_TILING",
                                        "CUDNN_CONVOLUTION_FWD_ALGO_WINOGRAD",
                                        "CUDNN_CONVOLUTION_FWD_ALGO_WINOGRAD_NONFUSED"};
    return algo >= 0 && algo < CUDNN_CONVOLUTION_FWD_ALGO_COUNT ? names[algo] : "an invalid forward algorithm";
}

bool forwardDeterministic(int) { return true; }

bool forwardSupported(const ConvShape& s, int algo, std::string* why) {
    switch (algo) {
        case CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM:
        case CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM:
        case CUDNN_CONVOLUTION_FWD_ALGO_GEMM:
            return true;
        case CUDNN_CONVOLUTION_FWD_ALGO_WINOGRAD_NONFUSED:
            if (winogradApplies(s)) return true;
            if (why) *why = "WINOGRAD_NONFUSED needs a 3x3 filter, stride 1 and dilation 1";
            return false;
        default:
            if (why) *why = std::string(forwardAlgoName(algo)) + " is not implemented by the software GPU";
            return false;
    }
}

size_t forwardWorkspace(const ConvShape& s, int algo) {
    if (!forwardSupported(s, algo, nullptr)) return 0;
    switch (algo) {
        case CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM:
            return size_t(s.crs()) * sizeof(Tap);
        case CUDNN_CONVOLUTION_FWD_ALGO_GEMM:
            return size_t(gemmChunk(s) * s.G * s.crs() * s.pq()) * sizeof(float);
        case CUDNN_CONVOLUTION_FWD_ALGO_WINOGRAD_NONFUSED: {
            WinogradSizes z = winogradSizes(s);
            return size_t(z.u + z.chunk * (z.v + z.m)) * sizeof(float);
        }
        default:
            return 0;
    }
}

template <class Out>
void runForward(const ConvShape& s, int algo, const float* x, const float* w, void* workspace, const Out& out) {
    switch (algo) {
        case CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM: runImplicitGemm(s, x, w, out); break;
        case CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM: runPrecompGemm(s, x, w, workspace, out); break;
        case CUDNN_CONVOLUTION_FWD_ALGO_GEMM: runGemm(s, x, w, workspace, out); break;
        case CUDNN_CONVOLUTION_FWD_ALGO_WINOGRAD_NONFUSED: runWinograd(s, x, w, workspace, out); break;
        default: break;  // refused before queueing
    }
}

template void runForward<BlendOutput>(const ConvShape&, int, const float*, const float*, void*, const BlendOutput&);
template void runForward<BiasActOutput>(const ConvShape&, int, const float*, const float*, void*,
                                        const BiasActOutput&);

}  // namespace cudnn
