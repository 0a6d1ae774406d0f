package dev.fovea.backend.cpu;

import dev.fovea.primitives.ConvGeometry;
import dev.fovea.primitives.ConvMode;
import dev.fovea.tensor.HostArrays;

import java.util.Arrays;

/**
 * Winograd's minimal filtering F(2x2, 3x3) (Lavin and Gray, 2015) for stride-1, undilated, ungrouped 3x3
 * cross-correlation: the output is cut into 2x2 tiles, each read from a 4x4 input patch. With the
 * transforms V = B^T d B (input patch), U = G g G^T (kernel) and Y = A^T M A, the 16 points of a tile are
 * independent, so for each point the channel sums are one GEMM, M = U (cout x cin) * V (cin x tiles):
 * 16 multiplies per 4 outputs and input channel instead of 36, and no im2col matrix. B^T and A^T hold only
 * 0 and +-1 and G only 0, +-1/2 and 1, so every transform is a few exact adds and halvings: the result
 * differs from direct summation by rounding in the transformed sums only (see WinogradTest for the bound).
 *
 * <p>The input gradient of such a convolution with padding p (at most 2) is the same correlation of dy,
 * padded by 2 - p, with every kernel rotated by 180 degrees and its input and output channels swapped,
 * so it runs on the same route, and the weight gradient is the forward route's adjoint ({@link #weightGrad}).
 * Images go through in batches of about {@link #TARGET_TILES} tiles, whose
 * bounds depend only on the shape; every output is summed by one GEMM in a fixed order and the transforms
 * are elementwise, so results are the same for every thread count.
 */
final class Winograd {
    /** Transform points of a tile: (2 + 3 - 1)^2. */
    private static final int POINTS = 16;
    /**
     * Input and output channels needed, both: the 16 GEMMs are cin deep and cout tall, and with fewer
     * channels they are too small to gain from their 2.25x fewer multiplies (a first layer on RGB images
     * keeps im2col, whose GEMM is 27 deep).
     */
    static final int MIN_CHANNELS = 16;
    /** Tiles (images x tiles per image) one batch of 16 GEMMs covers: full-width panels, V and M of a few MB. */
    static final int TARGET_TILES = 512;
    /**
     * Floats between the end of one of U's, V's or M's 16 matrices and the start of the next. A transform
     * writes (or reads) one value in each of the 16 matrices per tile or kernel; when the matrices' size is
     * a multiple of 4 KiB (64 channels x 784 tiles is 49 x 4 KiB, 512 x 512 kernels 256 x 4 KiB) those 16
     * streams fall into the same L1 sets, and the transforms ran 3 to 5 times slower than with the
     * matrices a cache line apart.
     */
    private static final int SKEW = 16;

    private Winograd() {
    }

    /** Why this route does not apply to {@code g}, or null when it does. */
    static String declines(ConvGeometry g) {
        if (g.groups() != 1) {
            return "grouped";
        }
        if (g.kh() != 3 || g.kw() != 3) {
            return "kernel " + g.kh() + "x" + g.kw() + ", not 3x3";
        }
        if (g.strideH() != 1 || g.strideW() != 1) {
            return "stride " + g.strideH() + "x" + g.strideW() + ", not 1";
        }
        if (g.dilationH() != 1 || g.dilationW() != 1) {
            return "dilated";
        }
        if (g.padH() > 2 || g.padW() > 2) {
            return "padding above 2 (the input gradient would need a negative padding)";
        }
        if (g.oh() < 2 || g.ow() < 2) {
            return "output narrower than one 2x2 tile";
        }
        if (Math.min(g.cin(), g.cout()) < MIN_CHANNELS) {
            return "fewer than " + MIN_CHANNELS + " input or output channels (GEMMs too small to gain)";
        }
        return null;
    }

    /** The convolution of an input {@link #declines} accepts; every element of the result is written. */
    static float[] forward(CpuThreads threads, float[] x, float[] w, float[] bias, ConvGeometry g) {
        float[] u = Scratch.get(Scratch.Slot.WINOGRAD_WEIGHTS, POINTS * (g.cout() * g.cin() + SKEW));
        transformWeights(threads, w, g.cout(), g.cin(), false, u);
        float[] y = HostArrays.floats(g.n() * g.cout() * g.outPlane());
        correlate(threads, x, u, bias, g, y);
        return y;
    }

