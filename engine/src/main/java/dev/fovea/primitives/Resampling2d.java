package dev.fovea.primitives;

import dev.fovea.tensor.Shape;

/**
 * The spatial-resampling family over NCHW: each output cell of a channel plane is a fixed function
 * of a window of input cells of the same plane (adaptive pooling's window, upsampling's taps,
 * padding's source cell), chosen by the parameters and the plane's size alone. The backward pass
 * is therefore a gather of output gradients onto the input plane, the same walk for every member.
 * The backend interface has one forward and one backward for the whole family, and each backend
 * dispatches on the member with {@link #match}, so a new member is a new record here plus a case in
 * each backend's spatial file: adding a method to {@link Cases} makes every unhandled place fail to
 * compile.
 */
public sealed interface Resampling2d permits AdaptivePool2dParams, Upsample2dParams, Pad2dParams {

    /** The op's name, for messages: adaptive_max_pool2d, upsample, pad. */
    String opName();

    /** Checks input [N,C,H,W] against the member's rules and returns the output's shape. */
    Shape outputShape(Shape input);

    /**
     * Whether the forward pass picks one winner per window (max-like) and returns its flat h*W+w
     * position in the plane, which the backward pass then routes the gradient to.
     */
    boolean winners();

    /** Calls the case for this member. */
    <R> R match(Cases<R> cases);

    /** One method per member of the family. */
    interface Cases<R> {
        R adaptivePool(AdaptivePool2dParams p);

        R upsample(Upsample2dParams p);

        R pad(Pad2dParams p);
    }
}
