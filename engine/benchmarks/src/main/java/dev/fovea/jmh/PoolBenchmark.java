package dev.fovea.jmh;

import dev.fovea.backend.PoolOutput;
import dev.fovea.backend.cpu.CpuBackend;
import dev.fovea.primitives.Pool2dParams;
import dev.fovea.primitives.PoolKind;
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

/** 2x2 pooling on (64, 64, 24, 24): forward (with winner indices for max/min) and backward. */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
@State(Scope.Benchmark)
public class PoolBenchmark {
    @Param({"MAX", "AVG", "MIN"})
    PoolKind kind;

    CpuBackend cpu;
    Tensor x;
    Tensor dy;
    Pool2dParams p;
    PoolOutput out;

    @Setup(Level.Trial)
    public void setUp() {
        cpu = new CpuBackend();
        SplittableRandom rnd = new SplittableRandom(1);
        p = Pool2dParams.of(kind, 2);
        x = CpuState.random(cpu, rnd, Shape.of(64, 64, 24, 24));
        dy = CpuState.random(cpu, rnd, Shape.of(64, 64, 12, 12));
        out = cpu.pool2d(x, p);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        cpu.close();
    }

    @Benchmark
    public PoolOutput forward() {
        return cpu.pool2d(x, p);
    }

    @Benchmark
    public Tensor backward() {
        return cpu.pool2dBackward(dy, x, out, p);
    }
}
