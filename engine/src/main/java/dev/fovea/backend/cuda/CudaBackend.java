package dev.fovea.backend.cuda;

import dev.fovea.backend.Backend;
import dev.fovea.backend.BatchNormOutput;
import dev.fovea.backend.DeviceActivity;
import dev.fovea.backend.DropoutOutput;
import dev.fovea.backend.Grads;
import dev.fovea.backend.PoolOutput;
import dev.fovea.backend.cuda.SoftGpuCounters.Counter;
import dev.fovea.primitives.Activation;
import dev.fovea.primitives.BatchNormParams;
import dev.fovea.primitives.BinaryOp;
import dev.fovea.primitives.Conv2dParams;
import dev.fovea.primitives.ConvGeometry;
import dev.fovea.primitives.DropoutParams;
import dev.fovea.primitives.LossKind;
import dev.fovea.primitives.Pool2dParams;
import dev.fovea.primitives.Resampling2d;
import dev.fovea.tensor.DType;
import dev.fovea.tensor.Device;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import jcuda.Sizeof;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Consumer;

import static dev.fovea.backend.cuda.CudaDevice.ptr;

/**
 * The backend SPI on one NVIDIA GPU ("cuda"): cuDNN for convolution, pooling, batch norm,
 * activations and softmax, cuBLAS for GEMMs, Fovea's PTX kernels for what cuDNN lacks or does
 * slowly, chosen per op and shape by the {@link Router}. Construct it only after
 * {@link CudaProbe#status()} says CUDA is available ({@code Backends} does).
 *
 * <p>Max pooling routed to cuDNN returns no indices (cuDNN recomputes the winner from the saved
 * input and output); min pooling, and max pooling without cuDNN, return them as the CPU does.
 */
public final class CudaBackend implements Backend {
    static final KernelRef BIAS_ADD = KernelRef.of("elementwise", "fovea_bias_add");

    private final CudaOptions options;
    private final CudaDevice dev;
    private final Router router;
    private final CudnnConv cudnnConv;
    private final CudnnOps cudnnOps;
    private final KernelConv kernelConv;
    private final CudaPointwise pointwise;
    private final CudaAlgebra algebra;
    private final CudaOptim optim;
    private final CudaPoolNorm poolNorm;
    private final CudaSpatial spatial;
    private final List<String> notes = Collections.synchronizedList(new ArrayList<>());

    /**
     * @param listener receives each routing decision and cuDNN algorithm choice once, as it is made
     * @throws IllegalStateException with the probe's reason when CUDA is not usable
     */
    public CudaBackend(CudaOptions options, Consumer<String> listener) {
        CudaStatus status = CudaProbe.status();
        if (!status.available()) {
            throw new IllegalStateException(status.reason());
        }
        if (options.device() >= status.gpus().size() || !status.gpus().get(options.device()).supported()) {
            throw new IllegalArgumentException("cuda:" + options.device() + " is not a usable GPU; usable: "
                    + status.usableGpus());
        }
        this.options = options;
        Consumer<String> log = note -> {
            notes.add(note);
            listener.accept(note);
        };
        this.dev = new CudaDevice(status, options);
        this.router = new Router(status.cudnnAvailable(), log);
        this.cudnnOps = status.cudnnAvailable() ? new CudnnOps(dev, options.deterministic()) : null;
        this.cudnnConv = status.cudnnAvailable() ? new CudnnConv(dev, options, log) : null;
        this.kernelConv = new KernelConv(dev);
        this.pointwise = new CudaPointwise(dev, router, cudnnOps);
        this.algebra = new CudaAlgebra(dev);
        this.optim = new CudaOptim(dev);
        this.poolNorm = new CudaPoolNorm(dev, router, cudnnOps);
        this.spatial = new CudaSpatial(dev);
        if (!status.cudnnAvailable()) {
            log.accept(status.cudnnReason());
        }
    }

    public CudaBackend() {
        this(CudaOptions.defaults(), note -> { });
    }

    @Override
    public String name() {
        return "cuda";
    }

    @Override
    public Device device() {
        return dev.device;
    }

