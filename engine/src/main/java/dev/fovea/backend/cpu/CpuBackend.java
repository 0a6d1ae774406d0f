package dev.fovea.backend.cpu;

import dev.fovea.backend.Grads;
import dev.fovea.backend.PoolOutput;
import dev.fovea.primitives.Activation;
import dev.fovea.primitives.BinaryOp;
import dev.fovea.primitives.Broadcast;
import dev.fovea.primitives.ConvGeometry;
import dev.fovea.primitives.ConvMode;
import dev.fovea.primitives.Conv2dParams;
import dev.fovea.primitives.Permutation;
import dev.fovea.primitives.Pool2dParams;
import dev.fovea.primitives.PoolKind;
import dev.fovea.primitives.ShapeRules;
import dev.fovea.primitives.StridedLayout;
import dev.fovea.optim.OptimizerConfig;
import dev.fovea.tensor.HostArrays;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;

import java.util.List;

/**
 * The CPU backend used for training ("cpu"): the reference kernels, with faster implementations
 * substituted where they exist. Convolution runs as im2col + a blocked, packed, multi-threaded SGEMM
 * ({@link Sgemm}), stride-1 3x3 convolution with enough channels as Winograd F(2x2, 3x3) ({@link Winograd};
 * {@link ConvRouter} chooses and reports), depthwise convolution as direct loops ({@link DirectDepthwise}); linear layers use
 * the same GEMM (the reference's linear forward reaches it through the overridden {@link #gemm}), or
 * an optimised native BLAS where one is installed ({@link NativeBlas}); pooling ({@link FastPool}) and
 * activations ({@link FastPointwise}) run the reference's arithmetic over the threads, without its
 * branches, and give bitwise its results; batch norm runs the reference's per-channel arithmetic with
 * the channels spread over the threads; optimiser updates are split over the threads in fixed chunks;
 * large outputs come from {@link HostArrays}. Results are bitwise
 * the same for every thread count. Every override is tested against {@link ReferenceBackend}.
 */
public class CpuBackend extends ReferenceBackend {
    private final CpuThreads threads;
    private final boolean ownsThreads;
    private final ConvRouter convRouter = ConvRouter.fromProperties();

    /** Uses the shared pool: {@code -Dfovea.threads} threads, or every available processor. */
    public CpuBackend() {
        this.threads = CpuThreads.shared();
        this.ownsThreads = false;
        VectorApiNotice.warnIfMissing(GemmKernels.vectorApiPresent(), System.err);
    }

    /** Uses a pool of its own with {@code threads} workers, stopped by {@link #close()}. */
    public CpuBackend(int threads) {
        this.threads = new CpuThreads(threads);
        this.ownsThreads = true;
        VectorApiNotice.warnIfMissing(GemmKernels.vectorApiPresent(), System.err);
    }

    /** The convolution kernel chosen for each shape so far, with its reason. */
    @Override
    public List<String> decisions() {
        return convRouter.decisions();
    }

    @Override
    public String name() {
        return "cpu";
    }

    public int threads() {
        return threads.threads();
    }

    @Override
    public String describe() {
        return threads() + " threads, GEMM kernel " + gemmKernelName() + ", dense layers " + denseGemmName();
    }

    /** The GEMM micro-kernel in use, e.g. "vector-api 6x32 (512-bit)" or "java-loops 4x64". */
    public static String gemmKernelName() {
        return GemmKernels.best().name();
    }

    /** What the dense layers' GEMMs run on: a native BLAS where one is in use, else the kernel above. */
    public static String denseGemmName() {
        NativeBlas blas = NativeBlas.get();
        return blas.inUse() ? blas.description() : GemmKernels.best().name() + "; native BLAS " + blas.description();
    }

    /** Batch norm's channels over the threads: the reference's arithmetic per channel, so the same bits. */
    @Override
    RefNorm.ChannelLoop channelLoop() {
        return threads::parallelFor;
    }

