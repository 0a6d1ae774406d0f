package dev.fovea.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** {@link PointwiseOps} on the Vector API; a scalar tail finishes each span. Loaded only when the module is present. */
final class VectorPointwiseOps extends PointwiseOps {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    @Override
    void leakyRelu(float[] x, float[] y, float slope, int from, int to) {
        int i = from;
        FloatVector zero = FloatVector.zero(S);
        for (int end = from + S.loopBound(to - from); i < end; i += S.length()) {
            FloatVector v = FloatVector.fromArray(S, x, i);
            VectorMask<Float> positive = v.compare(VectorOperators.GT, zero);
            FloatVector other = slope == 0 ? zero : v.mul(slope);
            other.blend(v, positive).intoArray(y, i);
        }
        super.leakyRelu(x, y, slope, i, to);
    }

    @Override
    void leakyReluBackward(float[] dy, float[] x, float[] dx, float slope, int from, int to) {
        int i = from;
        FloatVector zero = FloatVector.zero(S);
        for (int end = from + S.loopBound(to - from); i < end; i += S.length()) {
            FloatVector g = FloatVector.fromArray(S, dy, i);
            VectorMask<Float> positive = FloatVector.fromArray(S, x, i).compare(VectorOperators.GT, zero);
            FloatVector other = slope == 0 ? zero : g.mul(slope);
            other.blend(g, positive).intoArray(dx, i);
        }
        super.leakyReluBackward(dy, x, dx, slope, i, to);
    }
}
