package dev.fovea.backend.cpu;

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
import dev.fovea.primitives.DropoutMask;
import dev.fovea.primitives.DropoutParams;
import dev.fovea.primitives.LossKind;
import dev.fovea.primitives.Permutation;
import dev.fovea.primitives.Pool2dParams;
import dev.fovea.primitives.Resampling2d;
import dev.fovea.primitives.ShapeRules;
import dev.fovea.optim.OptimizerConfig;
import dev.fovea.tensor.Device;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;

import java.util.List;

/**
 * The CPU reference backend ("cpu-ref"): plain, single-threaded loops written to be obviously
 * correct. It is the oracle every other backend, and the CPU fast path, is tested against. The
 * arithmetic lives in one class per op family (RefConv, RefPool, ...) as static array functions.
 */
public class ReferenceBackend implements Backend {

    @Override
    public String name() {
        return "cpu-ref";
    }

    @Override
    public Device device() {
        return Device.CPU;
    }

    @Override
    public String describe() {
        return "1 thread, plain reference loops";
    }

    // ---- memory ------------------------------------------------------------------------------

    @Override
    public Tensor upload(Shape shape, float[] data) {
        if (data.length != shape.size()) {
            throw new IllegalArgumentException("upload: shape " + shape + " needs " + shape.size()
                    + " values, got " + data.length);
        }
        return Tensor.of(shape, data.clone());
    }

    @Override
    public float[] download(Tensor t) {
        return Host.floats(t).clone();
    }

    @Override
    public int[] downloadInts(Tensor t) {
        return Host.ints(t).clone();
    }

    @Override
    public Tensor zeros(Shape shape) {
        return Tensor.of(shape, new float[shape.size()]);
    }

    @Override
    public void copy(Tensor src, Tensor dst) {
        requireSameShape("copy", src, dst);
        System.arraycopy(Host.floats(src), 0, Host.floats(dst), 0, src.size());
    }

    // ---- convolution ------------------------------------------------------------------------

    @Override
    public Tensor conv2d(Tensor input, Tensor weight, Tensor bias, Conv2dParams p) {
        Shape out = p.outputShape(input.shape(), weight.shape(), bias == null ? null : bias.shape());
        return Host.tensor(out, RefConv.forward(Host.floats(input), input.shape(), Host.floats(weight),
                weight.shape(), bias == null ? null : Host.floats(bias), p, out));
    }

    @Override
    public Grads conv2dBackward(Tensor gradOutput, Tensor input, Tensor weight, boolean hasBias,
                                boolean needInputGrad, Conv2dParams p) {
        Shape out = p.outputShape(input.shape(), weight.shape(), null);
        requireShape("conv2d backward", "grad_output", gradOutput, out);
        float[] dy = Host.floats(gradOutput);
        Tensor dx = needInputGrad ? Host.tensor(input.shape(),
                RefConv.backwardInput(dy, out, Host.floats(weight), weight.shape(), input.shape(), p)) : null;
        Tensor dw = Host.tensor(weight.shape(),
                RefConv.backwardWeight(dy, out, Host.floats(input), input.shape(), weight.shape(), p));
        Tensor db = hasBias ? Host.tensor(Shape.of(out.dim(1)), RefConv.backwardBias(dy, out)) : null;
        return new Grads(dx, dw, db);
    }

    // ---- pooling ----------------------------------------------------------------------------

    @Override
    public PoolOutput pool2d(Tensor input, Pool2dParams p) {
        Shape out = p.outputShape(input.shape());
        float[] y = new float[out.size()];
        int[] idx = p.kind() == dev.fovea.primitives.PoolKind.AVG ? null : new int[out.size()];
        RefPool.forward(Host.floats(input), input.shape(), p, out, y, idx);
        return new PoolOutput(Host.tensor(out, y), idx == null ? null : Host.intTensor(out, idx));
    }

    @Override
    public Tensor pool2dBackward(Tensor gradOutput, Tensor input, PoolOutput forward, Pool2dParams p) {
        Shape out = p.outputShape(input.shape());
        requireShape(p.kind().opName() + " backward", "grad_output", gradOutput, out);
        int[] idx = forward.indices() == null ? null : Host.ints(forward.indices());
        return Host.tensor(input.shape(), RefPool.backward(Host.floats(gradOutput), out, input.shape(), p, idx));
    }

    // ---- spatial resampling: adaptive pooling, upsample, pad ----

