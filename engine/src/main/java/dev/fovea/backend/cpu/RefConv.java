package dev.fovea.backend.cpu;

import dev.fovea.ops.Conv2dParams;
import dev.fovea.tensor.Shape;

/** Reference 2-D convolution (NCHW, OIHW, groups, dilation, both modes). Filled in by the conv work. */
final class RefConv {
    private RefConv() {
    }

    static float[] forward(float[] x, Shape xs, float[] w, Shape ws, float[] b, Conv2dParams p, Shape ys) {
        throw new UnsupportedOperationException("TODO");
    }

    static float[] backwardInput(float[] dy, Shape ys, float[] w, Shape ws, Shape xs, Conv2dParams p) {
        throw new UnsupportedOperationException("TODO");
    }

    static float[] backwardWeight(float[] dy, Shape ys, float[] x, Shape xs, Shape ws, Conv2dParams p) {
        throw new UnsupportedOperationException("TODO");
    }

    static float[] backwardBias(float[] dy, Shape ys) {
        throw new UnsupportedOperationException("TODO");
    }
}