    public CudaOptions options() {
        return options;
    }

    /** The device itself, for this package's tests (which plant faults below the SPI). */
    CudaDevice gpu() {
        return dev;
    }

    /** The GPU, its memory, and the driver and library versions. */
    @Override
    public String describe() {
        CudaStatus s = CudaProbe.status();
        GpuInfo g = s.gpus().get(dev.device.index());
        return g.name() + ", compute capability " + g.ccMajor() + "." + g.ccMinor() + ", "
                + CudaVersions.bytes(g.totalBytes()) + "; " + s.versions() + "; JCuda 11.7.0"
                + (s.cudnnAvailable() ? "" : "; " + s.cudnnReason());
    }

    /** Routing decisions and algorithm choices so far, in order (`fovea train --verbose`). */
    @Override
    public List<String> decisions() {
        synchronized (notes) {
            return List.copyOf(notes);
        }
    }

    @Override
    public OptionalLong peakBytes() {
        return OptionalLong.of(dev.allocator.peakBytes());
    }

    public long currentBytes() {
        return dev.allocator.currentBytes();
    }

    /** Waits for every queued GPU operation (benchmarks call this before reading the clock). */
    @Override
    public void synchronize() {
        dev.synchronize("synchronize");
    }

    /** GPU milliseconds of the work {@code body} queues, measured with CUDA events on the backend's stream. */
    @Override
    public double timeMs(Runnable body) {
        return dev.timeMs(body);
    }

    /** The software GPU's counters; a real driver keeps none, and the result is empty. */
    @Override
    public Optional<DeviceActivity> activity() {
        return SoftGpuCounters.attach().map(c -> new DeviceActivity(c.get(Counter.LAUNCHES),
                c.get(Counter.CUBLAS_CALLS) + c.get(Counter.CUDNN_CALLS), c.get(Counter.HTOD_COPIES),
                c.get(Counter.HTOD_BYTES), c.get(Counter.DTOH_COPIES), c.get(Counter.DTOH_BYTES),
                c.get(Counter.DTOD_COPIES), c.get(Counter.SYNCHRONIZATIONS), c.get(Counter.DEVICE_ALLOCATIONS)));
    }

    // ---- memory ------------------------------------------------------------------------------

    @Override
    public Tensor upload(Shape shape, float[] data) {
        if (data.length != shape.size()) {
            throw new IllegalArgumentException("upload: shape " + shape + " needs " + shape.size() + " values, got "
                    + data.length);
        }
        Tensor t = dev.tensor(shape, "upload " + shape);
        dev.upload(data, ptr(t));
        return t;
    }

    @Override
    public float[] download(Tensor t) {
        requireDType("download", t, DType.FLOAT32);
        return pointwise.download(t);
    }

    @Override
    public int[] downloadInts(Tensor t) {
        requireDType("downloadInts", t, DType.INT32);
        return dev.downloadInts(ptr(t), t.size());
    }

    private static void requireDType(String op, Tensor t, DType expected) {
        if (t.dtype() != expected) {
            throw new IllegalArgumentException(op + ": tensor " + t + " holds " + t.dtype() + ", expected " + expected);
        }
    }

    @Override
    public Tensor zeros(Shape shape) {
        Tensor t = dev.tensor(shape, "zeros " + shape);
        dev.zero(ptr(t), (long) shape.size() * Sizeof.FLOAT, "zeros " + shape);
        return t;
    }

    @Override
    public void copy(Tensor src, Tensor dst) {
        CudaChecks.sameShape("copy", src, dst);
        dev.copyDeviceToDevice(ptr(src), ptr(dst), (long) src.size() * Sizeof.FLOAT, "copy " + src.shape());
    }

    // ---- convolution ------------------------------------------------------------------------

