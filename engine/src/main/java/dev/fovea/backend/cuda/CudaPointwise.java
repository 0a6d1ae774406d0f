package dev.fovea.backend.cuda;

import dev.fovea.backend.DropoutOutput;
import dev.fovea.backend.Grads;
import dev.fovea.primitives.Activation;
import dev.fovea.primitives.Argmax;
import dev.fovea.primitives.DropoutMask;
import dev.fovea.primitives.DropoutParams;
import dev.fovea.primitives.LossDomain;
import dev.fovea.primitives.LossKind;
import dev.fovea.tensor.DType;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import jcuda.Sizeof;
import jcuda.driver.CUdeviceptr;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;

import static dev.fovea.backend.cuda.CudaDevice.ptr;

/**
 * The pointwise, softmax, tensor-shuffling and loss ops of {@link CudaBackend}: cuDNN where the
 * router says so, Fovea's elementwise and loss kernels otherwise. Losses are reduced on the device,
 * so a training step never copies activations to the host.
 */
final class CudaPointwise {
    static final KernelRef ACTIVATION_FORWARD = KernelRef.of("elementwise", "fovea_activation_forward");
    static final KernelRef ACTIVATION_BACKWARD = KernelRef.of("elementwise", "fovea_activation_backward");
    static final KernelRef PRELU_FORWARD = KernelRef.of("elementwise", "fovea_prelu_forward");
    static final KernelRef PRELU_BACKWARD_DATA = KernelRef.of("elementwise", "fovea_prelu_backward_data");
    static final KernelRef PRELU_WEIGHT_PARTIALS = KernelRef.of("elementwise", "fovea_prelu_weight_partials");
    static final KernelRef SOFTMAX_FORWARD = KernelRef.of("elementwise", "fovea_softmax_forward");
    static final KernelRef SOFTMAX_BACKWARD = KernelRef.of("elementwise", "fovea_softmax_backward");
    static final KernelRef DROPOUT_FORWARD = KernelRef.of("elementwise", "fovea_dropout_forward");
    static final KernelRef DROPOUT_APPLY = KernelRef.of("elementwise", "fovea_dropout_apply");
    static final KernelRef ADD = KernelRef.of("elementwise", "fovea_add");
    static final KernelRef COPY_BLOCKS = KernelRef.of("elementwise", "fovea_copy_blocks");
    static final KernelRef SOFTMAX_XENT_FORWARD = KernelRef.of("loss", "fovea_softmax_xent_forward");
    static final KernelRef BCE_FORWARD = KernelRef.of("loss", "fovea_bce_forward");
    static final KernelRef BCE_LOGITS_FORWARD = KernelRef.of("loss", "fovea_bce_logits_forward");
    static final KernelRef MSE_FORWARD = KernelRef.of("loss", "fovea_mse_forward");
    static final KernelRef CHECK_LOSS_VALUES = KernelRef.of("loss", "fovea_check_loss_values");
    static final KernelRef ARGMAX_HITS = KernelRef.of("loss", "fovea_argmax_hits");
    static final KernelRef SOFTMAX_XENT_BACKWARD = KernelRef.of("loss", "fovea_softmax_xent_backward");
    static final KernelRef BCE_BACKWARD = KernelRef.of("loss", "fovea_bce_backward");
    static final KernelRef BCE_LOGITS_BACKWARD = KernelRef.of("loss", "fovea_bce_logits_backward");
    static final KernelRef MSE_BACKWARD = KernelRef.of("loss", "fovea_mse_backward");

    /** Elements per partial sum in the two-pass mean of a loss (loss.cu's header comment) and of a shared PReLU slope's gradient. */
    private static final int SUM_CHUNK = 1024;

    private final CudaDevice dev;
    private final Router router;
    private final CudnnOps cudnn;
    /** Losses whose domain check sits beside their value (weak: a loss nobody reads is forgotten). */
    private final Map<Tensor, CheckedLoss> checkedLosses = Collections.synchronizedMap(new WeakHashMap<>());

    CudaPointwise(CudaDevice dev, Router router, CudnnOps cudnn) {
        this.dev = dev;
        this.router = router;
        this.cudnn = cudnn;
    }