    // ---- convolution ------------------------------------------------------------------------

    @Override
    public Tensor conv2d(Tensor input, Tensor weight, Tensor bias, Conv2dParams p) {
        Shape out = p.outputShape(input.shape(), weight.shape(), bias == null ? null : bias.shape());
        ConvGeometry g = ConvGeometry.of(input.shape(), weight.shape(), out, p);
        float[] x = Host.floats(input);
        float[] w = crossCorrelationWeights(Host.floats(weight), g, p);
        float[] b = bias == null ? null : Host.floats(bias);
        float[] y = switch (convRouter.route(g)) {
            case DIRECT -> DirectDepthwise.forward(threads, x, w, b, g);
            case WINOGRAD, WINOGRAD_DATA -> Winograd.forward(threads, x, w, b, g);
            case IM2COL -> FastConv.forward(threads, x, w, b, g);
        };
        return Host.owned(out, y);
    }

    @Override
    public Grads conv2dBackward(Tensor gradOutput, Tensor input, Tensor weight, boolean hasBias,
                                boolean needInputGrad, Conv2dParams p) {
        Shape out = p.outputShape(input.shape(), weight.shape(), null);
        requireShape("conv2d backward", "grad_output", gradOutput, out);
        ConvGeometry g = ConvGeometry.of(input.shape(), weight.shape(), out, p);
        float[] dy = Host.floats(gradOutput);
        float[] x = Host.floats(input);
        float[] w = crossCorrelationWeights(Host.floats(weight), g, p);
        float[] dx;
        float[] dw;
        float[] db = null;
        ConvRouter.Route route = convRouter.route(g);
        if (route == ConvRouter.Route.DIRECT) {
            dw = new float[weight.size()];
            db = hasBias ? new float[g.cout()] : null;
            dx = DirectDepthwise.backward(threads, dy, x, w, g, needInputGrad, dw, db);
        } else {
            boolean winograd = route != ConvRouter.Route.IM2COL;
            dx = needInputGrad && !winograd ? HostArrays.zeroedFloats(input.size()) : null;
            dw = new float[weight.size()];
            if (route == ConvRouter.Route.WINOGRAD) {
                Winograd.weightGrad(threads, dy, x, g, dw);
            } else {
                FastConv.backward(threads, dy, x, w, g, dx, dw);
            }
            if (needInputGrad && winograd) {
                dx = Winograd.inputGrad(threads, dy, w, g);
            }
            db = hasBias ? FastConv.biasGrad(threads, dy, g.n(), g.cout(), g.outPlane()) : null;
        }
        if (p.mode() == ConvMode.CONVOLUTION) {
            // The gradient was taken with respect to the flipped kernel; flip it back.
            flipKernels(dw, g, dw);
        }
        return new Grads(dx == null ? null : Host.owned(input.shape(), dx), Host.tensor(weight.shape(), dw),
                db == null ? null : Host.tensor(Shape.of(g.cout()), db));
    }

    /** CONVOLUTION mode is cross-correlation with each kernel rotated by 180 degrees. */
    private static float[] crossCorrelationWeights(float[] w, ConvGeometry g, Conv2dParams p) {
        if (p.mode() != ConvMode.CONVOLUTION) {
            return w;
        }
        float[] flipped = new float[w.length];
        flipKernels(w, g, flipped);
        return flipped;
    }

    /** dst = src with every kh x kw kernel rotated by 180 degrees; dst may be src. */
    private static void flipKernels(float[] src, ConvGeometry g, float[] dst) {
        int taps = g.kh() * g.kw();
        for (int k = 0; k < src.length; k += taps) {
            for (int i = 0, j = taps - 1; i <= j; i++, j--) {
                float t = src[k + i];
                dst[k + i] = src[k + j];
                dst[k + j] = t;
            }
        }
    }

    // ---- pooling ----------------------------------------------------------------------------