    @Override
    public Tensor conv2d(Tensor input, Tensor weight, Tensor bias, Conv2dParams p) {
        Shape out = p.outputShape(input.shape(), weight.shape(), bias == null ? null : bias.shape());
        ConvGeometry g = ConvGeometry.of(input.shape(), weight.shape(), p);
        String ctx = "conv2d forward " + g.describe();
        Route route = router.conv2d(g);
        Tensor y = dev.tensor(out, ctx);
        if (out.size() == 0) {
            return y; // an empty batch: nothing to compute, and cuDNN refuses zero-sized descriptors
        }
        // A switch expression (as every switch over an enum here), so that a new engine fails to compile
        // instead of leaving y unwritten; it yields whether the engine added the bias itself.
        boolean biasAdded = switch (route.engine()) {
            case CUDNN -> {
                cudnnConv.forward(g, key(AlgoKey.ConvPass.FORWARD, input, weight, p), ptr(input), ptr(weight), ptr(y));
                yield false;
            }
            case IM2COL_CUBLAS -> {
                kernelConv.im2colForward(g, ptr(input), ptr(weight), ptr(y), ctx);
                yield false;
            }
            case KERNEL -> {
                kernelConv.directForward(g, ptr(input), ptr(weight), bias == null ? null : ptr(bias), ptr(y), ctx);
                yield true;
            }
        };
        if (bias != null && !biasAdded) {
            dev.kernels.launch(BIAS_ADD, out.size(), ctx, ptr(bias), ptr(y), out.dim(0), out.dim(1),
                    out.dim(2) * out.dim(3));
        }
        return y;
    }

    private AlgoKey key(AlgoKey.ConvPass pass, Tensor input, Tensor weight, Conv2dParams p) {
        return new AlgoKey(pass, input.shape(), weight.shape(), p, options.deterministic(), options.tensorCores());
    }

    @Override
    public Grads conv2dBackward(Tensor gradOutput, Tensor input, Tensor weight, boolean hasBias,
                                boolean needInputGrad, Conv2dParams p) {
        Shape out = p.outputShape(input.shape(), weight.shape(), null);
        CudaChecks.shape("conv2d backward", "grad_output", gradOutput, out);
        ConvGeometry g = ConvGeometry.of(input.shape(), weight.shape(), p);
        String ctx = "conv2d backward " + g.describe();
        Route route = router.conv2d(g);
        Tensor dx = needInputGrad ? dev.tensor(input.shape(), ctx) : null;
        Tensor dw = dev.tensor(weight.shape(), ctx);
        if (out.size() == 0) {
            // Sums over an empty batch (or an empty output): zero weight and bias gradients.
            dev.zero(ptr(dw), (long) dw.size() * Sizeof.FLOAT, ctx);
            Tensor db = null;
            if (hasBias) {
                db = dev.tensor(Shape.of(out.dim(1)), ctx);
                dev.zero(ptr(db), (long) db.size() * Sizeof.FLOAT, ctx);
            }
            if (dx != null) {
                dev.zero(ptr(dx), (long) dx.size() * Sizeof.FLOAT, ctx);
            }
            return new Grads(dx, dw, db);
        }
        // A switch expression, so that a new engine fails to compile instead of leaving dw unwritten.
        Runnable gradients = switch (route.engine()) {
            case CUDNN -> () -> {
                if (dx != null) {
                    cudnnConv.backwardData(g, key(AlgoKey.ConvPass.BACKWARD_DATA, input, weight, p), ptr(gradOutput),
                            ptr(weight), ptr(dx));
                }
                cudnnConv.backwardFilter(g, key(AlgoKey.ConvPass.BACKWARD_FILTER, input, weight, p), ptr(input),
                        ptr(gradOutput), ptr(dw));
            };
            case IM2COL_CUBLAS -> () -> {
                if (dx != null) {
                    kernelConv.im2colBackwardData(g, ptr(gradOutput), ptr(weight), ptr(dx), ctx);
                }
                kernelConv.im2colBackwardFilter(g, ptr(gradOutput), ptr(input), ptr(dw), ctx);
            };
            case KERNEL -> () -> {
                if (dx != null) {
                    kernelConv.directBackwardData(g, ptr(gradOutput), ptr(weight), ptr(dx), ctx);
                }
                kernelConv.directBackwardFilter(g, ptr(gradOutput), ptr(input), ptr(dw), ctx);
            };
        };
        gradients.run();
        Tensor db = null;
        if (hasBias) {
            db = dev.tensor(Shape.of(out.dim(1)), ctx);
            Reductions.channelSums(dev, ptr(gradOutput), ptr(db), out.dim(0), out.dim(1), out.dim(2) * out.dim(3), ctx);
        }
        return new Grads(dx, dw, db);
    }

