package dev.fovea.backend.cpu;

import dev.fovea.primitives.ConvGeometry;
import dev.fovea.tensor.HostArrays;

/**
 * Convolution as im2col + {@link Sgemm}, per group, for cross-correlation (the caller flips the kernel
 * for CONVOLUTION mode). Each GEMM covers a batch of images whose column matrices sit side by side, as
 * many as give it about {@link #TARGET_COLUMNS} columns: a 4x4 plane alone made a 16-column GEMM, one
 * panel wide, that spent its time on edges and on rewriting C (a 512-channel weight gradient re-read and
 * re-wrote 9 MB per image for 75 MFLOP). Batches are spread over the threads when there are at least as
 * many as threads; otherwise they run in turn and each GEMM uses the threads. The weight gradient sums
 * images in chunks whose bounds depend only on the shape, then adds the chunk sums in order, so the
 * result is the same for every thread count.
 */
final class FastConv {
    /** The weight gradient is summed in at most this many image chunks (bounds memory for the partial sums). */
    private static final int MAX_CHUNKS = 16;
    /**
     * Columns (images x output pixels) one GEMM gets when planes are small: enough for full-width panels
     * and long depth runs, while a 576-row column matrix stays at a few MB.
     */
    static final int TARGET_COLUMNS = 1024;

    private FastConv() {
    }

    /** Images per GEMM, at most {@code limit}: 1 for planes of TARGET_COLUMNS pixels or more. */
    static int imagesPerGemm(ConvGeometry g, int limit) {
        return Math.max(1, Math.min(limit, Sgemm.ceilDiv(TARGET_COLUMNS, Math.max(1, g.outPlane()))));
    }

    static float[] forward(CpuThreads threads, float[] x, float[] w, float[] bias, ConvGeometry g) {
        // Every element is written: the bias fill, the GEMM's first depth slice or the copy overwrites it.
        float[] y = HostArrays.floats(g.n() * g.cout() * g.outPlane());
        int per = imagesPerGemm(g, g.n());
        forEachImage(threads, Sgemm.ceilDiv(g.n(), per),
                batch -> forwardImages(threads, x, w, bias, g, y, batch * per, Math.min(g.n(), (batch + 1) * per)));
        return y;
    }

    private static void forwardImages(CpuThreads threads, float[] x, float[] w, float[] bias, ConvGeometry g,
                                      float[] y, int first, int end) {
        int plane = g.outPlane();
        int images = end - first;
        if (images == 1) {
            forwardImage(threads, x, w, bias, g, y, first);
            return;
        }
        // Several images: one GEMM into coutG x (images * plane), then each image's rows copied to y.
        int cols = images * plane;
        float[] col = Scratch.get(Scratch.Slot.COLUMNS, g.kdim() * cols);
        float[] out = Scratch.get(Scratch.Slot.GEMM_OUT, g.coutG() * cols);
        for (int grp = 0; grp < g.groups(); grp++) {
            for (int i = 0; i < images; i++) {
                Im2col.unfold(x, ((first + i) * g.cin() + grp * g.cinG()) * g.inPlane(), g, col, i * plane, cols);
            }
            Sgemm.gemm(threads, false, false, g.coutG(), cols, g.kdim(), 1f, w, grp * g.coutG() * g.kdim(),
                    col, 0, 0f, out, 0);
            for (int i = 0; i < images; i++) {
                for (int o = 0; o < g.coutG(); o++) {
                    int src = o * cols + i * plane;
                    int dst = ((first + i) * g.cout() + grp * g.coutG() + o) * plane;
                    if (bias == null) {
                        System.arraycopy(out, src, y, dst, plane);
                    } else {
                        // bias + sum, as the single-image route's GEMM adds its sum onto the bias fill.
                        float b = bias[grp * g.coutG() + o];
                        for (int p = 0; p < plane; p++) {
                            y[dst + p] = b + out[src + p];
                        }
                    }
                }
            }
        }
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
                Im2col.unfold(x, xOff, g, col, 0, plane);
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
        // Chunks of at least one GEMM's images, so small planes are not cut into narrow GEMMs again.
        int chunkSize = Math.min(g.n(), Math.max(Sgemm.ceilDiv(g.n(), MAX_CHUNKS), imagesPerGemm(g, g.n())));
        int chunks = Sgemm.ceilDiv(g.n(), chunkSize);
        int per = imagesPerGemm(g, chunkSize);
        int wSize = dw.length;
        // The caller's buffer: workers write disjoint chunks of it while the caller waits for them. Each
        // chunk holds its images' sum of dW transposed (kdim x coutG per group), see backwardImages.
        float[] partials = Scratch.get(Scratch.Slot.WEIGHT_PARTIALS, chunks * wSize);
        forEachImage(threads, chunks, chunk -> {
            int start = chunk * chunkSize;
            int end = Math.min(g.n(), start + chunkSize);
            for (int first = start; first < end; first += per) {
                backwardImages(threads, dy, x, w, g, dx, partials, chunk * wSize, first == start ? 0f : 1f, first,
                        Math.min(end, first + per));
            }
        });
        // The chunks' sums in chunk order into the first chunk, streaming: summing them during the
        // transpose below read 16 strided floats per weight from up to 150 MB and took 45% of a ResNet step.
        if (chunks > 1) {
            int block = 4096;
            threads.parallelFor(Sgemm.ceilDiv(wSize, block), blk -> {
                int hi = Math.min(wSize, (blk + 1) * block);
                for (int c = 1; c < chunks; c++) {
                    int base = c * wSize;
                    for (int at = blk * block; at < hi; at++) {
                        partials[at] += partials[base + at];
                    }
                }
            });
        }
        // dw = that sum transposed back to coutG x kdim per group.
        int kdim = g.kdim();
        int coutG = g.coutG();
        threads.parallelFor(g.cout(), o -> {
            int at = (o / coutG) * coutG * kdim + o % coutG;
            for (int kk = 0; kk < kdim; kk++, at += coutG) {
                dw[o * kdim + kk] = partials[at];
            }
        });
    }