    Tensor activation(Tensor input, Activation kind, float slope) {
        String ctx = kind.opName() + " input " + input.shape();
        Tensor y = dev.tensor(input.shape(), ctx);
        int n = input.size();
        if (router.activation(kind).engine() == Route.Engine.CUDNN) {
            cudnn.activationForward(kind, n, ptr(input), ptr(y), ctx);
            return y;
        }
        // One generic kernel for every activation (elementwise.cu): its case is picked by the kind's code.
        dev.kernels.launch(ACTIVATION_FORWARD, n, ctx, ptr(input), ptr(y), n, kind.code(), slope);
        return y;
    }

    Tensor activationBackward(Tensor dy, Tensor input, Tensor output, Activation kind, float slope) {
        String ctx = kind.opName() + " backward input " + input.shape();
        CudaChecks.sameShape(kind.opName() + " backward", dy, input);
        Tensor dx = dev.tensor(input.shape(), ctx);
        int n = input.size();
        if (router.activation(kind).engine() == Route.Engine.CUDNN) {
            cudnn.activationBackward(kind, n, ptr(input), ptr(output), ptr(dy), ptr(dx), ctx);
            return dx;
        }
        dev.kernels.launch(ACTIVATION_BACKWARD, n, ctx, ptr(dy), ptr(input), ptr(output), ptr(dx), n,
                kind.code(), slope);
        return dx;
    }

    /** [N, C, inner] view of PReLU input; a shared slope treats the whole tensor as one channel. */
    private static int[] preluView(Shape x, int slopes) {
        if (slopes == 1) {
            return new int[]{1, 1, x.size()};
        }
        return new int[]{x.dim(0), x.dim(1), x.product(2, x.rank())};
    }

    Tensor prelu(Tensor input, Tensor weight) {
        CudaChecks.prelu(input.shape(), weight.shape());
        String ctx = "prelu input " + input.shape() + " weight " + weight.shape();
        int[] v = preluView(input.shape(), weight.size());
        Tensor y = dev.tensor(input.shape(), ctx);
        dev.kernels.launch(PRELU_FORWARD, input.size(), ctx, ptr(input), ptr(weight), ptr(y), input.size(),
                v[1], v[2], weight.size());
        return y;
    }

    Grads preluBackward(Tensor dy, Tensor input, Tensor weight) {
        CudaChecks.prelu(input.shape(), weight.shape());
        CudaChecks.sameShape("prelu backward", dy, input);
        String ctx = "prelu backward input " + input.shape() + " weight " + weight.shape();
        int[] v = preluView(input.shape(), weight.size());
        Tensor dx = dev.tensor(input.shape(), ctx);
        Tensor dw = dev.tensor(weight.shape(), ctx);
        dev.kernels.launch(PRELU_BACKWARD_DATA, input.size(), ctx, ptr(dy), ptr(input), ptr(weight), ptr(dx),
                input.size(), v[1], v[2], weight.size());
        preluWeightGradient(dy, input, dw, weight.size(), ctx);
        return new Grads(dx, dw, null);
    }

    /**
     * The PReLU weight gradient in two deterministic passes: partial sums of x * dy over the
     * non-positive inputs, one thread per (n, c) plane (per-channel slopes) or per segment of
     * {@link #SUM_CHUNK} elements (a shared slope), then the partials of each slope added in order.
     */
    private void preluWeightGradient(Tensor dy, Tensor input, Tensor dw, int slopes, String ctx) {
        int n = input.size();
        if (n == 0) {
            Reductions.sumSlices(dev, ptr(dy), ptr(dw), 0, slopes, false, ctx);
            return;
        }
        Shape xs = input.shape();
        int len = slopes == 1 ? SUM_CHUNK : xs.product(2, xs.rank());
        int batch = slopes == 1 ? 1 : xs.dim(0);
        int segments = slopes == 1 ? (n + len - 1) / len : n / len;
        if (segments == slopes && batch == 1) {
            // One segment per slope: pass 1 writes the gradient itself.
            dev.kernels.launch(PRELU_WEIGHT_PARTIALS, segments, ctx, ptr(dy), ptr(input), ptr(dw), n, len);
            return;
        }
        try (Tensor partials = dev.tensor(Shape.of(segments), ctx + " (partial sums)")) {
            dev.kernels.launch(PRELU_WEIGHT_PARTIALS, segments, ctx, ptr(dy), ptr(input), ptr(partials), n, len);
            // Per channel: partials [N, C] summed over N; shared: all the partials into one value.
            Reductions.sumSlices(dev, ptr(partials), ptr(dw), slopes == 1 ? segments : batch, slopes, false, ctx);
        }
    }

