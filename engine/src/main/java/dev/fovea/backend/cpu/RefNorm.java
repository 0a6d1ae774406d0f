package dev.fovea.backend.cpu;

import dev.fovea.ops.BatchNormParams;
import dev.fovea.tensor.Shape;

/** Reference batch normalisation. Filled in by the normalisation work. */
final class RefNorm {
    private RefNorm() {
    }

    /** Checks x [N,C,H,W] or [N,C] against the four [C] tensors; returns C. */
    static int checkShapes(Shape x, Shape gamma, Shape beta, Shape runningMean, Shape runningVar) {
        throw new UnsupportedOperationException("TODO");
    }

    static void training(float[] x, Shape xs, float[] gamma, float[] beta, float[] runningMean,
                         float[] runningVar, BatchNormParams p, float[] y, float[] mean, float[] invStd) {
        throw new UnsupportedOperationException("TODO");
    }

    static float[] inference(float[] x, Shape xs, float[] gamma, float[] beta, float[] runningMean,
                             float[] runningVar, BatchNormParams p) {
        throw new UnsupportedOperationException("TODO");
    }

    static void backward(float[] dy, float[] x, Shape xs, float[] gamma, float[] mean, float[] invStd,
                         float[] dx, float[] dgamma, float[] dbeta) {
        throw new UnsupportedOperationException("TODO");
    }
}