    /** The gradients from images [first, end): dW^T into {@code dwt} (added when beta is 1), dx folded. */
    private static void backwardImages(CpuThreads threads, float[] dy, float[] x, float[] w, ConvGeometry g,
                                       float[] dx, float[] dwt, int dwtOff, float beta, int first, int end) {
        int plane = g.outPlane();
        int images = end - first;
        int cols = images * plane;
        // One image of a 1x1 convolution: its input and dy planes already are the GEMM operands.
        boolean inPlace = images == 1 && g.pointwise();
        for (int grp = 0; grp < g.groups(); grp++) {
            int wOff = grp * g.coutG() * g.kdim();
            float[] col = x;
            int colOff = (first * g.cin() + grp * g.cinG()) * g.inPlane();
            if (!inPlace) {
                col = Scratch.get(Scratch.Slot.COLUMNS, g.kdim() * cols);
                colOff = 0;
                for (int i = 0; i < images; i++) {
                    Im2col.unfold(x, ((first + i) * g.cin() + grp * g.cinG()) * g.inPlane(), g, col, i * plane, cols);
                }
            }
            // dY_g as coutG x cols: in place for one image, else its images' rows gathered side by side.
            float[] d = dy;
            int dOff = (first * g.cout() + grp * g.coutG()) * plane;
            if (images > 1) {
                d = Scratch.get(Scratch.Slot.GRAD_GATHER, g.coutG() * cols);
                dOff = 0;
                for (int o = 0; o < g.coutG(); o++) {
                    for (int i = 0; i < images; i++) {
                        System.arraycopy(dy, ((first + i) * g.cout() + grp * g.coutG() + o) * plane, d,
                                o * cols + i * plane, plane);
                    }
                }
            }
            // dW_g^T (kdim x coutG) += col (kdim x cols) * dY_g^T: transposed, so that the operand the
            // GEMM packs transposed is dY_g (coutG rows) rather than the kdim/coutG times larger col.
            Sgemm.gemm(threads, false, true, g.kdim(), g.coutG(), cols, 1f, col, colOff, d, dOff, beta,
                    dwt, dwtOff + grp * g.kdim() * g.coutG());
            if (dx == null) {
                continue;
            }
            // dcol (kdim x cols) = W_g^T * dY_g, folded back onto each image's input.
            if (inPlace) {
                Sgemm.gemm(threads, true, false, g.kdim(), plane, g.coutG(), 1f, w, wOff, d, dOff, 0f, dx, colOff);
                continue;
            }
            float[] dcol = Scratch.get(Scratch.Slot.COLUMN_GRADS, g.kdim() * cols);
            Sgemm.gemm(threads, true, false, g.kdim(), cols, g.coutG(), 1f, w, wOff, d, dOff, 0f, dcol, 0);
            for (int i = 0; i < images; i++) {
                Im2col.fold(dcol, i * plane, cols, g, dx, ((first + i) * g.cin() + grp * g.cinG()) * g.inPlane());
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
