package dev.fovea.graph;

import dev.fovea.primitives.ConvMode;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A convolution layer's hyper-parameters, with PyTorch's nn.Conv2d defaults. */
public record ConvSpec(int outChannels, int kernel, int stride, int padding, int dilation, int groups,
                       boolean bias, ConvMode mode) {

    public static ConvSpec of(int outChannels, int kernel) {
        return new ConvSpec(outChannels, kernel, 1, 0, 1, 1, true, ConvMode.CROSS_CORRELATION);
    }

    public ConvSpec stride(int s) {
        return new ConvSpec(outChannels, kernel, s, padding, dilation, groups, bias, mode);
    }

    public ConvSpec padding(int p) {
        return new ConvSpec(outChannels, kernel, stride, p, dilation, groups, bias, mode);
    }

    public ConvSpec dilation(int d) {
        return new ConvSpec(outChannels, kernel, stride, padding, d, groups, bias, mode);
    }

    public ConvSpec groups(int g) {
        return new ConvSpec(outChannels, kernel, stride, padding, dilation, g, bias, mode);
    }

    public ConvSpec noBias() {
        return new ConvSpec(outChannels, kernel, stride, padding, dilation, groups, false, mode);
    }

    public ConvSpec mode(ConvMode m) {
        return new ConvSpec(outChannels, kernel, stride, padding, dilation, groups, bias, m);
    }

    /** The conv2d op's attributes (the same names a model or case file uses). */
    Map<String, Object> attrs() {
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("stride", List.of(stride, stride));
        a.put("padding", List.of(padding, padding));
        a.put("dilation", List.of(dilation, dilation));
        a.put("groups", groups);
        a.put("mode", mode == ConvMode.CONVOLUTION ? "convolution" : "cross_correlation");
        return a;
    }
}
