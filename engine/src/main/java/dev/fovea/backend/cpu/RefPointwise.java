package dev.fovea.backend.cpu;

import dev.fovea.ops.Activation;
import dev.fovea.ops.DropoutParams;
import dev.fovea.tensor.Shape;

/** Reference pointwise ops, softmax, dropout masks and concat/split. Filled in by the pointwise work. */
final class RefPointwise {
    private RefPointwise() {
    }

    static float[] activation(float[] x, Activation kind, float slope) {
        throw new UnsupportedOperationException("TODO");
    }

    static float[] activationBackward(float[] dy, float[] x, float[] y, Activation kind, float slope) {
        throw new UnsupportedOperationException("TODO");
    }

    static void checkPrelu(Shape x, Shape w) {
        throw new UnsupportedOperationException("TODO");
    }

    static float[] prelu(float[] x, Shape xs, float[] w) {
        throw new UnsupportedOperationException("TODO");
    }

    static void preluBackward(float[] dy, float[] x, Shape xs, float[] w, float[] dx, float[] dw) {
        throw new UnsupportedOperationException("TODO");
    }

    static float[] softmax(float[] x, Shape xs, int dim, boolean log) {
        throw new UnsupportedOperationException("TODO");
    }

    static float[] softmaxBackward(float[] dy, float[] y, Shape ys, int dim, boolean log) {
        throw new UnsupportedOperationException("TODO");
    }

    static float[] dropoutMask(int n, DropoutParams p) {
        throw new UnsupportedOperationException("TODO");
    }

    static Shape concatShape(Shape[] shapes, int dim) {
        throw new UnsupportedOperationException("TODO");
    }

    static float[] concat(float[][] data, Shape[] shapes, Shape out, int dim) {
        throw new UnsupportedOperationException("TODO");
    }

    static Shape[] splitShapes(Shape s, int dim, int[] sizes) {
        throw new UnsupportedOperationException("TODO");
    }

    static float[][] split(float[] x, Shape s, int dim, Shape[] shapes) {
        throw new UnsupportedOperationException("TODO");
    }
}
