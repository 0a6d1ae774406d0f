package dev.fovea.ops;

import dev.fovea.backend.Grads;
import dev.fovea.primitives.Conv2dParams;
import dev.fovea.primitives.ConvMode;

import java.util.List;

/** conv2d: input [N,Cin,H,W], weight [Cout,Cin/groups,kH,kW], optional bias [Cout]. */
final class ConvOps {
    private ConvOps() {
    }

    static List<OpDef> all() {
        return List.of(OpDef.builder("conv2d")
                .inputs("input", "weight").optionalInputs("bias")
                .gradInputs("input", "weight", "bias")
                .attributes("stride", "padding", "dilation", "groups", "mode")
                // Each output element sums Cin/groups * kH * kW products.
                .macs((attrs, s) -> (long) s.output().size() * s.input("weight").product(1, 4))
                // Axes are treated alike; summaries show the height axis.
                .receptiveField((attrs, s, in) -> {
                    Conv2dParams p = params(attrs);
                    return in.then(s.input("weight").dim(2), p.strideH(), p.dilationH());
                })
                .kernel(attrs -> {
                    Conv2dParams p = params(attrs);
                    return Kernel.of(p,
                            (b, in) -> Outputs.output(b.conv2d(in.get("input"), in.get("weight"), in.optional("bias"), p)),
                            (b, in, out, dy, wanted) -> {
                                Grads g = b.conv2dBackward(dy, in.get("input"), in.get("weight"),
                                        wanted.contains("bias"), wanted.contains("input"), p);
                                return Outputs.grads(wanted, "input", g.input(), "weight", g.weight(), "bias", g.bias());
                            });
                }));
    }

    /** PyTorch's defaults: stride 1, padding 0, dilation 1, groups 1; plus mode (cross_correlation). */
    static Conv2dParams params(Attrs a) {
        int[] stride = a.pair("stride", new int[] {1, 1});
        int[] padding = a.pair("padding", new int[] {0, 0});
        int[] dilation = a.pair("dilation", new int[] {1, 1});
        ConvMode mode = ConvMode.parse(a.string("mode", "cross_correlation"));
        return new Conv2dParams(stride[0], stride[1], padding[0], padding[1], dilation[0], dilation[1],
                a.integer("groups", 1), mode);
    }
}
