package dev.fovea.kernels;

import dev.fovea.backend.Backend;
import dev.fovea.backend.cpu.ReferenceBackend;
import dev.fovea.kernels.KernelEmulator.Flavour;
import dev.fovea.kernels.KernelEmulator.Launch;
import dev.fovea.primitives.LossKind;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.testing.Arrays2;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The loss module on the CPU against the reference backend: each loss's per-sample/per-element
 * values reduced to the mean on the device exactly as loss.cu's header prescribes (fovea_sum_chunks
 * twice), and each gradient, for all four losses, including BCE at probabilities exactly 0 and 1
 * and logits of +-100. Tolerances: a float sum of n non-negative losses is within (n + 1) * 2^-24
 * relative of the double sum, plus the expf/logf error; gradients are single expressions
 * (abs 1e-7 + rel 1e-5 covers the exp/log differences).
 */
class LossEmulationTest {
    private static final Backend REF = new ReferenceBackend();
    private static final int CHUNK = 8;

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void sumChunksAddsEachChunkInOrder(Flavour flavour) {
        KernelEmulator emu = KernelEmulator.get(flavour);
        int n = 1003;
        int chunk = 64;
        float[] x = Arrays2.random(n, 5);
        int chunks = (n + chunk - 1) / chunk;
        float[] expected = new float[chunks];
        float[] absSum = new float[chunks];
        for (int j = 0; j < chunks; j++) {
            double s = 0;
            for (int i = j * chunk; i < Math.min(n, (j + 1) * chunk); i++) {
                s += x[i];
                absSum[j] += Math.abs(x[i]) * 0.5f;
            }
            expected[j] = (float) (0.5 * s);
        }
        List<KernelEmulator.Result> runs = Emulation.everyLaunch(emu, chunks, Map.of("x", x),
                Map.of("out", Emulation.Out.floats(chunks)), "fovea_sum_chunks", "x", "out", n, chunk, 0.5f);
        for (KernelEmulator.Result r : runs) {
            Compare.withinBound("sum_chunks", expected, r.floats("out"), absSum, chunk + 1);
        }
    }

    /**
     * The domain check beside a loss: the first label that is not a class index (or, with classes 0,
     * the first value that is not a probability) and its value, or -1 when there is none; the same
     * rule as {@link dev.fovea.primitives.LossDomain}, which the reference enforces by throwing.
     */
    @ParameterizedTest
    @EnumSource(Flavour.class)
    void checkLossValuesFindsTheFirstValueOutsideTheDomain(Flavour flavour) {
        KernelEmulator emu = KernelEmulator.get(flavour);
        float[][] inputs = {{0, 3, 9, 2}, {0, 3, 10, 12}, {0, 2.5f, -1, 1}, {1, Float.NaN, 3, 4}};
        float[][] expected = {{-1, 0}, {2, 10}, {1, 2.5f}, {1, Float.NaN}};
        for (int k = 0; k < inputs.length; k++) {
            Emulation.check(emu, "class labels " + java.util.Arrays.toString(inputs[k]), Map.of("v", inputs[k]), "flag",
                    null, expected[k], 0, 0, "fovea_check_loss_values", "v", "flag", 4, 10);
        }
        Emulation.check(emu, "probabilities", Map.of("v", new float[]{0, 1, 0.5f, 1.0001f}), "flag", null,
                new float[]{3, 1.0001f}, 0, 0, "fovea_check_loss_values", "v", "flag", 4, 0);
        Emulation.check(emu, "probabilities in range", Map.of("v", new float[]{0, 1, 0.5f}), "flag", null,
                new float[]{-1, 0}, 0, 0, "fovea_check_loss_values", "v", "flag", 3, 0);
    }

