package dev.fovea.backend.cpu;

import dev.fovea.testing.Arrays2;

import java.util.Arrays;
import java.util.Locale;

/**
 * Times {@link Sgemm} against the native BLAS in one JVM, alternating rounds so both sides see the same
 * machine load: prints each shape's best median per side and their ratio (above 1: Java faster). Shapes:
 * 1024^3 and resnet18-cifar's convolution GEMMs (im2col forward, several small planes batched to 1024
 * columns; Winograd's per-point GEMMs over about 512 tiles; the transposed weight gradient). Not a test:
 * run with {@code OPENBLAS_NUM_THREADS=2 java --add-modules jdk.incubator.vector -cp <engine test and main
 * classes + deps> dev.fovea.backend.cpu.SgemmVsNative [rounds] [reps]}.
 */
final class SgemmVsNative {
    private SgemmVsNative() {
    }

    /** {transA, transB, m, n, k} */
    private static final int[][] SHAPES = {
        {0, 0, 1024, 1024, 1024},
        {0, 0, 64, 1024, 576}, // conv 64->64 3x3 on 32x32, one image
        {0, 0, 128, 1024, 1152}, // 128->128 on 16x16, four images
        {0, 0, 256, 1024, 2304}, // 256->256 on 8x8, sixteen images
        {0, 0, 512, 1024, 4608}, // 512->512 on 4x4, 64 images
        {0, 0, 64, 512, 64}, // Winograd point GEMM, 64 channels
        {0, 0, 256, 512, 256}, // Winograd point GEMM, 256 channels
        {0, 1, 576, 64, 1024}, // weight gradient col x dY^T, 64 channels on 32x32
    };

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        int reps = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        NativeBlas blas = NativeBlas.load("native");
        int threads = Integer.getInteger(CpuThreads.PROPERTY, 2);
        System.out.println("java: " + GemmKernels.best().name() + ", " + threads + " threads; native: "
                + blas.description() + ", OPENBLAS_NUM_THREADS=" + System.getenv("OPENBLAS_NUM_THREADS"));
        try (CpuThreads pool = new CpuThreads(threads)) {
            for (int[] s : SHAPES) {
                boolean ta = s[0] != 0;
                boolean tb = s[1] != 0;
                int m = s[2];
                int n = s[3];
                int k = s[4];
                float[] a = Arrays2.random(m * k, 1);
                float[] b = Arrays2.random(k * n, 2);
                float[] cj = new float[m * n];
                float[] cn = new float[m * n];
                Runnable java = () -> Sgemm.gemm(pool, ta, tb, m, n, k, 1f, a, 0, b, 0, 0f, cj, 0);
                Runnable nat = () -> blas.sgemm(ta, tb, m, n, k, 1f, a, 0, b, 0, 0f, cn, 0);
                double bestJ = Double.MAX_VALUE;
                double bestN = Double.MAX_VALUE;
                for (int r = 0; r < rounds; r++) {
                    bestJ = Math.min(bestJ, median(java, reps));
                    bestN = Math.min(bestN, median(nat, reps));
                }
                double flops = 2.0 * m * n * k;
                System.out.printf(Locale.ROOT, "%s m=%d n=%d k=%d  java %.2f ms (%.1f GF/s)  native %.2f ms "
                                + "(%.1f GF/s)  java/native speed %.2fx  max|diff| %.2e%n",
                        (ta ? "T" : "N") + (tb ? "T" : "N"), m, n, k, bestJ * 1e3, flops / bestJ / 1e9, bestN * 1e3,
                        flops / bestN / 1e9, bestN / bestJ, maxDiff(cj, cn));
            }
        }
    }

    private static double median(Runnable r, int reps) {
        r.run();
        double[] t = new double[reps];
        for (int i = 0; i < reps; i++) {
            long t0 = System.nanoTime();
            r.run();
            t[i] = (System.nanoTime() - t0) * 1e-9;
        }
        Arrays.sort(t);
        return t[reps / 2];
    }

    private static double maxDiff(float[] x, float[] y) {
        double d = 0;
        for (int i = 0; i < x.length; i++) {
            d = Math.max(d, Math.abs(x[i] - y[i]));
        }
        return d;
    }
}
