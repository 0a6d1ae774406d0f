package dev.fovea.tests.conformance;

import dev.fovea.backend.Backend;
import dev.fovea.backend.Grads;
import dev.fovea.backend.PoolOutput;
import dev.fovea.backend.factory.Backends;
import dev.fovea.primitives.Activation;
import dev.fovea.primitives.AdaptivePool2dParams;
import dev.fovea.primitives.BinaryOp;
import dev.fovea.primitives.Conv2dParams;
import dev.fovea.primitives.LossKind;
import dev.fovea.primitives.Pool2dParams;
import dev.fovea.primitives.PoolKind;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * One rule for empty tensors on every backend, as in PyTorch: an op over a batch of 0 (or a
 * 0-channel part of a concatenation) returns empty outputs of the right shape, and a gradient summed
 * over an empty batch (weights, biases) is zero; the mean loss of an empty batch is refused. cuDNN
 * refuses zero-sized descriptors, so the GPU must not call it for empty work.
 */
class EmptyTensorTest {

    static List<String> backends() {
        return Backends.availableNames();
    }

    /** Runs {@code op} on the backend and on the reference and compares shape and values. */
    private static void same(Backend b, Backend ref, String what, Function<Backend, Tensor> op) {
        try (Tensor expected = op.apply(ref); Tensor actual = op.apply(b)) {
            assertEquals(expected.shape(), actual.shape(), what + " shape on " + b.name());
            assertArrayEquals(ref.download(expected), b.download(actual), what + " on " + b.name());
        }
    }

    private static Tensor empty(Backend b, int... dims) {
        return b.zeros(Shape.of(dims));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void emptyBatchesGiveEmptyOutputsAndZeroParameterGradients(String name) {
        try (Backend b = Backends.open(name); Backend ref = Backends.reference()) {
            Conv2dParams cp = Conv2dParams.of(1, 1);
            float[] w = new float[4 * 3 * 3 * 3];
            java.util.Arrays.fill(w, 0.5f);
            same(b, ref, "conv2d", k -> k.conv2d(empty(k, 0, 3, 5, 5), k.upload(Shape.of(4, 3, 3, 3), w),
                    k.upload(Shape.of(4), new float[]{1, 2, 3, 4}), cp));
            for (int part = 0; part < 3; part++) {
                int which = part;
                same(b, ref, "conv2d backward part " + part, k -> {
                    Grads g = k.conv2dBackward(empty(k, 0, 4, 5, 5), empty(k, 0, 3, 5, 5),
                            k.upload(Shape.of(4, 3, 3, 3), w), true, true, cp);
                    return which == 0 ? g.input() : which == 1 ? g.weight() : g.bias();
                });
            }
            for (PoolKind kind : PoolKind.values()) {
                Pool2dParams pp = Pool2dParams.of(kind, 2);
                same(b, ref, kind + " pool", k -> k.pool2d(empty(k, 0, 2, 4, 4), pp).output());
                same(b, ref, kind + " pool backward", k -> {
                    Tensor x = empty(k, 0, 2, 4, 4);
                    PoolOutput out = k.pool2d(x, pp);
                    return k.pool2dBackward(empty(k, 0, 2, 2, 2), x, out, pp);
                });
            }
            for (Activation a : Activation.values()) {
                same(b, ref, a + "", k -> k.activation(empty(k, 0, 3), a, 0.1f));
            }
            same(b, ref, "softmax", k -> k.softmax(empty(k, 0, 5), 1, false));
            same(b, ref, "log_softmax", k -> k.softmax(empty(k, 0, 5), 1, true));
            same(b, ref, "linear", k -> k.linear(empty(k, 0, 3), k.upload(Shape.of(2, 3), new float[6]),
                    k.upload(Shape.of(2), new float[]{1, 2})));
            same(b, ref, "linear backward weight", k -> k.linearBackward(empty(k, 0, 2), empty(k, 0, 3),
                    k.upload(Shape.of(2, 3), new float[6]), true, true).weight());
            same(b, ref, "linear backward bias", k -> k.linearBackward(empty(k, 0, 2), empty(k, 0, 3),
                    k.upload(Shape.of(2, 3), new float[6]), true, true).bias());
            same(b, ref, "global average pool", k -> k.resample2d(empty(k, 0, 3, 2, 2),
                    new AdaptivePool2dParams(PoolKind.AVG, 1, 1)).output());
            same(b, ref, "add", k -> k.binary(BinaryOp.ADD, empty(k, 0, 3), empty(k, 0, 3)));
            same(b, ref, "concat with a 0-channel part", k -> k.concat(List.of(
                    k.upload(Shape.of(1, 2, 2, 2), new float[]{1, 2, 3, 4, 5, 6, 7, 8}), empty(k, 1, 0, 2, 2)), 1));
            same(b, ref, "split into a 0-channel part", k -> k.split(
                    k.upload(Shape.of(1, 2, 1, 1), new float[]{1, 2}), 1, new int[]{0, 2}).get(1));
            for (BinaryOp op : BinaryOp.values()) {
                same(b, ref, op + " broadcast over an empty batch", k -> k.binary(op, empty(k, 0, 3),
                        k.upload(Shape.of(3), new float[]{1, 2, 4})));
            }
            // A broadcast operand's gradient over an empty batch is a sum of nothing: zeros; a mean of nothing is NaN.
            same(b, ref, "sum to [3] over an empty batch", k -> k.sumTo(empty(k, 0, 3), Shape.of(3), 1f));
            same(b, ref, "mean over an empty batch", k -> k.sumTo(empty(k, 0, 3), Shape.of(1, 3), 1f / 0));
            same(b, ref, "broadcast to an empty batch", k -> k.broadcastTo(k.upload(Shape.of(3), new float[]{1, 2, 3}),
                    Shape.of(0, 3)));
            same(b, ref, "permute an empty batch", k -> k.permute(empty(k, 0, 2, 3), new int[]{2, 0, 1}));
            // The mean loss of nothing is undefined: the same refusal everywhere.
            for (Backend k : List.of(ref, b)) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> k.loss(LossKind.CROSS_ENTROPY, empty(k, 0, 4), empty(k, 0)));
                assertEquals("cross_entropy: input is empty, the mean is undefined (input [0, 4], target [0])",
                        e.getMessage(), k.name());
            }
        }
    }
}
