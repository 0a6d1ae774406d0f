package dev.fovea.backend.cpu;

import dev.fovea.backend.Backend;
import dev.fovea.backend.PoolOutput;
import dev.fovea.primitives.Conv2dParams;
import dev.fovea.primitives.ConvMode;
import dev.fovea.primitives.Pool2dParams;
import dev.fovea.primitives.PoolKind;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bad convolution and pooling input through the public {@link ReferenceBackend}: each is an
 * IllegalArgumentException whose message names the op, the offending parameter and, where shapes
 * are involved, the shapes, so a user can find the layer and the fix.
 */
class ConvPoolBadInputTest {
    private final Backend be = new ReferenceBackend();

    @Test
    void convInputAndWeightMustBeFourDimensional() {
        rejects(() -> conv(Shape.of(3, 5, 5), Shape.of(2, 3, 3, 3), null, Conv2dParams.defaults()),
                "conv2d: input must be 4-D", "[3, 5, 5]", "[2, 3, 3, 3]");
        rejects(() -> conv(Shape.of(1, 3, 5, 5), Shape.of(2, 27), null, Conv2dParams.defaults()),
                "conv2d: weight must be 4-D", "[1, 3, 5, 5]", "[2, 27]");
    }

    @Test
    void convChannelsMustBeDivisibleByGroups() {
        rejects(() -> conv(Shape.of(1, 3, 8, 8), Shape.of(4, 1, 3, 3), null, Conv2dParams.defaults().withGroups(2)),
                "conv2d: groups input channels 3 are not divisible by groups 2", "[1, 3, 8, 8]", "[4, 1, 3, 3]");
        rejects(() -> conv(Shape.of(1, 4, 8, 8), Shape.of(3, 2, 3, 3), null, Conv2dParams.defaults().withGroups(2)),
                "conv2d: groups output channels 3 are not divisible by groups 2", "[1, 4, 8, 8]", "[3, 2, 3, 3]");
    }

    @Test
    void convWeightInputChannelsMustMatchTheInput() {
        rejects(() -> conv(Shape.of(1, 3, 8, 8), Shape.of(4, 2, 3, 3), null, Conv2dParams.defaults()),
                "conv2d: weight expects 2 input channels", "input has 3", "[1, 3, 8, 8]", "[4, 2, 3, 3]");
        // Depthwise needs weight [Cout, 1, kH, kW]; passing the dense layout is a common slip.
        rejects(() -> conv(Shape.of(1, 4, 8, 8), Shape.of(4, 4, 3, 3), null, Conv2dParams.defaults().withGroups(4)),
                "conv2d: weight expects 16 input channels (4 x 4 groups), input has 4", "[4, 4, 3, 3]");
    }

    @Test
    void convBiasMustHaveOneValuePerOutputChannel() {
        rejects(() -> conv(Shape.of(1, 3, 8, 8), Shape.of(4, 3, 3, 3), Shape.of(3), Conv2dParams.defaults()),
                "conv2d: bias must be [4]", "bias [3]", "[1, 3, 8, 8]", "[4, 3, 3, 3]");
        rejects(() -> conv(Shape.of(1, 3, 8, 8), Shape.of(4, 3, 3, 3), Shape.of(1, 4), Conv2dParams.defaults()),
                "conv2d: bias must be [4]", "bias [1, 4]");
    }

    @Test
    void convKernelMustFitThePaddedInput() {
        rejects(() -> conv(Shape.of(1, 1, 2, 2), Shape.of(1, 1, 5, 5), null, Conv2dParams.of(1, 1)),
                "conv2d: kernel effective kernel 5x5 is larger than the padded input 4x4", "[1, 1, 2, 2]", "[1, 1, 5, 5]");
        // Dilation 3 stretches a 3x3 kernel to 7x7, which no longer fits a 6x6 input.
        rejects(() -> conv(Shape.of(1, 1, 6, 6), Shape.of(1, 1, 3, 3), null, Conv2dParams.defaults().withDilation(3)),
                "conv2d: kernel effective kernel 7x7 is larger than the padded input 6x6");
        // A huge dilation must not wrap around an int and slip through as a small kernel.
        rejects(() -> conv(Shape.of(1, 1, 6, 6), Shape.of(1, 1, 3, 3), null,
                Conv2dParams.defaults().withDilation(1 << 30)), "conv2d: kernel effective kernel 2147483649x2147483649");
    }

    @Test
    void convHugePaddingIsReportedNotWrappedAround() {
        rejects(() -> conv(Shape.of(1, 1, 3, 3), Shape.of(1, 1, 3, 3), null, Conv2dParams.of(1, 1 << 30)),
                "conv2d: padding gives an output of 1x1x2147483649x2147483649", "[1, 1, 3, 3]");
    }

