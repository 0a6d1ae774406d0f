package dev.fovea.primitives;

import dev.fovea.tensor.Shape;

/**
 * One convolution's geometry, resolved once from the validated shapes and {@link Conv2dParams} and
 * shared by every backend: input [n, cin, h, w], weight [cout, cin/groups, kh, kw], output
 * [n, cout, oh, ow], strides, padding, dilation, groups and mode. The CPU kernels read its sizes and
 * per-group GEMM sizes, the CUDA backend its dims for cuDNN's descriptors and its routing tests; what
 * a backend derives from it (cuDNN's mode constant, a route) stays in that backend.
 */
public record ConvGeometry(int n, int cin, int h, int w, int cout, int kh, int kw, int oh, int ow, int groups,
                           int strideH, int strideW, int padH, int padW, int dilationH, int dilationW, ConvMode mode) {

    /** The geometry of {@code input} convolved with {@code weight}; the parameters' shape rule gives the output. */
    public static ConvGeometry of(Shape input, Shape weight, Conv2dParams p) {
        return of(input, weight, p.outputShape(input, weight, null), p);
    }

    /** As {@link #of(Shape, Shape, Conv2dParams)} with the output shape already computed. */
    public static ConvGeometry of(Shape input, Shape weight, Shape output, Conv2dParams p) {
        return new ConvGeometry(input.dim(0), input.dim(1), input.dim(2), input.dim(3), weight.dim(0), weight.dim(2),
                weight.dim(3), output.dim(2), output.dim(3), p.groups(), p.strideH(), p.strideW(), p.padH(), p.padW(),
                p.dilationH(), p.dilationW(), p.mode());
    }

    public int cinG() {
        return cin / groups;
    }

    public int coutG() {
        return cout / groups;
    }

    /** Rows of one group's im2col matrix: the GEMM depth. */
    public int kdim() {
        return cinG() * kh * kw;
    }

    public int outPlane() {
        return oh * ow;
    }

    public int inPlane() {
        return h * w;
    }

    /**
     * Each output channel reads a single input channel (cin/groups == 1): the CPU's direct
     * per-channel kernel applies. With one group that is a one-channel input (a network's first layer
     * on grey images), where im2col's GEMM would have a depth of only kh * kw.
     */
    public boolean oneInputChannelPerGroup() {
        return cinG() == 1;
    }

    /**
     * Depthwise in the usual sense: more than one group, one per input channel, each producing a whole
     * number of output channels (a one-channel first layer is not depthwise).
     */
    public boolean depthwise() {
        return groups > 1 && groups == cin && cout % groups == 0;
    }

    /** A 1x1, stride-1, unpadded kernel: the input plane already is the im2col matrix. */
    public boolean pointwise() {
        return kh == 1 && kw == 1 && strideH == 1 && strideW == 1 && padH == 0 && padW == 0;
    }

    public boolean dilated() {
        return dilationH > 1 || dilationW > 1;
    }

    /** Multiply-accumulates of the forward pass. */
    public long macs() {
        return (long) n * cout * oh * ow * cinG() * kh * kw;
    }

    /** First output column whose input column (ox * strideW + offset) is >= 0. */
    public int firstValidColumn(int offset) {
        return offset >= 0 ? 0 : Math.min(ow, (-offset + strideW - 1) / strideW);
    }

    /** One past the last output column whose input column (ox * strideW + offset) is < w. */
    public int endValidColumn(int offset) {
        return offset > w - 1 ? 0 : Math.min(ow, (w - 1 - offset) / strideW + 1);
    }

    /** Input dims, NCHW (cuDNN's tensor descriptor). */
    public int[] xDims() {
        return new int[] {n, cin, h, w};
    }

    /** Filter dims, KCRS with C per group (cuDNN's filter descriptor). */
    public int[] wDims() {
        return new int[] {cout, cinG(), kh, kw};
    }

    /** Output dims, NCHW. */
    public int[] yDims() {
        return new int[] {n, cout, oh, ow};
    }

    /** "input [..], weight [..], output [..], stride [..], ..." for error messages and logs. */
    public String describe() {
        return "input " + Shape.of(xDims()) + ", weight " + Shape.of(wDims()) + ", output " + Shape.of(yDims())
                + ", stride [" + strideH + ", " + strideW + "], padding [" + padH + ", " + padW + "], dilation ["
                + dilationH + ", " + dilationW + "], groups " + groups + ", "
                + (mode == ConvMode.CONVOLUTION ? "convolution" : "cross_correlation");
    }
}
