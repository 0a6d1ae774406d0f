package dev.fovea.backend.cpu;

import dev.fovea.backend.Grads;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.testing.Arrays2;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The fast linear layer against the reference, forward and gradients. Tolerance as for GEMM: values in
 * [-1, 1), float32 sums of {@code terms} products, |err| <= 4e-6 * terms + 1e-5 relative.
 */
class FastLinearTest {

    @ParameterizedTest(name = "N={0} in={1} out={2} bias={3} needInputGrad={4}")
    @CsvSource({"1, 1, 1, true, true", "7, 33, 5, false, true", "64, 300, 10, true, true", "13, 9, 129, true, false",
        "2, 513, 97, false, false"})
    void matchesReference(int n, int in, int out, boolean bias, boolean needInputGrad) {
        ReferenceBackend ref = new ReferenceBackend();
        try (CpuBackend fast = new CpuBackend(2)) {
            Tensor x = ref.upload(Shape.of(n, in), Arrays2.random(n * in, 1));
            Tensor w = ref.upload(Shape.of(out, in), Arrays2.random(out * in, 2));
            Tensor b = bias ? ref.upload(Shape.of(out), Arrays2.random(out, 3)) : null;
            Arrays2.assertClose("forward", ref.download(ref.linear(x, w, b)), fast.download(fast.linear(x, w, b)),
                    4e-6 * (in + 1) + 1e-6, 1e-5);
            Tensor dy = ref.upload(Shape.of(n, out), Arrays2.random(n * out, 4));
            Grads r = ref.linearBackward(dy, x, w, bias, needInputGrad);
            Grads f = fast.linearBackward(dy, x, w, bias, needInputGrad);
            if (needInputGrad) {
                Arrays2.assertClose("input grad", ref.download(r.input()), fast.download(f.input()),
                        4e-6 * out + 1e-6, 1e-5);
            } else {
                assertNull(f.input());
            }
            Arrays2.assertClose("weight grad", ref.download(r.weight()), fast.download(f.weight()), 4e-6 * n + 1e-6,
                    1e-5);
            if (bias) {
                Arrays2.assertClose("bias grad", ref.download(r.bias()), fast.download(f.bias()), 4e-6 * n + 1e-6,
                        1e-5);
            } else {
                assertNull(f.bias());
            }
        }
    }

    @Test
    void bitwiseIdenticalForAnyThreadCount() {
        float[] x = Arrays2.random(50 * 700, 5);
        float[] w = Arrays2.random(130 * 700, 6);
        float[] dy = Arrays2.random(50 * 130, 7);
        float[][] first = null;
        for (int t : new int[] {1, 2, 3}) {
            try (CpuBackend cpu = new CpuBackend(t)) {
                Tensor xt = cpu.upload(Shape.of(50, 700), x);
                Tensor wt = cpu.upload(Shape.of(130, 700), w);
                Grads g = cpu.linearBackward(cpu.upload(Shape.of(50, 130), dy), xt, wt, true, true);
                float[][] all = {cpu.download(cpu.linear(xt, wt, null)), cpu.download(g.input()),
                    cpu.download(g.weight()), cpu.download(g.bias())};
                if (first == null) {
                    first = all;
                } else {
                    for (int j = 0; j < all.length; j++) {
                        assertArrayEquals(first[j], all[j], "output " + j + ": threads=" + t);
                    }
                }
            }
        }
    }

    @Test
    void gemmRejectsTooSmallArrays() {
        try (CpuBackend cpu = new CpuBackend(1)) {
            Tensor a = cpu.zeros(Shape.of(2, 3));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> cpu.gemm(false, false, 2, 4, 3, 1f, a, a, 0f, cpu.zeros(Shape.of(2, 4))));
            org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().startsWith("gemm:"), e.getMessage());
        }
    }
}
