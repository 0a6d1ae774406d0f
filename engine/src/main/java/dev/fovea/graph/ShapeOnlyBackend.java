package dev.fovea.graph;

import dev.fovea.backend.Backend;
import dev.fovea.backend.BatchNormOutput;
import dev.fovea.backend.DropoutOutput;
import dev.fovea.backend.Grads;
import dev.fovea.backend.PoolOutput;
import dev.fovea.primitives.Activation;
import dev.fovea.primitives.BatchNormParams;
import dev.fovea.primitives.BinaryOp;
import dev.fovea.primitives.Broadcast;
import dev.fovea.primitives.Conv2dParams;
import dev.fovea.primitives.DropoutParams;
import dev.fovea.primitives.LossKind;
import dev.fovea.primitives.Permutation;
import dev.fovea.primitives.Pool2dParams;
import dev.fovea.primitives.Resampling2d;
import dev.fovea.primitives.ShapeRules;
import dev.fovea.tensor.DType;
import dev.fovea.tensor.Device;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Storage;
import dev.fovea.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * A backend that computes shapes and nothing else: running a graph's forward pass on it is shape
 * inference. Each op applies the same validation as the real kernels, so a graph is checked when
 * it is built, by the rules that will run, without a second copy of them.
 */
final class ShapeOnlyBackend implements Backend {

    /** Storage with a size and no memory. */
    private static final class NoData extends Storage {
        private final int length;
        private final DType dtype;

        NoData(int length, DType dtype) {
            this.length = length;
            this.dtype = dtype;
        }

        @Override
        public Device device() {
            return Device.CPU;
        }

        @Override
        public DType dtype() {
            return dtype;
        }

        @Override
        public int length() {
            return length;
        }

        @Override
        protected void free() {
        }
    }

    static Tensor of(Shape s) {
        return new Tensor(s, new NoData(s.size(), DType.FLOAT32));
    }

    private static Tensor ints(Shape s) {
        return new Tensor(s, new NoData(s.size(), DType.INT32));
    }

    @Override
    public String name() {
        return "shape";
    }

    @Override
    public Device device() {
        return Device.CPU;
    }

    @Override
    public Tensor upload(Shape shape, float[] data) {
        return of(shape);
    }

    @Override
    public float[] download(Tensor t) {
        throw new UnsupportedOperationException("shape inference has no values to download");
    }

    @Override
    public int[] downloadInts(Tensor t) {
        throw new UnsupportedOperationException("shape inference has no values to download");
    }

    @Override
    public Tensor zeros(Shape shape) {
        return of(shape);
    }

    @Override
    public void copy(Tensor src, Tensor dst) {
        same("copy", src.shape(), dst.shape());
    }

    @Override
    public Tensor conv2d(Tensor input, Tensor weight, Tensor bias, Conv2dParams p) {
        return of(p.outputShape(input.shape(), weight.shape(), bias == null ? null : bias.shape()));
    }

    @Override
    public Grads conv2dBackward(Tensor gradOutput, Tensor input, Tensor weight, boolean hasBias,
                                boolean needInputGrad, Conv2dParams p) {
        return new Grads(needInputGrad ? of(input.shape()) : null, of(weight.shape()),
                hasBias ? of(Shape.of(weight.shape().dim(0))) : null);
    }

    @Override
    public PoolOutput pool2d(Tensor input, Pool2dParams p) {
        Shape out = p.outputShape(input.shape());
        return new PoolOutput(of(out), p.kind() == dev.fovea.primitives.PoolKind.AVG ? null : ints(out));
    }

    @Override
    public Tensor pool2dBackward(Tensor gradOutput, Tensor input, PoolOutput forward, Pool2dParams p) {
        return of(input.shape());
    }

    // ---- spatial resampling: adaptive pooling, upsample, pad ----

    @Override
    public PoolOutput resample2d(Tensor input, Resampling2d p) {
        Shape out = p.outputShape(input.shape());
        return new PoolOutput(of(out), p.winners() ? ints(out) : null);
    }

    @Override
    public Tensor resample2dBackward(Tensor gradOutput, Shape inputShape, Tensor indices, Resampling2d p) {
        return of(inputShape);
    }

    @Override
    public BatchNormOutput batchNormTraining(Tensor input, Tensor gamma, Tensor beta, Tensor runningMean,
                                             Tensor runningVar, BatchNormParams p) {
        int c = ShapeRules.batchNorm(input.shape(), gamma.shape(), beta.shape(), runningMean.shape(),
                runningVar.shape());
        return new BatchNormOutput(of(input.shape()), of(Shape.of(c)), of(Shape.of(c)));
    }

    @Override
    public Tensor batchNormInference(Tensor input, Tensor gamma, Tensor beta, Tensor runningMean,
                                     Tensor runningVar, BatchNormParams p) {
        ShapeRules.batchNorm(input.shape(), gamma.shape(), beta.shape(), runningMean.shape(), runningVar.shape());
        return of(input.shape());
    }