    /** How this backend walks channel planes in the spatial ops: in order here, over threads in the fast backend. */
    RefSpatial.Planes spatialPlanes() {
        return RefSpatial.IN_ORDER;
    }

    @Override
    public PoolOutput resample2d(Tensor input, Resampling2d p) {
        return RefSpatial.forward(spatialPlanes(), input, p);
    }

    @Override
    public Tensor resample2dBackward(Tensor gradOutput, Shape inputShape, Tensor indices, Resampling2d p) {
        return RefSpatial.backward(spatialPlanes(), gradOutput, inputShape, indices, p);
    }

    // ---- normalisation ----------------------------------------------------------------------

    /** How the batch-norm kernels visit channels: in turn here; the fast backend spreads them over its threads. */
    RefNorm.ChannelLoop channelLoop() {
        return RefNorm.IN_TURN;
    }

    @Override
    public BatchNormOutput batchNormTraining(Tensor input, Tensor gamma, Tensor beta, Tensor runningMean,
                                             Tensor runningVar, BatchNormParams p) {
        int c = ShapeRules.batchNorm(input.shape(), gamma.shape(), beta.shape(), runningMean.shape(), runningVar.shape());
        float[] y = new float[input.size()];
        float[] mean = new float[c];
        float[] invStd = new float[c];
        RefNorm.training(Host.floats(input), input.shape(), Host.floats(gamma), Host.floats(beta),
                Host.floats(runningMean), Host.floats(runningVar), p, y, mean, invStd, channelLoop());
        return new BatchNormOutput(Host.tensor(input.shape(), y), Host.tensor(Shape.of(c), mean),
                Host.tensor(Shape.of(c), invStd));
    }

    @Override
    public Tensor batchNormInference(Tensor input, Tensor gamma, Tensor beta, Tensor runningMean,
                                     Tensor runningVar, BatchNormParams p) {
        ShapeRules.batchNorm(input.shape(), gamma.shape(), beta.shape(), runningMean.shape(), runningVar.shape());
        return Host.tensor(input.shape(), RefNorm.inference(Host.floats(input), input.shape(), Host.floats(gamma),
                Host.floats(beta), Host.floats(runningMean), Host.floats(runningVar), p, channelLoop()));
    }

    @Override
    public Grads batchNormBackward(Tensor gradOutput, Tensor input, Tensor gamma, BatchNormOutput forward) {
        requireShape("batch_norm backward", "grad_output", gradOutput, input.shape());
        int c = ShapeRules.batchNorm(input.shape(), gamma.shape(), gamma.shape(), forward.savedMean().shape(),
                forward.savedInvStd().shape());
        float[] dx = new float[input.size()];
        float[] dgamma = new float[c];
        float[] dbeta = new float[c];
        RefNorm.backward(Host.floats(gradOutput), Host.floats(input), input.shape(), Host.floats(gamma),
                Host.floats(forward.savedMean()), Host.floats(forward.savedInvStd()), dx, dgamma, dbeta, channelLoop());
        return new Grads(Host.tensor(input.shape(), dx), Host.tensor(gamma.shape(), dgamma),
                Host.tensor(gamma.shape(), dbeta));
    }

    @Override
    public Grads batchNormInferenceBackward(Tensor gradOutput, Tensor input, Tensor gamma, Tensor runningMean,
                                            Tensor runningVar, BatchNormParams p) {
        requireShape("batch_norm backward", "grad_output", gradOutput, input.shape());
        int c = ShapeRules.batchNorm(input.shape(), gamma.shape(), gamma.shape(), runningMean.shape(), runningVar.shape());
        float[] dx = new float[input.size()];
        float[] dgamma = new float[c];
        float[] dbeta = new float[c];
        RefNorm.inferenceBackward(Host.floats(gradOutput), Host.floats(input), input.shape(), Host.floats(gamma),
                Host.floats(runningMean), Host.floats(runningVar), p, dx, dgamma, dbeta, channelLoop());
        return new Grads(Host.tensor(input.shape(), dx), Host.tensor(gamma.shape(), dgamma),
                Host.tensor(gamma.shape(), dbeta));
    }