    /** [outer, D, inner] around axis {@code dim}. */
    private static int[] around(Shape s, int dim) {
        int a = s.axis(dim);
        return new int[]{s.product(0, a), s.dim(a), s.product(a + 1, s.rank())};
    }

    Tensor softmax(Tensor input, int dim, boolean log) {
        String ctx = (log ? "log_softmax" : "softmax") + " input " + input.shape() + " dim " + dim;
        int[] v = around(input.shape(), dim);
        Tensor y = dev.tensor(input.shape(), ctx);
        if (router.softmax(log).engine() == Route.Engine.CUDNN) {
            cudnn.softmaxForward(log, v[0], v[1], v[2], ptr(input), ptr(y), ctx);
        } else {
            dev.kernels.launch(SOFTMAX_FORWARD, (long) v[0] * v[2], ctx, ptr(input), ptr(y), v[0], v[1], v[2],
                    log ? 1 : 0);
        }
        return y;
    }

    Tensor softmaxBackward(Tensor dy, Tensor output, int dim, boolean log) {
        String op = (log ? "log_softmax" : "softmax") + " backward";
        CudaChecks.sameShape(op, dy, output);
        String ctx = op + " output " + output.shape() + " dim " + dim;
        int[] v = around(output.shape(), dim);
        Tensor dx = dev.tensor(output.shape(), ctx);
        if (router.softmax(log).engine() == Route.Engine.CUDNN) {
            cudnn.softmaxBackward(log, v[0], v[1], v[2], ptr(output), ptr(dy), ptr(dx), ctx);
        } else {
            dev.kernels.launch(SOFTMAX_BACKWARD, (long) v[0] * v[2], ctx, ptr(dy), ptr(output), ptr(dx),
                    v[0], v[1], v[2], log ? 1 : 0);
        }
        return dx;
    }

    Tensor copyOf(Tensor t, String ctx) {
        Tensor y = dev.tensor(t.shape(), ctx);
        dev.copyDeviceToDevice(ptr(t), ptr(y), (long) t.size() * Sizeof.FLOAT, ctx);
        return y;
    }

    DropoutOutput dropout(Tensor input, DropoutParams p) {
        String ctx = "dropout input " + input.shape();
        if (!p.training() || p.p() == 0) {
            return new DropoutOutput(copyOf(input, ctx), null);
        }
        // The mask is drawn on the device by the same counter-based generator as on the CPU, so a
        // seed gives every backend the same mask, and nothing crosses the bus.
        Tensor mask = dev.tensor(input.shape(), ctx);
        Tensor y = dev.tensor(input.shape(), ctx);
        dev.kernels.launch(DROPOUT_FORWARD, input.size(), ctx, ptr(input), ptr(mask), ptr(y), input.size(),
                (int) p.seed(), (int) (p.seed() >>> 32), DropoutMask.threshold(p.p()), DropoutMask.scale(p.p()));
        return new DropoutOutput(y, mask);
    }

    Tensor dropoutBackward(Tensor dy, DropoutOutput forward) {
        String ctx = "dropout backward grad " + dy.shape();
        if (forward.mask() == null) {
            return copyOf(dy, ctx);
        }
        CudaChecks.sameShape("dropout backward", dy, forward.mask());
        Tensor dx = dev.tensor(dy.shape(), ctx);
        dev.kernels.launch(DROPOUT_APPLY, dy.size(), ctx, ptr(dy), ptr(forward.mask()), ptr(dx), dy.size());
        return dx;
    }

    Tensor concat(List<Tensor> inputs, int dim) {
        List<Shape> shapes = inputs.stream().map(Tensor::shape).toList();
        Shape out = CudaChecks.concat(shapes, dim);
        String ctx = "concat " + shapes + " dim " + dim;
        int axis = out.axis(dim);
        int outer = out.product(0, axis);
        int after = out.product(axis + 1, out.rank());
        Tensor y = dev.tensor(out, ctx);
        int offset = 0;
        for (Tensor t : inputs) {
            int len = t.shape().dim(axis) * after;
            dev.kernels.launch(COPY_BLOCKS, (long) outer * len, ctx, ptr(t), ptr(y), outer, len, len, 0,
                    out.dim(axis) * after, offset * after);
            offset += t.shape().dim(axis);
        }
        return y;
    }

