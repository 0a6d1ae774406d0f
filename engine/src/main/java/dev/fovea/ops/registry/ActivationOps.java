package dev.fovea.ops.registry;

import dev.fovea.backend.Grads;
import dev.fovea.ops.Activation;

import java.util.ArrayList;
import java.util.List;

/** relu, leaky_relu (negative_slope, default 0.01), sigmoid, tanh, prelu, softmax and log_softmax (dim). */
final class ActivationOps {
    private ActivationOps() {
    }

    static List<OpDef> all() {
        List<OpDef> ops = new ArrayList<>();
        for (Activation kind : Activation.values()) {
            ops.add(activation(kind));
        }
        ops.add(OpDef.builder("prelu")
                .inputs("input", "weight").gradInputs("input", "weight")
                .kernel(attrs -> Kernel.of(null,
                        (b, in) -> Outputs.output(b.prelu(in.get("input"), in.get("weight"))),
                        (b, in, out, dy, wanted) -> {
                            Grads g = b.preluBackward(dy, in.get("input"), in.get("weight"));
                            return Outputs.grads(wanted, "input", g.input(), "weight", g.weight());
                        })));
        ops.add(softmax("softmax", false));
        ops.add(softmax("log_softmax", true));
        return ops;
    }

    private static OpDef activation(Activation kind) {
        OpDef.Builder builder = OpDef.builder(kind.opName()).inputs("input").gradInputs("input");
        if (kind == Activation.LEAKY_RELU) {
            builder.attributes("negative_slope");
        }
        return builder.kernel(attrs -> {
            float slope = (float) attrs.real("negative_slope", 0.01);
            return Kernel.of(kind == Activation.LEAKY_RELU ? slope : null,
                    (b, in) -> Outputs.output(b.activation(in.get("input"), kind, slope)),
                    (b, in, out, dy, wanted) -> Outputs.of("input",
                            b.activationBackward(dy, in.get("input"), out.get(Op.OUTPUT), kind, slope)));
        });
    }

    /** dim is required, as PyTorch's implicit choice of dimension is deprecated; negative counts from the end. */
    private static OpDef softmax(String name, boolean log) {
        return OpDef.builder(name)
                .inputs("input").gradInputs("input")
                .attributes("dim")
                .kernel(attrs -> {
                    int dim = attrs.requireInteger("dim");
                    return Kernel.of(dim,
                            (b, in) -> Outputs.output(b.softmax(in.get("input"),
                                    TensorOps.axis(name, "dim", in.get("input").shape(), dim), log)),
                            (b, in, out, dy, wanted) -> Outputs.of("input", b.softmaxBackward(dy, out.get(Op.OUTPUT),
                                    TensorOps.axis(name, "dim", out.get(Op.OUTPUT).shape(), dim), log)));
                });
    }
}
