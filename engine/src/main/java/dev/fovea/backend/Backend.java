package dev.fovea.backend;

import dev.fovea.primitives.Activation;
import dev.fovea.primitives.Argmax;
import dev.fovea.primitives.BatchNormParams;
import dev.fovea.primitives.BinaryOp;
import dev.fovea.primitives.Conv2dParams;
import dev.fovea.primitives.DropoutParams;
import dev.fovea.primitives.LossKind;
import dev.fovea.primitives.Pool2dParams;
import dev.fovea.primitives.Resampling2d;
import dev.fovea.optim.OptimizerConfig;
import dev.fovea.tensor.Device;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The primitives every backend implements. Ops take and return tensors that live on this
 * backend's device; attributes arrive as validated parameter records, so a backend only computes.
 * Composite behaviour (layers, autodiff, optimisers) is built above this interface, once.
 */
public interface Backend extends AutoCloseable {

    /** Short name used on the command line and in reports: "cpu", "cpu-ref", "cuda". */
    String name();

    Device device();

    // ---- device services ---------------------------------------------------------------------
    // What benchmarks and reports ask of any backend. The defaults fit a CPU backend, whose ops
    // finish before they return and which keeps no device statistics; a GPU backend overrides them.

    /** One line on what this backend runs on (device, threads, kernels, library versions), for reports. */
    default String describe() {
        return device().toString();
    }

    /** Waits for every queued operation; a backend whose ops finish before returning has nothing to wait for. */
    default void synchronize() {
    }

    /** Milliseconds the work {@code body} queues takes on this device; by default the host clock around it. */
    default double timeMs(Runnable body) {
        long t0 = System.nanoTime();
        body.run();
        return (System.nanoTime() - t0) / 1e6;
    }

    /** The routing and algorithm choices made so far, in order; empty where none are worth reporting. */
    default List<String> decisions() {
        return List.of();
    }

    /** The most device memory this backend has held at once, where its allocator keeps count. */
    default OptionalLong peakBytes() {
        return OptionalLong.empty();
    }

    /** The device's activity counts so far, where the device keeps them (the software GPU does). */
    default Optional<DeviceActivity> activity() {
        return Optional.empty();
    }

    // ---- memory ------------------------------------------------------------------------------

    /** Copies host values into a new float32 tensor on this device. */
    Tensor upload(Shape shape, float[] data);

    /** Copies a float32 tensor to a new host array. */
    float[] download(Tensor t);

    /** Copies an int32 tensor to a new host array. */
    int[] downloadInts(Tensor t);

    /**
     * The values of several float32 tensors, in order. A device backend queues every copy and waits
     * once, so a training step reads its loss, correct count and gradient check in one host
     * synchronisation; on the host this is {@link #download} of each.
     */
    default List<float[]> downloadAll(List<Tensor> tensors) {
        return tensors.stream().map(this::download).toList();
    }

    Tensor zeros(Shape shape);

    /** Overwrites {@code dst} with the values of {@code src} (same shape). */
    void copy(Tensor src, Tensor dst);

    // ---- convolution ------------------------------------------------------------------------

    /** y = conv(x, w) + b; {@code bias} may be null. Shapes are those of {@link Conv2dParams#outputShape}. */
    Tensor conv2d(Tensor input, Tensor weight, Tensor bias, Conv2dParams p);

    /**
     * Gradients of conv2d. The input gradient is computed only when {@code needInputGrad} (the first
     * layer of a network does not need it); the bias gradient only when {@code hasBias}.
     */
    Grads conv2dBackward(Tensor gradOutput, Tensor input, Tensor weight, boolean hasBias,
                         boolean needInputGrad, Conv2dParams p);

    // ---- pooling ----------------------------------------------------------------------------

    PoolOutput pool2d(Tensor input, Pool2dParams p);

    Tensor pool2dBackward(Tensor gradOutput, Tensor input, PoolOutput forward, Pool2dParams p);

