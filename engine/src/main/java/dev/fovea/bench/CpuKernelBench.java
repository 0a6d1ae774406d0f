package dev.fovea.bench;

import dev.fovea.backend.Backend;
import dev.fovea.backend.Grads;
import dev.fovea.backend.factory.Backends;
import dev.fovea.primitives.Conv2dParams;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;

import java.util.SplittableRandom;

/**
 * Prints the speed of the fast CPU kernels: sgemm 256..2048, the reference network's conv2 (forward and
 * forward+backward) and a depthwise 3x3. Run with
 * {@code java --add-modules jdk.incubator.vector -cp engine/target/classes dev.fovea.bench.CpuKernelBench [reps]};
 * {@code -Dfovea.threads=N} and {@code -Dfovea.gemm=java} select the thread count and the kernel.
 */
public final class CpuKernelBench {
    private CpuKernelBench() {
    }

    public static void main(String[] args) {
        int reps = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        OpTimer timer = new OpTimer(8, reps);
        try (Backend cpu = Backends.open("cpu")) {
            System.out.println("fast CPU backend: " + cpu.describe() + ", " + System.getProperty("java.vm.name") + " "
                    + System.getProperty("java.version"));
            SplittableRandom rnd = new SplittableRandom(1);
            for (int size : new int[] {256, 512, 1024, 2048}) {
                Tensor a = random(cpu, rnd, Shape.of(size, size));
                Tensor b = random(cpu, rnd, Shape.of(size, size));
                Tensor c = cpu.zeros(Shape.of(size, size));
                System.out.println(timer.time("sgemm " + size + "^3", (double) size * size * size,
                        () -> cpu.gemm(false, false, size, size, size, 1f, a, b, 0f, c)));
            }
            conv(cpu, timer, rnd, "conv2 N=64 32->64 26x26 3x3", Shape.of(64, 32, 26, 26), Shape.of(64, 32, 3, 3),
                    Conv2dParams.defaults());
            conv(cpu, timer, rnd, "depthwise N=32 64ch 56x56 3x3 pad 1", Shape.of(32, 64, 56, 56),
                    Shape.of(64, 1, 3, 3), Conv2dParams.of(1, 1).withGroups(64));
        }
    }

    private static void conv(Backend cpu, OpTimer timer, SplittableRandom rnd, String name, Shape xs, Shape ws,
                             Conv2dParams p) {
        Tensor x = random(cpu, rnd, xs);
        Tensor w = random(cpu, rnd, ws);
        Tensor bias = random(cpu, rnd, Shape.of(ws.dim(0)));
        Shape ys = p.outputShape(xs, ws, bias.shape());
        Tensor dy = random(cpu, rnd, ys);
        double macs = (double) ys.size() * ws.dim(1) * ws.dim(2) * ws.dim(3);
        System.out.println(timer.time(name + " fwd", macs, () -> cpu.conv2d(x, w, bias, p)));
        System.out.println(timer.time(name + " fwd+bwd", 3 * macs, () -> {
            cpu.conv2d(x, w, bias, p);
            Grads g = cpu.conv2dBackward(dy, x, w, true, true, p);
            if (g.weight() == null) {
                throw new IllegalStateException("no weight gradient");
            }
        }));
    }

    private static Tensor random(Backend cpu, SplittableRandom rnd, Shape s) {
        float[] v = new float[s.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (rnd.nextDouble() * 2 - 1);
        }
        return cpu.upload(s, v);
    }
}
