package dev.fovea.backend.cuda;

import dev.fovea.primitives.Conv2dParams;
import dev.fovea.primitives.ConvMode;
import dev.fovea.tensor.Shape;
import jcuda.jcudnn.cudnnConvolutionMode;

/**
 * The cuDNN descriptor parameters of one convolution, derived from Fovea's shapes and
 * {@link Conv2dParams}: tensor dims for x and y (NCHW), filter dims (KCRS, C per group), padding,
 * stride, dilation, group count and the cuDNN mode. Pure values, so the mapping is tested without
 * a GPU; {@code CudnnDescriptors} turns it into native descriptors.
 */
public record ConvGeometry(int[] xDims, int[] wDims, int[] yDims, int padH, int padW, int strideH, int strideW,
                           int dilationH, int dilationW, int groups, int cudnnMode) {

    public static ConvGeometry of(Shape input, Shape weight, Conv2dParams p) {
        Shape out = p.outputShape(input, weight, null);
        // cuDNN's CUDNN_CONVOLUTION flips the filter, which is exactly mathematical convolution.
        int mode = p.mode() == ConvMode.CONVOLUTION ? cudnnConvolutionMode.CUDNN_CONVOLUTION
                : cudnnConvolutionMode.CUDNN_CROSS_CORRELATION;
        return new ConvGeometry(input.toArray(), weight.toArray(), out.toArray(), p.padH(), p.padW(),
                p.strideH(), p.strideW(), p.dilationH(), p.dilationW(), p.groups(), mode);
    }

    public int batch() {
        return xDims[0];
    }

    public int inChannels() {
        return xDims[1];
    }

    public int outChannels() {
        return wDims[0];
    }

    /** Depthwise: one group per input channel, each producing a whole number of output channels. */
    public boolean depthwise() {
        return groups > 1 && groups == inChannels() && outChannels() % groups == 0;
    }

    public boolean dilated() {
        return dilationH > 1 || dilationW > 1;
    }

    /** Multiply-accumulates of the forward pass. */
    public long macs() {
        return (long) yDims[0] * yDims[1] * yDims[2] * yDims[3] * wDims[1] * wDims[2] * wDims[3];
    }

    /** "input [..], weight [..], stride [..], ..." for error messages and logs. */
    public String describe() {
        return "input " + Shape.of(xDims) + ", weight " + Shape.of(wDims) + ", output " + Shape.of(yDims)
                + ", stride [" + strideH + ", " + strideW + "], padding [" + padH + ", " + padW + "], dilation ["
                + dilationH + ", " + dilationW + "], groups " + groups + ", "
                + (cudnnMode == cudnnConvolutionMode.CUDNN_CONVOLUTION ? "convolution" : "cross_correlation");
    }
}
