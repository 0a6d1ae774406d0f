package dev.fovea.ops;

import dev.fovea.backend.PoolOutput;
import dev.fovea.io.Limits;
import dev.fovea.primitives.AdaptivePool2dParams;
import dev.fovea.primitives.Pool2dParams;
import dev.fovea.primitives.PoolKind;
import dev.fovea.tensor.Shape;

import java.util.ArrayList;
import java.util.List;

/**
 * max_pool2d, avg_pool2d, min_pool2d (kernel_size, stride defaulting to kernel_size, padding; avg
 * also count_include_pad) and global_avg_pool2d (the backends' adaptive average pooling to 1x1).
 * Max and min pooling save the winners' positions as the extra forward entry "indices" for the
 * backward pass.
 */
final class PoolOps {
    static final String INDICES = "indices";

    /** global_avg_pool2d is adaptive average pooling to one cell per plane (CUDA keeps a kernel for it). */
    private static final AdaptivePool2dParams WHOLE_PLANE = new AdaptivePool2dParams(PoolKind.AVG, 1, 1);

    private PoolOps() {
    }

    static List<OpDef> all() {
        List<OpDef> ops = new ArrayList<>();
        for (PoolKind kind : PoolKind.values()) {
            ops.add(pool(kind));
        }
        ops.add(OpDef.builder("global_avg_pool2d")
                .inputs("input").gradInputs("input")
                // One output cell sees the whole plane.
                .receptiveField((attrs, s, in) -> in.then(s.input("input").dim(2), s.input("input").dim(2)))
                .shape((attrs, in) -> WHOLE_PLANE.outputShape(globalInput(in.get("input"))))
                .lowering(attrs -> Lowering.of(null,
                        (b, in) -> {
                            globalInput(in.get("input").shape());
                            return Outputs.output(b.resample2d(in.get("input"), WHOLE_PLANE).output());
                        },
                        (b, in, out, dy, wanted) -> Outputs.of("input",
                                b.resample2dBackward(dy, in.get("input").shape(), null, WHOLE_PLANE)))));
        return ops;
    }

    /** Checks global_avg_pool2d's input under its own name; adaptive pooling's checks would name adaptive_avg_pool2d. */
    private static Shape globalInput(Shape s) {
        if (s.rank() != 4) {
            throw new IllegalArgumentException("global_avg_pool2d: input must be 4-D NCHW, got " + s);
        }
        if (s.dim(2) == 0 || s.dim(3) == 0) {
            throw new IllegalArgumentException("global_avg_pool2d: input " + s + " has an empty H x W plane to average");
        }
        return s;
    }

    private static OpDef pool(PoolKind kind) {
        OpDef.Builder builder = OpDef.builder(kind.opName()).inputs("input").gradInputs("input")
                // Axes are treated alike; summaries show the height axis.
                .receptiveField((attrs, s, in) -> {
                    Pool2dParams p = params(kind, attrs);
                    return in.then(p.kernelH(), p.strideH());
                })
                .attribute(Attribute.of("kernel_size", Attribute.Kind.INTEGER_OR_PAIR, "the window")
                        .range(1, Limits.MODEL_WINDOW).asRequired())
                .attribute(Attribute.of("stride", Attribute.Kind.INTEGER_OR_PAIR, "the window's step; absent: kernel_size")
                        .range(1, Limits.MODEL_WINDOW))
                .attribute(Attribute.of("padding", Attribute.Kind.INTEGER_OR_PAIR, "cells added on each side")
                        .range(0, Limits.MODEL_WINDOW).byDefault(0))
                .shape((attrs, in) -> params(kind, attrs).outputShape(in.get("input")));
        switch (kind) {
            case AVG -> builder.attribute(Attribute.of("count_include_pad", Attribute.Kind.BOOLEAN,
                    "padding cells count in the mean").byDefault(true));
            // The winners' int32 positions are kept for backward.
            case MAX, MIN -> builder.saves(Integer.BYTES);
        }
        return builder.lowering(attrs -> {
            Pool2dParams p = params(kind, attrs);
            return Lowering.of(p,
                    (b, in) -> {
                        PoolOutput r = b.pool2d(in.get("input"), p);
                        return Outputs.of(Op.OUTPUT, r.output(), INDICES, r.indices());
                    },
                    (b, in, out, dy, wanted) -> Outputs.of("input", b.pool2dBackward(dy, in.get("input"),
                            new PoolOutput(out.get(Op.OUTPUT), out.get(INDICES)), p)));
        });
    }

    /** kernel_size is required; stride defaults to kernel_size as in PyTorch; count_include_pad (avg only) to true. */
    static Pool2dParams params(PoolKind kind, Attrs a) {
        int[] kernel = a.requirePair("kernel_size");
        int[] stride = a.pair("stride", kernel);
        int[] padding = a.pair("padding");
        boolean countIncludePad = kind != PoolKind.AVG || a.bool("count_include_pad");
        return new Pool2dParams(kind, kernel[0], kernel[1], stride[0], stride[1], padding[0], padding[1],
                countIncludePad);
    }
}
