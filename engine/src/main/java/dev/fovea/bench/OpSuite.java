package dev.fovea.bench;

import dev.fovea.backend.Backend;
import dev.fovea.backend.BatchNormOutput;
import dev.fovea.backend.PoolOutput;
import dev.fovea.primitives.BatchNormParams;
import dev.fovea.primitives.Conv2dParams;
import dev.fovea.primitives.Pool2dParams;
import dev.fovea.primitives.PoolKind;
import dev.fovea.ops.Op;
import dev.fovea.ops.Ops;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The fixed op suite of {@code fovea bench ops}: the convolutions of issue 5 (the reference network's
 * conv2, a ResNet-style 3x3, depthwise, dilated, grouped), 2x2 max/avg/min pooling, training-mode
 * batch norm, a residual add and a squeeze-excitation scale (broadcasting mul), and square SGEMMs. Convolutions and GEMMs are rated in GFLOP/s (2 x multiply-adds; a
 * convolution's backward counts twice its forward: data and weight gradients); pooling, batch norm and the binary ops,
 * which are bound by memory, in GB/s of the bytes each tensor needs to be read or written once.
 */
public final class OpSuite {
    private static final int F = 4;

    private OpSuite() {
    }

    /**
     * The suite; {@code quick} cuts every batch dimension to 2 and the GEMMs to 256 (a smoke test of
     * the harness in seconds, not a measurement).
     */
    public static List<Workload> standard(boolean quick) {
        int n64 = quick ? 2 : 64;
        int n32 = quick ? 2 : 32;
        List<Workload> w = new ArrayList<>();
        w.add(conv("conv2d mnist-conv2", Shape.of(n64, 32, 26, 26), Shape.of(64, 32, 3, 3), Conv2dParams.defaults()));
        w.add(conv("conv2d resnet-3x3", Shape.of(n32, 64, 56, 56), Shape.of(64, 64, 3, 3), Conv2dParams.of(1, 1)));
        w.add(conv("conv2d depthwise-3x3", Shape.of(n32, 64, 56, 56), Shape.of(64, 1, 3, 3),
                Conv2dParams.of(1, 1).withGroups(64)));
        w.add(conv("conv2d dilated-3x3", Shape.of(n32, 64, 56, 56), Shape.of(64, 64, 3, 3),
                Conv2dParams.of(1, 2).withDilation(2)));
        w.add(conv("conv2d grouped-g4", Shape.of(n32, 128, 28, 28), Shape.of(128, 32, 3, 3),
                Conv2dParams.of(1, 1).withGroups(4)));
        for (PoolKind k : PoolKind.values()) {
            w.add(pool(k, Shape.of(n64, 64, 24, 24)));
        }
        w.add(batchNorm(Shape.of(n32, 64, 56, 56)));
        w.add(binary("add", "resnet-residual", Shape.of(n32, 64, 56, 56), Shape.of(n32, 64, 56, 56)));
        w.add(binary("mul", "squeeze-excitation", Shape.of(n32, 64, 56, 56), Shape.of(n32, 64, 1, 1)));
        for (int size : quick ? new int[] {256} : new int[] {256, 512, 1024, 2048}) {
            w.add(sgemm(size));
        }
        return List.copyOf(w);
    }

    /** The workloads whose name contains one of {@code patterns} (all of them when the list is empty). */
    public static List<Workload> select(List<Workload> suite, List<String> patterns) {
        if (patterns.isEmpty()) {
            return suite;
        }
        List<Workload> out = suite.stream().filter(w -> patterns.stream().anyMatch(p -> w.name().contains(p))).toList();
        if (out.isEmpty()) {
            throw new IllegalArgumentException("bench ops: --only " + String.join(",", patterns)
                    + " matches no workload; the suite has: " + String.join(", ", suite.stream().map(Workload::name).toList()));
        }
        return out;
    }

    private static String dims(Shape s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.rank(); i++) {
            b.append(i == 0 ? "" : "x").append(s.dim(i));
        }
        return b.toString();
    }

    static Workload conv(String label, Shape xs, Shape ws, Conv2dParams p) {
        Shape ys = p.outputShape(xs, ws, Shape.of(ws.dim(0)));
        double macs = (double) ys.size() * ws.dim(1) * ws.dim(2) * ws.dim(3);
        String name = String.format(Locale.ROOT, "%s N%d %d>%d %dx%d", label, xs.dim(0), xs.dim(1), ws.dim(0),
                xs.dim(2), xs.dim(3));
        return new Simple(name, Rate.GFLOPS, in -> {
            Backend b = in.backend();
            Tensor x = in.random(xs);
            Tensor w = in.random(ws);
            Tensor bias = in.random(Shape.of(ws.dim(0)));
            Tensor dy = in.random(ys);
            return List.of(
                    new Workload.Pass("fwd", 2 * macs, () -> RandomInputs.drop(b.conv2d(x, w, bias, p))),
                    new Workload.Pass("fwd+bwd", 6 * macs, () -> {
                        RandomInputs.drop(b.conv2d(x, w, bias, p));
                        RandomInputs.drop(b.conv2dBackward(dy, x, w, true, true, p));
                    }));
        });
    }

    static Workload pool(PoolKind kind, Shape xs) {
        Pool2dParams p = Pool2dParams.of(kind, 2);
        Shape ys = Shape.of(xs.dim(0), xs.dim(1), xs.dim(2) / 2, xs.dim(3) / 2);
        // Max and min pooling write (forward) and read (backward) one int32 winner index per output.
        double indexBytes = kind == PoolKind.AVG ? 0 : (double) ys.size() * F;
        double fwdBytes = (double) (xs.size() + ys.size()) * F + indexBytes;
        double bwdBytes = (double) (ys.size() + xs.size()) * F + indexBytes;
        return new Simple(kind.opName() + " 2x2 " + dims(xs), Rate.GB_PER_S, in -> {
            Backend b = in.backend();
            Tensor x = in.random(xs);
            Tensor dy = in.random(ys);
            return List.of(
                    new Workload.Pass("fwd", fwdBytes, () -> RandomInputs.drop(b.pool2d(x, p))),
                    new Workload.Pass("fwd+bwd", fwdBytes + bwdBytes, () -> {
                        PoolOutput out = b.pool2d(x, p);
                        RandomInputs.drop(b.pool2dBackward(dy, x, out, p), out);
                    }));
        });
    }

    static Workload batchNorm(Shape xs) {
        BatchNormParams p = BatchNormParams.defaults();
        Shape cs = Shape.of(xs.dim(1));
        double fwdBytes = 2.0 * xs.size() * F;          // read x, write y
        double bwdBytes = 3.0 * xs.size() * F;          // read x and dy, write dx
        return new Simple("batch_norm train " + dims(xs), Rate.GB_PER_S, in -> {
            Backend b = in.backend();
            Tensor x = in.random(xs);
            Tensor dy = in.random(xs);
            Tensor gamma = in.constant(cs, 1f);
            Tensor beta = in.constant(cs, 0f);
            Tensor mean = in.constant(cs, 0f);
            Tensor var = in.constant(cs, 1f);
            return List.of(
                    new Workload.Pass("fwd", fwdBytes, () -> RandomInputs.drop(b.batchNormTraining(x, gamma, beta, mean, var, p))),
                    new Workload.Pass("fwd+bwd", fwdBytes + bwdBytes, () -> {
                        BatchNormOutput out = b.batchNormTraining(x, gamma, beta, mean, var, p);
                        RandomInputs.drop(b.batchNormBackward(dy, x, gamma, out), out);
                    }));
        });
    }

    /**
     * A binary op through the registry, as a graph runs it (forward, then both gradients). Memory
     * bound: rated by the bytes of the inputs and output (forward) and of dy, the inputs and the
     * gradients (backward), each once.
     */
    static Workload binary(String op, String label, Shape xs, Shape ys) {
        Op bound = Ops.get(op).bind(Map.of());
        double fwdBytes = (double) (2L * xs.size() + ys.size()) * F;
        double bwdBytes = (double) (3L * xs.size() + 2L * ys.size()) * F;
        return new Simple(op + " " + label + " " + dims(xs) + " " + dims(ys), Rate.GB_PER_S, in -> {
            Backend b = in.backend();
            Map<String, Tensor> inputs = Map.of("input", in.random(xs), "other", in.random(ys));
            Tensor dy = in.random(xs);
            return List.of(
                    new Workload.Pass("fwd", fwdBytes, () -> RandomInputs.drop(bound.forward(b, inputs).get(Op.OUTPUT))),
                    new Workload.Pass("fwd+bwd", fwdBytes + bwdBytes, () -> {
                        Map<String, Tensor> out = bound.forward(b, inputs);
                        Map<String, Tensor> grads = bound.backward(b, inputs, out, Map.of(Op.OUTPUT, dy));
                        RandomInputs.drop(out.get(Op.OUTPUT), grads.get("input"), grads.get("other"));
                    }));
        });
    }

    static Workload sgemm(int size) {
        Shape s = Shape.of(size, size);
        return new Simple("sgemm " + size + "^3", Rate.GFLOPS, in -> {
            Backend b = in.backend();
            Tensor a = in.random(s);
            Tensor bm = in.random(s);
            Tensor c = in.random(s);
            return List.of(new Workload.Pass("", 2.0 * size * size * size,
                    () -> b.gemm(false, false, size, size, size, 1f, a, bm, 0f, c)));
        });
    }

    private interface Setup {
        List<Workload.Pass> prepare(RandomInputs in);
    }

    private record Simple(String name, Rate unit, Setup setup) implements Workload {
        @Override
        public List<Workload.Pass> prepare(RandomInputs in) {
            return setup.prepare(in);
        }
    }
}