    @Test
    void convSizesMustBePositive() {
        rejects(() -> new Conv2dParams(0, 1, 0, 0, 1, 1, 1, ConvMode.CONVOLUTION), "conv2d: stride must be >= 1", "[0, 1]");
        rejects(() -> new Conv2dParams(1, 1, 0, -2, 1, 1, 1, null), "conv2d: padding must be >= 0", "[0, -2]");
        rejects(() -> new Conv2dParams(1, 1, 0, 0, 0, 1, 1, null), "conv2d: dilation must be >= 1", "[0, 1]");
        rejects(() -> new Conv2dParams(1, 1, 0, 0, 1, 1, 0, null), "conv2d: groups must be >= 1", "got 0");
        rejects(() -> conv(Shape.of(1, 3, 5, 5), Shape.of(2, 3, 0, 3), null, Conv2dParams.defaults()),
                "conv2d: weight kernel must be at least 1x1", "[2, 3, 0, 3]");
        rejects(() -> Shape.of(1, 3, -5, 5), "dimension 2 is negative", "[1, 3, -5, 5]");
    }

    @Test
    void convBackwardChecksTheOutputGradient() {
        rejects(() -> be.conv2dBackward(be.zeros(Shape.of(1, 2, 5, 5)), be.zeros(Shape.of(1, 3, 6, 6)),
                be.zeros(Shape.of(2, 3, 3, 3)), true, true, Conv2dParams.defaults()),
                "conv2d backward: grad_output must be [1, 2, 4, 4], got [1, 2, 5, 5]");
    }

    @Test
    void poolInputMustBeFourDimensionalAndFitTheKernel() {
        rejects(() -> be.pool2d(be.zeros(Shape.of(6, 6)), Pool2dParams.of(PoolKind.MAX, 2)),
                "max_pool2d: input must be 4-D NCHW", "[6, 6]");
        rejects(() -> be.pool2d(be.zeros(Shape.of(1, 1, 2, 3)), Pool2dParams.of(PoolKind.MIN, 3, 1, 0)),
                "min_pool2d: kernel_size [3, 3] is larger than the padded input 2x3", "[1, 1, 2, 3]");
        rejects(() -> be.pool2d(be.zeros(Shape.of(1, 1, 1, 1)), Pool2dParams.of(PoolKind.AVG, 4, 1, 1)),
                "avg_pool2d: kernel_size [4, 4] is larger than the padded input 3x3", "[1, 1, 1, 1]");
    }

    @Test
    void poolPaddingMustBeAtMostHalfTheKernel() {
        // Otherwise a window could hold nothing but padding, and a max or min would have no winner.
        rejects(() -> Pool2dParams.of(PoolKind.MAX, 3, 1, 2),
                "max_pool2d: padding [2, 2] must be at most half the kernel [3, 3]");
        rejects(() -> new Pool2dParams(PoolKind.AVG, 2, 4, 1, 1, 0, 3, true),
                "avg_pool2d: padding [0, 3] must be at most half the kernel [2, 4]");
    }

    @Test
    void poolSizesMustBePositive() {
        rejects(() -> Pool2dParams.of(PoolKind.MAX, 0), "max_pool2d: kernel_size must be >= 1", "[0, 0]");
        rejects(() -> new Pool2dParams(PoolKind.MIN, 2, 2, 1, 0, 0, 0, true), "min_pool2d: stride must be >= 1", "[1, 0]");
        rejects(() -> new Pool2dParams(PoolKind.AVG, 2, 2, 1, 1, -1, 0, true), "avg_pool2d: padding must be >= 0", "[-1, 0]");
        rejects(() -> new Pool2dParams(null, 2, 2, 2, 2, 0, 0, true), "pool2d: kind must be");
    }

    @Test
    void poolBackwardChecksTheOutputGradientAndTheIndices() {
        Tensor x = be.zeros(Shape.of(1, 2, 4, 4));
        Pool2dParams p = Pool2dParams.of(PoolKind.MAX, 2);
        PoolOutput forward = be.pool2d(x, p);
        rejects(() -> be.pool2dBackward(be.zeros(Shape.of(1, 2, 4, 4)), x, forward, p),
                "max_pool2d backward: grad_output must be [1, 2, 2, 2], got [1, 2, 4, 4]");
        rejects(() -> be.pool2dBackward(be.zeros(Shape.of(1, 2, 2, 2)), x, new PoolOutput(forward.output(), null), p),
                "max_pool2d backward: indices", "[1, 2, 2, 2]", "none");
    }

    private void conv(Shape xs, Shape ws, Shape bs, Conv2dParams p) {
        be.conv2d(be.zeros(xs), be.zeros(ws), bs == null ? null : be.zeros(bs), p);
    }

    private static void rejects(Executable call, String... fragments) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "message should contain '" + f + "': " + e.getMessage());
        }
    }
}