    @Override
    public Grads batchNormBackward(Tensor gradOutput, Tensor input, Tensor gamma, BatchNormOutput forward) {
        return new Grads(of(input.shape()), of(gamma.shape()), of(gamma.shape()));
    }

    @Override
    public Grads batchNormInferenceBackward(Tensor gradOutput, Tensor input, Tensor gamma, Tensor runningMean,
                                            Tensor runningVar, BatchNormParams p) {
        return new Grads(of(input.shape()), of(gamma.shape()), of(gamma.shape()));
    }

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha, Tensor a, Tensor b,
                     float beta, Tensor c) {
        if ((long) m * k > a.size() || (long) k * n > b.size() || (long) m * n > c.size()) {
            throw new IllegalArgumentException("gemm: m=" + m + " n=" + n + " k=" + k + " does not fit A "
                    + a.shape() + ", B " + b.shape() + ", C " + c.shape());
        }
    }

    @Override
    public Tensor linear(Tensor input, Tensor weight, Tensor bias) {
        return of(ShapeRules.linear(input.shape(), weight.shape(), bias == null ? null : bias.shape()));
    }

    @Override
    public Grads linearBackward(Tensor gradOutput, Tensor input, Tensor weight, boolean hasBias,
                                boolean needInputGrad) {
        return new Grads(needInputGrad ? of(input.shape()) : null, of(weight.shape()),
                hasBias ? of(Shape.of(weight.shape().dim(0))) : null);
    }

    @Override
    public Tensor activation(Tensor input, Activation kind, float negativeSlope) {
        return of(input.shape());
    }

    @Override
    public Tensor activationBackward(Tensor gradOutput, Tensor input, Tensor output, Activation kind,
                                     float negativeSlope) {
        return of(input.shape());
    }

    @Override
    public Tensor prelu(Tensor input, Tensor weight) {
        ShapeRules.prelu(input.shape(), weight.shape());
        return of(input.shape());
    }

    @Override
    public Grads preluBackward(Tensor gradOutput, Tensor input, Tensor weight) {
        return new Grads(of(input.shape()), of(weight.shape()), null);
    }

    @Override
    public Tensor softmax(Tensor input, int dim, boolean log) {
        ShapeRules.axis(log ? "log_softmax" : "softmax", input.shape(), dim);
        return of(input.shape());
    }

    @Override
    public Tensor softmaxBackward(Tensor gradOutput, Tensor output, int dim, boolean log) {
        return of(output.shape());
    }

    @Override
    public DropoutOutput dropout(Tensor input, DropoutParams p) {
        return new DropoutOutput(of(input.shape()), p.training() && p.p() > 0 ? of(input.shape()) : null);
    }

    @Override
    public Tensor dropoutBackward(Tensor gradOutput, DropoutOutput forward) {
        return of(gradOutput.shape());
    }

    @Override
    public Tensor concat(List<Tensor> inputs, int dim) {
        return of(ShapeRules.concat(inputs.stream().map(Tensor::shape).toArray(Shape[]::new), dim));
    }

    @Override
    public List<Tensor> split(Tensor t, int dim, int[] sizes) {
        List<Tensor> out = new ArrayList<>();
        for (Shape s : ShapeRules.split(t.shape(), dim, sizes)) {
            out.add(of(s));
        }
        return out;
    }

    // ---- tensor algebra: broadcasting maps, reductions, permutes ----

    @Override
    public Tensor binary(BinaryOp op, Tensor a, Tensor b) {
        return of(Broadcast.shape(op.opName(), a.shape(), b.shape()));
    }

    @Override
    public Tensor sumTo(Tensor t, Shape target, float scale) {
        Broadcast.requireReducible("sum_to", t.shape(), target);
        return of(target);
    }

    @Override
    public Tensor broadcastTo(Tensor t, Shape shape) {
        Broadcast.requireExpandable("broadcast_to", t.shape(), shape);
        return of(shape);
    }

    @Override
    public Tensor permute(Tensor t, int[] dims) {
        return of(Permutation.apply(t.shape(), Permutation.axes("permute", t.shape(), dims)));
    }

    @Override
    public Tensor loss(LossKind kind, Tensor input, Tensor target) {
        ShapeRules.loss(kind, input.shape(), target.shape());
        return of(Shape.scalar());
    }

    @Override
    public Tensor lossBackward(LossKind kind, Tensor input, Tensor target, float gradOutput) {
        return of(input.shape());
    }

    private static void same(String op, Shape a, Shape b) {
        if (!a.equals(b)) {
            throw new IllegalArgumentException(op + ": shapes differ: " + a + " and " + b);
        }
    }
}
