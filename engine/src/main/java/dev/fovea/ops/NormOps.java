package dev.fovea.ops;

import dev.fovea.backend.Backend;
import dev.fovea.backend.BatchNormOutput;
import dev.fovea.backend.DropoutOutput;
import dev.fovea.backend.Grads;
import dev.fovea.primitives.BatchNormParams;
import dev.fovea.primitives.DropoutParams;
import dev.fovea.primitives.ShapeRules;
import dev.fovea.tensor.Tensor;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * batch_norm and dropout: the ops whose behaviour depends on a training flag. In training,
 * batch_norm updates running_mean and running_var in place and also returns them as outputs (so a
 * case can check the update); it saves the batch mean and 1/sqrt(var+eps) for backward.
 */
final class NormOps {
    static final String SAVED_MEAN = "saved_mean";
    static final String SAVED_INV_STD = "saved_invstd";
    static final String MASK = "mask";

    private NormOps() {
    }

    static List<OpDef> all() {
        return List.of(batchNorm(), dropout());
    }

    private static OpDef batchNorm() {
        return OpDef.builder("batch_norm")
                .inputs("input", "weight", "bias", "running_mean", "running_var")
                .gradInputs("input", "weight", "bias")
                .extraOutputs("running_mean", "running_var")
                // PyTorch's F.batch_norm defaults: training=False, momentum=0.1, eps=1e-5.
                .attribute(Attribute.of("training", Attribute.Kind.BOOLEAN, "batch statistics, updating the running ones")
                        .byDefault(false).perPass())
                .attribute(Attribute.of("momentum", Attribute.Kind.NUMBER, "weight of a batch in the running statistics")
                        .range(0, 1).byDefault(0.1))
                .attribute(Attribute.of("eps", Attribute.Kind.NUMBER, "added to the variance")
                        .range(Double.MIN_VALUE, 1).byDefault(1e-5))
                .shape((attrs, in) -> {
                    ShapeRules.batchNorm(in.get("input"), in.get("weight"), in.get("bias"), in.get("running_mean"),
                            in.get("running_var"));
                    return in.get("input");
                })
                .lowering(attrs -> {
                    boolean training = attrs.bool("training");
                    BatchNormParams p = new BatchNormParams(attrs.real("momentum"), attrs.real("eps"));
                    return Lowering.of(p,
                            (b, in) -> {
                                if (!training) {
                                    return Outputs.output(b.batchNormInference(in.get("input"), in.get("weight"),
                                            in.get("bias"), in.get("running_mean"), in.get("running_var"), p));
                                }
                                BatchNormOutput r = b.batchNormTraining(in.get("input"), in.get("weight"),
                                        in.get("bias"), in.get("running_mean"), in.get("running_var"), p);
                                return Outputs.of(Op.OUTPUT, r.output(), SAVED_MEAN, r.savedMean(),
                                        SAVED_INV_STD, r.savedInvStd(), "running_mean", in.get("running_mean"),
                                        "running_var", in.get("running_var"));
                            },
                            (b, in, out, dy, wanted) -> {
                                if (!training) {
                                    return inferenceBackward(b, in, dy, wanted, p);
                                }
                                Grads g = b.batchNormBackward(dy, in.get("input"), in.get("weight"),
                                        new BatchNormOutput(out.get(Op.OUTPUT), out.get(SAVED_MEAN), out.get(SAVED_INV_STD)));
                                return Outputs.grads(wanted, "input", g.input(), "weight", g.weight(), "bias", g.bias());
                            });
                });
    }

    /**
     * Backward of batch norm with fixed statistics (a frozen layer below trained ones, or fine-tuning
     * with frozen statistics): the op is then the per-channel affine map
     * y = (x - mean) * w / sqrt(var + eps) + b, whose gradients the backend computes; those not
     * wanted are released at once.
     */
    private static Map<String, Tensor> inferenceBackward(Backend b, Inputs in, Tensor dy, Set<String> wanted,
                                                         BatchNormParams p) {
        Grads g = b.batchNormInferenceBackward(dy, in.get("input"), in.get("weight"), in.get("running_mean"),
                in.get("running_var"), p);
        Map<String, Tensor> grads = Outputs.of("input", g.input(), "weight", g.weight(), "bias", g.bias());
        grads.entrySet().removeIf(e -> {
            boolean unwanted = !wanted.contains(e.getKey());
            if (unwanted) {
                e.getValue().close();
            }
            return unwanted;
        });
        return grads;
    }

    private static OpDef dropout() {
        return OpDef.builder("dropout")
                .inputs("input").gradInputs("input")
                // PyTorch's F.dropout defaults: p=0.5, training=True; the seed makes the mask reproducible.
                .attribute(Attribute.of("p", Attribute.Kind.NUMBER, "the probability of zeroing an element")
                        .range(0, 1).byDefault(0.5))
                .attribute(Attribute.of("training", Attribute.Kind.BOOLEAN, "off: the identity").byDefault(true).perPass())
                .attribute(Attribute.of("seed", Attribute.Kind.INTEGER, "draws the mask").byDefault(0).perPass())
                .sameShape()
                .saves(Float.BYTES)  // the mask, one float per element
                .lowering(attrs -> {
                    DropoutParams p = new DropoutParams(attrs.real("p"), attrs.bool("training"),
                            attrs.longInteger("seed"));
                    return Lowering.of(p,
                            (b, in) -> {
                                DropoutOutput r = b.dropout(in.get("input"), p);
                                return Outputs.of(Op.OUTPUT, r.output(), MASK, r.mask());
                            },
                            (b, in, out, dy, wanted) -> Outputs.of("input",
                                    b.dropoutBackward(dy, new DropoutOutput(out.get(Op.OUTPUT), out.get(MASK)))));
                });
    }
}
