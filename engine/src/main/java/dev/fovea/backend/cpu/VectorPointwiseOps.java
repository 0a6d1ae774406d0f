package dev.fovea.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** {@link PointwiseOps} on the Vector API; a scalar tail finishes each span. Loaded only when the module is present. */
final class VectorPointwiseOps extends PointwiseOps {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    @Override
    void relu(float[] x, float[] y, int from, int to) {
        int i = from;
        FloatVector zero = FloatVector.zero(S);
        for (int end = from + S.loopBound(to - from); i < end; i += S.length()) {
            FloatVector v = FloatVector.fromArray(S, x, i);
            // Only negatives become 0: NaN and -0 compare false and pass through.
            v.blend(zero, v.compare(VectorOperators.LT, zero)).intoArray(y, i);
        }
        super.relu(x, y, i, to);
    }

    @Override
    void reluBackward(float[] dy, float[] x, float[] dx, int from, int to) {
        int i = from;
        FloatVector zero = FloatVector.zero(S);
        for (int end = from + S.loopBound(to - from); i < end; i += S.length()) {
            FloatVector g = FloatVector.fromArray(S, dy, i);
            VectorMask<Float> notPositive = FloatVector.fromArray(S, x, i).compare(VectorOperators.LE, zero);
            g.blend(zero, notPositive).intoArray(dx, i);
        }
        super.reluBackward(dy, x, dx, i, to);
    }

    @Override
    void leakyRelu(float[] x, float[] y, float slope, int from, int to) {
        int i = from;
        FloatVector zero = FloatVector.zero(S);
        for (int end = from + S.loopBound(to - from); i < end; i += S.length()) {
            FloatVector v = FloatVector.fromArray(S, x, i);
            VectorMask<Float> positive = v.compare(VectorOperators.GT, zero);
            v.mul(slope).blend(v, positive).intoArray(y, i);
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
            g.mul(slope).blend(g, positive).intoArray(dx, i);
        }
        super.leakyReluBackward(dy, x, dx, slope, i, to);
    }
}
