package dev.fovea.bench;

import dev.fovea.backend.Backend;
import dev.fovea.backend.BatchNormOutput;
import dev.fovea.backend.Grads;
import dev.fovea.backend.PoolOutput;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The tensors a workload reads, on one backend, closed together when it is done; and {@link #drop}, which
 * frees what a timed body produced so a GPU run does not grow its memory with every repetition.
 */
public final class RandomInputs implements AutoCloseable {
    private final Backend backend;
    private final SplittableRandom rnd;
    private final List<Tensor> owned = new ArrayList<>();

    public RandomInputs(Backend backend, long seed) {
        this.backend = backend;
        this.rnd = new SplittableRandom(seed);
    }

    public Backend backend() {
        return backend;
    }

    /** Uniform values in [-1, 1). */
    public Tensor random(Shape s) {
        float[] v = new float[s.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (rnd.nextDouble() * 2 - 1);
        }
        return own(backend.upload(s, v));
    }

    /** Class indices in [0, classes) as floats, the targets of cross-entropy. */
    public Tensor labels(int n, int classes) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = rnd.nextInt(classes);
        }
        return own(backend.upload(Shape.of(n), v));
    }

    public Tensor constant(Shape s, float value) {
        float[] v = new float[s.size()];
        java.util.Arrays.fill(v, value);
        return own(backend.upload(s, v));
    }

    private Tensor own(Tensor t) {
        owned.add(t);
        return t;
    }

    /** Closes the tensors inside op results (null parts skipped). */
    public static void drop(Object... results) {
        for (Object r : results) {
            if (r instanceof Tensor t) {
                t.close();
            } else if (r instanceof Grads g) {
                drop(g.input(), g.weight(), g.bias());
            } else if (r instanceof PoolOutput p) {
                drop(p.output(), p.indices());
            } else if (r instanceof BatchNormOutput b) {
                drop(b.output(), b.savedMean(), b.savedInvStd());
            }
        }
    }

    @Override
    public void close() {
        owned.forEach(Tensor::close);
        owned.clear();
    }
}
