package dev.fovea.train;

import dev.fovea.backend.Backend;
import dev.fovea.primitives.BinaryOp;
import dev.fovea.tensor.HostStorage;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;

import java.util.Collection;

/**
 * Whether tensors hold only finite values. Host tensors are scanned in place; device tensors are
 * first reduced on the device to one sum of squares (NaN or infinite whenever any element is),
 * which a training step reads with its loss in one download, and only a non-finite sum is confirmed
 * element by element (a finite but enormous gradient can overflow the sum without being
 * non-finite itself).
 */
final class Finiteness {
    private Finiteness() {
    }

    /**
     * Whether {@code tensors} are finite, given {@code sumOfSquares}, the value of
     * {@link #deviceSumOfSquares} (ignored when that was null: host tensors are scanned exactly).
     */
    static boolean allFinite(Backend backend, Collection<Tensor> tensors, float sumOfSquares) {
        if (allOnHost(tensors)) {
            return exact(backend, tensors);
        }
        return Float.isFinite(sumOfSquares) || exact(backend, tensors);
    }

    /** {@link #sumOfSquares} for device tensors; null when every tensor is on the host, where a scan is cheaper. */
    static Tensor deviceSumOfSquares(Backend backend, Collection<Tensor> tensors) {
        return allOnHost(tensors) ? null : sumOfSquares(backend, tensors);
    }

    /**
     * The sum of squares of every element of {@code tensors} as a scalar tensor, one dot product per
     * tensor added in order on the backend: NaN or infinite whenever any element is.
     */
    static Tensor sumOfSquares(Backend backend, Collection<Tensor> tensors) {
        Tensor sum = backend.zeros(Shape.scalar());
        for (Tensor t : tensors) {
            try (Tensor row = t.reshape(Shape.of(1, t.size()));
                 Tensor dot = backend.linear(row, row, null);
                 Tensor value = dot.reshape(Shape.scalar())) {
                Tensor next = backend.binary(BinaryOp.ADD, sum, value);
                sum.close();
                sum = next;
            }
        }
        return sum;
    }

    private static boolean allOnHost(Collection<Tensor> tensors) {
        for (Tensor t : tensors) {
            if (!(t.storage() instanceof HostStorage)) {
                return false;
            }
        }
        return true;
    }

    static boolean exact(Backend backend, Collection<Tensor> tensors) {
        for (Tensor t : tensors) {
            float[] v = t.storage() instanceof HostStorage h ? h.floats() : backend.download(t);
            if (!allFinite(v, t.size())) {
                return false;
            }
        }
        return true;
    }

    /**
     * x * 0 is 0 for every finite x and NaN for NaN and the infinities, so the sums below are 0 or
     * NaN; four independent sums keep the loop from waiting on one addition chain. Measured on
     * mnist-cnn's 1.2M gradients: 0.6 ms per step, against 3.8 ms for a Float.isFinite scan.
     */
    static boolean allFinite(float[] v, int n) {
        float s0 = 0;
        float s1 = 0;
        float s2 = 0;
        float s3 = 0;
        int i = 0;
        for (; i + 3 < n; i += 4) {
            s0 += v[i] * 0f;
            s1 += v[i + 1] * 0f;
            s2 += v[i + 2] * 0f;
            s3 += v[i + 3] * 0f;
        }
        for (; i < n; i++) {
            s0 += v[i] * 0f;
        }
        return !Float.isNaN(s0 + s1 + s2 + s3);
    }

    /** The index of the first NaN or infinity in {@code t}, or -1. */
    static int firstNonFinite(Backend backend, Tensor t) {
        float[] v = t.storage() instanceof HostStorage h ? h.floats() : backend.download(t);
        for (int i = 0; i < t.size(); i++) {
            if (!Float.isFinite(v[i])) {
                return i;
            }
        }
        return -1;
    }

    /** "NaN", "Infinity" or "-Infinity": the first non-finite value of {@code t}, or null. */
    static String describe(Backend backend, Tensor t) {
        int i = firstNonFinite(backend, t);
        if (i < 0) {
            return null;
        }
        float[] v = t.storage() instanceof HostStorage h ? h.floats() : backend.download(t);
        return Float.toString(v[i]);
    }
}
