// Forward convolution by Winograd F(2x2, 3x3), non-fused: the filter, input and output transforms
// are separate passes over the workspace, with the 16 element-wise products done as batched GEMMs
// over channels in between. Its results differ from direct summation by rounding (the transforms
// add and subtract before multiplying), as NVIDIA's Winograd does.
#include "cudnn/conv_kernels.h"
#include "cudnn/conv_tiles.h"
#include "cudnn/gemm.h"
#include "softgpu.h"

#include <algorithm>

namespace cudnn {

WinogradSizes winogradSizes(const ConvShape& s) {
    WinogradSizes z;
    z.tilesP = (s.P + 1) / 2;
    z.tilesQ = (s.Q + 1) / 2;
    z.tiles = z.tilesP * z.tilesQ;
    z.tilesPadded = roundUp(z.tiles, kTileCols);
    z.kgPadded = int(roundUp(s.Kg, kPanelRows));
    z.u = 16LL * s.G * z.kgPadded * s.Cg;
    z.v = 16LL * s.G * s.Cg * z.tilesPadded;
    z.m = 16LL * s.G * z.kgPadded * z.tilesPadded;
    z.chunk = chunkImages((z.v + z.m) * 4, s.N);
    return z;
}

template <class Out>
void runWinograd(const ConvShape& s, const float* x, const float* w, void* workspace, const Out& out) {
    WinogradSizes z = winogradSizes(s);
    float* U = static_cast<float*>(workspace);
    float* V = U + z.u;
    float* M = V + z.chunk * z.v;
    int kgp = z.kgPadded;
    // U[g][xi] is a GEMM A operand: rows output channels (panels), reduction input channels.
    softgpu::parallel_for((long long)s.G * kgp, 1, [&](long long begin, long long end) {
        for (long long gk = begin; gk < end; gk++) {
            int g = int(gk / kgp), k = int(gk % kgp);
            for (int c = 0; c < s.Cg; c++) {
                float f[3][3];
                for (int r = 0; r < 3; r++) {
                    for (int t = 0; t < 3; t++) {
                        f[r][t] = k < s.Kg ? loadIn(w + s.wAt((long long)g * s.Kg + k, c, r, t), s.tf32) : 0.0f;
                    }
                }
                float gf[4][3];  // G f
                for (int t = 0; t < 3; t++) {
                    gf[0][t] = f[0][t];
                    gf[1][t] = 0.5f * (f[0][t] + f[1][t] + f[2][t]);
                    gf[2][t] = 0.5f * (f[0][t] - f[1][t] + f[2][t]);
                    gf[3][t] = f[2][t];
                }
                for (int i = 0; i < 4; i++) {  // (G f) G^T
                    float u[4] = {gf[i][0], 0.5f * (gf[i][0] + gf[i][1] + gf[i][2]),
                                  0.5f * (gf[i][0] - gf[i][1] + gf[i][2]), gf[i][2]};
                    for (int j = 0; j < 4; j++) {
                        float* panel = U + ((long long)(g * 16 + i * 4 + j) * kgp + (k / kPanelRows) * kPanelRows) * s.Cg;
                        panel[(long long)c * kPanelRows + k % kPanelRows] = u[j];
                    }
                }
            }
        }
    });
    const long long colChunk = 256;
    long long colChunks = (z.tilesPadded + colChunk - 1) / colChunk;
    for (long long n0 = 0; n0 < s.N; n0 += z.chunk) {
        long long cn = std::min<long long>(z.chunk, s.N - n0);
        // V = B^T d B for every 4x4 input tile d (origin 2*tile - pad, zeros outside the image).
        softgpu::parallel_for(cn * s.G * s.Cg, 1, [&](long long begin, long long end) {
            for (long long item = begin; item < end; item++) {
                long long ni = item / ((long long)s.G * s.Cg);
                int g = int(item / s.Cg % s.G), c = int(item % s.Cg);
                const float* xc = x + (n0 + ni) * s.x.sn + ((long long)g * s.Cg + c) * s.x.sc;
                float* vbase = V + ((ni * s.G + g) * 16 * s.Cg + c) * z.tilesPadded;
                long long xiStride = (long long)s.Cg * z.tilesPadded;
                for (long long tile = 0; tile < z.tilesPadded; tile++) {
                    float d[4][4] = {};
                    if (tile < z.tiles) {
                        long long h0 = 2 * (tile / z.tilesQ) - s.padH, w0 = 2 * (tile % z.tilesQ) - s.padW;
                        for (int i = 0; i < 4; i++) {
                            for (int j = 0; j < 4; j++) {
                                long long ih = h0 + i, iw = w0 + j;
                                d[i][j] = inside(ih, s.H) && inside(iw, s.W) ? loadIn(xc + ih * s.x.sh + iw * s.x.sw, s.tf32)
                                                                             : 0.0f;
                            }
                        }
                    }
                    float t[4][4];  // B^T d
                    for (int j = 0; j < 4; j++) {
                        t[0][j] = d[0][j] - d[2][j];
                        t[1][j] = d[1][j] + d[2][j];
                        t[2][j] = d[2][j] - d[1][j];
                        t[3][j] = d[1][j] - d[3][j];
                    }
                    for (int i = 0; i < 4; i++) {  // (B^T d) B
                        float v[4] = {t[i][0] - t[i][2], t[i][1] + t[i][2], t[i][2] - t[i][1], t[i][1] - t[i][3]};
                        for (int j = 0; j < 4; j++) vbase[(i * 4 + j) * xiStride + tile] = v[j];
                    }
                }
            }
        });
        // M[xi] = U[xi] V[xi]: 16 GEMMs per image and group, reducing over input channels.
        softgpu::parallel_for(cn * s.G * 16 * colChunks, 1, [&](long long begin, long long end) {
            for (long long task = begin; task < end; task++) {
                long long ng = task / (16 * colChunks);  // ni * G + g
                int xi = int(task / colChunks % 16);
                long long c0 = task % colChunks * colChunk;
                int nb = int(std::min(colChunk, z.tilesPadded - c0));
                int g = int(ng % s.G);
                const float* a = U + (long long)(g * 16 + xi) * kgp * s.Cg;
                const float* b = V + (ng * 16 + xi) * s.Cg * z.tilesPadded + c0;
                float* c = M + (ng * 16 + xi) * kgp * z.tilesPadded + c0;
                gemmPanels(a, (long long)kPanelRows * s.Cg, kgp / kPanelRows, s.Cg, b, z.tilesPadded, nb, c,
                           z.tilesPadded, false);
            }
        });
        // Y = A^T m A for every tile and output channel.
        softgpu::parallel_for(cn * s.K, 1, [&](long long begin, long long end) {
            for (long long item = begin; item < end; item++) {
                long long ni = item / s.K;
                int k = int(item % s.K), g = k / s.Kg, kg = k % s.Kg;
                const float* mbase = M + ((ni * s.G + g) * 16 * kgp + kg) * z.tilesPadded;
                long long xiStride = (long long)kgp * z.tilesPadded;
                for (long long tile = 0; tile < z.tiles; tile++) {
                    float m[4][4];
                    for (int i = 0; i < 4; i++) {
                        for (int j = 0; j < 4; j++) m[i][j] = mbase[(i * 4 + j) * xiStride + tile];
                    }
                    float t[2][4];  // A^T m
                    for (int j = 0; j < 4; j++) {
                        t[0][j] = m[0][j] + m[1][j] + m[2][j];
                        t[1][j] = m[1][j] - m[2][j] - m[3][j];
                    }
                    int p0 = int(2 * (tile / z.tilesQ)), q0 = int(2 * (tile % z.tilesQ));
                    for (int i = 0; i < 2; i++) {
                        float o[2] = {t[i][0] + t[i][1] + t[i][2], t[i][1] - t[i][2] - t[i][3]};
                        for (int j = 0; j < 2; j++) {
                            if (p0 + i < s.P && q0 + j < s.Q) out.store(int(n0 + ni), k, p0 + i, q0 + j, o[j]);
                        }
                    }
                }
            }
        });
    }
}

bool winogradApplies(const ConvShape& s) {
    return s.R == 3 && s.S == 3 && s.strH == 1 && s.strW == 1 && s.dilH == 1 && s.dilW == 1;
}

template void runWinograd<BlendOutput>(const ConvShape&, const float*, const float*, void*, const BlendOutput&);
template void runWinograd<BiasActOutput>(const ConvShape&, const float*, const float*, void*, const BiasActOutput&);

}  // namespace cudnn
