import dev.fovea.backend.Backend;
import dev.fovea.backend.cpu.CpuBackend;
import dev.fovea.bench.Inputs;
import dev.fovea.graph.Executor;
import dev.fovea.graph.Graph;
import dev.fovea.graph.Parameters;
import dev.fovea.nn.Zoo;
import dev.fovea.primitives.LossKind;
import dev.fovea.optim.Sgd;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.train.Optimizer;

import java.util.Arrays;
import java.util.Map;

/** In-process A/B of a resnet18-cifar batch-32 training step and inference: im2col vs Winograd, alternating. */
public class StepAb {
    public static void main(String[] args) {
        int threads = Integer.parseInt(args[0]);
        int reps = Integer.parseInt(args[1]);
        System.setProperty("fovea.winograd", "off");
        CpuBackend off = new CpuBackend(threads);
        System.setProperty("fovea.winograd", "auto");
        CpuBackend on = new CpuBackend(threads);
        Side a = new Side(off);
        Side b = new Side(on);
        double[][] t = new double[4][reps];
        for (int i = -2; i < reps; i++) {
            double ta = a.step(), tb = b.step(), ia = a.infer(), ib = b.infer();
            if (i >= 0) {
                t[0][i] = ta; t[1][i] = tb; t[2][i] = ia; t[3][i] = ib;
            }
            System.out.printf("rep %d: train im2col %.0f winograd %.0f | infer im2col %.0f winograd %.0f%n", i, ta, tb, ia, ib);
        }
        for (double[] r : t) Arrays.sort(r);
        System.out.printf("min: train %.0f / %.0f (x%.2f)  infer %.0f / %.0f (x%.2f); median: train x%.2f infer x%.2f%n",
                t[0][0], t[1][0], t[0][0] / t[1][0], t[2][0], t[3][0], t[2][0] / t[3][0],
                t[0][reps / 2] / t[1][reps / 2], t[2][reps / 2] / t[3][reps / 2]);
    }

    static final class Side {
        final Backend b; final Executor exec; final Optimizer opt; final Tensor x, y;
        Side(Backend b) {
            this.b = b;
            Graph g = Zoo.get("resnet18-cifar");
            Parameters params = Parameters.initialize(g, b, 1);
            exec = new Executor(g, params);
            opt = new Optimizer(new Sgd(0.01, 0.9, 0, false, 0), b);
            Inputs in = new Inputs(b, 2);
            x = in.random(g.input().shape().withDim(0, 32));
            y = in.labels(32, 10);
        }
        double step() {
            long t0 = System.nanoTime();
            Tensor logits = exec.forward(x);
            Map<String, Tensor> grads;
            try (Tensor loss = b.loss(LossKind.CROSS_ENTROPY, logits, y);
                 Tensor dOut = b.lossBackward(LossKind.CROSS_ENTROPY, logits, y, 1f)) {
                b.download(loss);
                grads = exec.backward(dOut);
            }
            for (Map.Entry<String, Tensor> e : grads.entrySet()) {
                opt.step(e.getKey(), exec.params().get(e.getKey()), e.getValue());
                e.getValue().close();
            }
            return (System.nanoTime() - t0) / 1e6;
        }
        double infer() {
            long t0 = System.nanoTime();
            exec.infer(x).close();
            return (System.nanoTime() - t0) / 1e6;
        }
    }
}