    // ---- spatial resampling: adaptive pooling, upsample, pad ----
    // One pair for the whole Resampling2d family: a backend dispatches on the member in its spatial
    // file, so a new member of the family does not change this interface. Global average pooling is
    // adaptive average pooling to 1x1.

    /**
     * Resamples each H x W plane by {@code p}'s rule ({@link Resampling2d#outputShape}). Members with
     * {@link Resampling2d#winners() winners} (adaptive max pooling) also return the winners' flat h*W+w
     * positions, as {@link #pool2d} does; the others return no indices.
     */
    PoolOutput resample2d(Tensor input, Resampling2d p);

    /**
     * The gradient with respect to the input of {@link #resample2d}: each output gradient goes to the
     * input cells its output cell was made from. {@code indices} are the forward's winners where
     * {@code p} has them, else null.
     */
    Tensor resample2dBackward(Tensor gradOutput, Shape inputShape, Tensor indices, Resampling2d p);

    // ---- normalisation ----------------------------------------------------------------------

    /**
     * Training-mode batch norm over N,H,W per channel of [N,C,H,W] (or N of [N,C]); updates
     * {@code runningMean} and {@code runningVar} in place.
     */
    BatchNormOutput batchNormTraining(Tensor input, Tensor gamma, Tensor beta,
                                      Tensor runningMean, Tensor runningVar, BatchNormParams p);

    /** Inference-mode batch norm with the running statistics. */
    Tensor batchNormInference(Tensor input, Tensor gamma, Tensor beta,
                              Tensor runningMean, Tensor runningVar, BatchNormParams p);

    /** Gradients for input, gamma and beta of training-mode batch norm. */
    Grads batchNormBackward(Tensor gradOutput, Tensor input, Tensor gamma, BatchNormOutput forward);

    /**
     * Gradients for input, gamma and beta of inference-mode batch norm (fixed running statistics, as
     * when fine-tuning with frozen statistics): dx = dy * gamma / sqrt(var + eps), dgamma = sum over
     * N, H, W of dy * (x - mean) / sqrt(var + eps), dbeta = sum of dy.
     */
    Grads batchNormInferenceBackward(Tensor gradOutput, Tensor input, Tensor gamma, Tensor runningMean,
                                     Tensor runningVar, BatchNormParams p);

    // ---- dense ------------------------------------------------------------------------------