    List<Tensor> split(Tensor t, int dim, int[] sizes) {
        CudaChecks.split(t.shape(), dim, sizes);
        String ctx = "split " + t.shape() + " dim " + dim;
        int axis = t.shape().axis(dim);
        int outer = t.shape().product(0, axis);
        int after = t.shape().product(axis + 1, t.shape().rank());
        List<Tensor> parts = new ArrayList<>();
        int offset = 0;
        for (int size : sizes) {
            Tensor part = dev.tensor(t.shape().withDim(axis, size), ctx);
            int len = size * after;
            dev.kernels.launch(COPY_BLOCKS, (long) outer * len, ctx, ptr(t), ptr(part), outer, len,
                    t.shape().dim(axis) * after, offset * after, len, 0);
            parts.add(part);
            offset += size;
        }
        return List.copyOf(parts);
    }

    Tensor loss(LossKind kind, Tensor input, Tensor target) {
        boolean xent = kind == LossKind.CROSS_ENTROPY;
        CudaChecks.loss(kind, input.shape(), target.shape());
        String ctx = kind.opName() + " input " + input.shape() + " target " + target.shape();
        int n = xent ? input.shape().dim(0) : input.size();
        try (Tensor losses = dev.tensor(Shape.of(n), ctx)) {
            CUdeviceptr x = ptr(input);
            CUdeviceptr t = ptr(target);
            CUdeviceptr l = ptr(losses);
            Runnable launch = switch (kind) {
                case CROSS_ENTROPY -> () -> dev.kernels.launch(SOFTMAX_XENT_FORWARD, n, ctx, x, t, l, n,
                        input.shape().dim(1));
                case BINARY_CROSS_ENTROPY -> () -> dev.kernels.launch(BCE_FORWARD, n, ctx, x, t, l, n);
                case BINARY_CROSS_ENTROPY_WITH_LOGITS -> () -> dev.kernels.launch(BCE_LOGITS_FORWARD, n, ctx, x, t, l,
                        n);
                case MSE -> () -> dev.kernels.launch(MSE_FORWARD, n, ctx, x, t, l, n);
            };
            launch.run();
            // Two more floats after the mean: where the loss's domain check found a bad value, and it.
            Tensor out = new Tensor(Shape.scalar(), dev.allocate(DType.FLOAT32, 3, ctx));
            mean(losses, n, out, ctx);
            if (kind == LossKind.CROSS_ENTROPY || kind == LossKind.BINARY_CROSS_ENTROPY) {
                dev.kernels.launch(CHECK_LOSS_VALUES, 1, ctx, xent ? t : x, ptr(out).withByteOffset(Sizeof.FLOAT),
                        xent ? n : input.size(), xent ? input.shape().dim(1) : 0);
                checkedLosses.put(out, new CheckedLoss(kind, input.shape()));
            }
            return out;
        }
    }

    /**
     * The values of {@code t}; for a loss whose domain check ran on the device, the check's result
     * comes in the same download and a bad label or probability is the reference's error, so every
     * backend refuses the same inputs (a GPU cannot throw from a kernel).
     */
    float[] download(Tensor t) {
        CheckedLoss loss = checkedLosses.get(t);
        if (loss == null) {
            return dev.downloadFloats(ptr(t), t.size());
        }
        return checked(loss, dev.downloadFloats(ptr(t), 3));
    }

    /** The loss of {@code v} = (mean, index of the first bad value or -1, that value), or the reference's error. */
    private static float[] checked(CheckedLoss loss, float[] v) {
        if (v[1] >= 0) {
            int at = (int) v[1];
            throw new IllegalArgumentException(loss.kind() == LossKind.CROSS_ENTROPY
                    ? LossDomain.notAClassIndex(at, v[2], loss.input()) : LossDomain.notAProbability(at, v[2], loss.input()));
        }
        return new float[]{v[0]};
    }

