package dev.fovea.primitives;

import dev.fovea.tensor.Shape;

/**
 * Attributes of adaptive 2-D pooling over NCHW input: the output plane is {@code outH x outW}
 * whatever the input's size, and output cell i of an axis of size n covers the input cells
 * [floor(i*n/out), ceil((i+1)*n/out)) (PyTorch's rule), so windows may differ in size and overlap.
 * Max pooling keeps {@link Pool2dParams}' winner rule: first of ties, last NaN.
 */
public record AdaptivePool2dParams(PoolKind kind, int outH, int outW) implements Resampling2d {

    public AdaptivePool2dParams {
        if (kind == null || kind == PoolKind.MIN) {
            throw new IllegalArgumentException("adaptive pooling: kind must be max or avg, got " + kind);
        }
        if (outH < 1 || outW < 1) {
            throw new IllegalArgumentException(opNameOf(kind) + ": output_size must be >= 1, got [" + outH + ", "
                    + outW + "]");
        }
    }

    /** adaptive_max_pool2d or adaptive_avg_pool2d. */
    @Override
    public String opName() {
        return opNameOf(kind);
    }

    private static String opNameOf(PoolKind kind) {
        return "adaptive_" + kind.opName();
    }

    /** Max pooling returns its winners; average pooling has none. */
    @Override
    public boolean winners() {
        return kind == PoolKind.MAX;
    }

    @Override
    public <R> R match(Cases<R> cases) {
        return cases.adaptivePool(this);
    }

    /** Checks input [N,C,H,W] with a non-empty plane and returns [N,C,outH,outW]. */
    @Override
    public Shape outputShape(Shape input) {
        if (input.rank() != 4) {
            throw new IllegalArgumentException(opName() + ": input must be 4-D NCHW, got " + input);
        }
        if (input.dim(2) < 1 || input.dim(3) < 1) {
            throw new IllegalArgumentException(opName() + ": input " + input + " has an empty H x W plane to pool");
        }
        return Shape.of(input.dim(0), input.dim(1), outH, outW);
    }

    /** First input cell of output cell {@code i}: floor(i * in / out), in 64-bit so no product overflows. */
    public static int start(int i, int in, int out) {
        return (int) ((long) i * in / out);
    }

    /** One past the last input cell of output cell {@code i}: ceil((i + 1) * in / out). */
    public static int end(int i, int in, int out) {
        return (int) (((long) (i + 1) * in + out - 1) / out);
    }
}
