package dev.fovea.ops;

import dev.fovea.backend.PoolOutput;
import dev.fovea.io.Limits;
import dev.fovea.primitives.Pool2dParams;
import dev.fovea.primitives.PoolKind;
import dev.fovea.tensor.Shape;

import java.util.ArrayList;
import java.util.List;

/**
 * max_pool2d, avg_pool2d, min_pool2d (kernel_size, stride defaulting to kernel_size, padding; avg
 * also count_include_pad) and global_avg_pool2d. Max and min pooling save the winners' positions
 * as the extra forward entry "indices" for the backward pass.
 */
final class PoolOps {
    static final String INDICES = "indices";

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
                .shape((attrs, in) -> {
                    Shape s = in.get("input");
                    if (s.rank() != 4) {
                        throw new IllegalArgumentException("global_avg_pool2d: input must be 4-D NCHW, got " + s);
                    }
                    return Shape.of(s.dim(0), s.dim(1), 1, 1);
                })
                .kernel(attrs -> Kernel.of(null,
                        (b, in) -> Outputs.output(b.globalAvgPool2d(in.get("input"))),
                        (b, in, out, dy, wanted) -> Outputs.of("input",
                                b.globalAvgPool2dBackward(dy, in.get("input").shape())))));
        return ops;
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
        return builder.kernel(attrs -> {
            Pool2dParams p = params(kind, attrs);
            return Kernel.of(p,
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
