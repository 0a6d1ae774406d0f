package dev.fovea.ops;

import dev.fovea.primitives.ReceptiveField;
import dev.fovea.tensor.Shape;

/**
 * What a model summary and a memory plan need to know about an op beyond running it, declared with
 * the op ({@link OpDef.Builder#macs}, {@link OpDef.Builder#receptiveField}, {@link OpDef.Builder#saves},
 * {@link OpDef.Builder#view}) so that no table elsewhere matches op names. An op that declares none
 * of them costs no multiply-adds, passes the receptive field of its widest input through, keeps
 * nothing beside its output for backward, and owns its output buffer.
 */
public final class OpFacts {
    private OpFacts() {
    }

    /** Multiply-adds of one sample, from the attributes and the shapes around the node. */
    @FunctionalInterface
    public interface Macs {
        long of(Attrs attrs, OpShapes shapes);
    }

    /** The receptive field of one output cell, given that of a cell of the op's image input. */
    @FunctionalInterface
    public interface FieldRule {
        ReceptiveField of(Attrs attrs, OpShapes shapes, ReceptiveField input);
    }

    /**
     * The shape of an op's "output" given its inputs' shapes and attributes; it validates what the
     * backends validate, with their one-line errors, by calling the same rules (mostly the parameter
     * records' {@code outputShape}).
     */
    @FunctionalInterface
    public interface ShapeRule {
        Shape of(Attrs attrs, OpShapes.In inputs);
    }

    static final Macs NO_MACS = (attrs, shapes) -> 0;
}
