package dev.fovea.kernels;

import dev.fovea.backend.Backend;
import dev.fovea.backend.Grads;
import dev.fovea.backend.cpu.ReferenceBackend;
import dev.fovea.kernels.DirectConvEmulationTest.Case;
import dev.fovea.kernels.KernelEmulator.Flavour;
import dev.fovea.kernels.KernelEmulator.Result;
import dev.fovea.primitives.ConvMode;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.testing.Arrays2;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * im2col and col2im as the cuBLAS-only convolution path uses them (im2col.cu): the kernel's im2col,
 * then per image and group y = w x col (the reference GEMM standing in for cuBLAS), must give the
 * reference convolution; dw = dy x col^T the reference weight gradient; and the kernel's col2im of
 * w^T x dy the reference input gradient. Same random shapes as the direct-convolution test
 * (groups, depthwise, dilation, strides, padding, both modes). GEMMs sum in double and round once;
 * col2im sums already-rounded products in float, hence the float summation bound with two extra
 * roundings.
 */
class Im2colEmulationTest {
    private static final Backend REF = new ReferenceBackend();

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void im2colThenGemmIsTheConvolution(Flavour flavour) {
        KernelEmulator emu = KernelEmulator.get(flavour);
        for (Case c : DirectConvEmulationTest.cases()) {
            float[] x = Arrays2.random(c.xs().size(), c.seed());
            float[] w = Arrays2.random(c.ws().size(), c.seed() + 1);
            float[] dy = Arrays2.random(c.ys().size(), c.seed() + 3);
            int colSize = c.n() * c.c() * c.kh() * c.kw() * c.ys().dim(2) * c.ys().dim(3);
            List<Result> runs = Emulation.everyLaunch(emu, colSize, Map.of("x", x),
                    Map.of("col", Emulation.Out.floats(colSize)), "fovea_im2col", args("x", "col", c));
            float[] y = REF.download(REF.conv2d(Tensor.of(c.xs(), x), Tensor.of(c.ws(), w), null, c.p()));
            float[] yBound = REF.download(REF.conv2d(Tensor.of(c.xs(), Compare.abs(x)),
                    Tensor.of(c.ws(), Compare.abs(w)), null, c.p()));
            Grads g = REF.conv2dBackward(Tensor.of(c.ys(), dy), Tensor.of(c.xs(), x), Tensor.of(c.ws(), w), false,
                    false, c.p());
            float[] dw = REF.download(g.weight());
            float[] dwBound = REF.download(REF.conv2dBackward(Tensor.of(c.ys(), Compare.abs(dy)),
                    Tensor.of(c.xs(), Compare.abs(x)), Tensor.of(c.ws(), w), false, false, c.p()).weight());
            for (int j = 0; j < runs.size(); j++) {
                float[] col = runs.get(j).floats("col");
                String what = c + " " + Emulation.launchLabel(j);
                Compare.withinBound("w x im2col(x) " + what, y, gemmForward(w, col, c), yBound, c.ws().size() / c.k());
                Compare.withinBound("dy x im2col(x)^T " + what, dw, gemmWeight(dy, col, c), dwBound,
                        c.ys().size() / c.k());
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void col2imOfWtDyIsTheInputGradient(Flavour flavour) {
        KernelEmulator emu = KernelEmulator.get(flavour);
        for (Case c : DirectConvEmulationTest.cases()) {
            float[] x = Arrays2.random(c.xs().size(), c.seed());
            float[] w = Arrays2.random(c.ws().size(), c.seed() + 1);
            float[] dy = Arrays2.random(c.ys().size(), c.seed() + 3);
            float[] dcol = gemmData(w, dy, c);
            List<Result> runs = Emulation.everyLaunch(emu, c.xs().size(), Map.of("dcol", dcol),
                    Map.of("dx", Emulation.Out.floats(c.xs().size())), "fovea_col2im", args("dcol", "dx", c));
            float[] dx = REF.download(REF.conv2dBackward(Tensor.of(c.ys(), dy), Tensor.of(c.xs(), x),
                    Tensor.of(c.ws(), w), false, true, c.p()).input());
            float[] bound = REF.download(REF.conv2dBackward(Tensor.of(c.ys(), Compare.abs(dy)), Tensor.of(c.xs(), x),
                    Tensor.of(c.ws(), Compare.abs(w)), false, true, c.p()).input());
            int terms = (c.k() / c.p().groups()) * c.kh() * c.kw() + 2;
            for (int j = 0; j < runs.size(); j++) {
                Compare.withinBound("col2im(w^T dy) " + c + " " + Emulation.launchLabel(j), dx,
                        runs.get(j).floats("dx"), bound, terms);
            }
        }
    }

    private static Object[] args(String in, String out, Case c) {
        Shape ys = c.ys();
        var p = c.p();
        return new Object[] {in, out, c.n(), c.c(), c.h(), c.w(), c.kh(), c.kw(), ys.dim(2), ys.dim(3), p.strideH(),
                p.strideW(), p.padH(), p.padW(), p.dilationH(), p.dilationW(), p.mode() == ConvMode.CONVOLUTION ? 1 : 0};
    }

    /** y[n][group rows] = w[group rows] x col[n][group rows]: one GEMM per image and group. */
    private static float[] gemmForward(float[] w, float[] col, Case c) {
        Dims d = new Dims(c);
        float[] y = new float[c.ys().size()];
        for (int n = 0; n < c.n(); n++) {
            for (int g = 0; g < d.groups; g++) {
                float[] out = gemm(false, false, d.kg, d.spatial, d.rowsG,
                        slice(w, g * d.kg * d.rowsG, d.kg * d.rowsG),
                        slice(col, (n * d.groups + g) * d.rowsG * d.spatial, d.rowsG * d.spatial));
                System.arraycopy(out, 0, y, (n * c.k() + g * d.kg) * d.spatial, out.length);
            }
        }
        return y;
    }

    /** dw[group rows] = sum over n of dy[n][group rows] x col[n][group rows]^T. */
    private static float[] gemmWeight(float[] dy, float[] col, Case c) {
        Dims d = new Dims(c);
        float[] dw = new float[c.ws().size()];
        for (int g = 0; g < d.groups; g++) {
            // Stack the batch along the reduction: [Kg, N*spatial] x [N*spatial, rowsG].
            float[] a = new float[d.kg * c.n() * d.spatial];
            float[] b = new float[c.n() * d.spatial * d.rowsG];
            for (int n = 0; n < c.n(); n++) {
                for (int k = 0; k < d.kg; k++) {
                    System.arraycopy(dy, (n * c.k() + g * d.kg + k) * d.spatial, a, (k * c.n() + n) * d.spatial,
                            d.spatial);
                }
                for (int r = 0; r < d.rowsG; r++) {
                    for (int s = 0; s < d.spatial; s++) {
                        b[(n * d.spatial + s) * d.rowsG + r] = col[((n * d.groups + g) * d.rowsG + r) * d.spatial + s];
                    }
                }
            }
            float[] out = gemm(false, false, d.kg, d.rowsG, c.n() * d.spatial, a, b);
            System.arraycopy(out, 0, dw, g * d.kg * d.rowsG, out.length);
        }
        return dw;
    }

    /** dcol[n][group rows] = w[group rows]^T x dy[n][group rows]. */
    private static float[] gemmData(float[] w, float[] dy, Case c) {
        Dims d = new Dims(c);
        float[] dcol = new float[c.n() * d.groups * d.rowsG * d.spatial];
        for (int n = 0; n < c.n(); n++) {
            for (int g = 0; g < d.groups; g++) {
                float[] out = gemm(true, false, d.rowsG, d.spatial, d.kg, slice(w, g * d.kg * d.rowsG, d.kg * d.rowsG),
                        slice(dy, (n * c.k() + g * d.kg) * d.spatial, d.kg * d.spatial));
                System.arraycopy(out, 0, dcol, (n * d.groups + g) * d.rowsG * d.spatial, out.length);
            }
        }
        return dcol;
    }

    private record Dims(int groups, int kg, int rowsG, int spatial) {
        Dims(Case c) {
            this(c.p().groups(), c.k() / c.p().groups(), c.c() / c.p().groups() * c.kh() * c.kw(),
                    c.ys().dim(2) * c.ys().dim(3));
        }
    }

    private static float[] gemm(boolean transA, boolean transB, int m, int n, int k, float[] a, float[] b) {
        Tensor out = REF.zeros(Shape.of(m, n));
        REF.gemm(transA, transB, m, n, k, 1f, Tensor.of(Shape.of(a.length), a), Tensor.of(Shape.of(b.length), b), 0f,
                out);
        return REF.download(out);
    }

    private static float[] slice(float[] a, int from, int len) {
        return Arrays.copyOfRange(a, from, from + len);
    }
}
