package dev.fovea.ops;

import dev.fovea.backend.Grads;
import dev.fovea.io.Limits;
import dev.fovea.primitives.Conv2dParams;
import dev.fovea.primitives.ConvMode;

import java.util.List;
import java.util.Locale;

/** conv2d: input [N,Cin,H,W], weight [Cout,Cin/groups,kH,kW], optional bias [Cout]. */
final class ConvOps {
    private ConvOps() {
    }

    static List<OpDef> all() {
        return List.of(OpDef.builder("conv2d")
                .inputs("input", "weight").optionalInputs("bias")
                .gradInputs("input", "weight", "bias")
                .attribute(Attribute.of("stride", Attribute.Kind.INTEGER_OR_PAIR, "the window's step")
                        .range(1, Limits.MODEL_WINDOW).byDefault(1))
                .attribute(Attribute.of("padding", Attribute.Kind.INTEGER_OR_PAIR, "zeros added on each side")
                        .range(0, Limits.MODEL_WINDOW).byDefault(0))
                .attribute(Attribute.of("dilation", Attribute.Kind.INTEGER_OR_PAIR, "spacing of the kernel's taps")
                        .range(1, Limits.MODEL_WINDOW).byDefault(1))
                .attribute(Attribute.of("groups", Attribute.Kind.INTEGER, "channel groups (groups = channels: depthwise)")
                        .range(1, Limits.MODEL_CHANNELS).byDefault(1))
                .attribute(Attribute.choice("mode", m -> m.name().toLowerCase(Locale.ROOT),
                        "convolution flips the kernel", ConvMode.values()).byDefault("cross_correlation"))
                .shape((attrs, in) -> params(attrs).outputShape(in.get("input"), in.get("weight"), in.optional("bias")))
                // Each output element sums Cin/groups * kH * kW products.
                .macs((attrs, s) -> (long) s.output().size() * s.input("weight").product(1, 4))
                // Axes are treated alike; summaries show the height axis.
                .receptiveField((attrs, s, in) -> {
                    Conv2dParams p = params(attrs);
                    return in.then(s.input("weight").dim(2), p.strideH(), p.dilationH());
                })
                .lowering(attrs -> {
                    Conv2dParams p = params(attrs);
                    return Lowering.of(p,
                            (b, in) -> Outputs.output(b.conv2d(in.get("input"), in.get("weight"), in.optional("bias"), p)),
                            (b, in, out, dy, wanted) -> {
                                Grads g = b.conv2dBackward(dy, in.get("input"), in.get("weight"),
                                        wanted.contains("bias"), wanted.contains("input"), p);
                                return Outputs.grads(wanted, "input", g.input(), "weight", g.weight(), "bias", g.bias());
                            });
                }));
    }

    /** PyTorch's defaults (declared above): stride 1, padding 0, dilation 1, groups 1; plus mode (cross_correlation). */
    static Conv2dParams params(Attrs a) {
        int[] stride = a.pair("stride");
        int[] padding = a.pair("padding");
        int[] dilation = a.pair("dilation");
        ConvMode mode = ConvMode.parse(a.string("mode"));
        return new Conv2dParams(stride[0], stride[1], padding[0], padding[1], dilation[0], dilation[1],
                a.integer("groups"), mode);
    }
}
