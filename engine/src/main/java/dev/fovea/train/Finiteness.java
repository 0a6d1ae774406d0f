package dev.fovea.train;

import dev.fovea.backend.Backend;
import dev.fovea.tensor.HostStorage;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;

import java.util.Collection;

/**
 * Whether tensors hold only finite values. Host tensors are scanned in place; device tensors are
 * first reduced on the device to one sum of squares (NaN or infinite whenever any element is) so a
 * healthy step costs one scalar download, and only a non-finite sum is confirmed element by element
 * (a finite but enormous gradient can overflow the sum without being non-finite itself).
 */
final class Finiteness {
    private Finiteness() {
    }

    static boolean allFinite(Backend backend, Collection<Tensor> tensors) {
        boolean host = true;
        for (Tensor t : tensors) {
            host &= t.storage() instanceof HostStorage;
        }
        return host ? exact(backend, tensors) : onDevice(backend, tensors) || exact(backend, tensors);
    }

    /** The device reduction alone: true only if the sum of squares of every element is finite. */
    static boolean onDevice(Backend backend, Collection<Tensor> tensors) {
        float sum = 0;
        for (Tensor t : tensors) {
            try (Tensor row = t.reshape(Shape.of(1, t.size()));
                 Tensor dot = backend.linear(row, row, null)) {
                sum += backend.download(dot)[0];
            }
        }
        return Float.isFinite(sum);
    }

    static boolean exact(Backend backend, Collection<Tensor> tensors) {
        for (Tensor t : tensors) {
            if (firstNonFinite(backend, t) >= 0) {
                return false;
            }
        }
        return true;
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