    /** {@link #download} of each tensor, with one wait for the device. */
    List<float[]> downloadAll(List<Tensor> tensors) {
        List<CUdeviceptr> sources = new ArrayList<>(tensors.size());
        int[] counts = new int[tensors.size()];
        for (int i = 0; i < counts.length; i++) {
            Tensor t = tensors.get(i);
            sources.add(ptr(t));
            counts[i] = checkedLosses.containsKey(t) ? 3 : t.size();
        }
        List<float[]> values = dev.downloadFloats(sources, counts);
        List<float[]> out = new ArrayList<>(values.size());
        for (int i = 0; i < counts.length; i++) {
            CheckedLoss loss = checkedLosses.get(tensors.get(i));
            out.add(loss == null ? values.get(i) : checked(loss, values.get(i)));
        }
        return out;
    }

    /**
     * {@code [N]} hits of {@code logits [N, C]} against {@code labels [N]} (fovea_argmax_hits), then
     * counted by the two deterministic passes of {@link #mean} with no division.
     */
    Tensor countCorrect(Tensor logits, Tensor labels) {
        Argmax.requireShapes(logits.shape(), labels.shape());
        String ctx = "count_correct logits " + logits.shape() + " labels " + labels.shape();
        int n = logits.shape().dim(0);
        Tensor out = dev.tensor(Shape.scalar(), ctx);
        if (n == 0) {
            dev.zero(ptr(out), Sizeof.FLOAT, ctx);
            return out;
        }
        try (Tensor hits = dev.tensor(Shape.of(n), ctx)) {
            dev.kernels.launch(ARGMAX_HITS, n, ctx, ptr(logits), ptr(labels), ptr(hits), n, logits.shape().dim(1));
            sum(hits, n, out, 1f, ctx);
        }
        return out;
    }

    /** A loss whose domain check was queued beside its value. */
    private record CheckedLoss(LossKind kind, Shape input) {
    }

    /** The mean of {@code n} values into {@code out[0]}, in two deterministic passes of chunked sums. */
    private void mean(Tensor values, int n, Tensor out, String ctx) {
        sum(values, n, out, (float) (1.0 / n), ctx);
    }

    /** {@code scale} times the sum of {@code n} values into {@code out[0]}: chunked sums, then their sum. */
    private void sum(Tensor values, int n, Tensor out, float scale, String ctx) {
        int partials = (n + SUM_CHUNK - 1) / SUM_CHUNK;
        try (Tensor sums = dev.tensor(Shape.of(partials), ctx)) {
            dev.kernels.launch(Reductions.SUM_CHUNKS, partials, ctx, ptr(values), ptr(sums), n, SUM_CHUNK, 1f);
            dev.kernels.launch(Reductions.SUM_CHUNKS, 1, ctx, ptr(sums), ptr(out), partials, partials, scale);
        }
    }

    Tensor lossBackward(LossKind kind, Tensor input, Tensor target, float gradOutput) {
        boolean xent = kind == LossKind.CROSS_ENTROPY;
        CudaChecks.loss(kind, input.shape(), target.shape());
        String ctx = kind.opName() + " backward input " + input.shape() + " target " + target.shape();
        int count = xent ? input.shape().dim(0) : input.size();
        float scale = (float) ((double) gradOutput / count);
        Tensor dx = dev.tensor(input.shape(), ctx);
        CUdeviceptr x = ptr(input);
        CUdeviceptr t = ptr(target);
        CUdeviceptr d = ptr(dx);
        int n = input.size();
        Runnable launch = switch (kind) {
            case CROSS_ENTROPY -> () -> dev.kernels.launch(SOFTMAX_XENT_BACKWARD, count, ctx, x, t, d, count,
                    input.shape().dim(1), scale);
            case BINARY_CROSS_ENTROPY -> () -> dev.kernels.launch(BCE_BACKWARD, n, ctx, x, t, d, n, scale);
            case BINARY_CROSS_ENTROPY_WITH_LOGITS -> () -> dev.kernels.launch(BCE_LOGITS_BACKWARD, n, ctx, x, t, d, n,
                    scale);
            case MSE -> () -> dev.kernels.launch(MSE_BACKWARD, n, ctx, x, t, d, n, scale);
        };
        launch.run();
        return dx;
    }
}