    /**
     * A training step's correct count, pass 1: a hit where the row's first maximum is at the label.
     * Ties and NaN as {@link ArgmaxCase} draws them.
     */
    @ParameterizedTest
    @EnumSource(Flavour.class)
    void argmaxHitsFollowTheFirstMaximumRule(Flavour flavour) {
        KernelEmulator emu = KernelEmulator.get(flavour);
        ArgmaxCase a = ArgmaxCase.random(41, 5, 3, 12);
        Emulation.check(emu, "argmax hits", Map.of("x", a.logits(), "t", a.labels()), "hits", null, a.hits(), 0, 0,
                "fovea_argmax_hits", "x", "t", "hits", a.rows(), a.classes());
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void crossEntropy(Flavour flavour) {
        KernelEmulator emu = KernelEmulator.get(flavour);
        int n = 37;
        int c = 10;
        float[] logits = Arrays2.random(n * c, 1);
        for (int i = 0; i < logits.length; i++) {
            logits[i] *= 6;
        }
        logits[3] = 90f;
        float[] labels = new float[n];
        SplittableRandom r = new SplittableRandom(2);
        for (int i = 0; i < n; i++) {
            labels[i] = r.nextInt(c);
        }
        Shape xs = Shape.of(n, c);
        Tensor x = Tensor.of(xs, logits);
        Tensor t = Tensor.of(Shape.of(n), labels);
        float[] logP = REF.download(REF.softmax(x, 1, true));
        float[] perSample = new float[n];
        for (int i = 0; i < n; i++) {
            perSample[i] = -logP[i * c + (int) labels[i]];
        }
        Map<String, float[]> in = Map.of("x", logits, "t", labels);
        Emulation.check(emu, "cross-entropy per sample", in, "losses", null, perSample, 1e-6, 1e-5,
                "fovea_softmax_xent_forward", "x", "t", "losses", n, c);
        checkMean(emu, LossKind.CROSS_ENTROPY, in, n, REF.download(REF.loss(LossKind.CROSS_ENTROPY, x, t))[0],
                "fovea_softmax_xent_forward", "x", "t", "losses", n, c);
        float g = 0.75f;
        Emulation.check(emu, "cross-entropy gradient", in, "dx", null,
                REF.download(REF.lossBackward(LossKind.CROSS_ENTROPY, x, t, g)), 1e-7, 1e-5,
                "fovea_softmax_xent_backward", "x", "t", "dx", n, c, g / n);
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void elementwiseLosses(Flavour flavour) {
        KernelEmulator emu = KernelEmulator.get(flavour);
        int n = 157;
        SplittableRandom r = new SplittableRandom(3);
        float[] p = new float[n];
        float[] t = new float[n];
        float[] logits = new float[n];
        for (int i = 0; i < n; i++) {
            p[i] = (float) r.nextDouble();
            t[i] = i % 3 == 0 ? (float) r.nextDouble() : r.nextInt(2);
            logits[i] = (float) (r.nextDouble() * 16 - 8);
        }
        // The clamped corners: probabilities exactly 0 and 1, against both targets; huge logits.
        p[0] = 0f;
        t[0] = 1f;
        p[1] = 1f;
        t[1] = 0f;
        p[2] = 0f;
        t[2] = 0f;
        p[3] = 1f;
        t[3] = 1f;
        logits[0] = 100f;
        logits[1] = -100f;
        Shape s = Shape.of(n);
        float g = 1.5f;
        record Loss(LossKind kind, float[] input, String forward, String backward) {
        }
        for (Loss loss : List.of(
                new Loss(LossKind.BINARY_CROSS_ENTROPY, p, "fovea_bce_forward", "fovea_bce_backward"),
                new Loss(LossKind.BINARY_CROSS_ENTROPY_WITH_LOGITS, logits, "fovea_bce_logits_forward",
                        "fovea_bce_logits_backward"),
                new Loss(LossKind.MSE, logits, "fovea_mse_forward", "fovea_mse_backward"))) {
            Tensor x = Tensor.of(s, loss.input);
            Tensor target = Tensor.of(s, t);
            Map<String, float[]> in = Map.of("x", loss.input, "t", t);
            checkMean(emu, loss.kind, in, n, REF.download(REF.loss(loss.kind, x, target))[0], loss.forward, "x", "t",
                    "losses", n);
            Emulation.check(emu, loss.kind + " gradient", in, "dx", null,
                    REF.download(REF.lossBackward(loss.kind, x, target, g)), 1e-7, 1e-5, loss.backward, "x", "t",
                    "dx", n, g / n);
        }
    }

    /**
     * Runs the per-item loss kernel, then the two-stage mean (partials of CHUNK items, then their
     * sum scaled by 1/count), once in order and once in reverse thread order.
     */
    private static void checkMean(KernelEmulator emu, LossKind kind, Map<String, float[]> in, int count,
                                  float expected, String kernel, Object... args) {
        int partials = (count + CHUNK - 1) / CHUNK;
        for (boolean reverse : new boolean[] {false, true}) {
            KernelEmulator.Script s = emu.script().reverse(reverse);
            in.forEach(s::floats);
            s.output("losses", count).output("partials", partials).output("mean", 1);
            s.launch(kernel, new Launch(3, 7), args);
            s.launch("fovea_sum_chunks", new Launch(1, 4), "losses", "partials", count, CHUNK, 1f);
            s.launch("fovea_sum_chunks", new Launch(1, 1), "partials", "mean", partials, partials, 1f / count);
            float mean = s.run().floats("mean")[0];
            Compare.close(kind + " mean loss" + (reverse ? " (reverse order)" : ""), new float[] {expected},
                    new float[] {mean}, 1e-6, (count + 1) * 6e-8 + 1e-5);
        }
    }
}
