package dev.fovea.backend.cpu;

import dev.fovea.backend.BatchNormOutput;
import dev.fovea.backend.Grads;
import dev.fovea.primitives.BatchNormParams;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.testing.Arrays2;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The fast backend's batch norm spreads channels over its threads but runs the reference's arithmetic
 * per channel: every output, saved statistic, running statistic and gradient equals the reference's bit
 * for bit, with more channels than threads and with fewer.
 */
class FastBatchNormTest {
    private static final ReferenceBackend REF = new ReferenceBackend();
    private static final CpuBackend FAST = new CpuBackend(3);
    private static final BatchNormParams P = new BatchNormParams(0.1, 1e-5);

    @AfterAll
    static void close() {
        FAST.close();
    }

    @ParameterizedTest(name = "{0} channels")
    @ValueSource(ints = {1, 2, 7, 64})
    void trainingInferenceAndBackwardEqualTheReference(int channels) {
        Shape xs = Shape.of(3, channels, 5, 4);
        float[] x = Arrays2.random(xs.size(), channels);
        float[] gamma = Arrays2.random(channels, 1);
        float[] beta = Arrays2.random(channels, 2);
        float[] dy = Arrays2.random(xs.size(), 3);
        float[][] ref = run(REF, xs, x, gamma, beta, dy);
        float[][] fast = run(FAST, xs, x, gamma, beta, dy);
        String[] names = {"y", "saved mean", "saved invStd", "running mean", "running var", "inference y", "dx",
            "dgamma", "dbeta", "dx (running statistics)", "dgamma (running statistics)", "dbeta (running statistics)"};
        for (int i = 0; i < names.length; i++) {
            Arrays2.assertExact(names[i], ref[i], fast[i]);
        }
    }

    private static float[][] run(ReferenceBackend be, Shape xs, float[] x, float[] gamma, float[] beta, float[] dy) {
        Shape cs = Shape.of(xs.dim(1));
        Tensor xt = be.upload(xs, x);
        Tensor gt = be.upload(cs, gamma);
        Tensor rm = be.upload(cs, Arrays2.random(cs.size(), 4));
        Tensor rv = be.upload(cs, new float[cs.size()]);
        BatchNormOutput out = be.batchNormTraining(xt, gt, be.upload(cs, beta), rm, rv, P);
        Tensor inference = be.batchNormInference(xt, gt, be.upload(cs, beta), rm, rv, P);
        Grads g = be.batchNormBackward(be.upload(xs, dy), xt, gt, out);
        Grads frozen = be.batchNormInferenceBackward(be.upload(xs, dy), xt, gt, rm, rv, P);
        return new float[][] {be.download(out.output()), be.download(out.savedMean()), be.download(out.savedInvStd()),
            be.download(rm), be.download(rv), be.download(inference), be.download(g.input()), be.download(g.weight()),
            be.download(g.bias()), be.download(frozen.input()), be.download(frozen.weight()), be.download(frozen.bias())};
    }
}