    /** The input gradient for the forward convolution {@code g} (one {@link #declines} accepts). */
    static float[] inputGrad(CpuThreads threads, float[] dy, float[] w, ConvGeometry g) {
        ConvGeometry t = new ConvGeometry(g.n(), g.cout(), g.oh(), g.ow(), g.cin(), 3, 3, g.h(), g.w(), 1, 1, 1,
                2 - g.padH(), 2 - g.padW(), 1, 1, ConvMode.CROSS_CORRELATION);
        float[] u = Scratch.get(Scratch.Slot.WINOGRAD_WEIGHTS, POINTS * (g.cout() * g.cin() + SKEW));
        transformWeights(threads, w, g.cout(), g.cin(), true, u);
        float[] dx = HostArrays.floats(g.n() * g.cin() * g.inPlane());
        correlate(threads, dy, u, null, t, dx);
        return dx;
    }

    /**
     * The weight gradient dw [cout, cin, 3, 3] (every element written) for the forward convolution
     * {@code g} (one {@link #declines} accepts): the adjoint of the forward route. With Y = A^T (U . V) A
     * summed over input channels and U = G w G^T, dU = sum over tiles of (A dY A^T) . V for each transform
     * point, one GEMM per point ({@code cout x tiles} times the transposed {@code cin x tiles}), and
     * dw = G^T dU G: 16 multiplies per 2x2 output tile and channel pair instead of 36, and no im2col
     * matrix. Batches of about {@link #TARGET_TILES} tiles run in order, each GEMM adding onto the last,
     * so the sums' order depends on the shape only.
     */
    static void weightGrad(CpuThreads threads, float[] dy, float[] x, ConvGeometry g, float[] dw) {
        int cin = g.cin();
        int cout = g.cout();
        int uStride = cout * cin + SKEW;
        float[] du = Scratch.get(Scratch.Slot.WINOGRAD_WEIGHTS, POINTS * uStride);
        int tilesPerImage = tileRows(g) * tileColumns(g);
        int per = Math.max(1, Math.min(g.n(), Sgemm.ceilDiv(TARGET_TILES, tilesPerImage)));
        for (int first = 0; first < g.n(); first += per) {
            int end = Math.min(g.n(), first + per);
            int start = first;
            int tiles = (end - first) * tilesPerImage;
            int vStride = cin * tiles + SKEW;
            int mStride = cout * tiles + SKEW;
            float[] v = Scratch.get(Scratch.Slot.WINOGRAD_INPUT, POINTS * vStride);
            float[] dm = Scratch.get(Scratch.Slot.WINOGRAD_PRODUCTS, POINTS * mStride);
            threads.parallelFor((end - first) * cin, task -> transformInput(x, g, start + task / cin, task % cin, v,
                    vStride, task / cin * tilesPerImage, tiles));
            threads.parallelFor((end - first) * cout, task -> transformOutputGrad(dy, g, start + task / cout,
                    task % cout, dm, mStride, task / cout * tilesPerImage, tiles));
            float beta = first == 0 ? 0f : 1f;
            threads.parallelFor(POINTS, point -> Sgemm.gemm(threads, false, true, cout, cin, tiles, 1f, dm,
                    point * mStride, v, point * vStride, beta, du, point * uStride));
        }
        threads.parallelFor(cout, co -> {
            float[] rows = new float[12];
            for (int ci = 0; ci < cin; ci++) {
                int at = co * cin + ci;
                int out = at * 9;
                // G^T r for each row r of dU (its 4 columns), then the same down the 3 resulting columns.
                for (int i = 0; i < 4; i++) {
                    int src = at + 4 * i * uStride;
                    float r0 = du[src];
                    float r1 = du[src + uStride];
                    float r2 = du[src + 2 * uStride];
                    float r3 = du[src + 3 * uStride];
                    rows[3 * i] = r0 + 0.5f * (r1 + r2);
                    rows[3 * i + 1] = 0.5f * (r1 - r2);
                    rows[3 * i + 2] = 0.5f * (r1 + r2) + r3;
                }
                for (int b = 0; b < 3; b++) {
                    float c0 = rows[b];
                    float c1 = rows[3 + b];
                    float c2 = rows[6 + b];
                    float c3 = rows[9 + b];
                    dw[out + b] = c0 + 0.5f * (c1 + c2);
                    dw[out + 3 + b] = 0.5f * (c1 - c2);
                    dw[out + 6 + b] = 0.5f * (c1 + c2) + c3;
                }
            }
        });
    }

