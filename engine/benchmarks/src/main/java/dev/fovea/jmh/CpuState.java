package dev.fovea.jmh;

import dev.fovea.backend.cpu.CpuBackend;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;

import java.util.SplittableRandom;

/** Random tensors on the fast CPU backend, shared by the micro-benchmarks' states. */
final class CpuState {
    private CpuState() {
    }

    static Tensor random(CpuBackend cpu, SplittableRandom rnd, Shape s) {
        float[] v = new float[s.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (rnd.nextDouble() * 2 - 1);
        }
        return cpu.upload(s, v);
    }
}