    // ---- pooling and normalisation -----------------------------------------------------------

    @Override
    public PoolOutput pool2d(Tensor input, Pool2dParams p) {
        return poolNorm.pool2d(input, p);
    }

    @Override
    public Tensor pool2dBackward(Tensor gradOutput, Tensor input, PoolOutput forward, Pool2dParams p) {
        return poolNorm.pool2dBackward(gradOutput, input, forward, p);
    }

    // ---- spatial resampling: adaptive pooling, upsample, pad ----

    @Override
    public PoolOutput resample2d(Tensor input, Resampling2d p) {
        return spatial.forward(input, p);
    }

    @Override
    public Tensor resample2dBackward(Tensor gradOutput, Shape inputShape, Tensor indices, Resampling2d p) {
        return spatial.backward(gradOutput, inputShape, indices, p);
    }

    @Override
    public BatchNormOutput batchNormTraining(Tensor input, Tensor gamma, Tensor beta, Tensor runningMean,
                                             Tensor runningVar, BatchNormParams p) {
        return poolNorm.batchNormTraining(input, gamma, beta, runningMean, runningVar, p);
    }

    @Override
    public Tensor batchNormInference(Tensor input, Tensor gamma, Tensor beta, Tensor runningMean,
                                     Tensor runningVar, BatchNormParams p) {
        return poolNorm.batchNormInference(input, gamma, beta, runningMean, runningVar, p);
    }

    @Override
    public Grads batchNormBackward(Tensor gradOutput, Tensor input, Tensor gamma, BatchNormOutput forward) {
        return poolNorm.batchNormBackward(gradOutput, input, gamma, forward);
    }

    @Override
    public Grads batchNormInferenceBackward(Tensor gradOutput, Tensor input, Tensor gamma, Tensor runningMean,
                                            Tensor runningVar, BatchNormParams p) {
        return poolNorm.batchNormInferenceBackward(gradOutput, input, gamma, runningMean, runningVar, p);
    }

