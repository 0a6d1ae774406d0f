package dev.fovea.primitives;

import dev.fovea.tensor.Shape;

/**
 * Attributes of padding the last two dimensions of NCHW input, as PyTorch's {@code F.pad(x, [left,
 * right, top, bottom], mode, value)}: constant fills with {@code value}; reflect mirrors about the
 * edge cell (cell -1 reads cell 1), so each of its paddings must be smaller than that dimension, as
 * PyTorch requires; replicate repeats the edge cell.
 */
public record Pad2dParams(int left, int right, int top, int bottom, PadMode mode, float value) implements Resampling2d {

    public Pad2dParams {
        if (mode == null) {
            throw new IllegalArgumentException("pad: mode must be constant, reflect or replicate");
        }
        if (left < 0 || right < 0 || top < 0 || bottom < 0) {
            throw new IllegalArgumentException("pad: padding must be >= 0 on every side, got [" + left + ", " + right
                    + ", " + top + ", " + bottom + "] (left, right, top, bottom)");
        }
        if (mode != PadMode.CONSTANT && value != 0) {
            throw new IllegalArgumentException("pad: value applies to constant mode only, not " + mode.text());
        }
    }

    @Override
    public String opName() {
        return "pad";
    }

    /** Every output cell copies its source cell (or the constant); none is a winner. */
    @Override
    public boolean winners() {
        return false;
    }

    @Override
    public <R> R match(Cases<R> cases) {
        return cases.pad(this);
    }

    /** Checks input [N,C,H,W] against the mode's rules; returns [N,C,H+top+bottom,W+left+right]. */
    @Override
    public Shape outputShape(Shape input) {
        if (input.rank() != 4) {
            throw new IllegalArgumentException("pad: input must be 4-D NCHW, got " + input);
        }
        int h = input.dim(2);
        int w = input.dim(3);
        if (mode == PadMode.REFLECT && (left >= w || right >= w || top >= h || bottom >= h)) {
            throw new IllegalArgumentException("pad: reflect padding must be smaller than the padded dimension:"
                    + " [" + left + ", " + right + "] against width " + w + ", [" + top + ", " + bottom + "] against height "
                    + h + " (input " + input + ")");
        }
        if (mode != PadMode.CONSTANT && (h == 0 || w == 0)) {
            throw new IllegalArgumentException("pad: " + mode.text() + " padding needs a non-empty H x W plane, input is "
                    + input);
        }
        long oh = (long) h + top + bottom;
        long ow = (long) w + left + right;
        if (oh > Integer.MAX_VALUE || ow > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("pad: the padded plane " + oh + "x" + ow + " is too large");
        }
        return Shape.of(input.dim(0), input.dim(1), (int) oh, (int) ow);
    }

    /**
     * The input cell that output cell {@code o} of an axis (size {@code size}, {@code before} cells of
     * padding ahead of it) reads, or -1 where constant padding fills it.
     */
    public int source(int o, int size, int before) {
        int i = o - before;
        if (i >= 0 && i < size) {
            return i;
        }
        return switch (mode) {
            case CONSTANT -> -1;
            case REFLECT -> i < 0 ? -i : 2 * (size - 1) - i;
            case REPLICATE -> i < 0 ? 0 : size - 1;
        };
    }
}