    @Override
    public PoolOutput pool2d(Tensor input, Pool2dParams p) {
        Shape out = p.outputShape(input.shape());
        float[] y = HostArrays.floats(out.size());
        int[] idx = p.kind() == PoolKind.AVG ? null : HostArrays.ints(out.size());
        FastPool.forward(threads, Host.floats(input), input.shape(), p, out, y, idx);
        return new PoolOutput(Host.owned(out, y), idx == null ? null : Host.ownedInts(out, idx));
    }

    @Override
    public Tensor pool2dBackward(Tensor gradOutput, Tensor input, PoolOutput forward, Pool2dParams p) {
        Shape out = p.outputShape(input.shape());
        requireShape(p.kind().opName() + " backward", "grad_output", gradOutput, out);
        int[] idx = forward.indices() == null ? null : Host.ints(forward.indices());
        return Host.owned(input.shape(), FastPool.backward(threads, Host.floats(gradOutput), out, input.shape(), p,
                idx));
    }

    // ---- spatial resampling: adaptive pooling, upsample, pad ----

    /** About this many cells of a plane per spatial-op task: fewer tasks than planes when planes are small. */
    private static final int SPATIAL_TASK_ELEMENTS = 1 << 14;

    /**
     * The reference's adaptive pooling, upsampling and padding, with groups of channel planes spread
     * over the threads: each plane is computed as the reference computes it, so the bits are its bits.
     */
    @Override
    RefSpatial.Planes spatialPlanes() {
        return (count, planeElements, body) -> {
            int per = Math.max(1, SPATIAL_TASK_ELEMENTS / Math.max(1, planeElements));
            threads.parallelFor(Sgemm.ceilDiv(count, per), t -> {
                for (int plane = t * per, end = Math.min(count, plane + per); plane < end; plane++) {
                    body.accept(plane);
                }
            });
        };
    }

