package dev.fovea.kernels;

import dev.fovea.backend.Backend;
import dev.fovea.backend.BatchNormOutput;
import dev.fovea.backend.Grads;
import dev.fovea.backend.cpu.ReferenceBackend;
import dev.fovea.kernels.KernelEmulator.Flavour;
import dev.fovea.kernels.KernelEmulator.Launch;
import dev.fovea.ops.BatchNormParams;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.testing.Arrays2;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;

/**
 * The batch-norm kernels (the path for GPUs without cuDNN) on the CPU against the reference
 * backend: training forward with the running-statistics update, inference, and the three
 * gradients, on [N, C, H, W] and [N, C]. The kernels reduce up to N*H*W values per channel in float
 * where the reference uses double; with inputs of order 1 and a non-zero mean, abs 1e-5 + rel 1e-4
 * bounds that accumulation (about 600 terms here) through the normalisation.
 */
class BatchNormEmulationTest {
    private static final Backend REF = new ReferenceBackend();

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void trainingInferenceAndGradientsMatchReference(Flavour flavour) {
        KernelEmulator emu = KernelEmulator.get(flavour);
        for (Shape xs : List.of(Shape.of(4, 3, 7, 5), Shape.of(2, 5, 1, 9), Shape.of(9, 6))) {
            int n = xs.dim(0);
            int c = xs.dim(1);
            int hw = xs.product(2, xs.rank());
            BatchNormParams p = new BatchNormParams(0.1, 1e-5);
            float[] x = Arrays2.random(xs.size(), c);
            for (int i = 0; i < x.length; i++) {
                x[i] = 2 * x[i] + 0.5f; // a non-zero mean, to exercise the centring
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

            KernelEmulator.Script s = emu.script().floats("x", x).floats("gamma", gamma).floats("beta", beta)
                    .floats("rm", rm).floats("rv", rv).floats("rm0", rm).floats("rv0", rv).floats("dy", dy)
                    .output("mean", c).output("invStd", c).output("y", xs.size()).output("yInf", xs.size())
                    .output("dgamma", c).output("dbeta", c).output("dx", xs.size());
            Launch launch = new Launch(3, 7);
            s.launch("fovea_batchnorm_stats", launch, "x", "mean", "invStd", "rm", "rv", n, c, hw, (float) p.eps(),
                    (float) p.momentum());
            s.launch("fovea_batchnorm_apply", launch, "x", "mean", "invStd", "gamma", "beta", "y", n, c, hw);
            s.launch("fovea_batchnorm_inference", launch, "x", "gamma", "beta", "rm0", "rv0", "yInf", n, c, hw,
                    (float) p.eps());
            s.reverse(true);
            s.launch("fovea_batchnorm_backward_params", launch, "dy", "x", "mean", "invStd", "dgamma", "dbeta", n, c,
                    hw);
            s.launch("fovea_batchnorm_backward_data", launch, "dy", "x", "gamma", "mean", "invStd", "dgamma", "dbeta",
                    "dx", n, c, hw);
            KernelEmulator.Result r = s.run();

            String what = "batch norm " + xs;
            double abs = 1e-5;
            double rel = 1e-4;
            Compare.close(what + " output", REF.download(fwd.output()), r.floats("y"), abs, rel);
            Compare.close(what + " saved mean", REF.download(fwd.savedMean()), r.floats("mean"), abs, rel);
            Compare.close(what + " saved invStd", REF.download(fwd.savedInvStd()), r.floats("invStd"), abs, rel);
            Compare.close(what + " running mean", REF.download(refRm), r.floats("rm"), abs, rel);
            Compare.close(what + " running var", REF.download(refRv), r.floats("rv"), abs, rel);
            Compare.close(what + " inference", inference, r.floats("yInf"), abs, rel);
            Compare.close(what + " dgamma", REF.download(g.weight()), r.floats("dgamma"), abs, rel);
            Compare.close(what + " dbeta", REF.download(g.bias()), r.floats("dbeta"), abs, rel);
            Compare.close(what + " dx", REF.download(g.input()), r.floats("dx"), abs, rel);
        }
    }
}
