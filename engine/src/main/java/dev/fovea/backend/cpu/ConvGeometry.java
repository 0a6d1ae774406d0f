package dev.fovea.backend.cpu;

import dev.fovea.primitives.Conv2dParams;
import dev.fovea.tensor.Shape;

/**
 * The sizes of one validated convolution, unpacked once for the fast kernels: input [n, cin, h, w],
 * weight [cout, cin/groups, kh, kw], output [n, cout, oh, ow], and the per-group GEMM sizes.
 */
record ConvGeometry(int n, int cin, int h, int w, int cout, int kh, int kw, int oh, int ow, int groups,
                    int strideH, int strideW, int padH, int padW, int dilationH, int dilationW) {

    static ConvGeometry of(Shape xs, Shape ws, Shape ys, Conv2dParams p) {
        return new ConvGeometry(xs.dim(0), xs.dim(1), xs.dim(2), xs.dim(3), ws.dim(0), ws.dim(2), ws.dim(3),
                ys.dim(2), ys.dim(3), p.groups(), p.strideH(), p.strideW(), p.padH(), p.padW(),
                p.dilationH(), p.dilationW());
    }

    int cinG() {
        return cin / groups;
    }

    int coutG() {
        return cout / groups;
    }

    /** Rows of one group's im2col matrix: the GEMM depth. */
    int kdim() {
        return cinG() * kh * kw;
    }

    int outPlane() {
        return oh * ow;
    }

    int inPlane() {
        return h * w;
    }

    /**
     * Each output channel reads a single input channel: the direct depthwise kernel applies. With one
     * group that is a one-channel input (a network's first layer on grey images), where im2col's GEMM
     * would have a depth of only kh * kw.
     */
    boolean depthwise() {
        return cinG() == 1;
    }

    /** A 1x1, stride-1, unpadded kernel: the input plane already is the im2col matrix. */
    boolean pointwise() {
        return kh == 1 && kw == 1 && strideH == 1 && strideW == 1 && padH == 0 && padW == 0;
    }

    /** First output column whose input column (ox * strideW + offset) is >= 0. */
    int firstValidColumn(int offset) {
        return offset >= 0 ? 0 : Math.min(ow, Sgemm.ceilDiv(-offset, strideW));
    }

    /** One past the last output column whose input column (ox * strideW + offset) is < w. */
    int endValidColumn(int offset) {
        return offset > w - 1 ? 0 : Math.min(ow, (w - 1 - offset) / strideW + 1);
    }
}
