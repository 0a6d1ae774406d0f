import dev.fovea.backend.cpu.CpuBackend;
import dev.fovea.primitives.Conv2dParams;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * In-process A/B of the cpu backend's convolution routes: im2col (-Dfovea.winograd=off at construction)
 * and Winograd, alternating every repetition on the same tensors, wall clock; prints min and median.
 * usage: java --add-modules jdk.incubator.vector -cp engine/target/classes:. WinogradAb THREADS REPS
 */
public class WinogradAb {
    public static void main(String[] args) {
        int threads = Integer.parseInt(args[0]);
        int reps = Integer.parseInt(args[1]);
        System.setProperty("fovea.winograd", "off");
        CpuBackend off = new CpuBackend(threads);
        System.setProperty("fovea.winograd", "auto");
        CpuBackend on = new CpuBackend(threads);
        int[][] shapes = {{32, 64, 32}, {32, 128, 16}, {32, 256, 8}, {32, 512, 4}, {32, 64, 56}};
        System.out.printf("%d threads, %d alternating reps; ms: min / median%n", threads, reps);
        for (int[] s : shapes) {
            SplittableRandom r = new SplittableRandom(7);
            Shape xs = Shape.of(s[0], s[1], s[2], s[2]);
            Shape ws = Shape.of(s[1], s[1], 3, 3);
            Tensor x = off.upload(xs, rnd(r, xs.size()));
            Tensor w = off.upload(ws, rnd(r, ws.size()));
            Tensor dy = off.upload(xs, rnd(r, xs.size()));
            Conv2dParams p = Conv2dParams.of(1, 1);
            double[][] t = new double[4][reps];
            for (int i = -2; i < reps; i++) {
                double a = time(() -> off.conv2d(x, w, null, p).close());
                double b = time(() -> on.conv2d(x, w, null, p).close());
                double c = time(() -> close(off.conv2dBackward(dy, x, w, false, true, p)));
                double d = time(() -> close(on.conv2dBackward(dy, x, w, false, true, p)));
                if (i >= 0) {
                    t[0][i] = a; t[1][i] = b; t[2][i] = c; t[3][i] = d;
                }
            }
            for (double[] row : t) {
                Arrays.sort(row);
            }
            System.out.printf("N%d %dch %dx%d  fwd: im2col %.1f / %.1f  winograd %.1f / %.1f  (x%.2f / x%.2f)"
                            + "   bwd: im2col %.1f / %.1f  winograd-dx %.1f / %.1f  (x%.2f / x%.2f)%n",
                    s[0], s[1], s[2], s[2], t[0][0], t[0][reps / 2], t[1][0], t[1][reps / 2], t[0][0] / t[1][0],
                    t[0][reps / 2] / t[1][reps / 2], t[2][0], t[2][reps / 2], t[3][0], t[3][reps / 2],
                    t[2][0] / t[3][0], t[2][reps / 2] / t[3][reps / 2]);
        }
        off.close();
        on.close();
    }

    private static void close(dev.fovea.backend.Grads g) {
        if (g.input() != null) {
            g.input().close();
        }
        g.weight().close();
    }

    private static float[] rnd(SplittableRandom r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return v;
    }

    private static double time(Runnable body) {
        long t0 = System.nanoTime();
        body.run();
        return (System.nanoTime() - t0) / 1e6;
    }
}
