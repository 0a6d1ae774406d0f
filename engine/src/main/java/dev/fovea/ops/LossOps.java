package dev.fovea.ops;

import dev.fovea.backend.Backend;
import dev.fovea.primitives.LossKind;
import dev.fovea.primitives.ShapeRules;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * cross_entropy (logits [N,C], class indices [N] as floats), binary_cross_entropy (probabilities),
 * binary_cross_entropy_with_logits and mse_loss. Each returns the mean loss as a scalar "output";
 * only the input gets a gradient. {@code reduction} is accepted for PyTorch compatibility and must
 * be "mean", the one reduction the backends implement.
 */
final class LossOps {
    private LossOps() {
    }

    static List<OpDef> all() {
        List<OpDef> ops = new ArrayList<>();
        for (LossKind kind : LossKind.values()) {
            ops.add(loss(kind));
        }
        return ops;
    }

    private static OpDef loss(LossKind kind) {
        return OpDef.builder(kind.opName())
                .inputs("input", "target").gradInputs("input")
                .loss()
                .attribute(Attribute.choice("reduction", List.of("mean"), "accepted for PyTorch compatibility")
                        .byDefault("mean"))
                .shape((attrs, in) -> {
                    ShapeRules.loss(kind, in.get("input"), in.get("target"));
                    return Shape.scalar();
                })
                .lowering(attrs -> {
                    String reduction = attrs.string("reduction");
                    if (!reduction.equals("mean")) {
                        throw new IllegalArgumentException(kind.opName() + ": attribute 'reduction' must be \"mean\", got \""
                                + reduction + "\"");
                    }
                    return Lowering.of(kind,
                            (b, in) -> Outputs.output(b.loss(kind, in.get("input"), in.get("target"))),
                            (b, in, out, dy, wanted) -> Outputs.of("input",
                                    b.lossBackward(kind, in.get("input"), in.get("target"), scalar(kind, b, dy))));
                });
    }

    private static float scalar(LossKind kind, Backend b, Tensor dy) {
        if (dy.size() != 1) {
            throw new IllegalArgumentException(kind.opName() + ": the gradient of the loss must be a scalar, got shape "
                    + dy.shape());
        }
        return b.download(dy)[0];
    }
}
