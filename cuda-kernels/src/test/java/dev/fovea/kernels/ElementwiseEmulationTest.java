package dev.fovea.kernels;

import dev.fovea.backend.Backend;
import dev.fovea.backend.DropoutOutput;
import dev.fovea.backend.Grads;
import dev.fovea.backend.cpu.ReferenceBackend;
import dev.fovea.kernels.KernelEmulator.Flavour;
import dev.fovea.primitives.Activation;
import dev.fovea.primitives.BinaryOp;
import dev.fovea.primitives.DropoutMask;
import dev.fovea.primitives.DropoutParams;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.testing.ActivationTolerance;
import dev.fovea.testing.Arrays2;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The elementwise module on the CPU against the reference backend (or, for the BLAS-like helpers, the
 * same float expression evaluated in Java): arithmetic, activations and their gradients, PReLU,
 * bias, dropout, softmax along every dimension, concat/split copies. Tolerances: 0 where the kernel
 * evaluates the same float expression as the reference; for exp/tanh-based values the difference
 * between CUDA's/glibc's expf/tanhf (<= 2 ulp) and Java's double functions plus the float roundings
 * of the formula (abs 1e-7 + rel 2e-6); for sums of D terms the float summation error.
 */
class ElementwiseEmulationTest {
    private static final Backend REF = new ReferenceBackend();
    private static final int N = 157;

