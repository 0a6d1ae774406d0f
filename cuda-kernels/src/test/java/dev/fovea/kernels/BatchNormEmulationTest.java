package dev.fovea.kernels;

import dev.fovea.backend.Backend;
import dev.fovea.backend.BatchNormOutput;
import dev.fovea.backend.Grads;
import dev.fovea.backend.cpu.ReferenceBackend;
import dev.fovea.kernels.KernelEmulator.Flavour;
import dev.fovea.kernels.Emulation.Step;
import dev.fovea.primitives.BatchNormParams;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.testing.Arrays2;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;
import java.util.Map;

/**
 * The batch-norm kernels (the path for GPUs without cuDNN) on the CPU against the reference
 * backend, run as the backend runs them: the statistics per (n, c) plane then combined per channel
 * (Chan et al.), the running-statistics update, inference, and the gradients (sums per plane, then
 * per channel), on [N, C, H, W] and [N, C], each pass under several launch configurations. The
 * kernels reduce up to N*H*W values per channel in float where the reference uses double; with
 * inputs of order 1 and a non-zero mean, abs 1e-5 + rel 1e-4 bounds that accumulation (about 600
 * terms here) through the normalisation. With a mean of 1000 and a spread of 1 (where a float sum
 * of squares would lose every digit of the variance), the per-plane centring and the combination
 * keep the statistics to rel 1e-4 as well; the outputs then differ by the float mean's rounding,
 * up to 2 ulp(1000) = 1.2e-4 in x - mean, times invStd (< 2) and |gamma| (< 1): abs 1e-5 + 4 ulp(1000).
 * The gradients are compared in the first case only, those of training mode and those with the
 * running statistics (inference mode: running_invstd, then the training kernels with runningMean).
 */
