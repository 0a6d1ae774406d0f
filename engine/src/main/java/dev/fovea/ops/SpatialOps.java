package dev.fovea.ops;

import dev.fovea.backend.PoolOutput;
import dev.fovea.io.Limits;
import dev.fovea.primitives.AdaptivePool2dParams;
import dev.fovea.primitives.Pad2dParams;
import dev.fovea.primitives.PadMode;
import dev.fovea.primitives.PoolKind;
import dev.fovea.primitives.Resampling2d;
import dev.fovea.primitives.Upsample2dParams;
import dev.fovea.primitives.UpsampleMode;

import java.util.List;

/**
 * Ops that resample the H x W plane: adaptive_avg_pool2d and adaptive_max_pool2d (output_size),
 * upsample (mode nearest|bilinear, size or scale_factor, align_corners) and pad (padding as F.pad's
 * [left, right, top, bottom], mode constant|reflect|replicate, value). Adaptive max pooling saves
 * the winners' positions as the extra forward entry "indices", as max_pool2d does.
 */
final class SpatialOps {
    private SpatialOps() {
    }

    static List<OpDef> all() {
        return List.of(adaptive(PoolKind.AVG), adaptive(PoolKind.MAX), upsample(), pad());
    }

    private static OpDef adaptive(PoolKind kind) {
        OpDef.Builder builder = OpDef.builder("adaptive_" + kind.opName()).inputs("input").gradInputs("input")
                .attribute(Attribute.of("output_size", Attribute.Kind.INTEGER_OR_PAIR,
                        "the output plane; PyTorch's windows [floor(i*H/OH), ceil((i+1)*H/OH))")
                        .range(1, Limits.MODEL_WINDOW).asRequired())
                .shape((attrs, in) -> params(kind, attrs).outputShape(in.get("input")))
                .receptiveField((attrs, s, in) -> {
                    int h = s.input("input").dim(2);
                    int oh = attrs.requirePair("output_size")[0];
                    return in.then(widestWindow(h, oh), Math.max(1, h / oh));
                });
        if (kind == PoolKind.MAX) {
            builder.saves(Integer.BYTES);  // the winners' int32 positions
        }
        return builder
                .lowering(attrs -> resampling(params(kind, attrs)));
    }

    private static AdaptivePool2dParams params(PoolKind kind, Attrs attrs) {
        int[] size = attrs.requirePair("output_size");
        return new AdaptivePool2dParams(kind, size[0], size[1]);
    }

    /**
     * Every member's kernel: the backend's one resampling pair. Winners (adaptive max pooling's) travel
     * as the extra output "indices" and come back to the backward pass; the other members have none.
     */
    private static Lowering resampling(Resampling2d p) {
        return Lowering.of(p,
                (b, in) -> {
                    PoolOutput r = b.resample2d(in.get("input"), p);
                    return Outputs.of(Op.OUTPUT, r.output(), PoolOps.INDICES, r.indices());
                },
                (b, in, out, dy, wanted) -> Outputs.of("input",
                        b.resample2dBackward(dy, in.get("input").shape(), out.get(PoolOps.INDICES), p)));
    }

    /** The most input cells one output cell of an adaptive pool covers along an axis of n cells pooled to out. */
    static int widestWindow(int n, int out) {
        int widest = 1;
        for (int i = 0; i < out; i++) {
            widest = Math.max(widest, AdaptivePool2dParams.end(i, n, out) - AdaptivePool2dParams.start(i, n, out));
        }
        return widest;
    }

    private static OpDef upsample() {
        return OpDef.builder("upsample").inputs("input").gradInputs("input")
                .attribute(Attribute.choice("mode", UpsampleMode::text, "F.interpolate's coordinate rules",
                        UpsampleMode.values()).byDefault("nearest"))
                .attribute(Attribute.of("size", Attribute.Kind.INTEGER_OR_PAIR, "the output plane (or scale_factor)")
                        .range(1, Limits.IMAGE_SIDE))
                .attribute(Attribute.of("scale_factor", Attribute.Kind.NUMBER_OR_PAIR,
                        "each output side is floor(side * scale) (or size)").range(Double.MIN_VALUE, Limits.MODEL_WINDOW))
                .attribute(Attribute.of("align_corners", Attribute.Kind.BOOLEAN, "bilinear only").byDefault(false))
                .shape((attrs, in) -> upsampleParams(attrs).outputShape(in.get("input")))
                .lowering(attrs -> resampling(upsampleParams(attrs)));
    }

    /** mode defaults to nearest and align_corners to false, as in F.interpolate; one of size and scale_factor is required. */
    private static Upsample2dParams upsampleParams(Attrs a) {
        UpsampleMode mode = UpsampleMode.parse(a.string("mode"));
        boolean alignCorners = a.bool("align_corners");
        double[] scale = a.realPair("scale_factor");
        if (a.has("size") == (scale != null)) {
            throw new IllegalArgumentException("upsample: give exactly one of size and scale_factor");
        }
        if (scale != null) {
            return Upsample2dParams.ofScale(mode, scale[0], scale[1], alignCorners);
        }
        int[] size = a.requirePair("size");
        return Upsample2dParams.ofSize(mode, size[0], size[1], alignCorners);
    }

    private static OpDef pad() {
        return OpDef.builder("pad").inputs("input").gradInputs("input")
                .attribute(Attribute.of("padding", Attribute.Kind.INTEGER_OR_FOUR, "F.pad's [left, right, top, bottom]")
                        .range(0, Limits.MODEL_WINDOW).asRequired())
                .attribute(Attribute.choice("mode", PadMode::text, "reflect padding must be smaller than its dimension",
                        PadMode.values()).byDefault("constant"))
                .attribute(Attribute.of("value", Attribute.Kind.NUMBER, "constant mode's fill").byDefault(0.0))
                .shape((attrs, in) -> padParams(attrs).outputShape(in.get("input")))
                .lowering(attrs -> {
                    return resampling(padParams(attrs));
                });
    }

    private static Pad2dParams padParams(Attrs attrs) {
        int[] q = attrs.requireQuad("padding");
        return new Pad2dParams(q[0], q[1], q[2], q[3], PadMode.parse(attrs.string("mode")), (float) attrs.real("value"));
    }
}
