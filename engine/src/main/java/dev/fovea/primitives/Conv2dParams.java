package dev.fovea.primitives;

import dev.fovea.tensor.Shape;

/**
 * Attributes of a 2-D convolution over NCHW input with OIHW weight ([Cout, Cin/groups, kH, kW]).
 * Validates itself against shapes and computes the output shape, so every backend shares one
 * definition of what a legal convolution is.
 */
public record Conv2dParams(int strideH, int strideW, int padH, int padW,
                           int dilationH, int dilationW, int groups, ConvMode mode) {

    public Conv2dParams {
        require(strideH >= 1 && strideW >= 1, "stride", "must be >= 1, got [" + strideH + ", " + strideW + "]");
        require(padH >= 0 && padW >= 0, "padding", "must be >= 0, got [" + padH + ", " + padW + "]");
        require(dilationH >= 1 && dilationW >= 1, "dilation",
                "must be >= 1, got [" + dilationH + ", " + dilationW + "]");
        require(groups >= 1, "groups", "must be >= 1, got " + groups);
        if (mode == null) {
            mode = ConvMode.CROSS_CORRELATION;
        }
    }

    /** Stride 1, no padding, no dilation, one group, cross-correlation. */
    public static Conv2dParams defaults() {
        return new Conv2dParams(1, 1, 0, 0, 1, 1, 1, ConvMode.CROSS_CORRELATION);
    }

    public static Conv2dParams of(int stride, int padding) {
        return new Conv2dParams(stride, stride, padding, padding, 1, 1, 1, ConvMode.CROSS_CORRELATION);
    }

    public Conv2dParams withDilation(int d) {
        return new Conv2dParams(strideH, strideW, padH, padW, d, d, groups, mode);
    }

    public Conv2dParams withGroups(int g) {
        return new Conv2dParams(strideH, strideW, padH, padW, dilationH, dilationW, g, mode);
    }

    public Conv2dParams withMode(ConvMode m) {
        return new Conv2dParams(strideH, strideW, padH, padW, dilationH, dilationW, groups, m);
    }

    /** Effective kernel extent once dilated: K + (K-1)(D-1). */
    public static int effectiveKernel(int k, int dilation) {
        return Math.toIntExact(extent(k, dilation));
    }

    /** Output extent along one axis: floor((in + 2P - Keff) / S) + 1. */
    public static int outputSize(int in, int k, int stride, int pad, int dilation) {
        return Math.toIntExact(outputExtent(in, k, stride, pad, dilation));
    }

    // Shapes are checked in long arithmetic so that hostile sizes (a dilation of 2^30) give an error
    // naming the parameter instead of wrapping around to a plausible-looking int.
    private static long extent(int k, int dilation) {
        return k + (long) (k - 1) * (dilation - 1);
    }

    private static long outputExtent(int in, int k, int stride, int pad, int dilation) {
        return Math.floorDiv(in + 2L * pad - extent(k, dilation), stride) + 1;
    }

    /**
     * Checks input [N,Cin,H,W], weight [Cout,Cin/groups,kH,kW] and optional bias [Cout]; returns the
     * output shape [N,Cout,Hout,Wout]. Throws IllegalArgumentException naming the parameter and shapes.
     */
    public Shape outputShape(Shape input, Shape weight, Shape bias) {
        String ctx = " (input " + input + ", weight " + weight + (bias != null ? ", bias " + bias : "")
                + ", " + this + ")";
        require(input.rank() == 4, "input", "must be 4-D NCHW" + ctx);
        require(weight.rank() == 4, "weight", "must be 4-D [Cout, Cin/groups, kH, kW]" + ctx);
        int cin = input.dim(1);
        int cout = weight.dim(0);
        require(cin % groups == 0, "groups", "input channels " + cin + " are not divisible by groups " + groups + ctx);
        require(cout % groups == 0, "groups", "output channels " + cout + " are not divisible by groups " + groups + ctx);
        require(weight.dim(1) * groups == cin, "weight",
                "expects " + weight.dim(1) * groups + " input channels (" + weight.dim(1) + " x " + groups
                        + " groups), input has " + cin + ctx);
        require(weight.dim(2) >= 1 && weight.dim(3) >= 1, "weight", "kernel must be at least 1x1" + ctx);
        if (bias != null) {
            require(bias.rank() == 1 && bias.dim(0) == cout, "bias", "must be [" + cout + "]" + ctx);
        }
        long kh = extent(weight.dim(2), dilationH);
        long kw = extent(weight.dim(3), dilationW);
        long ph = input.dim(2) + 2L * padH;
        long pw = input.dim(3) + 2L * padW;
        require(kh <= ph && kw <= pw, "kernel",
                "effective kernel " + kh + "x" + kw + " is larger than the padded input " + ph + "x" + pw + ctx);
        long oh = outputExtent(input.dim(2), weight.dim(2), strideH, padH, dilationH);
        long ow = outputExtent(input.dim(3), weight.dim(3), strideW, padW, dilationW);
        require((double) input.dim(0) * cout * oh * ow <= Integer.MAX_VALUE, "padding",
                "gives an output of " + input.dim(0) + "x" + cout + "x" + oh + "x" + ow
                        + ", more than 2^31-1 elements" + ctx);
        return Shape.of(input.dim(0), cout, (int) oh, (int) ow);
    }

    private static void require(boolean ok, String parameter, String message) {
        if (!ok) {
            throw new IllegalArgumentException("conv2d: " + parameter + " " + message);
        }
    }
}
