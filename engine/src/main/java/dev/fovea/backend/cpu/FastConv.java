package dev.fovea.backend.cpu;

import dev.fovea.tensor.HostArrays;

/**
 * Convolution as im2col + {@link Sgemm}, per image and per group, for cross-correlation (the caller
 * flips the kernel for CONVOLUTION mode). Images are spread over the threads when there are at least as
 * many images as threads; otherwise images run in turn and each GEMM uses the threads. The weight
 * gradient sums images in fixed chunks whose bounds depend only on the batch size, then adds the chunk
 * sums in order, so the result is the same for every thread count.
 */
final class FastConv {
    /** The weight gradient is summed in at most this many image chunks (bounds memory for the partial sums). */
    private static final int MAX_CHUNKS = 16;

    private FastConv() {
    }

    static float[] forward(CpuThreads threads, float[] x, float[] w, float[] bias, ConvGeometry g) {
        // Every element is written: the bias fill or the GEMM's first depth slice overwrites it.
        float[] y = HostArrays.floats(g.n() * g.cout() * g.outPlane());
        forEachImage(threads, g.n(), img -> forwardImage(threads, x, w, bias, g, y, img));
        return y;
    }

    private static void forwardImage(CpuThreads threads, float[] x, float[] w, float[] bias, ConvGeometry g,
                                     float[] y, int img) {
        int plane = g.outPlane();
        int yImg = img * g.cout() * plane;
        if (bias != null) {
            for (int o = 0; o < g.cout(); o++) {
                java.util.Arrays.fill(y, yImg + o * plane, yImg + (o + 1) * plane, bias[o]);
            }
        }
        float beta = bias == null ? 0f : 1f;
        for (int grp = 0; grp < g.groups(); grp++) {
            int xOff = (img * g.cin() + grp * g.cinG()) * g.inPlane();
            float[] col = x;
            int colOff = xOff;
            if (!g.pointwise()) {
                col = Scratch.get(Scratch.Slot.COLUMNS, g.kdim() * plane);
                colOff = 0;
                Im2col.unfold(x, xOff, g, col);
            }
            Sgemm.gemm(threads, false, false, g.coutG(), plane, g.kdim(), 1f, w, grp * g.coutG() * g.kdim(),
                    col, colOff, beta, y, yImg + grp * g.coutG() * plane);
        }
    }

    /** Fills {@code dw} (and {@code dx} when not null; it must hold zeros) with the gradients. */
    static void backward(CpuThreads threads, float[] dy, float[] x, float[] w, ConvGeometry g, float[] dx,
                         float[] dw) {
        if (g.n() == 0) {
            return;
        }
        int chunkSize = Sgemm.ceilDiv(g.n(), Math.min(g.n(), MAX_CHUNKS));
        int chunks = Sgemm.ceilDiv(g.n(), chunkSize);
        int wSize = dw.length;
        // The caller's buffer: workers write disjoint chunks of it while the caller waits for them. Each
        // chunk holds its images' sum of dW transposed (kdim x coutG per group), see backwardImage.
        float[] partials = Scratch.get(Scratch.Slot.WEIGHT_PARTIALS, chunks * wSize);
        forEachImage(threads, chunks, chunk -> {
            int end = Math.min(g.n(), (chunk + 1) * chunkSize);
            for (int img = chunk * chunkSize; img < end; img++) {
                float beta = img == chunk * chunkSize ? 0f : 1f;
                backwardImage(threads, dy, x, w, g, dx, partials, chunk * wSize, beta, img);
            }
        });
        // dw = the chunks' sums in chunk order, transposed back to coutG x kdim per group.
        int kdim = g.kdim();
        int coutG = g.coutG();
        threads.parallelFor(g.cout(), o -> {
            int grpBase = (o / coutG) * coutG * kdim;
            int col = o % coutG;
            for (int kk = 0; kk < kdim; kk++) {
                int at = grpBase + kk * coutG + col;
                float sum = partials[at];
                for (int c = 1; c < chunks; c++) {
                    sum += partials[c * wSize + at];
                }
                dw[o * kdim + kk] = sum;
            }
        });
    }

    private static void backwardImage(CpuThreads threads, float[] dy, float[] x, float[] w, ConvGeometry g,
                                      float[] dx, float[] dwt, int dwtOff, float beta, int img) {
        int plane = g.outPlane();
        for (int grp = 0; grp < g.groups(); grp++) {
            int xOff = (img * g.cin() + grp * g.cinG()) * g.inPlane();
            int dyOff = (img * g.cout() + grp * g.coutG()) * plane;
            int wOff = grp * g.coutG() * g.kdim();
            float[] col = x;
            int colOff = xOff;
            if (!g.pointwise()) {
                col = Scratch.get(Scratch.Slot.COLUMNS, g.kdim() * plane);
                colOff = 0;
                Im2col.unfold(x, xOff, g, col);
            }
            // dW_g^T (kdim x coutG) += col (kdim x plane) * dY_g^T: transposed, so that the operand the
            // GEMM packs transposed is dY_g (coutG rows) rather than the kdim/coutG times larger col.
            Sgemm.gemm(threads, false, true, g.kdim(), g.coutG(), plane, 1f, col, colOff, dy, dyOff, beta,
                    dwt, dwtOff + grp * g.kdim() * g.coutG());
            if (dx == null) {
                continue;
            }
            // dcol (kdim x plane) = W_g^T * dY_g, folded back onto the input.
            if (g.pointwise()) {
                Sgemm.gemm(threads, true, false, g.kdim(), plane, g.coutG(), 1f, w, wOff, dy, dyOff, 0f, dx, xOff);
            } else {
                float[] dcol = Scratch.get(Scratch.Slot.COLUMN_GRADS, g.kdim() * plane);
                Sgemm.gemm(threads, true, false, g.kdim(), plane, g.coutG(), 1f, w, wOff, dy, dyOff, 0f, dcol, 0);
                Im2col.fold(dcol, g, dx, xOff);
            }
        }
    }

    /**
     * Sum of dy over batch and pixels per output channel, in double, one channel per task. Four
     * interleaved partial sums, so the adds do not wait on each other (one chain was latency-bound).
     */
    static float[] biasGrad(CpuThreads threads, float[] dy, int n, int channels, int plane) {
        float[] db = new float[channels];
        threads.parallelFor(channels, o -> {
            double s0 = 0;
            double s1 = 0;
            double s2 = 0;
            double s3 = 0;
            for (int img = 0; img < n; img++) {
                int off = (img * channels + o) * plane;
                int i = 0;
                for (; i + 4 <= plane; i += 4) {
                    s0 += dy[off + i];
                    s1 += dy[off + i + 1];
                    s2 += dy[off + i + 2];
                    s3 += dy[off + i + 3];
                }
                for (; i < plane; i++) {
                    s0 += dy[off + i];
                }
            }
            db[o] = (float) ((s0 + s1) + (s2 + s3));
        });
        return db;
    }

    /**
     * Runs {@code count} independent tasks over the threads (their GEMMs then run inline on the worker),
     * or in turn when there are fewer tasks than threads, so that each GEMM uses the threads instead.
     */
    static void forEachImage(CpuThreads threads, int count, java.util.function.IntConsumer task) {
        if (count >= threads.threads()) {
            threads.parallelFor(count, task);
        } else {
            for (int i = 0; i < count; i++) {
                task.accept(i);
            }
        }
    }
}