    // ---- dense ------------------------------------------------------------------------------

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha, Tensor a, Tensor b,
                     float beta, Tensor c) {
        ShapeRules.gemm(transA, transB, m, n, k, a.size(), b.size(), c.size());
        denseGemm(transA, transB, m, n, k, alpha, Host.floats(a), 0, Host.floats(b), 0, beta, Host.floats(c), 0);
    }

    /**
     * A dense layer's GEMM: on the native BLAS when one is in use, unless this runs inside a worker (the
     * native library has threads of its own) or is too small to pay for the call; otherwise {@link Sgemm}.
     * The choice depends on neither the thread count nor the data, so results stay thread-independent.
     */
    private void denseGemm(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int aOff,
                           float[] b, int bOff, float beta, float[] c, int cOff) {
        NativeBlas blas = NativeBlas.get();
        if (blas.inUse() && !threads.inWorker() && (long) m * n * k >= NATIVE_MIN_MACS) {
            blas.sgemm(transA, transB, m, n, k, alpha, a, aOff, b, bOff, beta, c, cOff);
        } else {
            Sgemm.gemm(threads, transA, transB, m, n, k, alpha, a, aOff, b, bOff, beta, c, cOff);
        }
    }

    /** Below this many multiply-adds a GEMM stays in Java (the JNI call and the native threads' wake-up cost more). */
    private static final long NATIVE_MIN_MACS = 1L << 15;

    @Override
    public Grads linearBackward(Tensor gradOutput, Tensor input, Tensor weight, boolean hasBias,
                                boolean needInputGrad) {
        Shape out = ShapeRules.linear(input.shape(), weight.shape(), null);
        requireShape("linear backward", "grad_output", gradOutput, out);
        int n = out.dim(0);
        int outF = out.dim(1);
        int inF = input.shape().dim(1);
        float[] dy = Host.floats(gradOutput);
        float[] dx = null;
        if (needInputGrad) {
            dx = HostArrays.floats(input.size());
            denseGemm(false, false, n, inF, outF, 1f, dy, 0, Host.floats(weight), 0, 0f, dx, 0);
        }
        float[] dw = new float[weight.size()];
        denseGemm(true, false, outF, inF, n, 1f, dy, 0, Host.floats(input), 0, 0f, dw, 0);
        return new Grads(dx == null ? null : Host.owned(input.shape(), dx), Host.tensor(weight.shape(), dw),
                hasBias ? Host.tensor(Shape.of(outF), FastConv.biasGrad(threads, dy, n, outF, 1)) : null);
    }

    // ---- pointwise --------------------------------------------------------------------------

    @Override
    public Tensor activation(Tensor input, Activation kind, float negativeSlope) {
        return Host.owned(input.shape(), FastPointwise.activation(threads, Host.floats(input), kind, negativeSlope));
    }

    @Override
    public Tensor activationBackward(Tensor gradOutput, Tensor input, Tensor output, Activation kind,
                                     float negativeSlope) {
        requireSameShape(kind.opName() + " backward", gradOutput, input);
        return Host.owned(input.shape(), FastPointwise.activationBackward(threads, Host.floats(gradOutput),
                Host.floats(input), Host.floats(output), kind, negativeSlope));
    }

    // ---- tensor algebra: broadcasting maps, reductions, permutes ----

    @Override
    public Tensor binary(BinaryOp op, Tensor a, Tensor b) {
        Shape out = Broadcast.shape(op.opName(), a.shape(), b.shape());
        float[] z = HostArrays.floats(out.size());
        FastAlgebra.binary(threads, op, Host.floats(a), Host.floats(b), z, StridedLayout.of(out.toArray(),
                Broadcast.strides(a.shape(), out), Broadcast.strides(b.shape(), out)));
        return Host.owned(out, z);
    }

    @Override
    public Tensor sumTo(Tensor t, Shape target, float scale) {
        Broadcast.requireReducible("sum_to", t.shape(), target);
        float[] y = HostArrays.floats(target.size());
        FastAlgebra.sumTo(threads, Host.floats(t), y, StridedLayout.of(t.shape().toArray(),
                StridedLayout.contiguous(t.shape()), Broadcast.strides(target, t.shape())), scale);
        return Host.owned(target, y);
    }

    @Override
    public Tensor broadcastTo(Tensor t, Shape shape) {
        Broadcast.requireExpandable("broadcast_to", t.shape(), shape);
        float[] y = HostArrays.floats(shape.size());
        FastAlgebra.gather(threads, Host.floats(t), y, StridedLayout.of(shape.toArray(),
                Broadcast.strides(t.shape(), shape)));
        return Host.owned(shape, y);
    }

    @Override
    public Tensor permute(Tensor t, int[] dims) {
        int[] axes = Permutation.axes("permute", t.shape(), dims);
        Shape out = Permutation.apply(t.shape(), axes);
        float[] y = HostArrays.floats(out.size());
        FastAlgebra.gather(threads, Host.floats(t), y, StridedLayout.of(out.toArray(),
                Permutation.inputStrides(t.shape(), axes)));
        return Host.owned(out, y);
    }

    // ---- optimiser --------------------------------------------------------------------------

    /** Elements per task of an optimiser update: each rule is elementwise, so any split gives the same bits. */
    private static final int UPDATE_CHUNK = 1 << 15;

    @Override
    public void optimizerUpdate(OptimizerConfig config, Tensor param, Tensor grad, List<Tensor> state, long step,
                                double lr) {
        float[][] s = stateArrays(config, param, grad, state);
        float[] p = Host.floats(param);
        float[] g = Host.floats(grad);
        int size = param.size();
        threads.parallelFor(Sgemm.ceilDiv(size, UPDATE_CHUNK), c -> config.update(p, g, s, step, lr, c * UPDATE_CHUNK,
                Math.min(size, (c + 1) * UPDATE_CHUNK)));
    }

    @Override
    public void close() {
        if (ownsThreads) {
            threads.close();
        }
    }
}