    /**
     * U = G k G^T of every kernel k of w [cout, cin, 3, 3], stored as 16 matrices cout x cin (SKEW apart),
     * or with {@code gradient} the kernels rotated by 180 degrees and stored cin x cout (the input
     * gradient's weights).
     */
    static void transformWeights(CpuThreads threads, float[] w, int cout, int cin, boolean gradient, float[] u) {
        int stride = cout * cin + SKEW;
        // One row of U's matrices per task, written in order (with gradient, a row is an input channel:
        // writing it a column at a time, 16 streams cout floats apart, took longer than the GEMMs).
        int rows = gradient ? cin : cout;
        int cols = gradient ? cout : cin;
        threads.parallelFor(rows, row -> {
            for (int col = 0; col < cols; col++) {
                int o = gradient ? col : row;
                int i = gradient ? row : col;
                int src = (o * cin + i) * 9;
                int dst = row * cols + col;
                // k[a][b] = q[3a + b]; rotated, the kernel's taps in reverse order.
                int step = gradient ? -1 : 1;
                int at = gradient ? src + 8 : src;
                float q0 = w[at];
                float q1 = w[at + step];
                float q2 = w[at + 2 * step];
                float q3 = w[at + 3 * step];
                float q4 = w[at + 4 * step];
                float q5 = w[at + 5 * step];
                float q6 = w[at + 6 * step];
                float q7 = w[at + 7 * step];
                float q8 = w[at + 8 * step];
                // G k: rows k0, (k0 + k1 + k2) / 2, (k0 - k1 + k2) / 2, k2; then the same on each row's columns.
                weightRow(u, dst, stride, q0, q1, q2);
                weightRow(u, dst + 4 * stride, stride, 0.5f * (q0 + q3 + q6), 0.5f * (q1 + q4 + q7),
                        0.5f * (q2 + q5 + q8));
                weightRow(u, dst + 8 * stride, stride, 0.5f * (q0 - q3 + q6), 0.5f * (q1 - q4 + q7),
                        0.5f * (q2 - q5 + q8));
                weightRow(u, dst + 12 * stride, stride, q6, q7, q8);
            }
        });
    }

    private static void weightRow(float[] u, int at, int stride, float c0, float c1, float c2) {
        u[at] = c0;
        u[at + stride] = 0.5f * (c0 + c1 + c2);
        u[at + 2 * stride] = 0.5f * (c0 - c1 + c2);
        u[at + 3 * stride] = c2;
    }

    /** y = the correlation of x with the transformed kernels u (16 matrices cout x cin), plus the bias. */
    private static void correlate(CpuThreads threads, float[] x, float[] u, float[] bias, ConvGeometry g,
                                  float[] y) {
        int tilesPerImage = tileRows(g) * tileColumns(g);
        int per = Math.max(1, Math.min(g.n(), Sgemm.ceilDiv(TARGET_TILES, tilesPerImage)));
        FastConv.forEachImage(threads, Sgemm.ceilDiv(g.n(), per),
                batch -> correlateImages(threads, x, u, bias, g, y, batch * per, Math.min(g.n(), (batch + 1) * per)));
    }

    /**
     * Images [first, end): their input tiles transformed into V (16 matrices cin x tiles), 16 GEMMs into M
     * (16 matrices cout x tiles), M transformed back into y. Each step is one parallel loop, which runs
     * inline when this batch already runs on a worker.
     */
    private static void correlateImages(CpuThreads threads, float[] x, float[] u, float[] bias, ConvGeometry g,
                                        float[] y, int first, int end) {
        int cin = g.cin();
        int cout = g.cout();
        int tilesPerImage = tileRows(g) * tileColumns(g);
        int tiles = (end - first) * tilesPerImage;
        int vStride = cin * tiles + SKEW;
        int mStride = cout * tiles + SKEW;
        float[] v = Scratch.get(Scratch.Slot.WINOGRAD_INPUT, POINTS * vStride);
        float[] m = Scratch.get(Scratch.Slot.WINOGRAD_PRODUCTS, POINTS * mStride);
        threads.parallelFor((end - first) * cin, task -> transformInput(x, g, first + task / cin, task % cin, v,
                vStride, task / cin * tilesPerImage, tiles));
        threads.parallelFor(POINTS, point -> Sgemm.gemm(threads, false, false, cout, tiles, cin, 1f, u,
                point * (cout * cin + SKEW), v, point * vStride, 0f, m, point * mStride));
        threads.parallelFor((end - first) * cout, task -> transformOutput(m, mStride, g, first + task / cout,
                task % cout, bias, task / cout * tilesPerImage, tiles, y));
    }

