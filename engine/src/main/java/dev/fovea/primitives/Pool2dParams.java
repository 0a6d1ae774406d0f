package dev.fovea.primitives;

import dev.fovea.tensor.Shape;

/**
 * Attributes of 2-D pooling over NCHW input. Padded cells never win a max or min; for average
 * pooling {@code countIncludePad} decides whether they count in the divisor (PyTorch's default: true).
 * Ties in max/min go to the first cell of the window in row-major order.
 */
public record Pool2dParams(PoolKind kind, int kernelH, int kernelW, int strideH, int strideW,
                           int padH, int padW, boolean countIncludePad) {

    public Pool2dParams {
        String op = kind == null ? "pool2d" : kind.opName();
        if (kind == null) {
            throw new IllegalArgumentException("pool2d: kind must be max, avg or min");
        }
        check(kernelH >= 1 && kernelW >= 1, op, "kernel_size", "must be >= 1, got [" + kernelH + ", " + kernelW + "]");
        check(strideH >= 1 && strideW >= 1, op, "stride", "must be >= 1, got [" + strideH + ", " + strideW + "]");
        check(padH >= 0 && padW >= 0, op, "padding", "must be >= 0, got [" + padH + ", " + padW + "]");
        // PyTorch's rule: a window must always hold at least one real cell.
        check(padH <= kernelH / 2 && padW <= kernelW / 2, op, "padding",
                "[" + padH + ", " + padW + "] must be at most half the kernel [" + kernelH + ", " + kernelW + "]");
    }

    /** Square window of size k with stride k and no padding (the common 2x2/2 pooling). */
    public static Pool2dParams of(PoolKind kind, int k) {
        return new Pool2dParams(kind, k, k, k, k, 0, 0, true);
    }

    public static Pool2dParams of(PoolKind kind, int k, int stride, int padding) {
        return new Pool2dParams(kind, k, k, stride, stride, padding, padding, true);
    }

    public Pool2dParams withCountIncludePad(boolean include) {
        return new Pool2dParams(kind, kernelH, kernelW, strideH, strideW, padH, padW, include);
    }

    /** Checks input [N,C,H,W] and returns [N,C,Hout,Wout] with Hout = floor((H + 2P - K)/S) + 1. */
    public Shape outputShape(Shape input) {
        String op = kind.opName();
        check(input.rank() == 4, op, "input", "must be 4-D NCHW, got " + input);
        // long: padding may be up to half of a kernel as large as an int.
        long ph = input.dim(2) + 2L * padH;
        long pw = input.dim(3) + 2L * padW;
        check(kernelH <= ph && kernelW <= pw, op, "kernel_size",
                "[" + kernelH + ", " + kernelW + "] is larger than the padded input " + ph + "x" + pw
                        + " (input " + input + ", " + this + ")");
        return Shape.of(input.dim(0), input.dim(1),
                (int) ((ph - kernelH) / strideH + 1), (int) ((pw - kernelW) / strideW + 1));
    }

    private static void check(boolean ok, String op, String parameter, String message) {
        if (!ok) {
            throw new IllegalArgumentException(op + ": " + parameter + " " + message);
        }
    }
}