    /** C = alpha * op(A) * op(B) + beta * C on row-major matrices, op = transpose when asked. */
    void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
              Tensor a, Tensor b, float beta, Tensor c);

    /** y = x w^T + b for x [N, in], w [out, in], b [out] (may be null). */
    Tensor linear(Tensor input, Tensor weight, Tensor bias);

    Grads linearBackward(Tensor gradOutput, Tensor input, Tensor weight, boolean hasBias, boolean needInputGrad);

    // ---- pointwise --------------------------------------------------------------------------

    /** {@code negativeSlope} is used by LEAKY_RELU only. */
    Tensor activation(Tensor input, Activation kind, float negativeSlope);

    /** Needs the forward input (ReLU family) or output (sigmoid, tanh); both are passed. */
    Tensor activationBackward(Tensor gradOutput, Tensor input, Tensor output, Activation kind, float negativeSlope);

    /** PReLU with a slope per channel (weight [C]) or one shared slope (weight [1]). */
    Tensor prelu(Tensor input, Tensor weight);

    Grads preluBackward(Tensor gradOutput, Tensor input, Tensor weight);

    /** Softmax (or log-softmax) along {@code dim}. */
    Tensor softmax(Tensor input, int dim, boolean log);

    Tensor softmaxBackward(Tensor gradOutput, Tensor output, int dim, boolean log);

    DropoutOutput dropout(Tensor input, DropoutParams p);

    Tensor dropoutBackward(Tensor gradOutput, DropoutOutput forward);

    /** Concatenates along {@code dim}; all other dimensions must agree. */
    Tensor concat(List<Tensor> inputs, int dim);

    /** The inverse of concat, for its backward: splits {@code t} along {@code dim} into the given sizes. */
    List<Tensor> split(Tensor t, int dim, int[] sizes);

    // ---- tensor algebra: broadcasting maps, reductions, permutes ----
    // A small generic family that dev.fovea.ops AlgebraOps composes: one broadcasting binary map (add,
    // sub, mul, div and their gradients), one sum to a shape with its adjoint broadcast (broadcast
    // gradients, sum, mean) and one permute (transpose, permute). Shapes follow dev.fovea.primitives.Broadcast
    // and dev.fovea.primitives.Permutation; every result is a new contiguous tensor.

    /**
     * {@code a op b} element-wise with NumPy broadcasting; the output has the broadcast shape. Equal
     * shapes (a residual connection's add, gradient accumulation) take each backend's flat same-shape
     * path, so there is no separate same-shape add.
     */
    Tensor binary(BinaryOp op, Tensor a, Tensor b);

    /**
     * {@code scale} times the sum of {@code t} over the dims that {@code target} stretches (size 1 or
     * missing leading dims): the gradient of a broadcast operand, and sum/mean with the reduced dims
     * kept. {@code target} must broadcast to {@code t}'s shape; equal shapes give a scaled copy.
     */
    Tensor sumTo(Tensor t, Shape target, float scale);

    /** {@code t} repeated along the dims it is stretched in to {@code shape}: the adjoint of {@link #sumTo}. */
    Tensor broadcastTo(Tensor t, Shape shape);

    /** A contiguous copy of {@code t} with its dims reordered: output dim {@code i} is input dim {@code dims[i]}. */
    Tensor permute(Tensor t, int[] dims);

    // ---- losses -----------------------------------------------------------------------------

    /** The mean loss as a scalar tensor (shape []). */
    Tensor loss(LossKind kind, Tensor input, Tensor target);

    /** d(loss)/d(input) scaled by {@code gradOutput} (the upstream gradient of the scalar loss). */
    Tensor lossBackward(LossKind kind, Tensor input, Tensor target, float gradOutput);

    /**
     * How many rows of {@code logits} {@code [N, C]} predict the class {@code labels} {@code [N]}
     * names ({@link Argmax}'s rule), as a scalar tensor: accuracy without downloading the logits.
     * This default reads both to the host; a device backend overrides it.
     */
    default Tensor countCorrect(Tensor logits, Tensor labels) {
        Argmax.requireShapes(logits.shape(), labels.shape());
        return upload(Shape.scalar(), new float[]{Argmax.hits(download(logits), download(labels), logits.shape().dim(1))});
    }

    // ---- optimisation -----------------------------------------------------------------------

    /**
     * One optimiser update of {@code param} in place from {@code grad}; {@code state} holds the
     * optimiser's buffers (see {@link OptimizerConfig#stateNames()}), each shaped like the parameter.
     * This default round-trips through the host; backends override it with an in-place (fused) update.
     */
    default void optimizerUpdate(OptimizerConfig config, Tensor param, Tensor grad, List<Tensor> state,
                                 long step, double lr) {
        updateThroughHost(this, config, param, grad, state, step, lr);
    }

    /** The optimiser update done on host copies and written back: correct on any backend, but slow. */
    static void updateThroughHost(Backend b, OptimizerConfig config, Tensor param, Tensor grad, List<Tensor> state,
                                  long step, double lr) {
        float[] p = b.download(param);
        float[][] s = new float[state.size()][];
        for (int i = 0; i < s.length; i++) {
            s[i] = b.download(state.get(i));
        }
        config.update(p, b.download(grad), s, step, lr, 0, p.length);
        try (Tensor t = b.upload(param.shape(), p)) {
            b.copy(t, param);
        }
        for (int i = 0; i < s.length; i++) {
            try (Tensor t = b.upload(param.shape(), s[i])) {
                b.copy(t, state.get(i));
            }
        }
    }

    @Override
    default void close() {
    }
}