    /** Random values in [-3, 3), with exact zeros (the ReLU kink) and large magnitudes mixed in. */
    private static float[] inputs(long seed) {
        float[] x = Arrays2.random(N, seed);
        for (int i = 0; i < N; i++) {
            x[i] *= 3;
        }
        x[0] = 0f;
        x[1] = -0f;
        x[2] = 40f;
        x[3] = -40f;
        x[4] = 100f;
        x[5] = -100f;
        return x;
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void arithmetic(Flavour flavour) {
        KernelEmulator emu = KernelEmulator.get(flavour);
        float[] x = inputs(1);
        float[] y = inputs(2);
        float a = -0.37f;
        float[] scaled = new float[N];
        float[] axpy = new float[N];
        float[] filled = new float[N];
        for (int i = 0; i < N; i++) {
            scaled[i] = a * x[i];
            axpy[i] = y[i] + a * x[i];
            filled[i] = 2.5f;
        }
        Emulation.check(emu, "fill", Map.of(), "y", null, filled, 0, 0, "fovea_fill", "y", N, 2.5f);
        Emulation.check(emu, "scale", Map.of("x", x), "y", null, scaled, 0, 0, "fovea_scale", "x", "y", N, a);
        Emulation.check(emu, "axpy", Map.of("x", x), "y", y, axpy, 0, 0, "fovea_axpy", "x", "y", N, a);
        float[] sum = REF.download(REF.binary(BinaryOp.ADD, Tensor.of(Shape.of(N), x), Tensor.of(Shape.of(N), y)));
        Emulation.check(emu, "add", Map.of("x", x, "y", y), "z", null, sum, 0, 0, "fovea_add", "x", "y", "z", N);
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void activationsAndGradients(Flavour flavour) {
        KernelEmulator emu = KernelEmulator.get(flavour);
        float[] x = inputs(3);
        float[] dy = Arrays2.random(N, 4);
        Shape s = Shape.of(N);
        for (Activation kind : Activation.values()) {
            for (float p : kind.parameter() == null ? new float[] {0f} : new float[] {0.01f, 0.2f, 1f}) {
                float[] y = REF.download(REF.activation(Tensor.of(s, x), kind, p));
                float[] dx = REF.download(REF.activationBackward(Tensor.of(s, dy), Tensor.of(s, x), Tensor.of(s, y),
                        kind, p));
                double[] fwdTol = ActivationTolerance.forward(kind);
                double[] bwdTol = ActivationTolerance.backward(kind);
                // The generic pair takes the kind's code; the backward reads the input x and, through
                // "yref", the reference's output, so gradients through y are one float expression.
                Emulation.check(emu, kind + " forward p " + p, Map.of("x", x), "y", null, y, fwdTol[0], fwdTol[1],
                        "fovea_activation_forward", "x", "y", N, kind.code(), p);
                Emulation.check(emu, kind + " backward p " + p, Map.of("dy", dy, "x", x, "yref", y), "dx", null, dx,
                        bwdTol[0], bwdTol[1], "fovea_activation_backward", "dy", "x", "yref", "dx", N, kind.code(), p);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void preluPerChannelAndShared(Flavour flavour) {
        KernelEmulator emu = KernelEmulator.get(flavour);
        for (Shape xs : List.of(Shape.of(2, 3, 5, 7), Shape.of(5, 4), Shape.of(3, 2, 9))) {
            for (int slopes : new int[] {1, xs.dim(1)}) {
                int n = xs.size();
                int c = xs.dim(1);
                int inner = xs.product(2, xs.rank());
                float[] x = Arrays2.random(n, n + slopes);
                x[0] = 0f;
                float[] w = Arrays2.random(slopes, 11);
                float[] dy = Arrays2.random(n, 12);
                Shape ws = Shape.of(slopes);
                String what = "prelu " + xs + " slopes " + slopes;
                float[] y = REF.download(REF.prelu(Tensor.of(xs, x), Tensor.of(ws, w)));
                Grads g = REF.preluBackward(Tensor.of(xs, dy), Tensor.of(xs, x), Tensor.of(ws, w));
                Emulation.check(emu, what, Map.of("x", x, "w", w), "y", null, y, 0, 0, "fovea_prelu_forward",
                        "x", "w", "y", n, c, inner, slopes);
                Emulation.check(emu, what, Map.of("dy", dy, "x", x, "w", w), "dx", null, REF.download(g.input()), 0,
                        0, "fovea_prelu_backward_data", "dy", "x", "w", "dx", n, c, inner, slopes);
                // The weight gradient in two passes, as the backend runs it: partial sums per plane (per
                // channel) or per segment of 16 elements (shared slope; several segments), then the
                // partials of each slope in order. A float sum whose every value passes through one
                // product, at most len - 1 additions in its partial and slices - 1 across partials,
                // where the reference sums in double: (len + slices) * 2^-24 * sum|x * dy|.
                int len = slopes == 1 ? 16 : inner;
                int segments = (n + len - 1) / len;
                int slices = slopes == 1 ? segments : xs.dim(0);
                float[] absSum = new float[slopes];
                for (int i = 0; i < n; i++) {
                    if (!(x[i] > 0)) {
                        absSum[slopes == 1 ? 0 : (i / inner) % c] += Math.abs(x[i] * dy[i]);
                    }
                }
                List<KernelEmulator.Result> runs = Emulation.everyLaunch(emu, Map.of("dy", dy, "x", x),
                        Map.of("partials", Emulation.Out.floats(segments), "dw", Emulation.Out.floats(slopes)),
                        List.of(new Emulation.Step("fovea_prelu_weight_partials", segments, "dy", "x", "partials", n,
                                        len),
                                new Emulation.Step("fovea_sum_slices", slopes, "partials", "dw", slices, slopes, 0)));
                for (int j = 0; j < runs.size(); j++) {
                    Compare.withinBound(what + " weight gradient (" + Emulation.launchLabel(j) + ")",
                            REF.download(g.weight()), runs.get(j).floats("dw"), absSum, len + slices - 1);
                }
            }
        }
    }

    /**
     * The second pass of every channel reduction: slices added in order onto zero or, accumulating,
     * onto the output's contents. The kernel evaluates the same float additions in the same order
     * as the loop here, so the results are equal bit for bit.
     */
    @ParameterizedTest
    @EnumSource(Flavour.class)
    void sumSlicesAddsTheSlicesInOrder(Flavour flavour) {
        KernelEmulator emu = KernelEmulator.get(flavour);
        int len = 37;
        for (int slices : new int[]{0, 1, 5, 64}) {
            float[] in = Arrays2.random(Math.max(1, slices * len), slices + 50);
            float[] start = Arrays2.random(len, 51);
            for (boolean accumulate : new boolean[]{false, true}) {
                float[] expected = new float[len];
                for (int j = 0; j < len; j++) {
                    float sum = accumulate ? start[j] : 0f;
                    for (int k = 0; k < slices; k++) {
                        sum += in[k * len + j];
                    }
                    expected[j] = sum;
                }
                Emulation.check(emu, slices + " slices, accumulate " + accumulate, Map.of("in", in), "out",
                        accumulate ? start : null, expected, 0, 0, "fovea_sum_slices", "in", "out", slices, len,
                        accumulate ? 1 : 0);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void biasAddAndDropout(Flavour flavour) {
        KernelEmulator emu = KernelEmulator.get(flavour);
        int n = 2;
        int c = 5;
        int hw = 13;
        float[] y = Arrays2.random(n * c * hw, 20);
        float[] b = Arrays2.random(c, 21);
        float[] expected = y.clone();
        for (int i = 0; i < expected.length; i++) {
            expected[i] += b[(i / hw) % c];
        }
        Emulation.check(emu, "bias add", Map.of("b", b), "y", y, expected, 0, 0, "fovea_bias_add", "b", "y", n, c, hw);

        Shape s = Shape.of(n, c, hw);
        float[] x = Arrays2.random(s.size(), 22);
        float[] dy = Arrays2.random(s.size(), 23);
        DropoutOutput d = REF.dropout(Tensor.of(s, x), new DropoutParams(0.3, true, 99));
        float[] mask = REF.download(d.mask());
        Emulation.check(emu, "dropout forward", Map.of("x", x, "mask", mask), "y", null, REF.download(d.output()),
                0, 0, "fovea_dropout_apply", "x", "mask", "y", s.size());
        Emulation.check(emu, "dropout backward", Map.of("x", dy, "mask", mask), "y", null,
                REF.download(REF.dropoutBackward(Tensor.of(s, dy), d)), 0, 0, "fovea_dropout_apply", "x", "mask",
                "y", s.size());
    }

    /**
     * Dropout drawn on the device: the mask (and so the output) bit for bit the reference's, which is
     * dev.fovea.primitives.DropoutMask's Philox stream, for seeds using both 32-bit halves and several p.
     */
    @ParameterizedTest
    @EnumSource(Flavour.class)
    void dropoutForwardDrawsTheReferenceMaskBitForBit(Flavour flavour) {
        KernelEmulator emu = KernelEmulator.get(flavour);
        int n = 1001;
        float[] x = Arrays2.random(n, 24);
        for (long seed : new long[]{99, -1L, 0x123456789ABCDEFL}) {
            for (double p : new double[]{0.1, 0.5, 0.9}) {
                DropoutParams dp = new DropoutParams(p, true, seed);
                DropoutOutput d = REF.dropout(Tensor.of(Shape.of(n), x), dp);
                List<KernelEmulator.Result> runs = Emulation.everyLaunch(emu, n, Map.of("x", x),
                        Map.of("mask", Emulation.Out.floats(n), "y", Emulation.Out.floats(n)), "fovea_dropout_forward",
                        "x", "mask", "y", n, (int) seed, (int) (seed >>> 32), DropoutMask.threshold(p),
                        DropoutMask.scale(p));
                for (int j = 0; j < runs.size(); j++) {
                    String what = "dropout p=" + p + " seed=" + seed + " (" + Emulation.launchLabel(j) + ")";
                    Compare.close(what + " mask", REF.download(d.mask()), runs.get(j).floats("mask"), 0, 0);
                    Compare.close(what + " output", REF.download(d.output()), runs.get(j).floats("y"), 0, 0);
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void softmaxAlongEveryDimension(Flavour flavour) {
        KernelEmulator emu = KernelEmulator.get(flavour);
        Shape s = Shape.of(3, 5, 4, 7);
        float[] x = Arrays2.random(s.size(), 30);
        for (int i = 0; i < x.length; i++) {
            x[i] *= 8;
        }
        x[1] = 80f; // large logits must not overflow
        float[] dy = Arrays2.random(s.size(), 31);
        for (int dim = 0; dim < s.rank(); dim++) {
            for (boolean log : new boolean[] {false, true}) {
                int outer = s.product(0, dim);
                int len = s.dim(dim);
                int inner = s.product(dim + 1, s.rank());
                String what = (log ? "log_softmax" : "softmax") + " dim " + dim;
                float[] y = REF.download(REF.softmax(Tensor.of(s, x), dim, log));
                float[] dx = REF.download(REF.softmaxBackward(Tensor.of(s, dy), Tensor.of(s, y), dim, log));
                // Sums of len exponentials (or products) in float: (len + 3) roundings relative to
                // values of order 1, on top of the expf/logf error.
                Emulation.check(emu, what, Map.of("x", x), "y", null, y, 1e-6, 1e-5, "fovea_softmax_forward", "x",
                        "y", outer, len, inner, log ? 1 : 0);
                Emulation.check(emu, what + " backward", Map.of("dy", dy, "yref", y), "dx", null, dx, 2e-6, 1e-5,
                        "fovea_softmax_backward", "dy", "yref", "dx", outer, len, inner, log ? 1 : 0);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void concatAndSplitByBlockCopies(Flavour flavour) {
        KernelEmulator emu = KernelEmulator.get(flavour);
        Shape base = Shape.of(2, 3, 4, 5);
        for (int dim = 0; dim < base.rank(); dim++) {
            int[] sizes = {1, 3, 2};
            List<Tensor> parts = new ArrayList<>();
            for (int i = 0; i < sizes.length; i++) {
                Shape ps = base.withDim(dim, sizes[i]);
                parts.add(Tensor.of(ps, Arrays2.random(ps.size(), 40 + i)));
            }
            Tensor cat = REF.concat(parts, dim);
            float[] expected = REF.download(cat);
            int outer = base.product(0, dim);
            int after = base.product(dim + 1, base.rank());
            int total = cat.shape().dim(dim);
            // Concat: one block copy per input into its slot of the output.
            KernelEmulator.Script script = emu.script().output("out", expected.length);
            int offset = 0;
            for (int i = 0; i < sizes.length; i++) {
                int len = sizes[i] * after;
                script.floats("in" + i, REF.download(parts.get(i)));
                script.launch("fovea_copy_blocks", new KernelEmulator.Launch(3, 7), "in" + i, "out", outer, len, len, 0,
                        total * after, offset * after);
                offset += sizes[i];
            }
            Compare.exact("concat dim " + dim, expected, script.run().floats("out"));
            // Split: the reverse copies, compared with the reference split.
            List<Tensor> refParts = REF.split(cat, dim, sizes);
            assertEquals(sizes.length, refParts.size());
            offset = 0;
            for (int i = 0; i < sizes.length; i++) {
                int len = sizes[i] * after;
                float[] part = REF.download(refParts.get(i));
                Emulation.check(emu, "split dim " + dim + " part " + i, Map.of("cat", expected), "part", null, part, 0,
                        0, "fovea_copy_blocks", "cat", "part", outer, len, total * after, offset * after, len, 0);
                offset += sizes[i];
            }
        }
    }
}
