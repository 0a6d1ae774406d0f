package dev.fovea.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/** {@link RowOps} on the Vector API; a scalar tail finishes each span. Loaded only when the module is present. */
final class VectorRowOps extends RowOps {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    @Override
    void axpy(float a, float[] x, int xo, float[] y, int yo, int n) {
        int i = 0;
        FloatVector av = FloatVector.broadcast(S, a);
        for (int end = S.loopBound(n); i < end; i += S.length()) {
            FloatVector.fromArray(S, x, xo + i).fma(av, FloatVector.fromArray(S, y, yo + i)).intoArray(y, yo + i);
        }
        for (; i < n; i++) {
            y[yo + i] = Math.fma(a, x[xo + i], y[yo + i]);
        }
    }

    @Override
    void multiplyAdd(float[] x, int xo, float[] y, int yo, float[] acc, int ao, int n) {
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += S.length()) {
            FloatVector.fromArray(S, x, xo + i).fma(FloatVector.fromArray(S, y, yo + i),
                    FloatVector.fromArray(S, acc, ao + i)).intoArray(acc, ao + i);
        }
        for (; i < n; i++) {
            acc[ao + i] = Math.fma(x[xo + i], y[yo + i], acc[ao + i]);
        }
    }
}
