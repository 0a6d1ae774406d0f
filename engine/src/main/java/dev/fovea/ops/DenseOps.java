package dev.fovea.ops;

import dev.fovea.backend.Grads;
import dev.fovea.primitives.ShapeRules;

import java.util.List;

/** linear: input [N, in], weight [out, in] (PyTorch's layout), optional bias [out]. */
final class DenseOps {
    private DenseOps() {
    }

    static List<OpDef> all() {
        return List.of(OpDef.builder("linear")
                .inputs("input", "weight").optionalInputs("bias")
                .gradInputs("input", "weight", "bias")
                .macs((attrs, s) -> s.input("weight").size())
                .shape((attrs, in) -> ShapeRules.linear(in.get("input"), in.get("weight"), in.optional("bias")))
                .lowering(attrs -> Lowering.of(null,
                        (b, in) -> Outputs.output(b.linear(in.get("input"), in.get("weight"), in.optional("bias"))),
                        (b, in, out, dy, wanted) -> {
                            Grads g = b.linearBackward(dy, in.get("input"), in.get("weight"),
                                    wanted.contains("bias"), wanted.contains("input"));
                            return Outputs.grads(wanted, "input", g.input(), "weight", g.weight(), "bias", g.bias());
                        })));
    }
}
