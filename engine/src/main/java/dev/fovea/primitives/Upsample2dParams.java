package dev.fovea.primitives;

import dev.fovea.tensor.Shape;

/**
 * Attributes of 2-D upsampling (PyTorch 1.13's {@code F.interpolate} on NCHW, modes nearest and
 * bilinear): the output size either given ({@code outH, outW}, scales 0) or floor(input * scale)
 * ({@code scaleH, scaleW}, sizes 0). The coordinate rules here are PyTorch's, to the float rounding,
 * and every backend takes its source indices and weights from them:
 * <ul>
 * <li>scale = 1/scale_factor when a scale factor is given, else in/out, in float; with bilinear
 *     align_corners (in-1)/(out-1) (0 for one output cell) whatever was given;</li>
 * <li>nearest: src = min(floor(dst * scale), in - 1); an axis of the same size is copied and one of
 *     twice the size takes dst / 2, as PyTorch special-cases them;</li>
 * <li>bilinear: src = scale * dst with align_corners, else max(scale * (dst + 0.5) - 0.5, 0); the
 *     taps are floor(src) and the next cell (the same one at the edge) with weights 1 - f and f;
 *     an axis of the same size is copied.</li>
 * </ul>
 */
public record Upsample2dParams(UpsampleMode mode, int outH, int outW, double scaleH, double scaleW,
                               boolean alignCorners) implements Resampling2d {

    public Upsample2dParams {
        if (mode == null) {
            throw new IllegalArgumentException("upsample: mode must be nearest or bilinear");
        }
        boolean sized = outH != 0 || outW != 0;
        boolean scaled = scaleH != 0 || scaleW != 0;
        if (sized == scaled) {
            throw new IllegalArgumentException("upsample: give exactly one of size and scale_factor");
        }
        if (sized && (outH < 1 || outW < 1)) {
            throw new IllegalArgumentException("upsample: size must be >= 1, got [" + outH + ", " + outW + "]");
        }
        if (scaled && !(scaleH > 0 && scaleW > 0 && Double.isFinite(scaleH) && Double.isFinite(scaleW))) {
            throw new IllegalArgumentException("upsample: scale_factor must be finite and > 0, got [" + scaleH + ", "
                    + scaleW + "]");
        }
        if (alignCorners && mode != UpsampleMode.BILINEAR) {
            throw new IllegalArgumentException("upsample: align_corners applies to bilinear only, not " + mode.text()
                    + " (as in PyTorch)");
        }
    }

    public static Upsample2dParams ofSize(UpsampleMode mode, int outH, int outW, boolean alignCorners) {
        return new Upsample2dParams(mode, outH, outW, 0, 0, alignCorners);
    }

    public static Upsample2dParams ofScale(UpsampleMode mode, double scaleH, double scaleW, boolean alignCorners) {
        return new Upsample2dParams(mode, 0, 0, scaleH, scaleW, alignCorners);
    }

    @Override
    public String opName() {
        return "upsample";
    }

    /** Every output cell blends (or copies) its taps; none is a winner. */
    @Override
    public boolean winners() {
        return false;
    }

    @Override
    public <R> R match(Cases<R> cases) {
        return cases.upsample(this);
    }

    /** Checks input [N,C,H,W] with a non-empty plane; returns [N,C,OH,OW]. */
    @Override
    public Shape outputShape(Shape input) {
        if (input.rank() != 4) {
            throw new IllegalArgumentException("upsample: input must be 4-D NCHW, got " + input);
        }
        if (input.dim(2) < 1 || input.dim(3) < 1) {
            throw new IllegalArgumentException("upsample: input " + input + " has an empty H x W plane");
        }
        return Shape.of(input.dim(0), input.dim(1), outSize(input.dim(2), outH, scaleH, "height"),
                outSize(input.dim(3), outW, scaleW, "width"));
    }

    private static int outSize(int in, int size, double scale, String axis) {
        if (size != 0) {
            return size;
        }
        double out = Math.floor(in * scale);
        if (out < 1 || out > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("upsample: scale_factor " + scale + " turns an input " + axis + " of "
                    + in + " into " + (long) out + "; the output needs 1 to " + Integer.MAX_VALUE + " cells");
        }
        return (int) out;
    }

    /** The float scale PyTorch maps output to input coordinates with, for one axis (scaleFactor 0: none given). */
    public float sourceScale(int in, int out, double scaleFactor) {
        if (alignCorners) {
            return out > 1 ? (float) (in - 1) / (out - 1) : 0f;
        }
        return scaleFactor > 0 ? (float) (1.0 / scaleFactor) : (float) in / out;
    }

    /** The input cell nearest-mode output cell {@code dst} copies. */
    public static int nearestSource(int dst, int in, int out, float scale) {
        if (out == in) {
            return dst;
        }
        if (out == 2 * in) {
            return dst >> 1;
        }
        return Math.min((int) (dst * scale), in - 1);
    }

    /**
     * The bilinear source coordinate of output cell {@code dst} (>= 0). PyTorch evaluates the
     * half-pixel form in double and rounds once to float; the CUDA kernel gets the same value from
     * one fma.
     */
    public static float linearSource(int dst, float scale, boolean alignCorners) {
        if (alignCorners) {
            return scale * dst;
        }
        float src = (float) (scale * (dst + 0.5) - 0.5);
        return src < 0 ? 0f : src;
    }

    /** One axis's taps: output cell o reads i0[o] with weight l0[o] and i1[o] with l1[o] (nearest: i0 only). */
    public record Taps(int[] i0, int[] i1, float[] l0, float[] l1) {
    }

    /** The taps of an axis of {@code in} cells upsampled to {@code out}; {@code scaleFactor} 0 when a size was given. */
    public Taps taps(int in, int out, double scaleFactor) {
        float scale = sourceScale(in, out, scaleFactor);
        int[] i0 = new int[out];
        int[] i1 = new int[out];
        float[] l0 = new float[out];
        float[] l1 = new float[out];
        for (int o = 0; o < out; o++) {
            if (mode == UpsampleMode.NEAREST || out == in) {
                i0[o] = mode == UpsampleMode.NEAREST ? nearestSource(o, in, out, scale) : o;
                i1[o] = i0[o];
                l0[o] = 1f;
                continue;
            }
            float src = linearSource(o, scale, alignCorners);
            int lo = (int) src;
            i0[o] = lo;
            i1[o] = lo + (lo < in - 1 ? 1 : 0);
            l1[o] = Math.min(Math.max(src - lo, 0f), 1f);
            l0[o] = 1f - l1[o];
        }
        return new Taps(i0, i1, l0, l1);
    }
}