    private static int tileRows(ConvGeometry g) {
        return Sgemm.ceilDiv(g.oh(), 2);
    }

    private static int tileColumns(ConvGeometry g) {
        return Sgemm.ceilDiv(g.ow(), 2);
    }

    /**
     * V = B^T d B for every 4x4 patch d of one input plane, into column {@code t0 + tile} of row {@code ci}
     * of V's 16 matrices (cin x tiles, {@code stride} floats apart). The plane is first copied into a
     * zero-padded scratch plane that covers every tile (an odd output size adds a row or column of zeros),
     * each row stored as its even columns followed by its odd ones; then for each row of tiles the four
     * input rows are combined once (B^T d) and each tile's columns from those (the B). Split that way,
     * tile tx's four columns are even[tx], odd[tx], even[tx + 1] and odd[tx + 1], so every loop after the
     * copy reads and writes contiguous runs, which the JIT can vectorise (reading a tile's columns at
     * stride 2 kept the last step scalar). The results are the same bits as before the split.
     */
    private static void transformInput(float[] x, ConvGeometry g, int img, int ci, float[] v, int stride, int t0,
                                       int tiles) {
        int th = tileRows(g);
        int tw = tileColumns(g);
        int ph = 2 * th + 2;
        int half = tw + 1;
        int pw = 2 * half;
        float[] p = Scratch.get(Scratch.Slot.WINOGRAD_PLANE, ph * pw);
        int xOff = (img * g.cin() + ci) * g.inPlane();
        int w = g.w();
        int padW = g.padW();
        for (int r = 0; r < ph; r++) {
            int iy = r - g.padH();
            int row = r * pw;
            // pw >= ow + 2 = w + 2 * padW: the row fits with its padding on both sides.
            Arrays.fill(p, row, row + pw, 0f);
            if (iy < 0 || iy >= g.h()) {
                continue;
            }
            int src = xOff + iy * w;
            for (int ix = 0; ix < w; ix++) {
                int c = ix + padW;
                p[row + (c & 1) * half + (c >> 1)] = x[src + ix];
            }
        }
        float[] rows = Scratch.get(Scratch.Slot.WINOGRAD_ROWS, 4 * pw);
        int base = ci * tiles + t0;
        for (int ty = 0; ty < th; ty++) {
            int r0 = 2 * ty * pw;
            for (int c = 0; c < pw; c++) {
                float d0 = p[r0 + c];
                float d1 = p[r0 + pw + c];
                float d2 = p[r0 + 2 * pw + c];
                float d3 = p[r0 + 3 * pw + c];
                rows[c] = d0 - d2;
                rows[pw + c] = d1 + d2;
                rows[2 * pw + c] = d2 - d1;
                rows[3 * pw + c] = d1 - d3;
            }
            // Row i of B^T d, then its columns (a0, a1, a2, a3) = (even[tx], odd[tx], even[tx + 1], odd[tx + 1]).
            for (int i = 0; i < 4; i++) {
                int even = i * pw;
                int odd = even + half;
                int out = base + ty * tw + 4 * i * stride;
                for (int tx = 0; tx < tw; tx++) {
                    float a0 = rows[even + tx];
                    float a1 = rows[odd + tx];
                    float a2 = rows[even + tx + 1];
                    float a3 = rows[odd + tx + 1];
                    v[out + tx] = a0 - a2;
                    v[out + stride + tx] = a1 + a2;
                    v[out + 2 * stride + tx] = a2 - a1;
                    v[out + 3 * stride + tx] = a1 - a3;
                }
            }
        }
    }