    // ---- dense ------------------------------------------------------------------------------

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha, Tensor a, Tensor b,
                     float beta, Tensor c) {
        ShapeRules.gemm(transA, transB, m, n, k, a.size(), b.size(), c.size());
        RefDense.gemm(transA, transB, m, n, k, alpha, Host.floats(a), Host.floats(b), beta, Host.floats(c));
    }

    @Override
    public Tensor linear(Tensor input, Tensor weight, Tensor bias) {
        Shape out = ShapeRules.linear(input.shape(), weight.shape(), bias == null ? null : bias.shape());
        int n = out.dim(0);
        int outF = out.dim(1);
        int inF = input.shape().dim(1);
        float[] y = new float[out.size()];
        if (bias != null) {
            float[] b = Host.floats(bias);
            for (int i = 0; i < n; i++) {
                System.arraycopy(b, 0, y, i * outF, outF);
            }
        }
        gemm(false, true, n, outF, inF, 1f, input, weight, bias == null ? 0f : 1f, Host.tensor(out, y));
        return Host.tensor(out, y);
    }

    @Override
    public Grads linearBackward(Tensor gradOutput, Tensor input, Tensor weight, boolean hasBias,
                                boolean needInputGrad) {
        Shape out = ShapeRules.linear(input.shape(), weight.shape(), null);
        requireShape("linear backward", "grad_output", gradOutput, out);
        int n = out.dim(0);
        int outF = out.dim(1);
        int inF = input.shape().dim(1);
        Tensor dx = null;
        if (needInputGrad) {
            dx = zeros(input.shape());
            gemm(false, false, n, inF, outF, 1f, gradOutput, weight, 0f, dx);
        }
        Tensor dw = zeros(weight.shape());
        gemm(true, false, outF, inF, n, 1f, gradOutput, input, 0f, dw);
        Tensor db = hasBias ? Host.tensor(Shape.of(outF), RefDense.columnSums(Host.floats(gradOutput), n, outF)) : null;
        return new Grads(dx, dw, db);
    }

    // ---- pointwise --------------------------------------------------------------------------

    @Override
    public Tensor activation(Tensor input, Activation kind, float negativeSlope) {
        return Host.tensor(input.shape(), RefPointwise.activation(Host.floats(input), kind, negativeSlope));
    }

    @Override
    public Tensor activationBackward(Tensor gradOutput, Tensor input, Tensor output, Activation kind,
                                     float negativeSlope) {
        requireSameShape(kind.opName() + " backward", gradOutput, input);
        return Host.tensor(input.shape(), RefPointwise.activationBackward(Host.floats(gradOutput),
                Host.floats(input), Host.floats(output), kind, negativeSlope));
    }

    @Override
    public Tensor prelu(Tensor input, Tensor weight) {
        ShapeRules.prelu(input.shape(), weight.shape());
        return Host.tensor(input.shape(), RefPointwise.prelu(Host.floats(input), input.shape(), Host.floats(weight)));
    }

    @Override
    public Grads preluBackward(Tensor gradOutput, Tensor input, Tensor weight) {
        ShapeRules.prelu(input.shape(), weight.shape());
        requireSameShape("prelu backward", gradOutput, input);
        float[] dx = new float[input.size()];
        float[] dw = new float[weight.size()];
        RefPointwise.preluBackward(Host.floats(gradOutput), Host.floats(input), input.shape(), Host.floats(weight),
                dx, dw);
        return new Grads(Host.tensor(input.shape(), dx), Host.tensor(weight.shape(), dw), null);
    }

    @Override
    public Tensor softmax(Tensor input, int dim, boolean log) {
        return Host.tensor(input.shape(), RefSoftmax.softmax(Host.floats(input), input.shape(), dim, log));
    }

    @Override
    public Tensor softmaxBackward(Tensor gradOutput, Tensor output, int dim, boolean log) {
        requireSameShape(log ? "log_softmax backward" : "softmax backward", gradOutput, output);
        return Host.tensor(output.shape(), RefSoftmax.softmaxBackward(Host.floats(gradOutput),
                Host.floats(output), output.shape(), dim, log));
    }

    @Override
    public DropoutOutput dropout(Tensor input, DropoutParams p) {
        if (!p.training() || p.p() == 0) {
            return new DropoutOutput(Host.tensor(input.shape(), Host.floats(input).clone()), null);
        }
        float[] mask = DropoutMask.of(input.size(), p);
        float[] x = Host.floats(input);
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = x[i] * mask[i];
        }
        return new DropoutOutput(Host.tensor(input.shape(), y), Host.tensor(input.shape(), mask));
    }

    @Override
    public Tensor dropoutBackward(Tensor gradOutput, DropoutOutput forward) {
        float[] g = Host.floats(gradOutput);
        if (forward.mask() == null) {
            return Host.tensor(gradOutput.shape(), g.clone());
        }
        requireSameShape("dropout backward", gradOutput, forward.mask());
        float[] m = Host.floats(forward.mask());
        float[] dx = new float[g.length];
        for (int i = 0; i < g.length; i++) {
            dx[i] = g[i] * m[i];
        }
        return Host.tensor(gradOutput.shape(), dx);
    }

    @Override
    public Tensor concat(List<Tensor> inputs, int dim) {
        Shape[] shapes = inputs.stream().map(Tensor::shape).toArray(Shape[]::new);
        float[][] data = inputs.stream().map(Host::floats).toArray(float[][]::new);
        Shape out = ShapeRules.concat(shapes, dim);
        return Host.tensor(out, RefConcat.concat(data, shapes, out, dim));
    }

    @Override
    public List<Tensor> split(Tensor t, int dim, int[] sizes) {
        Shape[] shapes = ShapeRules.split(t.shape(), dim, sizes);
        float[][] parts = RefConcat.split(Host.floats(t), t.shape(), dim, shapes);
        Tensor[] out = new Tensor[parts.length];
        for (int i = 0; i < parts.length; i++) {
            out[i] = Host.tensor(shapes[i], parts[i]);
        }
        return List.of(out);
    }

    // ---- tensor algebra: broadcasting maps, reductions, permutes ----

    @Override
    public Tensor binary(BinaryOp op, Tensor a, Tensor b) {
        Shape out = Broadcast.shape(op.opName(), a.shape(), b.shape());
        return Host.tensor(out, RefAlgebra.binary(op, Host.floats(a), a.shape(), Host.floats(b), b.shape(), out));
    }

    @Override
    public Tensor sumTo(Tensor t, Shape target, float scale) {
        Broadcast.requireReducible("sum_to", t.shape(), target);
        return Host.tensor(target, RefAlgebra.sumTo(Host.floats(t), t.shape(), target, scale));
    }

    @Override
    public Tensor broadcastTo(Tensor t, Shape shape) {
        Broadcast.requireExpandable("broadcast_to", t.shape(), shape);
        return Host.tensor(shape, RefAlgebra.broadcastTo(Host.floats(t), t.shape(), shape));
    }

    @Override
    public Tensor permute(Tensor t, int[] dims) {
        int[] axes = Permutation.axes("permute", t.shape(), dims);
        Shape out = Permutation.apply(t.shape(), axes);
        return Host.tensor(out, RefAlgebra.permute(Host.floats(t), t.shape(), axes, out));
    }

    // ---- losses -----------------------------------------------------------------------------

    @Override
    public Tensor loss(LossKind kind, Tensor input, Tensor target) {
        ShapeRules.loss(kind, input.shape(), target.shape());
        return Host.tensor(Shape.scalar(), new float[] {
                RefLoss.forward(kind, Host.floats(input), input.shape(), Host.floats(target))});
    }

    @Override
    public Tensor lossBackward(LossKind kind, Tensor input, Tensor target, float gradOutput) {
        ShapeRules.loss(kind, input.shape(), target.shape());
        return Host.tensor(input.shape(),
                RefLoss.backward(kind, Host.floats(input), input.shape(), Host.floats(target), gradOutput));
    }

    // ---- optimisation -----------------------------------------------------------------------

    @Override
    public void optimizerUpdate(OptimizerConfig config, Tensor param, Tensor grad, List<Tensor> state, long step,
                                double lr) {
        config.update(Host.floats(param), Host.floats(grad), stateArrays(config, param, grad, state), step, lr, 0,
                param.size());
    }

    /** The optimiser state's arrays, after checking that the gradient and every buffer match the parameter. */
    static float[][] stateArrays(OptimizerConfig config, Tensor param, Tensor grad, List<Tensor> state) {
        requireSameShape(config.name() + " update", param, grad);
        float[][] s = new float[state.size()][];
        for (int i = 0; i < s.length; i++) {
            requireSameShape(config.name() + " update", param, state.get(i));
            s[i] = Host.floats(state.get(i));
        }
        return s;
    }

    // ---- checks -----------------------------------------------------------------------------

    static void requireSameShape(String op, Tensor a, Tensor b) {
        if (!a.shape().equals(b.shape())) {
            throw new IllegalArgumentException(op + ": shapes differ: " + a.shape() + " and " + b.shape());
        }
    }

    static void requireShape(String op, String what, Tensor t, Shape expected) {
        if (!t.shape().equals(expected)) {
            throw new IllegalArgumentException(op + ": " + what + " must be " + expected + ", got " + t.shape());
        }
    }
}
