package dev.fovea.testing;

import dev.fovea.primitives.Activation;

import java.util.EnumSet;
import java.util.Set;

/**
 * How closely a CUDA kernel's activation (float libm: expf, tanhf, erff, log1pf) must match the
 * reference ({@link Activation}'s formulas, transcendentals in double), as {abs, rel}. Sets, not a
 * switch: a new activation gets the tolerance of the double-evaluated formulas without an edit here.
 */
public final class ActivationTolerance {
    /** Evaluated as the same float expression on both sides. */
    private static final Set<Activation> EXACT = EnumSet.of(Activation.RELU, Activation.LEAKY_RELU,
            Activation.HARDSWISH, Activation.HARDSIGMOID);
    /** One libm call rounded once: CUDA's/glibc's expf/tanhf (<= 2 ulp) against Java's double functions. */
    private static final Set<Activation> ONE_CALL = EnumSet.of(Activation.SIGMOID, Activation.TANH);

    private ActivationTolerance() {
    }

    public static double[] forward(Activation kind) {
        return EXACT.contains(kind) ? new double[] {0, 0} : ONE_CALL.contains(kind) ? new double[] {1e-7, 2e-6}
                : new double[] {1e-6, 1e-5};
    }

    /** Sigmoid's and tanh's gradients are float expressions of the output, given to both sides: exact. */
    public static double[] backward(Activation kind) {
        return EXACT.contains(kind) || ONE_CALL.contains(kind) ? new double[] {0, 0} : new double[] {1e-6, 1e-5};
    }
}