    // ---- dense ------------------------------------------------------------------------------

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha, Tensor a, Tensor b,
                     float beta, Tensor c) {
        CudaChecks.gemm(transA, transB, m, n, k, a.size(), b.size(), c.size());
        Blas.gemm(dev, transA, transB, m, n, k, alpha, ptr(a), ptr(b), beta, ptr(c),
                "gemm m=" + m + " n=" + n + " k=" + k);
    }

    @Override
    public Tensor linear(Tensor input, Tensor weight, Tensor bias) {
        Shape out = CudaChecks.linear(input.shape(), weight.shape(), bias == null ? null : bias.shape());
        String ctx = "linear input " + input.shape() + " weight " + weight.shape();
        Tensor y = dev.tensor(out, ctx);
        int n = out.dim(0);
        int outF = out.dim(1);
        Blas.gemm(dev, false, true, n, outF, input.shape().dim(1), 1f, ptr(input), ptr(weight), 0f, ptr(y), ctx);
        if (bias != null) {
            dev.kernels.launch(BIAS_ADD, out.size(), ctx, ptr(bias), ptr(y), n, outF, 1);
        }
        return y;
    }

    @Override
    public Grads linearBackward(Tensor gradOutput, Tensor input, Tensor weight, boolean hasBias,
                                boolean needInputGrad) {
        Shape out = CudaChecks.linear(input.shape(), weight.shape(), null);
        CudaChecks.shape("linear backward", "grad_output", gradOutput, out);
        String ctx = "linear backward input " + input.shape() + " weight " + weight.shape();
        int n = out.dim(0);
        int outF = out.dim(1);
        int inF = input.shape().dim(1);
        Tensor dx = null;
        if (needInputGrad) {
            dx = dev.tensor(input.shape(), ctx);
            Blas.gemm(dev, false, false, n, inF, outF, 1f, ptr(gradOutput), ptr(weight), 0f, ptr(dx), ctx);
        }
        Tensor dw = dev.tensor(weight.shape(), ctx);
        Blas.gemm(dev, true, false, outF, inF, n, 1f, ptr(gradOutput), ptr(input), 0f, ptr(dw), ctx);
        Tensor db = null;
        if (hasBias) {
            db = dev.tensor(Shape.of(outF), ctx);
            Reductions.channelSums(dev, ptr(gradOutput), ptr(db), n, outF, 1, ctx);
        }
        return new Grads(dx, dw, db);
    }

    // ---- pointwise and losses ---------------------------------------------------------------

    @Override
    public Tensor activation(Tensor input, Activation kind, float negativeSlope) {
        return pointwise.activation(input, kind, negativeSlope);
    }

    @Override
    public Tensor activationBackward(Tensor gradOutput, Tensor input, Tensor output, Activation kind,
                                     float negativeSlope) {
        return pointwise.activationBackward(gradOutput, input, output, kind, negativeSlope);
    }

    @Override
    public Tensor prelu(Tensor input, Tensor weight) {
        return pointwise.prelu(input, weight);
    }

    @Override
    public Grads preluBackward(Tensor gradOutput, Tensor input, Tensor weight) {
        return pointwise.preluBackward(gradOutput, input, weight);
    }

    @Override
    public Tensor softmax(Tensor input, int dim, boolean log) {
        return pointwise.softmax(input, dim, log);
    }

    @Override
    public Tensor softmaxBackward(Tensor gradOutput, Tensor output, int dim, boolean log) {
        return pointwise.softmaxBackward(gradOutput, output, dim, log);
    }

    @Override
    public DropoutOutput dropout(Tensor input, DropoutParams p) {
        return pointwise.dropout(input, p);
    }

    @Override
    public Tensor dropoutBackward(Tensor gradOutput, DropoutOutput forward) {
        return pointwise.dropoutBackward(gradOutput, forward);
    }

    @Override
    public void optimizerUpdate(dev.fovea.optim.OptimizerConfig config, Tensor param, Tensor grad,
                                java.util.List<Tensor> state, long step, double lr) {
        CudaChecks.sameShape(config.name() + " update", param, grad);
        for (Tensor t : state) {
            CudaChecks.sameShape(config.name() + " update", param, t);
        }
        optim.update(config, param, grad, state, step, lr);
    }

    @Override
    public Tensor concat(List<Tensor> inputs, int dim) {
        return pointwise.concat(inputs, dim);
    }

    @Override
    public List<Tensor> split(Tensor t, int dim, int[] sizes) {
        return pointwise.split(t, dim, sizes);
    }

    // ---- tensor algebra: broadcasting maps, reductions, permutes ----

    @Override
    public Tensor binary(BinaryOp op, Tensor a, Tensor b) {
        return algebra.binary(op, a, b);
    }

    @Override
    public Tensor sumTo(Tensor t, Shape target, float scale) {
        return algebra.sumTo(t, target, scale);
    }

    @Override
    public Tensor broadcastTo(Tensor t, Shape shape) {
        return algebra.broadcastTo(t, shape);
    }

    @Override
    public Tensor permute(Tensor t, int[] dims) {
        return algebra.permute(t, dims);
    }

    @Override
    public Tensor loss(LossKind kind, Tensor input, Tensor target) {
        return pointwise.loss(kind, input, target);
    }

    @Override
    public Tensor countCorrect(Tensor logits, Tensor labels) {
        return pointwise.countCorrect(logits, labels);
    }

    @Override
    public List<float[]> downloadAll(List<Tensor> tensors) {
        for (Tensor t : tensors) {
            requireDType("downloadAll", t, DType.FLOAT32);
        }
        return pointwise.downloadAll(tensors);
    }

    @Override
    public Tensor lossBackward(LossKind kind, Tensor input, Tensor target, float gradOutput) {
        return pointwise.lossBackward(kind, input, target, gradOutput);
    }

    @Override
    public void close() {
        dev.close();
    }
}