class BatchNormEmulationTest {
    private static final Backend REF = new ReferenceBackend();

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void trainingInferenceAndGradientsMatchReference(Flavour flavour) {
        KernelEmulator emu = KernelEmulator.get(flavour);
        for (Shape xs : List.of(Shape.of(4, 3, 7, 5), Shape.of(2, 5, 1, 9), Shape.of(9, 6), Shape.of(1, 3, 4, 4),
                Shape.of(16, 2, 3, 3))) {
            check(emu, xs, 0.5f, 2, true);
        }
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void statisticsStayAccurateFarFromZero(Flavour flavour) {
        KernelEmulator emu = KernelEmulator.get(flavour);
        check(emu, Shape.of(8, 3, 6, 5), 1000f, 1, false);
    }

    /** Inputs offset + scale * U(-1, 1) per element. */
    private static void check(KernelEmulator emu, Shape xs, float offset, float scale, boolean gradients) {
        int n = xs.dim(0);
        int c = xs.dim(1);
        int hw = xs.product(2, xs.rank());
        int planes = n * c;
        BatchNormParams p = new BatchNormParams(0.1, 1e-5);
        float[] x = Arrays2.random(xs.size(), c);
        for (int i = 0; i < x.length; i++) {
            x[i] = scale * x[i] + offset; // a non-zero mean, to exercise the centring
        }
        float[] gamma = Arrays2.random(c, 1);
        float[] beta = Arrays2.random(c, 2);
        float[] rm = Arrays2.random(c, 3);
        float[] rv = new float[c];
        for (int i = 0; i < c; i++) {
            rv[i] = 0.5f + i;
        }
        float[] dy = Arrays2.random(xs.size(), 4);
        Shape cs = Shape.of(c);
        Tensor refRm = Tensor.of(cs, rm.clone());
        Tensor refRv = Tensor.of(cs, rv.clone());
        Tensor xt = Tensor.of(xs, x);
        Tensor gt = Tensor.of(cs, gamma);
        BatchNormOutput fwd = REF.batchNormTraining(xt, gt, Tensor.of(cs, beta), refRm, refRv, p);
        Grads g = REF.batchNormBackward(Tensor.of(xs, dy), xt, gt, fwd);
        float[] inference = REF.download(REF.batchNormInference(xt, gt, Tensor.of(cs, beta), Tensor.of(cs, rm),
                Tensor.of(cs, rv), p));
        Grads gr = REF.batchNormInferenceBackward(Tensor.of(xs, dy), xt, gt, Tensor.of(cs, rm), Tensor.of(cs, rv), p);

        Map<String, Object> shared = Map.of("x", x, "gamma", gamma, "beta", beta, "rm0", rm, "rv0", rv, "dy", dy,
                "zero", new float[c]);
        Map<String, Object> written = new java.util.LinkedHashMap<>();
        written.put("rm", rm);
        written.put("rv", rv);
        for (String name : List.of("planeMean", "planeM2", "planeDy", "planeDyXhat", "planeDyR", "planeDyXhatR")) {
            written.put(name, Emulation.Out.floats(planes));
        }
        for (String name : List.of("mean", "invStd", "dgamma", "dbeta", "invStdR", "dgammaR", "dbetaR")) {
            written.put(name, Emulation.Out.floats(c));
        }
        for (String name : List.of("y", "yInf", "dx", "dxR")) {
            written.put(name, Emulation.Out.floats(xs.size()));
        }
        int all = xs.size();
        List<KernelEmulator.Result> runs = Emulation.everyLaunch(emu, shared, written, List.of(
                new Step("fovea_batchnorm_plane_stats", planes, "x", "planeMean", "planeM2", planes, hw),
                new Step("fovea_batchnorm_combine_stats", c, "planeMean", "planeM2", "mean", "invStd", "rm", "rv",
                        n, c, hw, (float) p.eps(), (float) p.momentum()),
                new Step("fovea_batchnorm_apply", all, "x", "mean", "invStd", "gamma", "beta", "y", n, c, hw),
                new Step("fovea_batchnorm_inference", all, "x", "gamma", "beta", "rm0", "rv0", "yInf", n, c, hw,
                        (float) p.eps()),
                new Step("fovea_batchnorm_plane_grads", planes, "dy", "x", "mean", "invStd", "planeDy",
                        "planeDyXhat", planes, c, hw),
                new Step("fovea_sum_slices", c, "planeDy", "dbeta", n, c, 0),
                new Step("fovea_sum_slices", c, "planeDyXhat", "dgamma", n, c, 0),
                new Step("fovea_batchnorm_backward_data", all, "dy", "x", "gamma", "mean", "invStd", "dgamma",
                        "dbeta", "dx", n, c, hw),
                new Step("fovea_batchnorm_running_invstd", c, "rv0", "invStdR", c, (float) p.eps()),
                new Step("fovea_batchnorm_plane_grads", planes, "dy", "x", "rm0", "invStdR", "planeDyR",
                        "planeDyXhatR", planes, c, hw),
                new Step("fovea_sum_slices", c, "planeDyR", "dbetaR", n, c, 0),
                new Step("fovea_sum_slices", c, "planeDyXhatR", "dgammaR", n, c, 0),
                new Step("fovea_batchnorm_apply", all, "dy", "zero", "invStdR", "gamma", "zero", "dxR", n, c, hw)));
        for (int j = 0; j < runs.size(); j++) {
            KernelEmulator.Result r = runs.get(j);
            String what = "batch norm " + xs + " offset " + offset + " (" + Emulation.launchLabel(j) + ")";
            double abs = 1e-5;
            double rel = 1e-4;
            double absOut = abs + 4 * Math.ulp(offset);
            Compare.close(what + " output", REF.download(fwd.output()), r.floats("y"), absOut, rel);
            Compare.close(what + " saved mean", REF.download(fwd.savedMean()), r.floats("mean"), abs, rel);
            Compare.close(what + " saved invStd", REF.download(fwd.savedInvStd()), r.floats("invStd"), abs, rel);
            Compare.close(what + " running mean", REF.download(refRm), r.floats("rm"), abs, rel);
            Compare.close(what + " running var", REF.download(refRv), r.floats("rv"), abs, rel);
            Compare.close(what + " inference", inference, r.floats("yInf"), absOut, rel);
            if (gradients) {
                Compare.close(what + " dgamma", REF.download(g.weight()), r.floats("dgamma"), abs, rel);
                Compare.close(what + " dbeta", REF.download(g.bias()), r.floats("dbeta"), abs, rel);
                Compare.close(what + " dx", REF.download(g.input()), r.floats("dx"), abs, rel);
                Compare.close(what + " dgamma (running statistics)", REF.download(gr.weight()), r.floats("dgammaR"), abs,
                        rel);
                Compare.close(what + " dbeta (running statistics)", REF.download(gr.bias()), r.floats("dbetaR"), abs,
                        rel);
                Compare.close(what + " dx (running statistics)", REF.download(gr.input()), r.floats("dxR"), abs, rel);
            }
        }
    }
}
