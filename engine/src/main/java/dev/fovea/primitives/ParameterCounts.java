package dev.fovea.primitives;

/**
 * Weight counts of the layer types the course material compares, as longs because a dense layer
 * on a photograph overflows an int (100 units on a 12 MP RGB image: 3.6 billion weights). Biases
 * are counted only where asked: one per output channel or unit.
 */
public final class ParameterCounts {
    private ParameterCounts() {
    }

    /** kH * kW * (Cin / G) * Cout weights (K^2 * Cin * Cout / G for a square kernel), plus Cout biases. */
    public static long conv2d(int kernelH, int kernelW, int inChannels, int outChannels, int groups, boolean bias) {
        requirePositive("conv2d", "kernel_size", kernelH, kernelW);
        requirePositive("conv2d", "channels", inChannels, outChannels);
        requirePositive("conv2d", "groups", groups);
        if (inChannels % groups != 0 || outChannels % groups != 0) {
            throw new IllegalArgumentException("conv2d: groups " + groups + " must divide both in channels "
                    + inChannels + " and out channels " + outChannels);
        }
        long weights = (long) kernelH * kernelW * (inChannels / groups) * outChannels;
        return weights + (bias ? outChannels : 0);
    }

    /**
     * A depthwise k x k convolution (groups = Cin) followed by a pointwise 1x1 convolution:
     * K^2 * Cin + Cin * Cout weights, plus Cin + Cout biases.
     */
    public static long depthwiseSeparable(int kernel, int inChannels, int outChannels, boolean bias) {
        return conv2d(kernel, kernel, inChannels, inChannels, inChannels, bias)
                + conv2d(1, 1, inChannels, outChannels, 1, bias);
    }

    /** in * out weights, plus out biases. */
    public static long linear(long inFeatures, long outFeatures, boolean bias) {
        if (inFeatures < 1 || outFeatures < 1) {
            throw new IllegalArgumentException("linear: features must be >= 1, got in " + inFeatures
                    + ", out " + outFeatures);
        }
        return Math.addExact(Math.multiplyExact(inFeatures, outFeatures), bias ? outFeatures : 0);
    }

    private static void requirePositive(String op, String what, int... values) {
        for (int v : values) {
            if (v < 1) {
                throw new IllegalArgumentException(op + ": " + what + " must be >= 1, got " + java.util.Arrays.toString(values));
            }
        }
    }
}
