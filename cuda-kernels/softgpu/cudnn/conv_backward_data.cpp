// Backward data: a GEMM per (image, group, tile of dx pixels): dx[c][pixel] = sum over (k, r, s)
// of w[k][c][r][s] * dy[k][the output position whose tap (r, s) lands on the pixel], zero where
// none does (stride) or it lies outside dy (padding).
//
// ALGO_1 sums every element in one fixed order. ALGO_0 splits the sum into partial sums and adds
// them up in an order drawn afresh for every call, as a GPU's atomics would: its results differ in
// the last bits from call to call.
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

constexpr int kDataParts = 4;  // partial sums of ALGO_0

// A operand per group: rows input channels (panels), reduction index (k, r, s).
std::vector<float> packTransposedFilters(const ConvShape& s, const float* w) {
    long long krs = s.krs();
    int panels = (s.Cg + kPanelRows - 1) / kPanelRows;
    long long groupSize = (long long)panels * kPanelRows * krs;
    std::vector<float> a(size_t(groupSize * s.G));
    int rs = s.R * s.S;
    softgpu::parallel_for((long long)s.G * panels, 1, [&](long long begin, long long end) {
        for (long long gp = begin; gp < end; gp++) {
            int g = int(gp / panels), p = int(gp % panels);
            float* out = a.data() + g * groupSize + (long long)p * kPanelRows * krs;
            for (long long kk = 0; kk < krs; kk++) {
                int k = int(kk / rs), r = int(kk % rs) / s.S, t = int(kk % s.S);
                for (int i = 0; i < kPanelRows; i++) {
                    int c = p * kPanelRows + i;
                    out[kk * kPanelRows + i] =
                        c < s.Cg ? loadIn(w + s.wAt((long long)g * s.Kg + k, c, r, t), s.tf32) : 0.0f;
                }
            }
        }
    });
    return a;
}

// Rows [k0, k1) of the dy columns of a dx pixel tile (hb/wb: pixel position plus padding).
// allInside (unit stride only): every tap of the first `count` columns lands inside dy.
void gatherDy(const ConvShape& s, const float* dyg, long long k0, long long k1, const long long* hb,
              const long long* wb, int count, int nb, bool allInside, float* B) {
    int rs = s.R * s.S;
    bool unitStride = s.strH == 1 && s.strW == 1;
    long long* base = scratchIndex(2, nb);
    if (unitStride) {
        for (int j = 0; j < nb; j++) base[j] = j < count ? hb[j] * s.y.sh + wb[j] * s.y.sw : 0;
    }
    for (long long kk = k0; kk < k1; kk++) {
        int k = int(kk / rs), r = int(kk % rs) / s.S, t = int(kk % s.S);
        const float* dyk = dyg + k * s.y.sc;
        long long dr = (long long)r * s.dilH, ds = (long long)t * s.dilW;
        float* row = B + (kk - k0) * nb;
        const float* dyt = dyk - dr * s.y.sh - ds * s.y.sw;  // with unit stride dy(p, q) is dyt + base
        if (allInside) {
            copyRow(s.tf32, row, dyt, base, count, nb);
        } else if (unitStride) {
            maskedRow(s.tf32, row, dyt, base, hb, -dr, s.P, wb, -ds, s.Q, nb);
        } else {
            for (int j = 0; j < nb; j++) {
                long long th = hb[j] - dr, tw = wb[j] - ds;
                float v = 0.0f;
                if (th >= 0 && tw >= 0 && th % s.strH == 0 && tw % s.strW == 0) {
                    long long p = th / s.strH, q = tw / s.strW;
                    if (p < s.P && q < s.Q) v = loadIn(dyk + p * s.y.sh + q * s.y.sw, s.tf32);
                }
                row[j] = v;
            }
        }
    }
}

