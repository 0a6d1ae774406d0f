package dev.fovea.jmh;

import dev.fovea.backend.Grads;
import dev.fovea.backend.cpu.CpuBackend;
import dev.fovea.primitives.Conv2dParams;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Convolution kernels of the fast CPU backend: the GEMM-lowered path (the reference network's conv2)
 * and the direct depthwise kernel, forward and backward (data and weight gradients).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
@State(Scope.Benchmark)
public class ConvBenchmark {
    /** conv2: N=64, 32->64, 26x26, 3x3 (GEMM-lowered); depthwise: N=32, 64 channels, 56x56, 3x3, pad 1 (direct). */
    @Param({"conv2", "depthwise"})
    String shape;

    CpuBackend cpu;
    Tensor x;
    Tensor w;
    Tensor bias;
    Tensor dy;
    Conv2dParams p;

    @Setup(Level.Trial)
    public void setUp() {
        cpu = new CpuBackend();
        SplittableRandom rnd = new SplittableRandom(1);
        Shape xs;
        Shape ws;
        if (shape.equals("conv2")) {
            xs = Shape.of(64, 32, 26, 26);
            ws = Shape.of(64, 32, 3, 3);
            p = Conv2dParams.defaults();
        } else {
            xs = Shape.of(32, 64, 56, 56);
            ws = Shape.of(64, 1, 3, 3);
            p = Conv2dParams.of(1, 1).withGroups(64);
        }
        x = CpuState.random(cpu, rnd, xs);
        w = CpuState.random(cpu, rnd, ws);
        bias = CpuState.random(cpu, rnd, Shape.of(ws.dim(0)));
        dy = CpuState.random(cpu, rnd, p.outputShape(xs, ws, bias.shape()));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        cpu.close();
    }

    @Benchmark
    public Tensor forward() {
        return cpu.conv2d(x, w, bias, p);
    }

    @Benchmark
    public Grads backward() {
        return cpu.conv2dBackward(dy, x, w, true, true, p);
    }
}