    /**
     * Y = A^T M A for every tile of output plane (img, co), cropped to the plane, plus the bias; M's 16
     * matrices are cout x tiles, {@code stride} floats apart.
     */
    private static void transformOutput(float[] m, int stride, ConvGeometry g, int img, int co, float[] bias, int t0,
                                        int tiles, float[] y) {
        int tw = tileColumns(g);
        int oh = g.oh();
        int ow = g.ow();
        int base = co * tiles + t0;
        int yOff = (img * g.cout() + co) * g.outPlane();
        float b = bias == null ? 0f : bias[co];
        boolean addBias = bias != null;
        for (int oy = 0, t = base; oy < oh; oy += 2) {
            boolean secondRow = oy + 1 < oh;
            for (int ox = 0; ox < ow; ox += 2, t++) {
                // A^T M: rows m0 + m1 + m2 and m1 - m2 - m3, each of four columns.
                float s00 = m[t] + m[t + 4 * stride] + m[t + 8 * stride];
                float s01 = m[t + stride] + m[t + 5 * stride] + m[t + 9 * stride];
                float s02 = m[t + 2 * stride] + m[t + 6 * stride] + m[t + 10 * stride];
                float s03 = m[t + 3 * stride] + m[t + 7 * stride] + m[t + 11 * stride];
                float s10 = m[t + 4 * stride] - m[t + 8 * stride] - m[t + 12 * stride];
                float s11 = m[t + 5 * stride] - m[t + 9 * stride] - m[t + 13 * stride];
                float s12 = m[t + 6 * stride] - m[t + 10 * stride] - m[t + 14 * stride];
                float s13 = m[t + 7 * stride] - m[t + 11 * stride] - m[t + 15 * stride];
                int at = yOff + oy * ow + ox;
                boolean secondColumn = ox + 1 < ow;
                y[at] = bias(s00 + s01 + s02, b, addBias);
                if (secondColumn) {
                    y[at + 1] = bias(s01 - s02 - s03, b, addBias);
                }
                if (secondRow) {
                    y[at + ow] = bias(s10 + s11 + s12, b, addBias);
                    if (secondColumn) {
                        y[at + ow + 1] = bias(s11 - s12 - s13, b, addBias);
                    }
                }
            }
        }
    }

    /**
     * dM = A dY A^T for every 2x2 tile dY of gradient plane (img, co), zero where the tile extends past
     * the plane, into column {@code t0 + tile} of row {@code co} of dM's 16 matrices (cout x tiles,
     * {@code stride} floats apart): the adjoint of {@link #transformOutput}.
     */
    private static void transformOutputGrad(float[] dy, ConvGeometry g, int img, int co, float[] dm, int stride,
                                            int t0, int tiles) {
        int oh = g.oh();
        int ow = g.ow();
        int yOff = (img * g.cout() + co) * g.outPlane();
        for (int oy = 0, t = co * tiles + t0; oy < oh; oy += 2) {
            boolean secondRow = oy + 1 < oh;
            for (int ox = 0; ox < ow; ox += 2, t++) {
                int at = yOff + oy * ow + ox;
                boolean secondColumn = ox + 1 < ow;
                float d00 = dy[at];
                float d01 = secondColumn ? dy[at + 1] : 0f;
                float d10 = secondRow ? dy[at + ow] : 0f;
                float d11 = secondRow && secondColumn ? dy[at + ow + 1] : 0f;
                // A dY: rows d0, d0 + d1, d0 - d1, -d1; then each row (p, q) becomes (p, p + q, p - q, -q).
                gradRow(dm, t, stride, d00, d01);
                gradRow(dm, t + 4 * stride, stride, d00 + d10, d01 + d11);
                gradRow(dm, t + 8 * stride, stride, d00 - d10, d01 - d11);
                gradRow(dm, t + 12 * stride, stride, -d10, -d11);
            }
        }
    }

    private static void gradRow(float[] dm, int at, int stride, float p, float q) {
        dm[at] = p;
        dm[at + stride] = p + q;
        dm[at + 2 * stride] = p - q;
        dm[at + 3 * stride] = -q;
    }

    /** bias + sum, as the im2col route's GEMM adds its sum onto the bias; without a bias the sum itself (-0 kept). */
    private static float bias(float sum, float b, boolean addBias) {
        return addBias ? b + sum : sum;
    }
}
