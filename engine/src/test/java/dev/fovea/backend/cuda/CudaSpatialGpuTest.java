package dev.fovea.backend.cuda;

import dev.fovea.backend.Backend;
import dev.fovea.backend.PoolOutput;
import dev.fovea.backend.cpu.ReferenceBackend;
import dev.fovea.primitives.AdaptivePool2dParams;
import dev.fovea.primitives.Pad2dParams;
import dev.fovea.primitives.PadMode;
import dev.fovea.primitives.PoolKind;
import dev.fovea.primitives.Upsample2dParams;
import dev.fovea.primitives.UpsampleMode;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.testing.Arrays2;
import dev.fovea.testing.GpuTests;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Adaptive pooling, upsampling and padding on {@link CudaBackend} against the CPU reference at sizes
 * where the kernels' grid-stride loops wrap and the upsampling backward's binary searches run deep
 * (planes of a few thousand cells; the conformance cases are small), and the errors, which must read
 * as the reference's. Tolerances: gradients gather up to a few dozen float terms where the reference
 * sums in double (1e-5 absolute and relative); max pooling, nearest and pad forward select (exact).
 */
@Tag("gpu")
class CudaSpatialGpuTest {
    private static CudaBackend cuda;
    private static final Backend REF = new ReferenceBackend();

    @BeforeAll
    static void open() {
        if (CudaProbe.status().available()) {
            cuda = new CudaBackend();
        }
    }

    @BeforeEach
    void requireGpu() {
        GpuTests.requireGpu();
    }

    @AfterAll
    static void close() {
        if (cuda != null) {
            cuda.close();
        }
    }

    /** Forward and input gradient on both backends, compared; {@code exactForward} for selecting ops. */
    private static void compare(String what, Shape xs, Function<Backend, Function<Tensor, Tensor>> forward,
                                Function<Backend, Function<Tensor, Tensor>> backward, boolean exactForward) {
        float[] x = Arrays2.random(xs.size(), xs.hashCode());
        Tensor yRef = forward.apply(REF).apply(REF.upload(xs, x));
        Tensor yDev = forward.apply(cuda).apply(cuda.upload(xs, x));
        assertEquals(yRef.shape(), yDev.shape(), what + " shape");
        double tol = exactForward ? 0 : 1e-5;
        Arrays2.assertClose(what + " forward", REF.download(yRef), cuda.download(yDev), tol, tol);
        float[] dy = Arrays2.random(yRef.size(), xs.hashCode() + 1);
        Tensor dxRef = backward.apply(REF).apply(REF.upload(yRef.shape(), dy));
        Tensor dxDev = backward.apply(cuda).apply(cuda.upload(yRef.shape(), dy));
        Arrays2.assertClose(what + " backward", REF.download(dxRef), cuda.download(dxDev), 1e-5, 1e-5);
    }

    @Test
    void largePlanesMatchTheReference() {
        Shape xs = Shape.of(2, 3, 67, 45);
        for (Upsample2dParams p : List.of(Upsample2dParams.ofSize(UpsampleMode.NEAREST, 150, 91, false),
                Upsample2dParams.ofScale(UpsampleMode.NEAREST, 0.37, 2.0, false),
                Upsample2dParams.ofSize(UpsampleMode.BILINEAR, 150, 91, false),
                Upsample2dParams.ofSize(UpsampleMode.BILINEAR, 150, 91, true),
                Upsample2dParams.ofScale(UpsampleMode.BILINEAR, 0.61, 1.3, false))) {
            compare(p.toString(), xs, b -> t -> b.resample2d(t, p).output(),
                    b -> dy -> b.resample2dBackward(dy, xs, null, p), p.mode() == UpsampleMode.NEAREST);
        }
        for (Pad2dParams p : List.of(new Pad2dParams(5, 0, 17, 3, PadMode.CONSTANT, -2),
                new Pad2dParams(44, 43, 66, 1, PadMode.REFLECT, 0), new Pad2dParams(30, 70, 2, 90, PadMode.REPLICATE, 0))) {
            compare(p.toString(), xs, b -> t -> b.resample2d(t, p).output(),
                    b -> dy -> b.resample2dBackward(dy, xs, null, p), true);
        }
        for (PoolKind kind : List.of(PoolKind.AVG, PoolKind.MAX)) {
            for (int[] size : new int[][] {{7, 5}, {100, 61}}) {
                AdaptivePool2dParams p = new AdaptivePool2dParams(kind, size[0], size[1]);
                compare(p.toString(), xs, b -> t -> b.resample2d(t, p).output(), b -> dy -> {
                    Tensor x = b.upload(xs, Arrays2.random(xs.size(), xs.hashCode()));
                    PoolOutput f = b.resample2d(x, p);
                    return b.resample2dBackward(dy, x.shape(), f.indices(), p);
                }, kind == PoolKind.MAX);
            }
        }
    }

    @Test
    void errorsReadAsTheReferences() {
        Shape xs = Shape.of(1, 2, 4, 4);
        for (Backend b : List.of(REF, cuda)) {
            Tensor x = b.upload(xs, new float[xs.size()]);
            var reflect = assertThrows(IllegalArgumentException.class,
                    () -> b.resample2d(x, new Pad2dParams(4, 0, 0, 0, PadMode.REFLECT, 0)), b.name());
            assertEquals("pad: reflect padding must be smaller than the padded dimension: [4, 0] against width 4,"
                    + " [0, 0] against height 4 (input [1, 2, 4, 4])", reflect.getMessage(), b.name());
            var grad = assertThrows(IllegalArgumentException.class, () -> b.resample2dBackward(
                    b.upload(Shape.of(1, 2, 8, 7), new float[112]), xs, null,
                    Upsample2dParams.ofSize(UpsampleMode.BILINEAR, 8, 8, false)), b.name());
            assertEquals("upsample backward: grad_output must be [1, 2, 8, 8], got [1, 2, 8, 7]", grad.getMessage(),
                    b.name());
        }
        AdaptivePool2dParams max = new AdaptivePool2dParams(PoolKind.MAX, 2, 2);
        Tensor x = cuda.upload(xs, new float[xs.size()]);
        Tensor y = cuda.resample2d(x, max).output();
        var noIndices = assertThrows(IllegalArgumentException.class,
                () -> cuda.resample2dBackward(y, xs, null, max));
        assertEquals("adaptive_max_pool2d backward: no indices given; pass the indices of this backend's resample2d"
                + " forward", noIndices.getMessage());
    }
}
