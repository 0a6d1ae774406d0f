package dev.fovea.backend.cpu;

import dev.fovea.primitives.ConvGeometry;

import java.util.Arrays;

/**
 * Unfolds one group of one image into the im2col matrix (rows: input channel x kernel offset, columns:
 * output pixels) so a convolution becomes one GEMM, and folds a gradient of that matrix back onto the
 * input (col2im). Rows are filled with whole-row copies and zeroed borders, not per-pixel branches.
 * The matrix's rows are {@code ld} floats apart, so that several images' columns can sit side by side
 * (an image's block starts at its column offset) and one GEMM covers them.
 */
final class Im2col {
    private static final RowOps OPS = RowOps.best();

    private Im2col() {
    }

    /** col[colOff + r*ld + pixel] (kdim rows of oh*ow) from input channels at {@code xOff} (cinG planes of h x w). */
    static void unfold(float[] x, int xOff, ConvGeometry g, float[] col, int colOff, int ld) {
        int r = 0;
        for (int ci = 0; ci < g.cinG(); ci++) {
            int xc = xOff + ci * g.inPlane();
            for (int a = 0; a < g.kh(); a++) {
                for (int b = 0; b < g.kw(); b++, r++) {
                    int offset = b * g.dilationW() - g.padW();
                    int lo = g.firstValidColumn(offset);
                    int hi = Math.max(lo, g.endValidColumn(offset));
                    for (int oy = 0; oy < g.oh(); oy++) {
                        int dst = colOff + r * ld + oy * g.ow();
                        int iy = oy * g.strideH() - g.padH() + a * g.dilationH();
                        if (iy < 0 || iy >= g.h()) {
                            Arrays.fill(col, dst, dst + g.ow(), 0f);
                            continue;
                        }
                        int src = xc + iy * g.w() + offset;
                        Arrays.fill(col, dst, dst + lo, 0f);
                        if (g.strideW() == 1) {
                            System.arraycopy(x, src + lo, col, dst + lo, hi - lo);
                        } else {
                            for (int ox = lo; ox < hi; ox++) {
                                col[dst + ox] = x[src + ox * g.strideW()];
                            }
                        }
                        Arrays.fill(col, dst + hi, dst + g.ow(), 0f);
                    }
                }
            }
        }
    }

    /** dx (cinG planes from {@code dxOff}) += the fold of col; the inverse scatter of {@link #unfold}. */
    static void fold(float[] col, int colOff, int ld, ConvGeometry g, float[] dx, int dxOff) {
        int r = 0;
        for (int ci = 0; ci < g.cinG(); ci++) {
            int xc = dxOff + ci * g.inPlane();
            for (int a = 0; a < g.kh(); a++) {
                for (int b = 0; b < g.kw(); b++, r++) {
                    int offset = b * g.dilationW() - g.padW();
                    int lo = g.firstValidColumn(offset);
                    int hi = g.endValidColumn(offset);
                    for (int oy = 0; oy < g.oh(); oy++) {
                        int iy = oy * g.strideH() - g.padH() + a * g.dilationH();
                        if (iy < 0 || iy >= g.h()) {
                            continue;
                        }
                        int src = colOff + r * ld + oy * g.ow();
                        int dst = xc + iy * g.w() + offset;
                        int sw = g.strideW();
                        if (sw == 1) {
                            // fma with 1 rounds once, like the plain add: the same sums, vectorised.
                            OPS.axpy(1f, col, src + lo, dx, dst + lo, hi - lo);
                            continue;
                        }
                        for (int ox = lo; ox < hi; ox++) {
                            dx[dst + ox * sw] += col[src + ox];
                        }
                    }
                }
            }
        }
    }
}