void runBackwardDataImpl(const ConvShape& s, bool deterministic, const float* w, const float* dy, float* dx,
                         float alpha, float beta, uint64_t seed) {
    std::vector<float> A = packTransposedFilters(s, w);
    long long hw = s.hw(), krs = s.krs();
    int tn = tileColumns(hw);
    long long tiles = (hw + tn - 1) / tn;
    int panels = (s.Cg + kPanelRows - 1) / kPanelRows;
    long long groupSize = (long long)panels * kPanelRows * krs;
    int parts = deterministic ? 1 : int(std::max(1LL, std::min<long long>(kDataParts, krs / 8)));
    softgpu::parallel_for((long long)s.N * s.G * tiles, 1, [&](long long begin, long long end) {
        long long* hb = scratchIndex(0, tn);
        long long* wb = scratchIndex(1, tn);
        size_t tileSize = size_t(panels) * kPanelRows * tn;
        float* C = scratch(0, tileSize * parts);
        float* B = scratch(1, size_t(kReduceChunk) * tn);
        int order[kDataParts];
        for (long long task = begin; task < end; task++) {
            int n = int(task / (s.G * tiles)), g = int(task / tiles % s.G);
            long long j0 = task % tiles * tn;
            int count = int(std::min<long long>(tn, hw - j0));
            int nb = int(roundUp(count, kTileCols));
            bool allInside = s.strH == 1 && s.strW == 1;
            long long spanH = (long long)(s.R - 1) * s.dilH, spanW = (long long)(s.S - 1) * s.dilW;
            for (int j = 0; j < nb; j++) {
                hb[j] = j < count ? (j0 + j) / s.W + s.padH : kFarAway;
                wb[j] = j < count ? (j0 + j) % s.W + s.padW : kFarAway;
                if (j < count) {
                    allInside = allInside && hb[j] - spanH >= 0 && hb[j] < s.P && wb[j] - spanW >= 0 && wb[j] < s.Q;
                }
            }
            const float* dyg = dy + n * s.y.sn + (long long)g * s.Kg * s.y.sc;
            for (int part = 0; part < parts; part++) {
                long long pBegin = krs * part / parts, pEnd = krs * (part + 1) / parts;
                float* Cp = C + part * tileSize;
                for (long long k0 = pBegin; k0 < pEnd; k0 += kReduceChunk) {
                    long long k1 = std::min(pEnd, k0 + kReduceChunk);
                    gatherDy(s, dyg, k0, k1, hb, wb, count, nb, allInside, B);
                    gemmPanels(A.data() + g * groupSize + k0 * kPanelRows, kPanelRows * krs, panels, k1 - k0, B, nb,
                               nb, Cp, nb, k0 > pBegin);
                }
            }
            if (parts > 1) {
                size_t used = size_t(panels) * kPanelRows * nb;
                permutation(seed, uint64_t(task), parts, order);
                float* first = C + order[0] * tileSize;
                for (int i = 1; i < parts; i++) {
                    const float* add = C + order[i] * tileSize;
                    for (size_t e = 0; e < used; e++) first[e] += add[e];
                }
                if (order[0] != 0) std::memcpy(C, first, used * sizeof(float));
            }
            for (int c = 0; c < s.Cg; c++) {
                for (int j = 0; j < count; j++) {
                    long long pix = j0 + j;
                    float* d = dx + s.x.at(n, (long long)g * s.Cg + c, pix / s.W, pix % s.W);
                    *d = blend(alpha, C[(long long)c * nb + j], beta, d);
                }
            }
        }
    });
}

}  // namespace

// ---- backward data: the table ------------------------------------------------------------------

const char* backwardDataAlgoName(int algo) {
    static const char* const names[] = {"CUDNN_CONVOLUTION_BWD_DATA_ALGO_0",
                                        "CUDNN_CONVOLUTION_BWD_DATA_ALGO_1",
                                        "CUDNN_CONVOLUTION_BWD_DATA_ALGO_FFT",
                                        "CUDNN_CONVOLUTION_BWD_DATA_ALGO_FFT_TILING",
                                        "CUDNN_CONVOLUTION_BWD_DATA_ALGO_WINOGRAD",
                                        "CUDNN_CONVOLUTION_BWD_DATA_ALGO_WINOGRAD_NONFUSED"};
    return algo >= 0 && algo < CUDNN_CONVOLUTION_BWD_DATA_ALGO_COUNT ? names[algo]
                                                                     : "an invalid backward-data algorithm";
}

bool backwardDataDeterministic(int algo) { return algo != CUDNN_CONVOLUTION_BWD_DATA_ALGO_0; }

bool backwardDataSupported(const ConvShape&, int algo, std::string* why) {
    if (algo == CUDNN_CONVOLUTION_BWD_DATA_ALGO_0 || algo == CUDNN_CONVOLUTION_BWD_DATA_ALGO_1) return true;
    if (why) *why = std::string(backwardDataAlgoName(algo)) + " is not implemented by the software GPU";
    return false;
}

size_t backwardDataWorkspace(const ConvShape&, int) { return 0; }

void runBackwardData(const ConvShape& s, int algo, const float* w, const float* dy, void*, float* dx, float alpha,
                     float beta, uint64_t seed) {
    runBackwardDataImpl(s, algo == CUDNN_CONVOLUTION_BWD_DATA_ALGO_1, w, dy, dx, alpha, beta, seed);
}

}  // namespace cudnn
